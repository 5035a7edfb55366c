"""The safety plan's questions in the admin: added, edited, checked, previewed, approved and published like the
rest of the content, and then what the plan page renders (plan.questions_by_part)."""
import re
from datetime import datetime
from html import unescape

import pytest

from pwa import plan
from pwa.admin.models import Draft
from pwa.extensions import db
from pwa.hours import UK
from support import create_staff
from test_admin import EMAIL, PASSWORD, SECOND, csrf_from, form_for, revision_from, sign_in


@pytest.fixture
def admin(client, runner):
    """The first account (an admin), signed in, and a second publisher for the two-person rule."""
    assert create_staff(runner, EMAIL, PASSWORD).exit_code == 0
    assert create_staff(runner, SECOND, PASSWORD, role="publisher").exit_code == 0
    assert sign_in(client).status_code == 302
    return client


def today() -> str:
    return datetime.now(UK).date().isoformat()


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="error-{name}">([^<]*)</p>', html)
    return unescape(found.group(1)) if found else ""


def summary_lines(html: str) -> list[str]:
    summary = html.split('id="error-summary-title"')[1].split("</ul>")[0]
    return [unescape(re.sub(r"<[^>]+>", "", line).strip()) for line in summary.split("<li>")[1:]]


def published(app) -> dict[str, dict]:
    with app.app_context():
        return {q["slug"]: q for _, questions in plan.questions_by_part() for q in questions}


NEW_QUESTION = {
    "slug": "school-run", "part": "safety", "text": "Who could do the school run?",
    "hint": "If you cannot speak on the phone, dial 999 and press 55 when asked.", "kind": "one",
    "options": "me: Me\r\nfriend: A friend I trust\r\n\r\nnobody: Nobody yet", "show_if": "children=yes",
    "source": "https://www.cambs.police.uk/information-and-services/Contact/Silent-999-Calls",
    "last_checked": "2026-11-30", "position": "20",
}


def test_a_question_is_added_approved_published_and_reaches_the_plan(admin, app):
    before_version = admin.get("/api/v1/bundle").get_json()["version"]
    listing = admin.get("/admin/questions").get_data(as_text=True)
    assert "Safety plan questions" in listing and "Do children live with you?" in listing
    data = form_for(admin, "/admin/questions/new") | NEW_QUESTION
    response = admin.post("/admin/questions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "school-run" not in published(app)  # in the draft only

    dashboard = admin.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/questions/school-run"><code>school-run</code></a>:\n    added' in dashboard
    preview = admin.get("/admin/preview").get_data(as_text=True)
    plan_section = preview.split("The safety plan's questions as they will appear")[1]
    assert "Who could do the school run?" in plan_section and "A friend I trust" in plan_section
    assert "Shown only after the answer &ldquo;Yes&rdquo; to &ldquo;Do children live with you?&rdquo;" in plan_section
    # Its hint names numbers to dial: a second person approves them before they are published.
    assert "Numbers in the question" in preview and "Waiting for approval" in preview
    assert "Publish these changes" not in preview

    second = app.test_client()
    assert sign_in(second, SECOND).status_code == 302
    page = second.get("/admin/preview")
    assert second.post("/admin/approve", data={"csrf_token": csrf_from(page), "kind": "questions",
                                                "slug": "school-run", "field": "contacts",
                                                "revision": revision_from(page)}).status_code == 302
    preview = admin.get("/admin/preview")
    response = admin.post("/admin/publish", data={"csrf_token": csrf_from(preview),
                                                   "revision": revision_from(preview)})
    assert response.status_code == 302 and "Published" in admin.get("/admin/").get_data(as_text=True)

    question = published(app)["school-run"]
    assert question == {"slug": "school-run", "part": "safety", "text": "Who could do the school run?",
                        "hint": NEW_QUESTION["hint"], "kind": "one",
                        "options": [{"value": "me", "label": "Me"}, {"value": "friend", "label": "A friend I trust"},
                                    {"value": "nobody", "label": "Nobody yet"}],
                        "show_if": "children=yes", "source": NEW_QUESTION["source"], "last_checked": "2026-11-30",
                        "position": 20}
    with app.app_context():
        safety = {part.slug: questions for part, questions in plan.questions_by_part()}["safety"]
        assert safety[-1]["slug"] == "school-run"  # by its order within the part
    bundle = admin.get("/api/v1/bundle").get_json()
    assert bundle["version"] != before_version and "school-run" not in str(bundle)
    # The form shows the options again as it took them.
    assert form_for(admin, "/admin/questions/school-run")["options"] == "me: Me\nfriend: A friend I trust\nnobody: Nobody yet"


def test_option_lines_that_make_no_sense_are_named_by_line(admin):
    data = form_for(admin, "/admin/questions/children") | {"options": "yes: Yes\nNo\nNot Sure: Not sure\nmaybe:  "}
    response = admin.post("/admin/questions/children", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = field_error(html, "options")
    assert "Line 2: write the value, a colon, then the label, for example yes: Yes." in error
    assert "Line 3: Use lower-case letters, digits and single hyphens." in error
    assert "Line 4: Give the option the words people see." in error
    assert "Options, line 2: write the value, a colon" in summary_lines(html)[0]
    with admin.application.app_context():
        assert db.session.scalar(db.select(Draft)) is None


@pytest.mark.parametrize("changes, field, message", [
    ({"kind": "text"}, "options", "A question answered in their own words has no options"),
    ({"options": "yes: Yes"}, "options", "Give at least two options to choose from."),
    ({"options": "yes: Yes\nyes: Oh yes"}, "options", "yes is used more than once"),
    ({"show_if": "children"}, "show_if", "name a question and one of its answers"),
    ({"show_if": "pets=yes"}, "show_if", "Question 'pets' comes later in the plan"),
    ({"show_if": "nobody=yes"}, "show_if", "No other question has the short name 'nobody'."),
    ({"show_if": "living-together=perhaps"}, "show_if", "has no option 'perhaps' (its options: yes, sometimes, no)"),
    ({"part": "elsewhere"}, "part", "Choose the part of the plan"),
])
def test_question_mistakes_are_explained_against_their_field(admin, changes, field, message):
    data = form_for(admin, "/admin/questions/children") | changes
    html = admin.post("/admin/questions/children", data=data).get_data(as_text=True)
    assert message in field_error(html, field), html


def test_a_change_that_would_strand_a_question_depending_on_it_is_refused(admin):
    data = form_for(admin, "/admin/questions/children") | {"options": "yes-they-do: Yes\nno: No"}
    html = admin.post("/admin/questions/children", data=data).get_data(as_text=True)
    assert ("Question 'children-steps' is shown only after an answer to this one, and then question 'children' has "
            "no option 'yes'") in " ".join(summary_lines(html))
    # Removing it instead is stopped at the preview, which says why.
    page = admin.get("/admin/questions/children")
    assert admin.post("/admin/questions/children/delete", data={"csrf_token": csrf_from(page),
                                                                "revision": revision_from(page)}).status_code == 302
    preview = admin.get("/admin/preview").get_data(as_text=True)
    assert "cannot be published yet" in preview
    assert "Question 'children-steps': Show only after: no other question has the short name 'children'." in unescape(
        preview)
