"""Offline, an area whose contacts page was never saved falls back to all areas, and the page says so."""
import pytest

from support import open_controlled, persistent_context

pytestmark = pytest.mark.browser

NOT_SAVED = "[data-area-not-saved]"


def test_an_area_not_saved_on_this_phone_says_so_offline(playwright_instance, live_server, tmp_path):
    profile = tmp_path / "profile"
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = open_controlled(context, "/")
        page.goto("/helplines?area=warrington")  # seen online: the worker keeps it
        assert page.locator(NOT_SAVED).is_hidden()
    live_server.stop()
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = context.pages[0]
        page.goto("/helplines?area=halton")  # never seen: the worker answers with all areas
        notice = page.locator(NOT_SAVED)
        assert notice.is_visible()
        assert notice.inner_text() == ("The page for Halton is not saved on this phone yet, so this shows all areas. "
                                       "Open it once with a connection and it will be saved.")
        assert page.get_by_text("01925 243359").first.is_visible()  # Warrington's: all areas are shown
        assert page.locator("#area").input_value() == ""  # the filter says "All areas", as the page shows
        # Near the filter: right after it.
        assert page.locator(".area-filter + [data-area-not-saved]").count() == 1

        page.goto("/helplines?area=warrington")  # saved while online: the real page, nothing to say
        assert page.locator("#area").input_value() == "warrington"
        assert page.locator(NOT_SAVED).is_hidden()
        assert page.get_by_text("0300 111 1247").count() == 0  # Halton's is not on Warrington's page
        page.goto("/helplines")
        assert page.locator(NOT_SAVED).is_hidden()


def test_online_the_chosen_area_is_what_is_shown(page, live_server):
    page.goto("/helplines?area=halton")
    assert page.locator("#area").input_value() == "halton"
    assert page.locator(NOT_SAVED).is_hidden()
