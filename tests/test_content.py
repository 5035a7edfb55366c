import json
import re
import shutil
from html.parser import HTMLParser

import pytest
from marshmallow import ValidationError

from pwa import content, plan
from pwa.extensions import db
from pwa.models import Guide, PlanQuestion
from pwa.schemas import GuideContentSchema
from pwa.settings import PROJECT_ROOT


@pytest.fixture
def pack_dir(tmp_path):
    target = tmp_path / "pack"
    shutil.copytree(PROJECT_ROOT / "content", target)
    return target


def problems_for(directory) -> list[str]:
    with pytest.raises(content.ContentError) as caught:
        content.read_pack(directory)
    return caught.value.problems


def test_default_pack_is_valid():
    pack = content.read_pack(PROJECT_ROOT / "content")
    assert len(pack.areas) >= 5 and len(pack.services) >= 7 and len(pack.guides) >= 4


def test_bad_phone_is_reported_with_file_record_and_field(pack_dir):
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace('phone = "01925 243359"', 'phone = "call us!"'))
    [problem] = problems_for(pack_dir)
    assert problem.startswith("services.toml: service[18] (warrington-refuge).phone: Use digits and spaces")


def test_unknown_area_unknown_field_and_bad_hours_all_reported(pack_dir):
    path = pack_dir / "services.toml"
    text = path.read_text()
    text = text.replace('area = "halton"', 'area = "atlantis"')
    text = text.replace('slug = "warrington-refuge"', 'slug = "warrington-refuge"\ncolour = "red"')
    text = text.replace('phone = "0300 123 5101"',
                        'phone = "0300 123 5101"\nhours = [{ days = ["someday"], opens = "9am", closes = "17:00" }]')
    path.write_text(text)
    problems = problems_for(pack_dir)
    assert any("(halton-domestic-abuse-forum).area: no area with slug 'atlantis'" in p for p in problems)
    assert any("(warrington-refuge).colour: Unknown field." in p for p in problems)
    assert any("(cheshire-east-domestic-abuse-hub).hours.0.days.0: someday is not a day" in p for p in problems)
    assert any("(cheshire-east-domestic-abuse-hub).hours.0.opens: 9am is not a time: use 24-hour times" in p
               for p in problems)


def test_service_without_any_contact_is_refused(pack_dir):
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace('phone = "0300 111 1247"\n', ""))
    problems = problems_for(pack_dir)
    assert problems == ["services.toml: service[17] (halton-domestic-abuse-forum).phone: "
                        "Give a phone number, a text message number, a web chat or a website."]


def test_guide_problems(pack_dir):
    (pack_dir / "guides" / "broken.md").write_text("no front matter here\n")
    (pack_dir / "guides" / "html.md").write_text(
        '+++\ntitle = "X"\naudience = "you"\nlast_checked = 2026-01-01\n+++\n<script>alert(1)</script>\n')
    problems = problems_for(pack_dir)
    assert "guides/broken.md: must start with a +++ line of TOML front matter" in problems
    assert any(p.startswith("guides/html.md: guide[0] (html).body_markdown: Raw HTML is not allowed") for p in problems)


def test_guide_images_are_refused(pack_dir):
    # Markdown images would make every phone that opens the guide fetch from another site.
    front = '+++\ntitle = "X"\naudience = "you"\nlast_checked = 2026-01-01\n+++\n'
    (pack_dir / "guides" / "inline.md").write_text(front + "See ![map](https://tracker.example/p.png)\n")
    (pack_dir / "guides" / "reference.md").write_text(front + "See ![map][m]\n\n[m]: //cdn.example/a.gif\n")
    problems = problems_for(pack_dir)
    for name in ("inline", "reference"):
        assert any(p.startswith(f"guides/{name}.md: guide[") and "Images are not allowed" in p for p in problems)


def test_invalid_toml_and_duplicates(pack_dir):
    (pack_dir / "areas.toml").write_text((pack_dir / "areas.toml").read_text() + '\n[[area]]\nslug = "halton"\n'
                                         'name = "Halton again"\nkind = "local"\n')
    problems = problems_for(pack_dir)
    assert "areas.toml: area slug 'halton' is used more than once" in problems
    (pack_dir / "services.toml").write_text("this is = = not toml")
    assert any(p.startswith("services.toml: not valid TOML") for p in problems_for(pack_dir))


def test_odd_shapes_and_nul_characters_are_problems_not_crashes(pack_dir):
    (pack_dir / "areas.toml").write_text("area = 5\n")
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace('name = "Warrington Refuge"', 'name = "Warrington\\u0000Refuge"'))
    problems = problems_for(pack_dir)
    assert "areas.toml: area must be a list of [[area]] tables" in problems
    assert "services.toml: service[18] (warrington-refuge).record: Text must not contain NUL characters." in problems


def test_markdown_cannot_smuggle_html():
    assert "<script" not in content.render_markdown("a <script>b</script>")


def test_cli_load_reports_problems_and_changes_nothing(runner, app, pack_dir):
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace('phone = "0300 111 1247"', 'phone = "x"'))
    result = runner.invoke(args=["content", "load", "--dir", str(pack_dir)])
    assert result.exit_code == 1
    assert "(halton-domestic-abuse-forum).phone" in result.output
    assert "nothing was loaded" in result.output
    assert app.test_client().get("/api/v1/services/halton-domestic-abuse-forum").status_code == 200


def test_cli_load_if_empty_keeps_existing_content(runner, app, pack_dir):
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace("0300 111 1247", "0300 000 0000"))
    result = runner.invoke(args=["content", "load", "--if-empty", "--dir", str(pack_dir)])
    assert "left as it is" in result.output
    result = runner.invoke(args=["content", "load", "--dir", str(pack_dir)])
    assert result.exit_code == 0, result.output
    service = app.test_client().get("/api/v1/services/halton-domestic-abuse-forum").json["service"]
    assert service["phone"] == "0300 000 0000"


def test_content_version_changes_with_content(app, pack_dir, runner):
    client = app.test_client()
    before = client.get("/api/v1/bundle").headers["ETag"]
    path = pack_dir / "guides" / "safety-plan.md"
    path.write_text(path.read_text() + "\nOne more tip.\n")
    assert runner.invoke(args=["content", "load", "--dir", str(pack_dir)]).exit_code == 0
    response = client.get("/api/v1/bundle", headers={"If-None-Match": before})
    assert response.status_code == 200 and response.headers["ETag"] != before


GUIDE_FRONT = '+++\ntitle = "X"\naudience = "you"\nlast_checked = 2026-01-01\n+++\n'
# Every way of writing a link to somewhere a guide must not send anyone (scheme tricks included).
BAD_LINKS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java&#115;cript:alert(1)",
             "&#x6A;avascript:alert(1)", "javascript&colon;alert(1)", "java&#x09;script:alert(1)",
             "data:text/html,hello", "intent://scan#Intent;scheme=zxing;end", "vbscript:x", "file:///etc/passwd",
             "http://insecure.example", "//evil.example/", "\\\\evil.example", "/\\evil.example", "https:evil.example",
             "guides/relative", "?a=b"]
GOOD_LINKS = ["https://www.gov.uk/report-domestic-abuse", "HTTPS://example.org", "tel:999", "sms:07700900000",
              "mailto:help@agency.example", "/guides/safety-plan", "/", "#how", "/helplines?area=halton"]
LINK_FORMS = ["See [this]({url}).", 'See [this]({url} "a title").', "See [this][r].\n\n[r]: {url}",
              "See [r][].\n\n[r]: {url}", "See [r].\n\n[r]: {url}", "* a list with [a link]({url})",
              "## A [heading]({url})"]


def guide_record(body: str, **fields) -> dict:
    return {"slug": "x", "title": "X", "audience": "you", "body_markdown": body, "last_checked": "2026-01-01",
            **fields}


def test_guide_links_to_other_schemes_are_content_errors_naming_guide_and_link(pack_dir):
    (pack_dir / "guides" / "x.md").write_text(GUIDE_FRONT + "Tap [here](javascript:alert(1)) or [here](tel:999).\n")
    (pack_dir / "guides" / "y.md").write_text(GUIDE_FRONT + "[a][1], [b](data:text/html,hi)\n\n[1]: //evil.example\n")
    problems = problems_for(pack_dir)
    assert problems == [
        'guides/x.md: guide[0] (x).body_markdown: Link "javascript:alert(1)" is not allowed: '
        "use https://, tel:, sms:, mailto: or a link within this site.",
        'guides/y.md: guide[0] (y).body_markdown: Link "//evil.example" is not allowed: '
        'use https://, tel:, sms:, mailto: or a link within this site. Link "data:text/html,hi" is not allowed: '
        "use https://, tel:, sms:, mailto: or a link within this site.",
    ]


@pytest.mark.parametrize("form", LINK_FORMS)
@pytest.mark.parametrize("url", BAD_LINKS)
def test_every_way_of_writing_a_bad_link_is_refused(form, url):
    with pytest.raises(ValidationError) as caught:
        GuideContentSchema().load(guide_record(form.format(url=url)))
    [message] = caught.value.messages["body_markdown"]
    assert message.startswith('Link "') and message.endswith("is not allowed: use https://, tel:, sms:, mailto: "
                                                               "or a link within this site.")


def test_an_unused_reference_to_a_bad_link_is_refused_too():
    with pytest.raises(ValidationError):
        GuideContentSchema().load(guide_record("Nothing links here.\n\n[r]: javascript:alert(1)"))


@pytest.mark.parametrize("form", LINK_FORMS)
@pytest.mark.parametrize("url", GOOD_LINKS)
def test_safe_links_are_accepted(form, url):
    GuideContentSchema().load(guide_record(form.format(url=url)))


@pytest.mark.parametrize("source", ["javascript:alert(1)", "http://insecure.example", "//evil.example", "tel:999",
                                    "/guides/x", "not a web address"])
def test_guide_source_must_be_empty_or_an_https_address(source):
    with pytest.raises(ValidationError) as caught:
        GuideContentSchema().load(guide_record("Text.", source=source))
    assert caught.value.messages == {"source": ["Use a full https:// address."]}
    assert GuideContentSchema().load(guide_record("Text.", source=""))["source"] == ""
    assert GuideContentSchema().load(guide_record("Text.", source="https://agency.example/a"))["source"]


class Hrefs(HTMLParser):
    """Link addresses as a browser reads them (entities decoded), and the page's text."""

    def __init__(self, page: str):
        super().__init__()
        self.hrefs, self.srcs, self.text = [], [], ""
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        if "src" in attrs:
            self.srcs.append(attrs["src"])

    def handle_data(self, data):
        self.text += data


def browser_would_open_safely(href: str) -> bool:
    href = re.sub(r"[\t\n\r]", "", href).strip("".join(chr(c) for c in range(0x21)))
    return bool(re.match(r"(?i)(https://[^/\\]|tel:|sms:|mailto:|/(?![/\\])|#)", href))


@pytest.mark.parametrize("form", LINK_FORMS)
@pytest.mark.parametrize("url", BAD_LINKS)
def test_the_renderer_keeps_only_the_text_of_a_bad_link(form, url):
    # Content stored before these rules (or put in the database by hand) must still render harmlessly.
    page = Hrefs(content.render_markdown(form.format(url=url)))
    assert page.hrefs == [] and page.srcs == []
    assert page.text == Hrefs(content.render_markdown(form.format(url="/guides"))).text  # the same words


@pytest.mark.parametrize("form", LINK_FORMS)
@pytest.mark.parametrize("url", GOOD_LINKS)
def test_the_renderer_keeps_safe_links(form, url):
    [href] = Hrefs(content.render_markdown(form.format(url=url))).hrefs
    assert href == url and browser_would_open_safely(href)


def test_the_renderer_links_no_bare_or_angle_bracket_addresses_and_shows_no_images():
    page = Hrefs(content.render_markdown("javascript:alert(1) <javascript:alert(1)> <https://a.example> "
                                         "![pixel](https://tracker.example/p.png)"))
    assert page.hrefs == [] and page.srcs == []
    assert "javascript:alert(1)" in page.text and "pixel" in page.text


def test_guides_stored_by_an_older_version_lose_their_unsafe_links_when_the_server_starts(app, runner):
    with app.app_context():
        guide = content.by_slug(Guide, "safety-plan")
        guide.body_markdown = "[Tap here](javascript:alert(1))"
        guide.body_html = '<p><a href="javascript:alert(1)">Tap here</a></p>'  # as the old renderer made it
        guide.source = "javascript:alert(2)"
        db.session.commit()
    # What `make run` does before starting the server.
    result = runner.invoke(args=["content", "load", "--if-empty"])
    assert result.exit_code == 0 and "Rendered 1 guide again" in result.output
    client = app.test_client()
    page = client.get("/guides/safety-plan").get_data(as_text=True)
    assert "Tap here" in page and 'href="javascript' not in page
    assert "javascript" not in client.get("/api/v1/guides/safety-plan").get_json()["guide"]["body_html"]
    assert "left as it is" in runner.invoke(args=["content", "load", "--if-empty"]).output


def hours_problems(pack_dir, hours: str) -> list[str]:
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace('phone = "01925 243359"', f'phone = "01925 243359"\nhours = {hours}'))
    try:
        content.read_pack(pack_dir)
    except content.ContentError as err:
        return err.problems
    return []


def test_closing_before_opening_is_a_content_error_unless_marked_overnight(pack_dir):
    assert hours_problems(pack_dir, '[{ days = ["mon"], opens = "09:00", closes = "05:00" }]') == [
        "services.toml: service[18] (warrington-refuge).hours.0.closes: Closes at 05:00, before it opens at 09:00. "
        "If it is open overnight, mark it as overnight; if not, check the times."]


@pytest.mark.parametrize("hours", ['[{ days = ["fri"], opens = "20:00", closes = "08:00", overnight = true }]',
                                   '[{ days = ["sat"], opens = "10:00", closes = "24:00" }]',
                                   '[{ days = ["sat"], opens = "10:00", closes = "00:00" }]'])
def test_overnight_and_midnight_closing_are_accepted(pack_dir, hours):
    assert hours_problems(pack_dir, hours) == []


def test_marked_overnight_but_closing_later_the_same_day_is_an_error(pack_dir):
    [problem] = hours_problems(pack_dir, '[{ days = ["mon"], opens = "09:00", closes = "17:00", overnight = true }]')
    assert problem.endswith(".hours.0.closes: Marked overnight, but closes at 17:00, not before it opens at 09:00: "
                            "an overnight period closes the next morning.")


def test_a_last_checked_date_in_the_future_is_a_content_error(pack_dir):
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace("last_checked = 2026-11-30\nposition = 1\n",
                                             "last_checked = 2999-01-01\nposition = 1\n"))
    assert problems_for(pack_dir) == [
        "services.toml: service[1] (national-domestic-violence-helpline).last_checked: 1 January 2999 is in the "
        "future: give the date someone last checked these details."]


def test_text_over_its_limit_is_a_content_error_saying_by_how_much(pack_dir):
    path = pack_dir / "guides" / "safety-plan.md"
    path.write_text(path.read_text() + "x" * 10_000)
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace('name = "Warrington Refuge"', f'name = "{"W" * 161}"'))
    problems = problems_for(pack_dir)
    assert "services.toml: service[18] (warrington-refuge).name: Use at most 160 characters; this has 161." in problems
    assert any(p.startswith("guides/safety-plan.md: guide[0] (safety-plan).body_markdown: Use at most 10,000 "
                            "characters; this has 11,") for p in problems)


def test_the_bundle_worked_out_from_a_pack_is_the_one_published(app):
    # The admin's preview sizes the bundle a draft would publish without publishing it.
    pack = content.read_pack(PROJECT_ROOT / "content")
    with app.app_context():
        assert content.bundle_of(pack) == content.bundle()


# The safety plan's questions (plan.toml) -------------------------------------------------------------------

def test_the_default_plan_covers_every_part_and_says_where_its_facts_come_from():
    pack = content.read_pack(PROJECT_ROOT / "content")
    assert 20 <= len(pack.questions) <= 30
    assert {q["part"] for q in pack.questions} == set(plan.PART_SLUGS)
    assert all(q["last_checked"].isoformat() == "2026-11-30" for q in pack.questions)
    by_slug = {q["slug"]: q for q in pack.questions}
    assert by_slug["children-steps"]["show_if"] == "children=yes" and by_slug["pets-plan"]["show_if"] == "pets=yes"
    emergency = by_slug["emergency"]
    assert "press 55" in emergency["hint"] and "does not tell the police where you are" in emergency["hint"]
    assert emergency["source"].startswith("https://")
    assert "could not be confirmed" in by_slug["police-protection"]["hint"]
    assert "no court fee" in by_slug["court-orders"]["hint"] and "FL401" in by_slug["court-orders"]["hint"]
    # Never told to leave: staying is an answer like any other, with its own steps.
    assert {o["value"] for o in by_slug["staying-or-leaving"]["options"]} >= {"stay", "leave", "left"}
    assert by_slug["while-staying"]["show_if"] == "staying-or-leaving=stay"


def write_plan(pack_dir, *questions: str) -> None:
    head = 'last_checked = 2026-01-01\n'
    (pack_dir / "plan.toml").write_text("".join(f"[[question]]\n{q}{head}\n" for q in questions))


YES_NO = 'kind = "one"\noptions = [{ value = "yes", label = "Yes" }, { value = "no", label = "No" }]\n'


def test_plan_question_problems_name_the_question_and_field(pack_dir):
    write_plan(pack_dir,
               f'slug = "kids"\npart = "situation"\ntext = "Children?"\n{YES_NO}position = 1\n',
               'slug = "notes"\npart = "situation"\ntext = "Notes"\nkind = "text"\noptions = [{ value = "a", '
               'label = "A" }]\n',
               'slug = "single"\npart = "safety"\ntext = "One?"\nkind = "many"\noptions = [{ value = "a", '
               'label = "A" }]\n',
               'slug = "twice"\npart = "safety"\ntext = "Twice?"\nkind = "one"\noptions = [{ value = "a", '
               'label = "A" }, { value = "a", label = "Again" }, { value = "B", label = " " }]\n',
               'slug = "odd"\npart = "later"\ntext = ""\nkind = "maybe"\nsource = "http://x.example"\n',
               f'slug = "after-nothing"\npart = "safety"\ntext = "?"\n{YES_NO}show_if = "ghost=yes"\n',
               f'slug = "after-notes"\npart = "safety"\ntext = "?"\n{YES_NO}show_if = "notes=yes"\n',
               f'slug = "after-maybe"\npart = "safety"\ntext = "?"\n{YES_NO}show_if = "kids=maybe"\n',
               f'slug = "first"\npart = "situation"\ntext = "?"\n{YES_NO}show_if = "kids=yes"\n',
               f'slug = "kids"\npart = "plan"\ntext = "Again"\n{YES_NO}')
    problems = problems_for(pack_dir)
    expected = [
        "plan.toml: question[1] (notes).options: A question answered in their own words has no options",
        "plan.toml: question[2] (single).options: Give at least two options to choose from.",
        "plan.toml: question[3] (twice).options.2.value: Use lower-case letters, digits and single hyphens.",
        "plan.toml: question[3] (twice).options.2.label: Give the option the words people see.",
        "plan.toml: question[4] (odd).part: Choose the part of the plan: situation, safety, priorities, plan.",
        "plan.toml: question[4] (odd).text: Write the question.",
        "plan.toml: question[4] (odd).kind: Use one (choose one answer), many (tick any) or text",
        "plan.toml: question[4] (odd).source: Use a full https:// address.",
        "plan.toml: question slug 'kids' is used more than once",
        "plan.toml: question (after-nothing).show_if: no other question has the short name 'ghost'.",
        "plan.toml: question (after-maybe).show_if: question 'kids' has no option 'maybe' (its options: yes, no).",
        "plan.toml: question (first).show_if: question 'kids' comes later in the plan",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)


def test_repeated_option_values_and_a_question_depending_on_itself_are_refused(pack_dir):
    write_plan(pack_dir, 'slug = "twice"\npart = "safety"\ntext = "Twice?"\nkind = "one"\noptions = [{ value = "a", '
                         'label = "A" }, { value = "a", label = "Again" }]\n',
               f'slug = "self"\npart = "safety"\ntext = "?"\n{YES_NO}show_if = "self=yes"\n')
    problems = problems_for(pack_dir)
    assert "plan.toml: question[0] (twice).options: Each option needs its own value: a is used more than once." in problems
    assert ("plan.toml: question[1] (self).show_if: A question cannot depend on its own answer: name an earlier "
            "question.") in problems


def test_a_pack_without_a_plan_says_so(pack_dir):
    (pack_dir / "plan.toml").unlink()
    assert problems_for(pack_dir) == ["plan.toml: file is missing"]


def test_a_changed_question_changes_the_version_but_the_bundle_body_stays_without_questions(app, pack_dir, runner):
    client = app.test_client()
    before = client.get("/api/v1/bundle").get_json()
    path = pack_dir / "plan.toml"
    path.write_text(path.read_text().replace("Do you have pets?", "Do you have any pets?"))
    result = runner.invoke(args=["content", "load", "--dir", str(pack_dir)])
    assert result.exit_code == 0 and "question pets: changed text" in result.output
    after = client.get("/api/v1/bundle").get_json()
    assert after["version"] != before["version"]
    assert {k: v for k, v in after.items() if k != "version"} == {k: v for k, v in before.items() if k != "version"}
    assert "plan_questions" not in after and "Do you have any pets?" not in json.dumps(after)
    with app.app_context():
        situation = {part.slug: questions for part, questions in plan.questions_by_part()}["situation"]
        assert [q["text"] for q in situation if q["slug"] == "pets"] == ["Do you have any pets?"]
        # The precached pages' revisions are built from this version (webapp.precache_entries).
        assert content.bundle()["version"] == after["version"]


def test_the_service_worker_changes_when_a_question_does(app, pack_dir, runner):
    client = app.test_client()
    worker = client.get("/sw.js").get_data(as_text=True)
    path = pack_dir / "plan.toml"
    path.write_text(path.read_text().replace("My next steps", "My first steps"))
    assert runner.invoke(args=["content", "load", "--dir", str(pack_dir)]).exit_code == 0
    with app.app_context():
        version = content.bundle()["version"]
    changed = client.get("/sw.js").get_data(as_text=True)
    assert changed != worker and version in changed


def test_a_server_without_plan_questions_gets_the_packs_once(app, runner):
    def remove_questions():
        with app.app_context():
            db.session.execute(db.delete(PlanQuestion))
            db.session.commit()

    remove_questions()  # as on a server set up before the questions were content
    result = runner.invoke(args=["content", "load", "--if-empty"])
    assert result.exit_code == 0 and "left as it is" in result.output
    assert "Added the pack's 26 safety plan questions: this server had none" in result.output
    with app.app_context():
        assert all(questions for _, questions in plan.questions_by_part())
    # Once it has had questions, none means someone removed them: they stay removed.
    remove_questions()
    assert "Added" not in runner.invoke(args=["content", "load", "--if-empty"]).output
    with app.app_context():
        assert not any(questions for _, questions in plan.questions_by_part())


def test_an_older_pack_without_a_plan_does_not_stop_the_server_starting(app, runner, pack_dir):
    with app.app_context():
        db.session.execute(db.delete(PlanQuestion))
        db.session.commit()
    (pack_dir / "plan.toml").unlink()
    result = runner.invoke(args=["content", "load", "--if-empty", "--dir", str(pack_dir)])
    assert result.exit_code == 0 and "left as it is" in result.output
    assert "No safety plan questions were added: the content pack has 1 problem" in result.output
