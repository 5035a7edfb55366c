"""Saving the risk self-check's answers in the safety plan, in real Chromium: kept only when the person chooses it,
encrypted in the journal with its passphrase (js/plan/keep.js), read back on /plan and in the server's decrypt of
an export; a wrong passphrase, "Not now", quick-hide or no journal keep nothing."""
import json

import pytest
import test_layout_browser
from test_accessibility import axe_violations
from test_check_browser import CHECKED, RESULT, answer
from test_journal_browser import PASSPHRASE, dump, lock_all, set_up, unlock_to_home
from test_journal_export import export_through_the_ui
from test_layout_browser import layout_problems
from test_plan_browser import go_to_part, open_plan, saved_plan, unlock_plan

from pwa import create_app, risk_check

pytestmark = pytest.mark.browser
small_phone = test_layout_browser.small_phone  # the fixture: 320 px wide, text at 200 %

SAVE = "[data-save-to-plan]"
STATUS = "[data-save-status]"
FORM = "[data-save-form]"
# Words of the check that must never be found in storage in the clear: every question, every factor.
CHECK_WORDS = [q.question for q in risk_check.QUESTIONS] + [q.factor for q in risk_check.QUESTIONS]


def open_check(page):
    page.goto("/check")
    page.locator("[data-check-actions]").wait_for()  # the module has started


def nothing_of_the_check_in(page, storage=None):
    written = json.dumps(storage if storage is not None else dump(page))
    found = [words for words in CHECK_WORDS if words in written]
    found += [q.slug for q in risk_check.QUESTIONS if f'"{q.slug}"' in written]
    assert found == [], found


def stored_records(page) -> int:
    """How many things this origin's IndexedDB holds, in every database and store."""
    return sum(len(rows) for stores in dump(page)["indexedDB"].values() for rows in stores.values())


def press_save(page):
    page.click(SAVE)
    page.locator(f"{FORM} form").wait_for()


def give_passphrase(page, passphrase):
    page.locator(FORM).get_by_label("Your journal's passphrase").fill(passphrase)
    page.locator(FORM).get_by_role("button", name="Keep in my safety plan").click()


def expected_answer(slug, value):
    return {"question": risk_check.question(slug).question, "value": value, "labels": [risk_check.ANSWERS[value]]}


def test_answers_saved_in_the_plan_are_read_back_on_the_plan_and_in_the_export(page, live_server, tmp_path):
    cli = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_cli_runner()
    set_up(page)
    open_check(page)
    assert page.locator(SAVE).is_hidden()  # nothing answered, nothing to save
    answer(page, strangulation="yes", stalking="no", weapons="unsure", separation="yes")
    assert page.locator(SAVE).is_visible()
    near = page.locator("[data-check-save]").inner_text()
    assert "only kept if you choose to save them in your safety plan" in near
    assert "encrypted with your journal's passphrase" in near

    # "Not now": nothing kept, said so, the answers still on the page.
    press_save(page)
    assert page.locator(SAVE).is_hidden()  # one passphrase form at a time
    nothing_of_the_check_in(page)  # the form is up, nothing chosen yet: nothing of the check stored
    page.locator(FORM).get_by_role("button", name="Not now").click()
    assert page.inner_text(STATUS) == "Not saved: nothing was stored."
    assert page.locator(f"{FORM} form").count() == 0 and page.evaluate(CHECKED) == 4

    # A wrong passphrase: not saved, and said so; then the right one.
    press_save(page)
    give_passphrase(page, "not the passphrase at all")
    page.locator(FORM).get_by_text("Could not unlock. Check the passphrase and try again.").wait_for()
    assert "Saved" not in page.inner_text(STATUS)
    assert saved_plan(page)["plan"] is None
    answer(page, control="yes")  # changed while the form is open: what is saved is what the page shows
    give_passphrase(page, PASSPHRASE)
    page.locator(STATUS).get_by_text("Saved in your safety plan, encrypted.").wait_for()
    assert page.locator(STATUS).get_by_role("link", name="Open your plan to see them").get_attribute("href") == "/plan"
    assert page.locator(f"{FORM} form").count() == 0
    assert page.evaluate("document.activeElement.hasAttribute('data-save-to-plan')")

    risk = saved_plan(page)["plan"]["risk"]
    assert risk["title"] == "Risk self-check"
    assert risk["answers"] == {"separation": expected_answer("separation", "yes"),
                               "strangulation": expected_answer("strangulation", "yes"),
                               "stalking": expected_answer("stalking", "no"),
                               "weapons": expected_answer("weapons", "unsure"),
                               "control": expected_answer("control", "yes")}
    assert risk["summary"] == ("You said yes to: Separation (recent or planned); Strangulation or choking; "
                               "Coercive control. You were not sure about: Weapons.")
    nothing_of_the_check_in(page)  # only ciphertext is stored

    # After saving, the page's answers go as before: here, on quick-hide's lock.
    assert page.evaluate(CHECKED) == 5
    lock_all(page)
    assert page.evaluate(CHECKED) == 0 and page.locator(RESULT).is_hidden() and page.inner_text(STATUS) == ""

    # The plan shows them once unlocked, in its summary, and empties them on lock.
    open_plan(page)
    unlock_plan(page)
    go_to_part(page, 3)
    block = page.locator("[data-risk-summary]")
    assert block.inner_text().startswith("Your risk self-check (saved on ")
    text = block.inner_text()
    assert risk["summary"] in text
    assert f"{risk_check.question('strangulation').question}\nYes" in text
    assert f"{risk_check.question('weapons').question}\nNot sure" in text
    page.click('[data-action="lock"]')
    page.locator('[data-keep-state="off"]').wait_for()
    assert block.inner_text() == ""

    # The export carries them; the server's decrypt prints them, question by question.
    page.goto("/journal")
    unlock_to_home(page)
    path, code = export_through_the_ui(page, tmp_path)
    assert cli.invoke(args=["journal", "verify", str(path), "--code", code]).exit_code == 0
    report = tmp_path / "report.txt"
    result = cli.invoke(args=["journal", "decrypt", str(path), "--code", code, "--out", str(report)])
    assert result.exit_code == 0, result.output
    printed = report.read_text()
    assert "Risk self-check:\n  Done\n" in printed
    assert f"  {risk_check.question('strangulation').question}\n    Yes" in printed
    assert f"  {risk_check.question('stalking').question}\n    No" in printed
    assert f"  Result\n    {risk['summary']}" in printed


def test_without_a_journal_nothing_is_stored_and_it_says_how_to_get_one(page, live_server):
    open_check(page)
    answer(page, threats_to_kill="yes")
    page.click(SAVE)
    status = page.locator(STATUS)
    status.get_by_text("To keep answers you need a journal first").wait_for()
    assert "Nothing was stored." in status.inner_text()
    assert status.get_by_role("link", name="set up your journal").get_attribute("href") == "/journal"
    assert page.locator(f"{FORM} form").count() == 0
    assert stored_records(page) == 0  # the journal's database opened to look, and left empty
    nothing_of_the_check_in(page)


def test_quick_hide_with_the_passphrase_form_open_keeps_nothing(page, live_server):
    set_up(page)
    open_check(page)
    answer(page, pregnancy="yes")
    press_save(page)
    page.locator(FORM).get_by_label("Your journal's passphrase").fill(PASSPHRASE)
    lock_all(page)  # what quick-hide calls before it leaves
    assert page.locator(f"{FORM} form").count() == 0
    assert page.evaluate(CHECKED) == 0 and page.inner_text(STATUS) == ""
    assert saved_plan(page)["plan"] is None


def test_the_plan_module_not_downloaded_and_offline_says_so(browser, live_server):
    context = browser.new_context(base_url=live_server.url, service_workers="block")
    try:
        page = context.new_page()
        page.route("**/static/js/plan/keep.js", lambda route: route.abort("internetdisconnected"))
        open_check(page)
        answer(page, escalation="yes")
        page.click(SAVE)
        page.locator(STATUS).get_by_text("this phone has not downloaded yet").wait_for()
        assert "Nothing was stored." in page.inner_text(STATUS)
        assert page.locator(SAVE).is_visible()  # to try again once online
    finally:
        context.close()


def test_axe_finds_nothing_with_the_passphrase_form_and_its_error(page, live_server):
    set_up(page)
    open_check(page)
    answer(page, separation="yes", weapons="unsure")
    assert axe_violations(page) == []
    press_save(page)
    assert axe_violations(page) == []
    give_passphrase(page, "wrong words entirely here")
    page.locator(FORM).get_by_text("Could not unlock.").wait_for()
    assert axe_violations(page) == []
    give_passphrase(page, PASSPHRASE)
    page.locator(STATUS).get_by_text("Saved in your safety plan").wait_for()
    assert axe_violations(page) == []


def test_the_passphrase_form_fits_a_small_phone_with_big_text(small_phone):
    page = small_phone
    set_up(page)
    open_check(page)
    answer(page, separation="yes")
    press_save(page)
    problems = layout_problems(page)
    give_passphrase(page, PASSPHRASE)
    page.locator(STATUS).get_by_text("Saved in your safety plan").wait_for()
    problems += [f"saved: {p}" for p in layout_problems(page)]
    assert problems == [], "\n".join(problems)
