"""The risk self-check in real Chromium: the result in the page, answers that never outlive the page (reload,
Back and Forward with the back/forward cache on, quick-hide), no storage written, axe and small screens."""
import json
from urllib.parse import urlsplit

import pytest

from pwa import risk_check
from support import CONTROLLED, DUMP_STORAGE_BODY, assert_on_decoy, open_controlled, persistent_context
from test_accessibility import axe_violations
from test_check_page import NEVER_SAID
import test_layout_browser
from test_layout_browser import layout_problems

pytestmark = pytest.mark.browser
small_phone = test_layout_browser.small_phone  # the fixture: 320 px wide, text at 200 %

RESULT = "[data-check-result]"
# How many answers a page held when it was shown (load, reload, or restored from the back/forward cache), noted
# before the page's own scripts run: what a restored page would paint before anything clears it.
WATCH_SHOWN_ANSWERS = """
addEventListener('pageshow', (event) => {
  const shown = JSON.parse(sessionStorage.getItem('shown-answers') || '[]')
  shown.push({ persisted: event.persisted, checked: document.querySelectorAll('input[type=radio]:checked').length })
  sessionStorage.setItem('shown-answers', JSON.stringify(shown))
})
"""
CHECKED = "document.querySelectorAll('[data-module=\"risk-check\"] input:checked').length"


def answer(page, **answers):
    for slug, value in answers.items():
        page.locator(f'label[for="check-{slug.replace("_", "-")}-{value}"]').click()


def result_text(page) -> str:
    return page.locator(RESULT).inner_text()


def listed(page, which: str) -> list[str]:
    return page.locator(f"[data-check-{which}-list] li strong").all_inner_texts()


def open_check(open_tab):
    page = open_tab("/check", init_scripts=[WATCH_SHOWN_ANSWERS])
    page.locator("[data-check-actions]").wait_for()  # the module has started
    return page


def test_answers_show_the_reasons_for_each_yes_and_the_cluster_only_with_all_three(open_tab):
    page = open_check(open_tab)
    assert page.locator(RESULT).is_hidden()
    answer(page, strangulation="yes", stalking="no", weapons="unsure")
    assert page.locator(RESULT).is_visible()
    assert listed(page, "yes") == ["Strangulation or choking"]
    assert listed(page, "unsure") == ["Weapons"]
    text = result_text(page)
    assert risk_check.question("strangulation").why in text and "seven times" in text
    assert risk_check.question("stalking").why not in text
    assert page.locator("[data-check-cluster]").is_hidden()

    answer(page, separation="yes", control="yes")  # two of the three parts
    assert page.locator("[data-check-cluster]").is_hidden()
    answer(page, violence="unsure")
    assert page.locator("[data-check-cluster]").is_hidden()
    answer(page, violence="yes")
    assert page.locator("[data-check-cluster]").is_visible()
    assert risk_check.CLUSTER.why in result_text(page)
    assert listed(page, "yes") == ["Separation (recent or planned)", "Physical or sexual violence",
                                   "Strangulation or choking", "Coercive control"]
    answer(page, control="no")
    assert page.locator("[data-check-cluster]").is_hidden()

    page.get_by_role("button", name="See what my answers mean").click()
    assert page.evaluate("document.activeElement.id") == "check-result-heading"
    whole = page.locator("main").inner_text().lower()
    for words in NEVER_SAID:
        assert words not in whole, words


def test_no_everywhere_still_says_it_does_not_mean_no_danger(open_tab):
    page = open_check(open_tab)
    answer(page, **{q.slug.replace("-", "_"): "no" for q in risk_check.QUESTIONS})
    text = result_text(page)
    assert "You have not said yes to any of these." in text
    assert 'Saying "no" does not mean there is no danger.' in text
    assert listed(page, "yes") == [] and page.locator("[data-check-cluster]").is_hidden()
    for words in NEVER_SAID:
        assert words not in text.lower(), words
    page.get_by_role("button", name="Clear my answers").click()
    assert page.evaluate(CHECKED) == 0 and page.locator(RESULT).is_hidden()


def test_answers_are_gone_after_a_reload(open_tab):
    page = open_check(open_tab)
    answer(page, separation="yes", pregnancy="yes")
    page.reload()
    page.locator("[data-check-actions]").wait_for()
    assert page.evaluate(CHECKED) == 0 and page.locator(RESULT).is_hidden()


def test_answers_are_gone_after_back_and_forward_with_the_cache_on(open_tab):
    page = open_tab("/")
    page.wait_for_function(CONTROLLED)  # a worker taking control later would empty the cache itself
    page.context.add_init_script(WATCH_SHOWN_ANSWERS)
    page.goto("/check")
    page.locator("[data-check-actions]").wait_for()
    answer(page, threats_to_kill="yes", escalation="yes")
    assert page.evaluate(CHECKED) == 2

    page.go_back(wait_until="commit")  # leaves /check for the cache
    page.wait_for_url(lambda url: urlsplit(url).path == "/", wait_until="commit")
    page.go_forward(wait_until="commit")  # a page restored from the cache fires no load event
    page.wait_for_url("**/check", wait_until="commit")
    page.locator("[data-check-actions]").wait_for()
    assert page.evaluate(CHECKED) == 0 and page.locator(RESULT).is_hidden()

    answer(page, weapons="yes")
    page.goto("/helplines")  # a typed address adds a history entry (the app's own links replace theirs)
    page.go_back(wait_until="commit")
    page.wait_for_url("**/check", wait_until="commit")
    page.locator("[data-check-actions]").wait_for()
    assert page.evaluate(CHECKED) == 0 and page.locator(RESULT).is_hidden()

    # Both returns came from the back/forward cache, and the kept page held no answer when it was shown again.
    restored = page.evaluate("JSON.parse(sessionStorage.getItem('restored') || '[]')")
    assert restored.count("/check") == 2, restored
    shown = page.evaluate("JSON.parse(sessionStorage.getItem('shown-answers') || '[]')")
    assert [s for s in shown if s["persisted"]] == [{"persisted": True, "checked": 0}] * 2, shown


def test_quick_hide_empties_the_answers_and_leaves_for_the_decoy(open_tab):
    page = open_check(open_tab)
    answer(page, stalking="yes")
    page.evaluate("import('/static/js/lock.js').then((lock) => lock.lockAll('test'))")  # what quick-hide calls
    assert page.evaluate(CHECKED) == 0 and page.locator(RESULT).is_hidden()
    answer(page, stalking="yes")
    page.get_by_role("link", name="Hide this page").click()
    assert_on_decoy(page)


def test_answering_writes_nothing_to_storage(open_tab):
    page = open_tab("/check")
    page.wait_for_function(CONTROLLED)
    page.locator("[data-check-actions]").wait_for()
    before = page.evaluate(f"async () => {{ {DUMP_STORAGE_BODY} }}")
    answer(page, **{q.slug.replace("-", "_"): "yes" for q in risk_check.QUESTIONS})
    page.get_by_role("button", name="See what my answers mean").click()
    # Offered, not chosen: saving in the safety plan is the only way anything is kept (test_check_save_browser.py).
    assert page.get_by_role("button", name="Save these answers in my safety plan").is_visible()
    page.wait_for_timeout(300)
    after = page.evaluate(f"async () => {{ {DUMP_STORAGE_BODY} }}")
    for area in ("indexedDB", "localStorage", "sessionStorage"):
        assert after[area] == before[area], area
        written = json.dumps(after[area])
        assert not any(q.slug in written or q.factor in written for q in risk_check.QUESTIONS), area
    assert page.evaluate("document.cookie") == ""


def test_axe_finds_nothing_before_or_after_answering(page):
    page.goto("/check")
    page.locator("[data-check-actions]").wait_for()
    assert axe_violations(page) == []
    answer(page, separation="yes", control="yes", violence="yes", weapons="unsure")
    page.get_by_role("button", name="See what my answers mean").click()
    assert page.locator("[data-check-cluster]").is_visible()
    assert axe_violations(page) == []


def test_small_phone_with_big_text_before_and_after_answering(small_phone):
    page = small_phone
    page.goto("/check")
    page.locator("[data-check-actions]").wait_for()
    problems = [f"before: {p}" for p in layout_problems(page)]
    answer(page, separation="yes", control="yes", violence="yes", strangulation="unsure")
    page.get_by_role("button", name="See what my answers mean").click()
    problems += [f"after: {p}" for p in layout_problems(page)]
    assert problems == [], "\n".join(problems)


def test_offline_after_a_second_visit_the_check_still_shows_its_result(playwright_instance, live_server, tmp_path):
    """The first visit fetches neither the check's page nor its module; a later one asks the worker to keep both."""
    profile = tmp_path / "profile"
    kept = "caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.keys()))))" \
           ".then((lists) => lists.flat().some((r) => r.url.includes('/static/js/check/risk-check.js')))"
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = open_controlled(context, "/")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(kept) is False  # not on the first visit
        page.reload()  # a visit through the worker: it asks for the modules kept for offline
        for _ in range(100):  # the worker fetches it once the page is idle
            if page.evaluate(kept):
                break
            page.wait_for_timeout(100)
        assert page.evaluate(kept) is True
    live_server.stop()
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = context.pages[0]
        page.goto("/check")
        page.locator("[data-check-actions]").wait_for()
        answer(page, stalking="yes")
        assert listed(page, "yes") == ["Stalking"]
