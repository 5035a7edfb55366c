"""Real Chromium against a live server."""
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


def test_helplines_page_in_chromium_shows_numbers_and_call_links(page, live_server):
    page.goto("/helplines")
    assert page.title() == "Open Door"
    call = page.get_by_role("link", name="Call 0808 2000 247")
    assert call.get_attribute("href") == "tel:08082000247"
    assert page.get_by_role("link", name="Call 01925 243359").is_visible()


def test_every_request_stays_on_the_apps_own_origin(page, live_server):
    for path in ["/", "/helplines", "/guides", "/guides/safety-plan", "/limits"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    origin = urlsplit(live_server.url)
    assert len(page.requests_seen) >= 5
    for url in page.requests_seen:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "data", "blob"), url
        if parts.scheme == "http":
            assert (parts.hostname, parts.port) == (origin.hostname, origin.port), url


def test_area_filter_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/helplines")
    page.select_option("#area", "halton")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/helplines?area=halton&category=")
    assert page.get_by_text("0300 111 1247").first.is_visible()
    assert page.get_by_text("01925 243359").is_hidden()  # on the page for filtering offline, but hidden
    context.close()


def test_no_console_errors_or_csp_violations(page, live_server):
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda err: problems.append(str(err)))
    for path in ["/", "/helplines", "/guides/silent-solution"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert problems == []


def test_open_now_script_agrees_with_the_server(page, live_server):
    """The cached page recomputes "open now" in the browser; both sides must give the same answers."""
    from datetime import datetime, timezone

    from pwa.hours import is_open

    hours = [{"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00", "closes": "17:00"},
             {"days": ["sat"], "opens": "22:00", "closes": "02:00"},  # stored before the overnight mark
             {"days": ["wed"], "opens": "20:00", "closes": "06:00", "overnight": True}]
    instants = ["2026-11-23T08:59:00Z", "2026-11-23T09:00:00Z", "2026-11-27T16:59:00Z", "2026-11-27T17:00:00Z",
                "2026-11-28T22:30:00Z", "2026-11-29T01:59:00Z", "2026-11-29T02:00:00Z",
                "2026-07-06T08:30:00Z", "2026-07-06T07:59:00Z",  # summer time: 08:30Z is 09:30 in the UK
                "2026-11-26T05:59:00Z", "2026-11-26T06:00:00Z"]  # Thursday morning, after Wednesday night
    page.goto("/helplines")
    browser_answers = page.evaluate(
        """async ([hours, instants]) => {
            const { isOpen } = await import('/static/js/components/open-now.js')
            return instants.map((t) => isOpen({ open_24_hours: false, hours }, new Date(t)))
        }""", [hours, instants])
    server_answers = [is_open(False, hours, datetime.fromisoformat(t).astimezone(timezone.utc)) for t in instants]
    assert browser_answers == server_answers == [False, True, True, False, True, True, False, True, False,
                                                 True, False]
    assert page.locator(".open-now--open").first.inner_text() == "Open now"
