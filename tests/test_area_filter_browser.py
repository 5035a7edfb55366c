"""The contacts page's filters (area, kind of help) work in the page with no request, and offline: the worker
may answer /helplines?category=x with the saved page for everything, and the page applies the address's choices."""
import pytest

from support import open_controlled, persistent_context

pytestmark = pytest.mark.browser

COUNT = "[data-match-count]"
NONE = "[data-no-match]"


def shown(page, *slugs) -> bool:
    return all(page.locator(f"#{slug}").is_visible() for slug in slugs)


def hidden(page, *slugs) -> bool:
    return all(page.locator(f"#{slug}").is_hidden() for slug in slugs)


def test_offline_the_choices_in_the_address_are_applied(playwright_instance, live_server, tmp_path):
    profile = tmp_path / "profile"
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        open_controlled(context, "/")  # the worker saves /helplines with everything on it
    live_server.stop()
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = context.pages[0]
        page.goto("/helplines?category=stalking")  # never seen: the worker answers with the saved /helplines
        assert page.locator("#category").input_value() == "stalking"
        assert shown(page, "national-stalking-helpline")
        assert hidden(page, "samaritans", "national-domestic-violence-helpline", "warrington-refuge")
        assert page.locator(COUNT).inner_text() == "1 contact shown"
        assert page.locator(NONE).is_hidden()

        page.goto("/helplines?area=halton&category=deaf-or-speech")
        assert page.locator("#area").input_value() == "halton"
        assert shown(page, "emergencysms", "relay-uk") and hidden(page, "halton-domestic-abuse-forum", "galop")
        assert page.locator(COUNT).inner_text() == "2 contacts shown"

        page.goto("/helplines?area=halton")
        assert shown(page, "halton-domestic-abuse-forum", "national-domestic-violence-helpline")
        assert hidden(page, "warrington-refuge")

        # Choosing again filters in the page: no request (the server is stopped), the address follows.
        page.evaluate("window.samePage = true")
        page.select_option("#category", "refuge")
        assert page.locator(NONE).is_visible() and page.locator(COUNT).inner_text() == "0 contacts shown"
        page.select_option("#area", "warrington")
        assert shown(page, "warrington-refuge") and page.locator(NONE).is_hidden()
        assert page.evaluate("window.samePage") is True
        assert page.url.endswith("/helplines?area=warrington&category=refuge")


def test_online_choosing_filters_the_page_without_a_request(page, live_server):
    page.goto("/helplines")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.select_option("#category", "lgbt")
    assert shown(page, "galop") and hidden(page, "samaritans", "cheshire-east-domestic-abuse-hub")
    assert page.locator(COUNT).inner_text() == "1 contact shown"
    page.locator("button", has_text="Show").click()  # the button too filters in place
    assert shown(page, "galop")
    page.select_option("#category", "")
    assert shown(page, "samaritans", "warrington-refuge", "halton-domestic-abuse-forum")
    assert page.url.endswith("/helplines")
    assert [url for url in requests if "/helplines" in url] == []


def test_without_javascript_the_form_asks_the_server(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/helplines")
        page.select_option("#area", "warrington")
        page.select_option("#category", "refuge")
        page.locator("button", has_text="Show").click()
        page.wait_for_url("**/helplines?area=warrington&category=refuge")
        assert shown(page, "warrington-refuge") and hidden(page, "samaritans", "halton-domestic-abuse-forum")
        assert page.locator(COUNT).inner_text() == "1 contact shown"
    finally:
        context.close()
