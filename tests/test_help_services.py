"""Every way to get help: a service's web chat, the categories people look for, the contacts page's filters
(on the server; in the page, offline too, in test_area_filter_browser.py) and each service's contact links."""
import re
from datetime import date

import pytest
from marshmallow import ValidationError

from pwa import content
from pwa.admin.forms import FORMS
from pwa.extensions import db
from pwa.models import Area, PlanQuestion, Service, TechStep, Translation
from pwa.schemas import CATEGORIES, CATEGORY_LABELS, ServiceContentSchema

BASE = {"slug": "chat-only", "area": "national", "name": "A chat-only service", "categories": ["helpline"],
        "source": "https://example.org/about", "last_checked": "2026-11-30"}


def card(html: str, slug: str) -> str:
    """One service's card on a page."""
    return re.search(rf'<article class="service" id="{slug}"[^>]*>.*?</article>', html, re.S).group(0)


def is_hidden(html: str, slug: str) -> bool:
    return re.search(rf'<article class="service" id="{slug}"[^>]*>', html).group(0).endswith(" hidden>")


# The schema ---------------------------------------------------------------------------------------------

def test_a_service_reachable_only_by_web_chat_is_valid():
    record = ServiceContentSchema().load(BASE | {"chat_url": "https://example.org/chat"})
    assert record["chat_url"] == "https://example.org/chat" and record["phone"] is None


@pytest.mark.parametrize("address", ["http://example.org/chat", "javascript:alert(1)", "example.org/chat",
                                     "sms:999", "https://" + "a" * 300 + ".org"])
def test_a_web_chat_must_be_a_full_https_address(address):
    with pytest.raises(ValidationError) as err:
        ServiceContentSchema().load(BASE | {"chat_url": address})
    assert list(err.value.messages) == ["chat_url"]


def test_a_service_with_no_way_at_all_to_reach_it_is_refused():
    with pytest.raises(ValidationError) as err:
        ServiceContentSchema().load(BASE)
    assert err.value.messages == {"phone": ["Give a phone number, a text message number, a web chat or a website."]}


def test_the_categories_people_look_for_each_have_one_human_label():
    wanted = {"emergency", "police", "helpline", "local-support", "refuge", "advice",  # the first ones, kept
              "legal", "housing", "children", "money", "immigration", "disability", "older-people", "lgbt", "men",
              "sexual-violence", "stalking", "honour-based", "deaf-or-speech", "own-behaviour", "friends-family"}
    assert wanted <= set(CATEGORIES)
    assert set(CATEGORY_LABELS) == set(CATEGORIES) and all(CATEGORY_LABELS.values())
    assert len(set(CATEGORY_LABELS.values())) == len(CATEGORY_LABELS)  # no two read the same
    assert CATEGORY_LABELS["own-behaviour"] == "Worried about your own behaviour"
    assert CATEGORY_LABELS["deaf-or-speech"] == "If you cannot hear or speak"
    assert ServiceContentSchema().load(BASE | {"phone": "999", "categories": ["own-behaviour", "lgbt"]})
    with pytest.raises(ValidationError):
        ServiceContentSchema().load(BASE | {"phone": "999", "categories": ["aliens"]})
    # The admin form offers the same labels.
    [categories] = [f for f in FORMS["services"] if f.name == "categories"]
    assert dict(categories.options) == CATEGORY_LABELS


# The bundle and the API -----------------------------------------------------------------------------------

def test_the_bundle_gives_a_web_chat_only_where_there_is_one(app, client):
    services = {s["slug"]: s for s in client.get("/api/v1/bundle").get_json()["services"]}
    assert services["rape-crisis-24-7"]["chat_url"] == "https://247sexualabusesupport.org.uk/"
    assert services["rape-crisis-24-7"]["phone"] is None  # its number could not be checked
    assert "chat_url" not in services["samaritans"]  # left out, not null: the bundle stays small
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Service"]
    assert "chat_url" in spec["properties"] and "chat_url" not in spec["required"] and "phone" in spec["required"]


def test_the_published_version_reads_the_same_from_the_tables(app):
    # Migrations read content straight from the tables; they must agree with the app. They run before the plan's
    # questions have a table (0005), so the app is asked without any.
    with app.app_context():
        db.session.execute(db.delete(PlanQuestion))
        db.session.execute(db.delete(Translation))  # no table before 0006 either
        db.session.execute(db.delete(TechStep))  # nor before 0009
        records, version = content.published_in_tables(db.session.connection())
        assert version == content.bundle()["version"]
        assert records == content.published_records(("areas", "services", "guides"))


# The contacts page ----------------------------------------------------------------------------------------

def add_service(app, **fields):
    with app.app_context():
        area = db.session.scalar(db.select(Area).filter_by(slug=fields.pop("area", "halton")))
        db.session.add(Service(**({"slug": "halton-legal-advice", "name": "Halton legal advice", "area": area,
                                   "phone": "0300 000 0000", "categories": ["legal"],
                                   "source": "https://example.org/", "last_checked": date(2026, 11, 30),
                                   "position": 9} | fields)))
        db.session.commit()


def test_the_server_filters_by_kind_of_help(app, client):
    add_service(app)
    html = client.get("/helplines?category=legal").get_data(as_text=True)
    assert not is_hidden(html, "halton-legal-advice")
    assert is_hidden(html, "national-domestic-violence-helpline") and is_hidden(html, "warrington-refuge")
    assert '<option value="legal" selected>Legal help</option>' in html
    assert re.search(r"<p [^>]*data-match-count>1 contact shown</p>", html)
    assert re.search(r"<div [^>]*data-no-match hidden>", html)
    # National sections with nothing that matches are hidden too; Halton's is shown.
    assert 'data-area="national" data-area-kind="national" hidden>' in html
    assert 'data-area="halton" data-area-kind="local">' in html


def test_the_server_filters_by_area_and_kind_of_help_together(app, client):
    add_service(app)
    html = client.get("/helplines?area=warrington&category=legal").get_data(as_text=True)
    assert is_hidden(html, "halton-legal-advice")
    assert re.search(r"<p [^>]*data-match-count>0 contacts shown</p>", html)
    none = re.search(r"<div [^>]*data-no-match>.*?</div>", html, re.S).group(0)
    assert "No contacts here match these choices." in none
    assert 'href="/helplines#area-national"' in none and 'href="tel:999"' in none
    stalking = client.get("/helplines?category=stalking").get_data(as_text=True)
    assert not is_hidden(stalking, "national-stalking-helpline") and is_hidden(stalking, "samaritans")


def test_only_kinds_of_help_that_some_service_offers_are_offered(client):
    html = client.get("/helplines").get_data(as_text=True)
    offered = re.findall(r'<option value="([a-z-]+)"', html.split('id="category"')[1].split("</select>")[0])
    assert "stalking" in offered and "deaf-or-speech" in offered
    assert "legal" not in offered  # no default service gives legal help yet
    # Chosen by address, a known kind with no service is offered so the choice shows, and says none match.
    legal = client.get("/helplines?category=legal").get_data(as_text=True)
    assert '<option value="legal" selected>Legal help</option>' in legal
    assert re.search(r"<div [^>]*data-no-match>", legal)


@pytest.mark.parametrize("query", ["category=aliens", "category=%00", "category=" + "x" * 5000, "area=%00"])
def test_an_unknown_choice_is_not_found_never_a_server_error(client, query):
    assert client.get(f"/helplines?{query}").status_code == 404


def test_without_choices_every_contact_shows(client):
    html = client.get("/helplines").get_data(as_text=True)
    listed = html.split("data-match-count>")[1].split("<footer")[0]  # after the filter and read aloud controls
    assert " hidden>" not in listed.replace("data-no-match hidden>", "")
    with client.application.app_context():
        count = db.session.scalar(db.select(db.func.count(Service.id)))
    assert re.search(rf"<p [^>]*data-match-count>{count} contacts shown</p>", html)


# Each service's ways in -----------------------------------------------------------------------------------

def test_each_way_to_reach_a_service_is_a_clear_link(client):
    html = client.get("/helplines").get_data(as_text=True)
    assert '<a class="button button--call" href="tel:08009995428">Call <bdi dir="ltr">0800 999 5428</bdi></a>' in card(html, "galop")
    assert '<a class="button" href="sms:999">Text <bdi dir="ltr">999</bdi></a>' in card(html, "emergencysms")
    chat = card(html, "rape-crisis-24-7")
    assert ('<a class="button" href="https://247sexualabusesupport.org.uk/" rel="noreferrer noopener">Web chat'
            '<span class="other-site-hint"> (another website: it will show in your browser history)</span></a>'
            in chat)
    assert "tel:" not in chat  # no number we could not check


def test_home_and_offline_lead_with_the_first_national_services_and_every_kind_of_help(app, client):
    with app.app_context():
        national = [s.slug for s in content.national_services()]
        db.session.scalar(db.select(Service).filter_by(slug="rape-crisis-24-7")).position = -1  # an agency's order
        db.session.commit()
    for url in ("/", "/offline"):
        html = client.get(url).get_data(as_text=True)
        assert 'href="https://247sexualabusesupport.org.uk/"' in card(html, "rape-crisis-24-7"), url  # the same card
        assert 'href="tel:08082000247"' in html, url
        assert f'id="{national[-1]}"' not in html, url  # the rest are a tap away
    home = client.get("/").get_data(as_text=True)
    for category in ("men", "lgbt", "stalking", "deaf-or-speech", "own-behaviour"):
        assert f'href="/helplines?category={category}"' in home, category
    assert 'href="/helplines?category=legal"' not in home  # no published service gives it yet
    for page in ("/plan", "/check", "/worried", "/journal"):
        assert f'href="{page}"' in home, page


def test_details_not_checked_for_over_a_year_are_flagged(client):
    html = client.get("/helplines").get_data(as_text=True)
    assert "Details last checked 5 May 2020: they may have changed." in card(html, "warrington-refuge")
    samaritans = card(html, "samaritans")
    assert "Details last checked 30 November 2026." in samaritans and "may have changed" not in samaritans


def test_a_chat_link_saved_by_an_older_version_that_is_not_allowed_is_not_linked(app, client):
    add_service(app, slug="odd-chat", phone=None, chat_url="javascript:alert(1)")
    assert "javascript:" not in client.get("/helplines").get_data(as_text=True)


# The admin ------------------------------------------------------------------------------------------------

def test_the_admin_edits_a_web_chat_and_the_preview_shows_it(client, runner):
    from test_admin import create_user, form_for, sign_in

    assert create_user(runner).exit_code == 0 and sign_in(client).status_code == 302
    url = "/admin/services/halton-domestic-abuse-forum"
    page = client.get(url).get_data(as_text=True)
    assert 'name="chat_url"' in page and "Web chat" in page and "Worried about your own behaviour" in page
    data = form_for(client, url) | {"chat_url": "http://example.org/chat"}
    refused = client.post(url, data=data).get_data(as_text=True)
    assert "Use a full https:// address." in refused
    data["chat_url"] = "https://example.org/chat"
    assert client.post(url, data=data).status_code == 302
    preview = client.get("/admin/preview").get_data(as_text=True)
    assert 'href="https://example.org/chat" rel="noreferrer noopener">Web chat' in preview
