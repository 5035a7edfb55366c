"""axe on every journal screen once unlocked (the site-wide check only sees the set-up screen), light and dark."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from test_journal_browser import journal_view, set_up, write_entry

pytestmark = pytest.mark.browser

AXE = Axe()
SCREENS = {
    "home": None,
    "entry": '[data-action="new"]',
    "detail": "[data-list] li button",
    "report": '[data-action="report"]',
    "export": '[data-action="export"]',
    "check": '[data-action="check"]',
    "passphrase": '[data-action="passphrase"]',
}


def go_home(page):
    if journal_view(page, "entry").is_visible():
        page.click('[data-action="close-entry"]')
    elif not journal_view(page, "home").is_visible():
        page.locator('[data-view]:not([hidden]) [data-action="back"]').first.click()
    journal_view(page, "home").wait_for()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_nothing_on_any_journal_screen(browser, live_server, color_scheme):
    context = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    page = context.new_page()
    set_up(page)
    write_entry(page, what="An entry to look at", tags=["threats"], childrenPresent="unsure",
                photos=[{"name": "p.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}])
    page.fill("[data-search]", "entry")  # the list as it shows search results
    problems = []
    for screen, opener in SCREENS.items():
        if opener:
            go_home(page)
            page.click(opener)
        journal_view(page, screen).wait_for()
        options = {"resultTypes": ["violations"]}
        if color_scheme == "dark":
            options["runOnly"] = {"type": "rule", "values": ["color-contrast"]}
        for violation in AXE.run(page, options=options).response["violations"]:
            problems.append(f"{screen} {violation['id']}: {violation['help']} at {[n['target'] for n in violation['nodes'][:3]]}")
    context.close()
    assert problems == [], "\n".join(problems)
