"""Quick-hide in every language (issue 14), in real Chromium: the Hide control and three Shift presses land on
the decoy from the home page and a guide in each choosable language, and offline too in Urdu and Welsh. The
decoy stays English and left to right whatever the language (README, Languages).

The control is found by its data-quick-hide attribute: its name is translated.
"""
import pytest
from support import CONTROLLED, ENTERED, assert_on_decoy

from pwa import i18n

pytestmark = pytest.mark.browser

HTML_LANG = "() => [document.documentElement.lang, document.documentElement.dir]"
GUIDE = "/guides/safety-plan"


def expected_lang(tag: str) -> list[str]:
    """<html lang dir> of a protected page in that language (Easy Read's interface is British English)."""
    lang = i18n.DEFAULT if tag == i18n.EASY_READ else tag
    return [lang, "rtl" if lang in i18n.RIGHT_TO_LEFT else "ltr"]


def hide_with(page, trigger: str) -> None:
    if trigger == "control":
        page.locator("[data-quick-hide]").click()
    else:
        for _ in range(3):
            page.keyboard.press("Shift")


def assert_on_english_decoy(page) -> None:
    assert_on_decoy(page, "/weather")
    assert page.evaluate(HTML_LANG) == ["en-GB", "ltr"]


@pytest.fixture
def tab_in(browser, live_server):
    """Opens a page in a fresh context with the language chosen (the `lang` cookie), past the way in."""
    contexts = []

    def open_in(tag, path, **context_options):
        context = browser.new_context(base_url=live_server.url, **context_options)
        contexts.append(context)
        context.add_cookies([{"name": i18n.COOKIE, "value": tag, "url": live_server.url}])
        context.add_init_script(ENTERED)
        page = context.new_page()
        page.goto(path, wait_until="load")
        return page

    yield open_in
    for context in contexts:
        context.close()


@pytest.mark.parametrize("tag", list(i18n.CHOOSABLE))
def test_hide_and_three_shifts_land_on_the_english_decoy_in_every_language(tab_in, tag):
    assert set(i18n.CHOOSABLE) == {"en-GB", "cy", "pl", "ur", "pa", "en-GB-x-easy"}
    for path in ["/", GUIDE]:
        for trigger in ["control", "shift"]:
            page = tab_in(tag, path)
            assert page.evaluate(HTML_LANG) == expected_lang(tag), (path, trigger)
            hide_with(page, trigger)
            assert_on_english_decoy(page)
            page.context.close()


@pytest.mark.parametrize("trigger", ["control", "shift"])
@pytest.mark.parametrize("tag", ["ur", "cy"])
def test_quick_hide_works_offline(tab_in, tag, trigger):
    """Pages from the worker's copies, with no connection: the decoy comes from the copies too."""
    page = tab_in(tag, "/")
    page.wait_for_function(CONTROLLED)
    page.context.set_offline(True)
    page.goto(GUIDE)
    assert page.evaluate(HTML_LANG) == expected_lang(tag)
    assert page.evaluate("navigator.onLine") is False
    hide_with(page, trigger)
    assert_on_english_decoy(page)
    page.wait_for_function("() => /°$/.test(document.querySelector('[data-weather-temp]').textContent)")
