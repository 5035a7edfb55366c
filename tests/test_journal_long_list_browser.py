"""A long journal (400 entries) in real Chromium: one page of the list at first, the rest as the person scrolls
or asks for it, every item placed in the whole list for screen readers, search through every entry, and locking
empties everything shown so far. Speed is measured by benchmarks/bench_journal.py, not here."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from journal_seed import SEED_JOURNAL
from test_journal_browser import PASSPHRASE, journal_view, lock_all, unlock_to_home

pytestmark = pytest.mark.browser

ENTRIES = 400
PAGE = 50  # PAGE in js/journal/screens/list-and-detail.js
ANY_ENTRY = re.compile(r"Entry \d+:")  # the seeded entries' words


@pytest.fixture
def journal(page, live_server):
    page.goto("/journal")
    journal_view(page, "setup").wait_for()
    assert page.evaluate(SEED_JOURNAL, {"passphrase": PASSPHRASE, "count": ENTRIES})["entries"] == ENTRIES
    page.reload()
    return unlock_to_home(page)


def items(page):
    return page.locator("[data-list] li")


def focused_place(page):
    return page.evaluate("() => document.activeElement.closest('[data-list] li')?.getAttribute('aria-posinset')")


def test_a_long_list_shows_one_page_at_first_each_item_placed_in_the_whole_list(journal):
    page = journal
    expect(items(page)).to_have_count(PAGE)
    assert page.text_content("[data-count]") == f"{ENTRIES} entries, most recent first."
    first, last = items(page).first, items(page).nth(PAGE - 1)
    assert (first.get_attribute("aria-posinset"), first.get_attribute("aria-setsize")) == ("1", str(ENTRIES))
    assert (last.get_attribute("aria-posinset"), last.get_attribute("aria-setsize")) == (str(PAGE), str(ENTRIES))
    assert "Entry 399:" in first.text_content()  # most recent first
    # A screen reader says "1 of 400", not "1 of 50": the attributes are allowed on a list item (axe, below).
    more = page.locator('[data-action="more"]')
    assert more.is_visible() and more.text_content() == f"Show {PAGE} more entries"
    assert "search above looks through every entry" in page.text_content("[data-more]")
    violations = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    assert [violation["id"] for violation in violations] == []


def scroll_to_the_end(page):
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")


def test_the_keyboard_and_scrolling_reach_the_last_entry(journal):
    page = journal
    page.focus('[data-action="more"]')  # brought into view: the next page comes as the end nears the screen
    expect(items(page)).to_have_count(2 * PAGE)
    page.keyboard.press("Enter")  # the button adds one more, and the focus moves to the first item it added
    expect(items(page)).to_have_count(3 * PAGE)
    assert focused_place(page) == str(2 * PAGE + 1)
    # Tab from the last item shown reaches the end of the list, and the next page comes, until the oldest entry.
    for shown in range(3 * PAGE, ENTRIES, PAGE):
        items(page).nth(shown - 1).locator("button").focus()
        page.keyboard.press("Tab")
        expect(items(page)).to_have_count(shown + PAGE)
    last = items(page).last
    assert last.get_attribute("aria-posinset") == str(ENTRIES) and "Entry 0:" in last.text_content()
    expect(page.locator("[data-more]")).to_be_hidden()
    last.locator("button").focus()
    page.keyboard.press("Enter")
    journal_view(page, "detail").wait_for()
    assert "Entry 0:" in page.text_content("[data-detail]")
    page.click('[data-view="detail"] [data-action="back"]')
    expect(items(page)).to_have_count(ENTRIES)  # back from an entry, the list shows as much as before


def test_search_finds_an_entry_not_shown_yet(journal):
    page = journal
    assert "Entry 70:" not in page.text_content("[data-list]")
    page.fill("[data-search]", "cc-70")  # entry 70's crime reference
    expect(items(page)).to_have_count(1)
    assert "Entry 70:" in items(page).first.text_content()
    assert items(page).first.get_attribute("aria-setsize") == "1"
    assert page.text_content("[data-count]") == f"1 of {ENTRIES} entries match."
    expect(page.locator("[data-more]")).to_be_hidden()
    page.fill("[data-search]", "")
    expect(items(page)).to_have_count(PAGE)  # a new search starts again from the top


@pytest.mark.parametrize("how", ["lock", "quick-hide"])
def test_locking_empties_everything_shown_so_far(journal, how):
    page = journal
    for shown in (2 * PAGE, 3 * PAGE):
        scroll_to_the_end(page)
        expect(items(page)).to_have_count(shown)
    if how == "quick-hide":
        page.click("[data-quick-hide]")
        page.wait_for_url(lambda url: "/journal" not in url)
        page.go_back()
        assert not ANY_ENTRY.search(page.content())
        return
    # A search still waiting for a pause in typing, then a lock: nothing comes back afterwards, even on scrolling.
    left = page.evaluate("""async () => {
      const search = document.querySelector('[data-search]')
      for (const text of ['e', 'en']) { search.value = text; search.dispatchEvent(new Event('input')) }
      (await import('/static/js/lock.js')).lockAll('hide')
      window.scrollTo(0, document.body.scrollHeight)
      await new Promise((resolve) => setTimeout(resolve, 300))
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
      return document.querySelectorAll('[data-list] li').length
    }""")
    assert left == 0
    journal_view(page, "unlock").wait_for()
    assert page.text_content("[data-count]") == "" and page.text_content('[data-action="more"]') == ""
    expect(page.locator("[data-more]")).to_be_hidden()
    assert not ANY_ENTRY.search(page.content())
    unlock_to_home(page)
    expect(items(page)).to_have_count(PAGE)  # opened again: one page, from the top
    lock_all(page)
    assert items(page).count() == 0
