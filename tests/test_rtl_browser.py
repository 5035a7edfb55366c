"""Right to left (issue 14), in real Chromium, with pages really in Urdu (the `lang` cookie): every page mirrors
on a 320 px phone without scrolling sideways or cutting anything off, and the Hide control mirrors with it to the
top left, in reach, covering nothing and working.

Every page is also screenshotted full length at 320 px into the test's temporary folder (not kept in the
repository), to look at by eye when a check here fails: `pytest --basetemp=shots tests/test_rtl_browser.py`.
Decoys stay English and left to right on purpose (README, Languages), and so does the admin.
"""
import pytest
from PIL import Image
from support import ENTERED, assert_on_decoy
from test_accessibility import LAYOUT_PROBLEMS, page_paths
from test_journal_browser import journal_view, set_up
from test_layout_browser import HIDE_COVERS, HIDE_IN_REACH, UNCOVERED

from pwa import i18n

pytestmark = pytest.mark.browser

DECOYS = ("/calculator", "/weather", "/notes")
PHONE = {"width": 320, "height": 640}
HIDE_BOX = "() => document.querySelector('[data-quick-hide]').getBoundingClientRect().toJSON()"
HTML_LANG = "() => [document.documentElement.lang, document.documentElement.dir]"


@pytest.fixture
def urdu_tab(browser, live_server):
    """A fresh context in Urdu, already past the way in; returns a function that opens a page in it."""
    contexts = []

    def open_in_urdu(path, viewport=PHONE):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        contexts.append(context)
        context.add_cookies([{"name": i18n.COOKIE, "value": "ur", "url": live_server.url}])
        context.add_init_script(ENTERED)
        page = context.new_page()
        page.goto(path, wait_until="load")
        if path == "/journal":
            journal_view(page, "setup").wait_for()  # drawn by the script
        return page

    yield open_in_urdu
    for context in contexts:
        context.close()


def expected_lang(path: str) -> list[str]:
    return ["en-GB", "ltr"] if path.startswith(DECOYS) else ["ur", "rtl"]


def hide_problems(page) -> list[str]:
    problems = page.evaluate(HIDE_COVERS)
    if not page.evaluate(UNCOVERED, "[data-quick-hide]"):
        problems.append("something lies over Hide")
    box = page.evaluate(HIDE_BOX)
    if box["left"] + box["width"] / 2 >= page.viewport_size["width"] / 2:
        problems.append(f"Hide did not mirror to the left: {box}")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    if not page.evaluate(HIDE_IN_REACH):
        problems.append("Hide is out of reach at the bottom of the page")
    page.evaluate("window.scrollTo(0, 0)")
    return problems


def screen_problems(page, shots, name: str) -> list[str]:
    """What cuts or widens the page at 320 px, Hide's problems on a protected page, and a full-page screenshot
    that must be exactly the phone's width (anything wider would have made it wider)."""
    page.evaluate("window.scrollTo(0, 0)")  # a script may have scrolled to what it showed; Hide sticks over the rest
    problems = page.evaluate(LAYOUT_PROBLEMS)
    if page.locator("[data-quick-hide]").count():
        problems += hide_problems(page)
    shot = shots / f"{name.strip('/').replace('/', '_') or 'home'}.png"
    page.screenshot(path=shot, full_page=True)
    with Image.open(shot) as image:
        if image.width != PHONE["width"]:
            problems.append(f"the screenshot is {image.width} px wide")
    return problems


def test_every_page_in_urdu_at_320px_fits_and_keeps_hide_in_reach(urdu_tab, live_app, tmp_path):
    shots = tmp_path / "urdu-320"
    shots.mkdir()
    problems = []
    paths = page_paths(live_app)
    assert "/helplines" in paths and "/guides/safety-plan" in paths and "/calculator" in paths
    for path in paths:
        page = urdu_tab(path)
        assert page.evaluate(HTML_LANG) == expected_lang(path), path
        assert page.evaluate("getComputedStyle(document.body).direction") == expected_lang(path)[1], path
        assert (page.locator("[data-quick-hide]").count() == 0) == path.startswith(DECOYS), path
        problems += [f"{path}: {problem}" for problem in screen_problems(page, shots, path)]
        page.context.close()
    assert len(list(shots.glob("*.png"))) == len(paths)
    assert problems == [], "\n".join(problems)


def test_the_unlocked_journal_in_urdu_at_320px(urdu_tab, tmp_path):
    shots = tmp_path / "urdu-320-journal"
    shots.mkdir()
    page = urdu_tab("/journal")
    set_up(page)
    assert page.evaluate(HTML_LANG) == ["ur", "rtl"]
    problems = [f"home: {problem}" for problem in screen_problems(page, shots, "journal-home")]
    page.click('[data-action="new"]')
    journal_view(page, "entry").wait_for()
    problems += [f"entry: {problem}" for problem in screen_problems(page, shots, "journal-entry")]
    assert problems == [], "\n".join(problems)


def test_the_admin_stays_english_left_to_right(urdu_tab):
    page = urdu_tab("/admin/login")
    assert page.evaluate(HTML_LANG) == ["en-GB", ""]  # the admin's layout sets no dir: ltr by default
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    assert page.evaluate(LAYOUT_PROBLEMS) == []


@pytest.mark.parametrize("path", ["/", "/journal", "/guides/safety-plan"])
def test_hide_in_urdu_at_320px_lands_on_the_english_decoy(urdu_tab, path):
    page = urdu_tab(path)
    decoy = page.evaluate("document.documentElement.dataset.decoy")
    page.locator("[data-quick-hide]").click()
    assert_on_decoy(page, decoy)
    assert page.evaluate(HTML_LANG) == ["en-GB", "ltr"]


def test_hide_in_urdu_on_a_wide_screen_sits_top_left_beside_the_header(urdu_tab):
    """Fixed in the corner at 52em and wider: the mirrored corner, with the header's room kept on that side."""
    page = urdu_tab("/helplines", {"width": 1024, "height": 768})
    assert page.evaluate(HTML_LANG) == ["ur", "rtl"]
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    assert hide_problems(page) == []
    box = page.evaluate(HIDE_BOX)
    assert box["left"] <= 16 and box["top"] <= 16
    header_padding = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.site-header')).paddingLeft)")
    assert header_padding >= box["left"] + box["width"]  # the header's own links start clear of it
    page.locator("[data-quick-hide]").click()
    assert_on_decoy(page)


def test_email_fields_stay_left_to_right_on_a_right_to_left_page(urdu_tab):
    """Addresses and phone numbers are typed left to right in every language; in a right-to-left field the
    groups of "0808 2000 247" would show in reverse order. No Urdu page has such a field yet (the admin, which
    has, stays English), so the sign-in page is turned right to left here to check the style sheet's rule."""
    page = urdu_tab("/admin/login")
    page.evaluate("() => document.documentElement.setAttribute('dir', 'rtl')")
    assert page.get_by_label("Email address").evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    assert page.get_by_label("Password").evaluate("(el) => getComputedStyle(el).direction") == "rtl"
