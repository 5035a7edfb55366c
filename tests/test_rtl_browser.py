"""Right to left (issue 14), in real Chromium: every page mirrors on a 320 px phone without scrolling sideways,
and the Hide control mirrors with it to the top left, in reach, covering nothing and working.

The pages are in English until the translations land, so each test sets dir="rtl" on <html> itself, as an
Urdu page will have it; the layout is what is checked, not the words.
"""
import pytest
from support import assert_on_decoy
from test_journal_browser import journal_view
from test_layout_browser import DECOYS, HIDE_COVERS, HIDE_IN_REACH, UNCOVERED
from test_layout_browser import PAGES as LAYOUT_PAGES

pytestmark = pytest.mark.browser

PAGES = [*LAYOUT_PAGES, "/guides/safety-plan", "/admin/login"]
WITHOUT_HIDE = (*DECOYS, "/admin/login")  # decoys are not protected pages; staff sign in on their own pages
PHONE = {"width": 320, "height": 640}

# A page wider than the screen, or anything readable or tappable cut by either edge. Things wholly past an
# edge are hidden there on purpose (the skip link until it is focused).
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth
  const problems = []
  if (document.documentElement.scrollWidth > width) {
    problems.push(`scrolls sideways: ${document.documentElement.scrollWidth}px content in ${width}px`)
  }
  for (const el of document.querySelectorAll('a, button, summary, label, select, input, textarea, h1, h2, h3, p, li, th, td')) {
    const box = el.getBoundingClientRect()
    if (box.width <= 1 || box.height <= 1 || box.right <= 0 || box.left >= width || !el.checkVisibility()) continue
    if (box.left < -1 || box.right > width + 1) {
      problems.push(`${el.tagName.toLowerCase()}.${el.className} sticks out (${Math.round(box.left)}..${Math.round(box.right)})`)
    }
  }
  return problems
}"""
TO_RTL = "() => document.documentElement.setAttribute('dir', 'rtl')"
HIDE_BOX = "() => document.querySelector('[data-quick-hide]').getBoundingClientRect().toJSON()"


def open_rtl(open_tab, path, viewport=PHONE):
    page = open_tab(path, entered=True)
    page.set_viewport_size(viewport)
    page.goto(path)
    page.wait_for_load_state("load")
    if path == "/journal":
        journal_view(page, "setup").wait_for()  # drawn by the script
    page.evaluate(TO_RTL)
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    return page


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


def test_every_page_right_to_left_at_320px_fits_and_keeps_hide_in_reach(open_tab):
    problems = []
    for path in PAGES:
        page = open_rtl(open_tab, path)
        found = page.evaluate(SIDEWAYS)
        assert (page.locator("[data-quick-hide]").count() == 0) == (path in WITHOUT_HIDE), path
        if path not in WITHOUT_HIDE:
            found += hide_problems(page)
        problems += [f"{path}: {problem}" for problem in found]
        page.context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("path", ["/", "/journal", "/guides/safety-plan"])
def test_hide_right_to_left_at_320px_lands_on_the_decoy(open_tab, path):
    page = open_rtl(open_tab, path)
    decoy = page.evaluate("document.documentElement.dataset.decoy")
    page.get_by_role("link", name="Hide this page").click()
    assert_on_decoy(page, decoy)


def test_hide_right_to_left_on_a_wide_screen_sits_top_left_beside_the_header(open_tab):
    """Fixed in the corner at 52em and wider: the mirrored corner, with the header's room kept on that side."""
    page = open_rtl(open_tab, "/helplines", {"width": 1024, "height": 768})
    assert page.evaluate(SIDEWAYS) == []
    assert hide_problems(page) == []
    box = page.evaluate(HIDE_BOX)
    assert box["left"] <= 16 and box["top"] <= 16
    header_padding = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.site-header')).paddingLeft)")
    assert header_padding >= box["left"] + box["width"]  # the header's own links start clear of it
    page.get_by_role("link", name="Hide this page").click()
    assert_on_decoy(page)


def test_email_fields_stay_left_to_right_on_a_right_to_left_page(open_tab):
    """Addresses and phone numbers are typed left to right in every language; in a right-to-left field the
    groups of "0808 2000 247" would show in reverse order."""
    page = open_rtl(open_tab, "/admin/login")
    assert page.get_by_label("Email address").evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    assert page.get_by_label("Password").evaluate("(el) => getComputedStyle(el).direction") == "rtl"
