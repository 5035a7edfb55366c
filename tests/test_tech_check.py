"""The tech-safety check (/tech-check): its steps as content (tech_check.toml), checked like the rest of the pack,
edited in the admin, in the content version, and the page that shows them without JavaScript."""
import re
import shutil
from html import unescape

import pytest

from pwa import content, i18n
from pwa.extensions import db
from pwa.models import TechStep
from pwa.settings import PROJECT_ROOT
from support import create_staff
from test_admin import EMAIL, PASSWORD, SECOND, csrf_from, form_for, revision_from, sign_in
from test_admin_plan import field_error

STEPS = ["passwords", "signed-in-devices", "location-sharing", "apps-sharing-location", "family-sharing", "trackers",
         "stalkerware", "cloud-photos", "car"]
GOOD_STEP = """
[[step]]
slug = "a-step"
title = "A step"
why = "Why it matters."
android = "On Android."
iphone = "On an iPhone."
source = "https://refugetechsafety.org/guide-online-accounts/"
last_checked = 2026-11-30
"""


def pack_with(tmp_path, tech_check: str | None):
    """A copy of the default pack with this tech_check.toml (None: without one)."""
    folder = tmp_path / "pack"
    shutil.copytree(PROJECT_ROOT / "content", folder, dirs_exist_ok=True)
    if tech_check is None:
        (folder / "tech_check.toml").unlink()
    else:
        (folder / "tech_check.toml").write_text(tech_check, encoding="utf-8")
    return folder


def problems_of(folder) -> list[str]:
    with pytest.raises(content.ContentError) as raised:
        content.read_pack(folder)
    return raised.value.problems


def step_html(html: str, slug: str) -> str:
    return html.split(f'data-step="{slug}"')[1].split("</li>\n  <li")[0].split("</ol>")[0]


# The content ---------------------------------------------------------------------------------------------------

def test_the_default_steps_each_say_how_on_both_platforms_warn_and_name_a_checked_source():
    pack = content.read_pack(PROJECT_ROOT / "content")
    assert [step["slug"] for step in sorted(pack.steps, key=content.step_order)] == STEPS
    for step in pack.steps:
        assert step["android"].strip() and step["iphone"].strip() and step["why"].strip(), step["slug"]
        assert step["warning"].strip(), step["slug"]  # every default step can alert someone, or may
        assert step["source"].startswith("https://") and step["last_checked"].isoformat() == "2026-11-30"
    # Where a detail could not be checked, the words say so: never an invented menu path.
    unchecked = [step["slug"] for step in pack.steps if "We could not check" in step["android"] + step["iphone"]
                 or "we could not check" in step["android"] + step["iphone"]]
    assert len(unchecked) >= 7, unchecked


def test_a_pack_without_tech_check_toml_has_no_steps(tmp_path):
    assert content.read_pack(pack_with(tmp_path, None)).steps == []


@pytest.mark.parametrize("left_out, expected", [
    ("source", "Give the https:// page the step's facts come from."),
    ("last_checked", "Give the date someone last checked these details."),
    ("android", "Say how to check on Android, or that it could not be checked."),
    ("iphone", "Say how to check on an iPhone, or that it could not be checked."),
    ("why", "Say why this step matters."),
    ("title", "Give the step a title."),
])
def test_a_step_missing_what_it_needs_is_refused_clearly(tmp_path, left_out, expected):
    text = "\n".join(line for line in GOOD_STEP.splitlines() if not line.startswith(f"{left_out} ="))
    problems = problems_of(pack_with(tmp_path, text))
    assert f"tech_check.toml: step[0] (a-step).{left_out}: {expected}" in problems, problems


@pytest.mark.parametrize("line, expected", [
    ('last_checked = "last week"', "Not a valid date: use the form 2026-01-31."),
    ("last_checked = 2099-01-01", "1 January 2099 is in the future"),
    ('source = "http://example.org/"', "Use a full https:// address."),
    ('android = ""', "Say how to check on Android"),
    ('android = "<b>Settings</b>"', "Raw HTML is not allowed"),
    ('iphone = "![a tracker](https://example.org/a.png)"', "Images are not allowed"),
    ('warning = "[Tap here](javascript:alert(1))"', "is not allowed"),
    ('colour = "red"', "colour: Unknown field."),
])
def test_bad_values_are_named_by_step_and_field(tmp_path, line, expected):
    name = line.split(" =")[0]
    text = "\n".join(l for l in GOOD_STEP.splitlines() if not l.startswith(f"{name} =")) + f"\n{line}\n"
    problems = problems_of(pack_with(tmp_path, text))
    assert any(f"(a-step).{name}" in problem and expected in problem for problem in problems), problems


def test_a_step_slug_used_twice_and_bad_toml_are_errors(tmp_path):
    assert "tech_check.toml: step slug 'a-step' is used more than once" in problems_of(
        pack_with(tmp_path, GOOD_STEP + GOOD_STEP))
    assert any(problem.startswith("tech_check.toml: not valid TOML")
               for problem in problems_of(pack_with(tmp_path, "[[step]\n")))


def test_steps_count_in_the_version_but_not_the_bundle_body(tmp_path):
    default = content.bundle_of(content.read_pack(PROJECT_ROOT / "content"))
    changed = content.read_pack(PROJECT_ROOT / "content")
    changed.steps[0]["title"] = "Passwords"
    other = content.bundle_of(changed)
    assert other["version"] != default["version"]
    assert {k: v for k, v in other.items() if k != "version"} == {k: v for k, v in default.items() if k != "version"}
    assert "stalkerware" not in str(default)  # every phone downloads the body: only the page needs the steps


def test_export_writes_the_steps_back_as_the_pack_reads_them(app, tmp_path):
    with app.app_context():
        records = content.published_records()
        content.write_pack(tmp_path / "out", content.export_files(records))
    pack = content.read_pack(tmp_path / "out")
    assert [content.as_record("steps", step) for step in sorted(pack.steps, key=content.step_order)] == \
        records["steps"]


def test_load_if_empty_adds_the_steps_to_a_server_that_had_none(app, runner):
    with app.app_context():
        db.session.execute(db.delete(TechStep))
        db.session.commit()
    result = runner.invoke(args=["content", "load", "--if-empty"])
    assert "Added the pack's 9 tech-check steps" in result.output, result.output
    with app.app_context():
        assert len(content.published_steps()) == 9
    # Once only: an agency that removes them all keeps it that way.
    with app.app_context():
        db.session.execute(db.delete(TechStep))
        db.session.commit()
    assert "tech-check" not in runner.invoke(args=["content", "load", "--if-empty"]).output


# The page ------------------------------------------------------------------------------------------------------

def test_the_page_shows_every_step_with_both_platforms_its_warning_and_source(client):
    response = client.get("/tech-check")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    pack = {step["slug"]: step for step in content.read_pack(PROJECT_ROOT / "content").steps}
    for number, slug in enumerate(STEPS, start=1):
        part = step_html(html, slug)
        assert f"Step {number}</span>" in part
        assert unescape(re.sub(r"<[^>]+>", "", part)).count(pack[slug]["title"]) == 1
        assert '<details class="tech-step__platform" data-platform="android">' in part
        assert '<details class="tech-step__platform" data-platform="iphone">' in part
        assert "<summary>How to check on Android</summary>" in part
        assert "<summary>How to check on an iPhone</summary>" in part
        assert "data-warning" in part and "Before you change this" in part
        host = re.sub(r"^www\.", "", pack[slug]["source"].split("/")[2])
        assert f'Source: <a href="#tech-sources">{host}</a>, checked 30 November 2026.' in part
    assert html.count('class="tech-step"') == len(STEPS)
    sources = html.split('id="tech-sources"')[1]
    for step in pack.values():
        assert f'href="{step["source"]}" rel="noreferrer noopener"' in sources
    # The Markdown's bold menu names are rendered, its text kept.
    assert "<strong>Scan now</strong>" in step_html(html, "trackers")
    assert "We could not check" in step_html(html, "apps-sharing-location")


def test_the_page_routes_to_refuge_and_the_helplines_and_asks_for_nothing(client):
    html = client.get("/tech-check").get_data(as_text=True)
    assert '<a href="tel:08082000247">call <bdi dir="ltr">0808 2000 247</bdi></a>' in html
    assert 'href="https://refugetechsafety.org/" rel="noreferrer noopener"' in html
    assert 'href="/helplines"' in html and 'href="/limits"' in html
    assert "plan it with a domestic abuse advocate" in html
    # Nothing to fill in and no script of its own: what someone checks is never stored or sent.
    main = html.split("<main")[1].split("</main>")[0]
    assert "<form" not in main and "<input" not in main and "<script" not in main


def test_the_home_and_limits_pages_link_to_it(client):
    for path in ("/", "/limits"):
        assert 'href="/tech-check"' in client.get(path).get_data(as_text=True), path


def test_with_no_steps_the_page_still_routes_to_help(app, client):
    with app.app_context():
        db.session.execute(db.delete(TechStep))
        db.session.commit()
    html = client.get("/tech-check").get_data(as_text=True)
    assert "The steps of this check are not available at the moment." in html
    assert 'href="tel:08082000247"' in html and 'class="tech-step"' not in html


def test_in_another_language_the_steps_say_they_are_in_english(client):
    client.set_cookie(i18n.COOKIE, "cy")
    html = client.get("/tech-check").get_data(as_text=True)
    assert '<html lang="cy"' in html
    assert 'class="language-note"' in html
    assert '<div class="tech-step__why" lang="en-GB" dir="ltr">' in html


def test_the_page_comes_on_a_later_visit_not_the_first(client):
    from support import precache_in

    manifest = precache_in(client.get("/sw.js").get_data(as_text=True))
    assert "/tech-check" in manifest["later"]["visit"]
    assert "/tech-check" not in [entry["url"] for entry in manifest["pages"]]


# The admin -----------------------------------------------------------------------------------------------------

@pytest.fixture
def admin(client, runner):
    assert create_staff(runner, EMAIL, PASSWORD).exit_code == 0
    assert create_staff(runner, SECOND, PASSWORD, role="publisher").exit_code == 0
    assert sign_in(client).status_code == 302
    return client


def publish(admin):
    preview = admin.get("/admin/preview")
    response = admin.post("/admin/publish", data={"csrf_token": csrf_from(preview),
                                                  "revision": revision_from(preview)})
    assert response.status_code == 302, preview.get_data(as_text=True)


def test_an_edited_step_is_published_and_shows_at_once(admin, app):
    listing = admin.get("/admin/steps").get_data(as_text=True)
    assert "Tech-safety check steps" in listing and "Signs of stalkerware" in listing
    assert "source https://stopstalkerware.org/" in listing
    page = admin.get("/tech-check").get_data(as_text=True)  # kept by the response cache for this version
    assert "Look through your apps" in page
    before = admin.get("/api/v1/bundle").get_json()["version"]
    data = form_for(admin, "/admin/steps/stalkerware")
    assert data["iphone"].startswith("- Look through your apps")
    data["iphone"] = data["iphone"].replace("Look through your apps", "Look through every app")
    assert admin.post("/admin/steps/stalkerware", data=data).status_code == 302
    assert "Look through every app" not in admin.get("/tech-check").get_data(as_text=True)  # a draft only
    preview = admin.get("/admin/preview").get_data(as_text=True)
    shown = preview.split('data-step-preview="stalkerware"')[1].split("</article>")[0]
    assert "<li>Look through every app" in shown and "How to check on Android" in shown
    publish(admin)
    assert admin.get("/api/v1/bundle").get_json()["version"] != before
    html = admin.get("/tech-check").get_data(as_text=True)
    assert "Look through every app" in html and "Look through your apps" not in html


def test_step_mistakes_are_explained_against_their_field(admin):
    data = form_for(admin, "/admin/steps/car") | {"source": "", "last_checked": "31/11/2026", "android": "<b>x</b>"}
    response = admin.post("/admin/steps/car", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give the https:// page the step's facts come from." in field_error(html, "source")
    assert "Not a valid date: use the form 2026-01-31." in field_error(html, "last_checked")
    assert "Raw HTML is not allowed" in field_error(html, "android")


def test_a_new_step_with_a_number_waits_for_a_second_person(admin, app):
    data = form_for(admin, "/admin/steps/new") | {
        "slug": "get-help", "title": "Get help", "why": "Call [0808 2000 247](tel:08082000247).",
        "android": "Ask an advocate.", "iphone": "Ask an advocate.", "warning": "",
        "source": "https://refugetechsafety.org/support-survivors/", "last_checked": "2026-11-30", "position": "10"}
    assert admin.post("/admin/steps/new", data=data).status_code == 302
    preview = admin.get("/admin/preview").get_data(as_text=True)
    assert "Links and numbers in the step" in preview and "Publish these changes" not in preview
    second = app.test_client()
    assert sign_in(second, SECOND).status_code == 302
    page = second.get("/admin/preview")
    assert second.post("/admin/approve", data={"csrf_token": csrf_from(page), "kind": "steps", "slug": "get-help",
                                               "field": "contacts", "revision": revision_from(page)}).status_code == 302
    publish(admin)
    html = admin.get("/tech-check").get_data(as_text=True)
    assert 'data-step="get-help"' in html and "Step 10</span>" in html
