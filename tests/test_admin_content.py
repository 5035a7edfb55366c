"""The admin's content side: no lost work, checks that catch real mistakes, and a dashboard that tells the truth."""
import random
import re
import string
import time
from datetime import datetime, timedelta
from html import unescape

import pytest

from pwa.admin.models import Draft
from pwa.extensions import db
from pwa.hours import UK
from test_admin import EMAIL, SERVICE, create_user, csrf_from, form_for, new_number, sign_in

HALTON = "halton-domestic-abuse-forum"
OTHER_EMAIL = "colleague@agency.example"


@pytest.fixture
def admin(client, runner):
    assert create_user(runner).exit_code == 0
    assert sign_in(client).status_code == 302
    return client


@pytest.fixture
def colleague(app, runner):
    """A second member of staff, in a browser of their own."""
    assert create_user(runner, OTHER_EMAIL).exit_code == 0
    other = app.test_client()
    assert sign_in(other, OTHER_EMAIL).status_code == 302
    return other


def draft_exists(client) -> bool:
    with client.application.app_context():
        return db.session.scalar(db.select(Draft)) is not None


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="error-{name}">([^<]*)</p>', html)
    return found.group(1) if found else ""


def summary_lines(html: str) -> list[str]:
    summary = html.split('id="error-summary-title"')[1].split("</ul>")[0]
    return [unescape(re.sub(r"<[^>]+>", "", line).strip()) for line in summary.split("<li>")[1:]]


def today() -> str:
    return datetime.now(UK).date().isoformat()


# No lost work ----------------------------------------------------------------------------------------------

def test_a_form_sent_after_the_session_ended_gives_the_text_back_and_says_why(admin):
    data = form_for(admin, "/admin/guides/safety-plan") | {"body_markdown": "A long new text, typed for an hour."}
    with admin.session_transaction() as session:
        session["seen"] = time.time() - 31 * 60  # 31 minutes idle
    response = admin.post("/admin/guides/safety-plan", data=data, headers={"Sec-Fetch-Site": "same-origin"})
    html = response.get_data(as_text=True)
    assert response.status_code == 401 and "Your session ended" in html
    assert "A long new text, typed for an hour." in html
    assert "/admin/login?next=/admin/guides/safety-plan" in html
    assert not draft_exists(admin)


def test_a_form_sent_with_no_session_left_gives_the_text_back_to_this_site_only(admin):
    data = form_for(admin, "/admin/guides/safety-plan") | {"body_markdown": "Typed before the browser restarted."}
    admin.delete_cookie("session", path="/admin")
    same_site = admin.post("/admin/guides/safety-plan", data=data, headers={"Origin": "http://localhost"})
    assert same_site.status_code == 401 and "Typed before the browser restarted." in same_site.get_data(as_text=True)
    # Another site cannot use the page to show its own words on this one.
    other_site = admin.post("/admin/guides/safety-plan", data=data, headers={"Origin": "https://evil.example"})
    assert other_site.status_code == 401 and "Typed before" not in other_site.get_data(as_text=True)


def test_an_expired_form_token_while_signed_in_shows_the_form_again_as_typed(admin):
    data = form_for(admin, "/admin/guides/safety-plan") | {"body_markdown": "Still here.", "csrf_token": "old"}
    response = admin.post("/admin/guides/safety-plan", data=data, headers={"Sec-Fetch-Site": "same-origin"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "had expired" in html and ">Still here.</textarea>" in html
    again = form_for(admin, "/admin/guides/safety-plan") | {"body_markdown": "Still here."}
    assert admin.post("/admin/guides/safety-plan", data=again | {"csrf_token": csrf_from(response)}).status_code == 302


def test_text_over_a_megabyte_gets_an_admin_error_against_its_field_with_the_text_kept(admin):
    body = "Long text. " * 110_000  # 1.2 MB, over the public site's 1 MB request limit
    data = form_for(admin, "/admin/guides/safety-plan") | {"body_markdown": body}
    response = admin.post("/admin/guides/safety-plan", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "data-quick-hide" not in html and "Something went wrong" not in html
    assert field_error(html, "body_markdown") == "Use at most 10,000 characters; this has 1,209,999."
    assert body.strip() in html  # the text is in the form, to shorten
    assert not draft_exists(admin)


def test_a_request_too_big_even_for_the_admin_gets_an_admin_page(admin):
    data = form_for(admin, "/admin/guides/safety-plan") | {"body_markdown": "x" * (5 * 1024 * 1024)}
    response = admin.post("/admin/guides/safety-plan", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and "too much to send" in html and "data-quick-hide" not in html


def test_every_text_field_says_how_long_it_may_be(admin):
    guide = admin.get("/admin/guides/safety-plan").get_data(as_text=True)
    assert "At most 10,000 characters." in guide and "At most 160 characters." in guide
    assert 'data-max-chars="10000"' in guide
    service = admin.get(f"/admin/services/{SERVICE}").get_data(as_text=True)
    assert "At most 1,000 characters." in service and "At most 300 characters." in service


def test_a_save_refused_for_someone_elses_change_says_who_what_and_keeps_my_text(admin, colleague):
    mine = form_for(admin, f"/admin/services/{HALTON}")
    theirs = form_for(colleague, f"/admin/services/{HALTON}")
    assert colleague.post(f"/admin/services/{HALTON}",
                          data=theirs | {"description": "Drop-in on Tuesdays."}).status_code == 302
    response = admin.post(f"/admin/services/{HALTON}", data=mine | {"hours_note": "Closed on bank holidays."})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else changed this service" in html
    assert OTHER_EMAIL in html and "Drop-in on Tuesdays." in html  # who, and what they changed
    assert re.search(r'<textarea id="yours-hours_note"[^>]*>Closed on bank holidays\.</textarea>', html)
    # The form below holds their version, so saving it keeps their change.
    form = form_for(admin, f"/admin/services/{HALTON}")
    assert form["description"] == "Drop-in on Tuesdays."


def test_saves_to_different_records_do_not_conflict(admin, colleague):
    mine = form_for(admin, f"/admin/services/{HALTON}")
    theirs = form_for(colleague, "/admin/services/warrington-refuge")
    assert colleague.post("/admin/services/warrington-refuge",
                          data=theirs | {"description": "Now open at weekends."}).status_code == 302
    response = admin.post(f"/admin/services/{HALTON}", data=mine | {"description": "Drop-in on Tuesdays."})
    assert response.status_code == 302
    dashboard = admin.get("/admin/").get_data(as_text=True)
    assert "2 records differ" in dashboard and OTHER_EMAIL in dashboard and EMAIL in dashboard


def test_discarding_asks_first_and_names_what_would_be_lost(admin):
    data = form_for(admin, f"/admin/services/{SERVICE}")
    assert admin.post(f"/admin/services/{SERVICE}", data=data | new_number("0808 1111 222")).status_code == 302
    dashboard = admin.get("/admin/")
    # A press on the old one-click form is not enough any more.
    assert admin.post("/admin/discard", data={"csrf_token": csrf_from(dashboard)}).status_code == 200
    assert draft_exists(admin)
    asked = admin.get("/admin/discard").get_data(as_text=True)
    assert "Discard the draft?" in asked and SERVICE in asked and "0808 1111 222" in asked and "phone" in asked
    assert "Yes, discard 1 change" in asked


# Checks that catch real mistakes ---------------------------------------------------------------------------

def test_closing_before_opening_is_an_error_unless_marked_overnight(admin):
    data = form_for(admin, "/admin/services/warrington-refuge")
    response = admin.post("/admin/services/warrington-refuge", data=data | {"hours": "mon-fri 09:00-05:00"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "hours").startswith("Line 1: Closes at 05:00, before it opens at 09:00.")
    overnight = data | {"hours": "fri 20:00-08:00 overnight"}
    assert admin.post("/admin/services/warrington-refuge", data=overnight).status_code == 302
    assert form_for(admin, "/admin/services/warrington-refuge")["hours"] == "fri 20:00-08:00 overnight"
    preview = admin.get("/admin/preview").get_data(as_text=True)
    assert 'Friday, <bdi dir="ltr">8pm</bdi> to <bdi dir="ltr">8am</bdi> the next day' in preview


def test_hours_errors_name_the_field_and_the_line(admin):
    data = form_for(admin, "/admin/services/warrington-refuge") | {"hours": "mon-fri 09:00-17:00\nsat 09:00-25:00"}
    html = admin.post("/admin/services/warrington-refuge", data=data).get_data(as_text=True)
    assert ("Opening hours, line 2: 25:00 is not a time: use 24-hour times such as 09:00 or 17:30."
            in summary_lines(html))


def test_a_last_checked_date_in_the_future_is_an_error(admin):
    tomorrow = (datetime.now(UK).date() + timedelta(days=1))
    data = form_for(admin, "/admin/guides/safety-plan") | {"last_checked": tomorrow.isoformat()}
    html = admin.post("/admin/guides/safety-plan", data=data).get_data(as_text=True)
    assert field_error(html, "last_checked") == (f"{tomorrow.day} {tomorrow:%B %Y} is in the future: give the date "
                                                 "someone last checked these details.")


def test_a_changed_phone_number_asks_for_a_new_checked_date_and_its_source(admin):
    data = form_for(admin, f"/admin/services/{HALTON}")
    response = admin.post(f"/admin/services/{HALTON}", data=data | {"phone": "0300 111 9999"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "last_checked").startswith("You changed the phone number: give the date you checked")
    assert field_error(html, "source").startswith("You changed the phone number: give the page that shows")
    assert 'name="source_confirmed"' in html
    checked = data | {"phone": "0300 111 9999", "last_checked": today()}
    assert admin.post(f"/admin/services/{HALTON}", data=checked).status_code == 400  # the source still unconfirmed
    assert admin.post(f"/admin/services/{HALTON}", data=checked | {"source_confirmed": "yes"}).status_code == 302


def test_messages_say_what_to_do_in_plain_words(admin):
    data = form_for(admin, "/admin/services/new") | {"slug": "x", "name": " ", "categories": []}
    html = admin.post("/admin/services/new", data=data).get_data(as_text=True)
    assert "Shorter than minimum length" not in html and "Missing data for required field" not in html
    lines = summary_lines(html)
    assert "Name: Give the service's name." in lines and "Categories: Choose at least one category." in lines
    assert "Last checked: Give the date someone last checked these details." in lines
    guide = form_for(admin, "/admin/guides/new") | {"slug": "y", "title": "", "body_markdown": "\n"}
    lines = summary_lines(admin.post("/admin/guides/new", data=guide).get_data(as_text=True))
    assert "Title: Give the guide a title." in lines and "Text: Write the guide's text." in lines
    assert "Written for: Say who the guide is written for." in lines


@pytest.mark.parametrize("kind", ["services", "areas", "guides", "questions"])
def test_saving_a_form_unchanged_changes_nothing(admin, kind):
    listing = admin.get(f"/admin/{kind}").get_data(as_text=True)
    slugs = [slug for slug in re.findall(rf'href="/admin/{kind}/([a-z0-9-]+)"', listing) if slug != "new"]
    assert len(slugs) >= 5
    for slug in slugs:
        response = admin.post(f"/admin/{kind}/{slug}", data=form_for(admin, f"/admin/{kind}/{slug}"))
        assert response.status_code == 302, (slug, response.get_data(as_text=True))
    assert not draft_exists(admin), admin.get("/admin/").get_data(as_text=True)


def test_unsafe_links_are_shown_against_the_guides_text_in_the_summary_too(admin):
    data = form_for(admin, "/admin/guides/safety-plan") | {"body_markdown": "[Tap](javascript:alert(1))"}
    html = admin.post("/admin/guides/safety-plan", data=data).get_data(as_text=True)
    assert ('Text: Link "javascript:alert(1)" is not allowed: use https://, tel:, sms:, mailto: or a link within '
            "this site.") in summary_lines(html)
    assert '<a href="#field-body_markdown">' in html


# The dashboard ---------------------------------------------------------------------------------------------

def test_the_dashboard_lists_details_not_checked_for_a_year(admin):
    html = admin.get("/admin/").get_data(as_text=True)
    stale = html.split("Not checked for over a year")[1].split("<h2>")[0]
    assert "Warrington Refuge" in stale and "5 May 2020" in stale and "Making a safety plan" in stale
    data = form_for(admin, "/admin/services/warrington-refuge") | {"last_checked": today()}
    assert admin.post("/admin/services/warrington-refuge", data=data).status_code == 302
    stale = admin.get("/admin/").get_data(as_text=True).split("Not checked for over a year")[1].split("<h2>")[0]
    assert f"checked again in the draft ({today()})" in stale


def test_the_draft_counts_are_not_shown_as_the_published_ones(admin):
    data = form_for(admin, "/admin/services/new") | {
        "slug": "new-line", "name": "New line", "area": "national", "phone": "0800 123 456",
        "categories": ["helpline"], "source": "https://agency.example/a", "last_checked": today()}
    assert admin.post("/admin/services/new", data=data).status_code == 302
    html = admin.get("/admin/").get_data(as_text=True)
    published = html.split("<h2>Published</h2>")[1].split("<h2>")[0]
    assert "19 services" in published and "20 services" not in published
    assert "If published, the site would have 20 services" in html.split("<h2>Draft</h2>")[1]


def test_the_preview_reports_the_bundle_size_and_warns_over_the_budget(admin):
    data = form_for(admin, f"/admin/services/{HALTON}") | {"description": "Drop-in on Tuesdays."}
    assert admin.post(f"/admin/services/{HALTON}", data=data).status_code == 302
    small = admin.get("/admin/preview").get_data(as_text=True)
    assert re.search(r"offline bundle will be <strong data-bundle-size>\d+\.\d KB</strong> compressed", small)
    assert "data-bundle-warning" not in small and "The budget is 7 KB compressed" in small
    rng = random.Random(10)  # words that compress about as badly as real prose
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(2_000))
    guide = form_for(admin, "/admin/guides/safety-plan") | {"body_markdown": words[:9_900]}
    assert admin.post("/admin/guides/safety-plan", data=guide).status_code == 302
    big = admin.get("/admin/preview").get_data(as_text=True)
    assert "data-bundle-warning" in big and "over the budget" in big
    assert "Making a safety plan (9,900 characters)" in big


def undo_form(client, slug) -> dict:
    """The fields of the edit page's "Undo the draft's change" form."""
    page = client.get(f"/admin/services/{slug}")
    form = page.get_data(as_text=True).split(f'action="/admin/services/{slug}/undo"')[1].split("</form>")[0]
    return {"csrf_token": csrf_from(page), "revision": re.search(r'name="revision" value="([^"]+)"', form).group(1)}


def test_undoing_a_drafts_change_to_one_record_keeps_the_others(admin, colleague):
    halton = form_for(admin, f"/admin/services/{HALTON}")
    assert admin.post(f"/admin/services/{HALTON}", data=halton | {"description": "Drop-in."}).status_code == 302
    warrington = form_for(admin, "/admin/services/warrington-refuge")
    data = warrington | {"description": "Weekends."}
    assert admin.post("/admin/services/warrington-refuge", data=data).status_code == 302
    undo = undo_form(admin, HALTON)
    # Someone changes it again first: this undo was made from an older version, so it is refused.
    again = form_for(colleague, f"/admin/services/{HALTON}") | {"description": "Drop-in, Tuesdays."}
    assert colleague.post(f"/admin/services/{HALTON}", data=again).status_code == 302
    assert admin.post(f"/admin/services/{HALTON}/undo", data=undo).status_code == 409
    assert admin.post(f"/admin/services/{HALTON}/undo", data=undo_form(admin, HALTON)).status_code == 302
    assert form_for(admin, f"/admin/services/{HALTON}")["description"] == halton["description"]
    assert form_for(admin, "/admin/services/warrington-refuge")["description"] == "Weekends."
