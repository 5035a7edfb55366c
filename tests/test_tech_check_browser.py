"""The tech-safety check in real Chromium: every step's Android and iPhone parts open without JavaScript, axe finds
nothing (light and dark, steps open), it fits 320 px with text at 200 %, quick-hide leaves it, it works offline after
a later visit, and it asks nothing of another site."""
from urllib.parse import urlsplit

import pytest

import test_layout_browser
from support import assert_on_decoy, open_controlled, persistent_context, wait_until
from test_accessibility import axe_violations
from test_layout_browser import layout_problems
from test_tech_check import STEPS

pytestmark = pytest.mark.browser
small_phone = test_layout_browser.small_phone  # the fixture: 320 px wide, text at 200 %

OPEN_EVERY_STEP = "document.querySelectorAll('details.tech-step__platform').forEach((d) => { d.open = true })"


def test_without_javascript_each_platform_opens_and_shows_its_steps(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/tech-check")
    assert page.title() == "Open Door"  # the one neutral title
    trackers = page.locator('[data-step="trackers"]')
    android = trackers.locator('[data-platform="android"]')
    assert android.get_by_text("Scan now").is_hidden()
    android.locator("summary").click()
    assert android.get_by_text("Scan now").is_visible()
    iphone = trackers.locator('[data-platform="iphone"]')
    iphone.locator("summary").click()
    assert iphone.get_by_text("Item Detected Near You").is_visible()
    assert page.locator(".tech-step").count() == len(STEPS)
    call = page.get_by_role("link", name="call 0808 2000 247")
    assert call.get_attribute("href") == "tel:08082000247"
    context.close()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_nothing_with_every_step_open(browser, live_server, color_scheme):
    context = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    page = context.new_page()
    page.goto("/tech-check")
    assert axe_violations(page) == []
    page.evaluate(OPEN_EVERY_STEP)
    assert axe_violations(page) == []
    context.close()


def test_small_phone_with_big_text_with_every_step_open(small_phone):
    page = small_phone
    page.goto("/tech-check")
    problems = [f"closed: {p}" for p in layout_problems(page)]
    page.evaluate(OPEN_EVERY_STEP)
    problems += [f"open: {p}" for p in layout_problems(page)]
    assert problems == [], "\n".join(problems)


def test_quick_hide_leaves_the_page_for_the_decoy(open_tab):
    page = open_tab("/tech-check")
    page.locator('[data-step="stalkerware"] [data-platform="android"] summary').click()
    page.get_by_role("link", name="Hide this page").click()
    assert_on_decoy(page)
    assert page.get_by_text("stalkerware").count() == 0


def test_every_request_stays_on_the_apps_own_origin(page, live_server):
    page.goto("/tech-check")
    page.evaluate(OPEN_EVERY_STEP)
    page.wait_for_load_state("networkidle")
    origin = urlsplit(live_server.url)
    assert page.requests_seen
    for url in page.requests_seen:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "data", "blob"), url
        if parts.scheme == "http":
            assert (parts.hostname, parts.port) == (origin.hostname, origin.port), url


def test_offline_after_a_later_visit(playwright_instance, live_server, tmp_path):
    """The first visit does not fetch the page; a later one has the worker keep it, and then it opens offline."""
    profile = tmp_path / "profile"
    kept = ("caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.keys()))))"
            ".then((lists) => lists.flat().some((r) => r.url.includes('/__kept/')"
            " && decodeURIComponent(r.url).endsWith('/tech-check')))")  # sw.js keptMarker
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = open_controlled(context, "/")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(kept) is False  # not on the first visit
        page.reload()  # a visit through the worker: it keeps the later-visit pages once the page is idle
        wait_until(page, kept)
    live_server.stop()
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = context.pages[0]
        page.goto("/tech-check")
        assert page.locator(".tech-step").count() == len(STEPS)
        page.locator('[data-step="car"] [data-platform="iphone"] summary').click()
        assert page.locator('[data-step="car"] [data-platform="iphone"]').get_by_text("step 6").is_visible()
