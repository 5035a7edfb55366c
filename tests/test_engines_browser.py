"""The flows that matter most to people, written once and run in Chromium and in WebKit (Safari's engine).

Every test here runs on both engines (the `on` fixture) and fails if any page reported an error: an uncaught
error, a rejected promise, a resource that failed to load, a CSP violation or a console.error.
"""
import time

import pytest

from pwa.identities import IDENTITIES
from support import DECOY_OF, HOTLINE, PIN

pytestmark = pytest.mark.browser

APP_PAGES = ["/", "/helplines", "/guides", "/guides/safety-plan", "/limits", "/journal", "/appearance", "/offline"]
SHOWS_HOTLINE = f"return document.body.innerText.includes({HOTLINE!r})"


def assert_on_decoy(on, path="/weather"):
    on.wait_for_path(path)
    assert not on.run("return !!document.querySelector('[data-quick-hide]')"), on.engine
    assert not on.run(SHOWS_HOTLINE), on.engine


def test_every_page_opens_without_an_error(on):
    for path in APP_PAGES + ["/weather", "/calculator", "/notes"]:
        on.goto(path)
        on.wait_for_path(path)
        assert on.title in ("Open Door", "Weather", "Calculator", "Notes"), (on.engine, path, on.title)
    on.goto("/helplines")
    assert on.run(SHOWS_HOTLINE), on.engine


def test_offline_after_the_first_visit_with_the_server_stopped(on, live_server):
    on.goto("/")
    on.controlled()
    live_server.stop()
    for path in ["/helplines", "/guides/safety-plan", "/journal", "/"]:
        on.goto(path)
        on.wait_for_path(path)
        assert "Open Door" == on.title, (on.engine, path)
    on.goto("/helplines")
    on.wait_for(SHOWS_HOTLINE, what="the helplines, offline")
    on.click("[data-quick-hide]")
    assert_on_decoy(on)
    on.wait_for("return /°$/.test(document.querySelector('[data-weather-temp]').textContent)",
                what="the decoy's weather, offline")


def test_quick_hide_by_the_control_and_by_shift_three_times(on):
    on.goto("/helplines")
    on.wait_for(SHOWS_HOTLINE)
    on.click("[data-quick-hide]")
    assert_on_decoy(on)
    assert on.title == "Weather"
    type_code(on, "weather", "")  # the plain look's way back: Search with nothing typed
    on.wait_for_path("/")
    on.goto("/helplines")
    on.wait_for(SHOWS_HOTLINE)
    on.press_shift(3)
    assert_on_decoy(on)


def test_the_storage_note_says_only_what_the_browser_reports(on):
    """WebKitGTK has no Storage API (Safari has it from 17): the note still appears, and claims nothing."""
    on.goto("/")
    on.wait_visible('[data-module="storage-status"]')
    note = on.text('[data-module="storage-status"]')
    if on.run("return !!(navigator.storage && navigator.storage.persisted)"):
        expected = {"true": "Saved on this device for offline use.",
                    "false": "Saved on this device for offline use, but the browser may clear it if space runs low."}
        assert note == expected[on.run(
            "return document.querySelector('[data-module=storage-status]').dataset.persistent")], on.engine
    else:
        assert note == "Saved on this device for offline use, but this browser does not say whether it will keep it."


def test_back_after_hiding_shows_no_protected_page(on):
    on.goto("/")
    on.controlled()  # a worker taking control later would empty the back/forward cache itself
    for path in ["/helplines", "/guides", "/helplines"]:
        on.goto(path)
        on.wait_for(SHOWS_HOTLINE if path == "/helplines" else "return document.readyState === 'complete'")
    on.click("[data-quick-hide]")
    assert_on_decoy(on)
    for _ in range(4):
        on.back()
        # Watch long enough for a page restored from the cache to paint, if it were going to.
        deadline = time.monotonic() + 0.6
        while time.monotonic() < deadline:
            assert not on.probe(SHOWS_HOTLINE), f"{on.engine}: a protected page came back at {on.path}"
        if on.probe("return location.protocol") == "about:":
            break
        assert on.path == "/weather", on.engine


def test_back_without_hiding_gives_the_page_back_from_the_cache(on, page_errors):
    """The cache is on in both engines, so the test above is a real one."""
    on.goto("/")
    on.controlled()
    on.goto("/helplines")
    on.wait_for(SHOWS_HOTLINE)
    on.back()
    on.wait_for_path("/")
    on.wait_for("return getComputedStyle(document.body).visibility === 'visible'", what="the page, shown again")
    deadline = time.monotonic() + 5
    while not page_errors.restored and time.monotonic() < deadline:
        time.sleep(0.1)
    assert page_errors.restored == ["/"], on.engine


def test_the_error_watch_itself_catches_errors(on, page_errors):
    on.goto("/helplines")
    on.run("setTimeout(() => { throw new Error('planted error') }); Promise.reject(new Error('planted rejection'))")
    deadline = time.monotonic() + 5
    while len(page_errors.reports) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    kinds = sorted(report["kind"] for report in page_errors.reports)
    assert kinds == ["error", "unhandled rejection"], (on.engine, page_errors.reports)
    page_errors.reports.clear()


def set_pin(on, look):
    on.goto("/appearance")
    on.click(f"#look-{look}")
    on.fill("#pin", PIN)
    on.fill("#pin-again", PIN)
    on.click("form [type=submit]")
    on.wait_for_path("/appearance")
    on.wait_for("return document.title === args[0]", IDENTITIES[look].name)


def type_code(on, look, code):
    """The way in for each decoy: the calculator's keys then "=", or the search box then Enter."""
    if look == "calculator":
        on.type_keys(code + "=")
    else:
        on.fill("input[type=search]", code)
        on.press("Enter")


@pytest.mark.parametrize("look", ["calculator", "weather", "notes"])
def test_each_decoy_opens_only_with_its_pin(on, look):
    set_pin(on, look)
    on.goto(DECOY_OF[look])  # a fresh visit starts outside: the decoy, in its own name
    on.run("sessionStorage.clear()")
    on.goto("/helplines")
    assert_on_decoy(on, DECOY_OF[look])
    assert on.title == IDENTITIES[look].name
    type_code(on, look, "1357")
    time.sleep(0.5)
    assert on.path == DECOY_OF[look] and not on.run(SHOWS_HOTLINE), on.engine
    on.goto(DECOY_OF[look])
    type_code(on, look, PIN)
    on.wait_for_path("/")
    on.wait_for(SHOWS_HOTLINE, what="the app, after the PIN")
    assert on.title == IDENTITIES[look].name  # still disguised inside
