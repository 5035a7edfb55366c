"""Every page on a small phone with big text: 320 px wide, text at 200 %, in real Chromium.

Big text is set as a person sets it: the browser's default font size (Chromium's Page.setFontSizes, the setting
behind Settings, Appearance, Font size), which every rem and em size here follows, media queries in em included.
It enlarges text only; page zoom, which also narrows the layout, is not what this file checks.
"""
import pytest

from test_accessibility import LAYOUT_PROBLEMS
from test_journal_browser import journal_view, set_up

pytestmark = pytest.mark.browser

PAGES = ["/", "/helplines", "/guides", "/guides/recognising-the-signs", "/journal", "/plan", "/limits", "/appearance",
         "/tech-check",
         "/check", "/worried", "/guides/helping-safely",
         "/calculator", "/weather", "/notes", "/offline"]
DECOYS = ("/calculator", "/weather", "/notes")

# Words split across two lines in headings, the header, buttons and labels: "Ope / n Doo / r". A word may wrap
# onto a line of its own, and hyphens, slashes and <wbr> are places to break, but a word is never cut in two.
WORDS_THAT_MUST_NOT_BREAK = "h1, h2, h3, legend, label, .site-header, .button, .quick-hide, .calculator__display"
BROKEN_WORDS = """(selector) => {
  const broken = []
  const seen = new Set()
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (seen.has(node) || !node.parentElement.checkVisibility()) continue
      seen.add(node)
      for (const word of node.data.matchAll(/[^\\s\\-\\u2010-\\u2014\\/]+/g)) {
        const range = document.createRange()
        range.setStart(node, word.index)
        range.setEnd(node, word.index + word[0].length)
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom)))
        if (lines.size > 1) broken.push(`"${word[0]}" in ${el.tagName.toLowerCase()}.${el.className}`)
      }
    }
  }
  return broken
}"""

# The Hide control at the top of the page: covers nothing anyone needs to read or tap, and is a 44 px target.
HIDE_COVERS = """() => {
  const control = document.querySelector('[data-quick-hide]')
  const box = control.getBoundingClientRect()
  const problems = []
  if (box.width < 44 || box.height < 44) problems.push(`Hide is ${box.width}x${box.height}`)
  const others = 'a, button, input, select, textarea, summary, label, h1, h2, h3, p, li, legend'
  for (const el of document.querySelectorAll(others)) {
    if (el === control || !el.checkVisibility()) continue
    const other = el.getBoundingClientRect()
    const overlap = Math.min(box.right, other.right) - Math.max(box.left, other.left) > 0.5 &&
      Math.min(box.bottom, other.bottom) - Math.max(box.top, other.top) > 0.5
    if (overlap) problems.push(`Hide covers ${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}"`)
  }
  return problems
}"""

HIDE_IN_REACH = """() => {
  const box = document.querySelector('[data-quick-hide]').getBoundingClientRect()
  return box.top >= 0 && box.bottom <= innerHeight && box.left >= 0 && box.right <= innerWidth
}"""

# Whether nothing lies on top of an element (its corners and centre are its own), e.g. the Hide control.
UNCOVERED = """(selector) => {
  const el = document.querySelector(selector)
  const r = el.getBoundingClientRect()
  const points = [[r.left + 2, r.top + 2], [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2],
                  [r.right - 2, r.bottom - 2], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]]
  return points.every(([x, y]) => el.contains(document.elementFromPoint(x, y)))
}"""

CALL_BUTTONS = """() => [...document.querySelectorAll('a[href^="tel:"]')].filter((a) => a.checkVisibility())
  .map((a) => {
  const box = a.getBoundingClientRect()
  return { href: a.getAttribute('href'), width: box.width, height: box.height,
           font: parseFloat(getComputedStyle(a).fontSize), button: a.classList.contains('button') }
})"""


@pytest.fixture
def small_phone(browser, live_server):
    """A 320 px wide page with text at 200 % (32 px instead of 16)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32}})
    yield page
    context.close()


def layout_problems(page) -> list[str]:
    page.evaluate("window.scrollTo(0, 0)")
    problems = page.evaluate(LAYOUT_PROBLEMS) + page.evaluate(BROKEN_WORDS, WORDS_THAT_MUST_NOT_BREAK)
    if page.locator("[data-quick-hide]").count():
        problems += page.evaluate(HIDE_COVERS)
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        if not page.evaluate(HIDE_IN_REACH):
            problems.append("Hide is out of reach at the bottom of the page")
        page.evaluate("window.scrollTo(0, 0)")
    return problems


def test_every_page_at_320px_with_200_percent_text(small_phone):
    page = small_phone
    problems = []
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == 32
        assert (page.locator("[data-quick-hide]").count() == 0) == (path in DECOYS), path
        if path == "/journal":
            journal_view(page, "setup").wait_for()
        problems += [f"{path}: {problem}" for problem in layout_problems(page)]
    assert problems == [], "\n".join(problems)


def test_journal_home_and_entry_form_at_320px_with_200_percent_text(small_phone):
    page = small_phone
    set_up(page)
    new_entry = '[data-action="new"]'
    page.locator(new_entry).focus()  # as a keyboard's Tab does: scrolled into view
    assert page.evaluate(UNCOVERED, new_entry), "the Hide control covers New entry"
    page.locator(new_entry).evaluate("(el) => el.scrollIntoView()")  # scrolled to the top of what can be seen
    assert page.evaluate(UNCOVERED, new_entry), "the Hide control covers New entry at the top of the screen"
    problems = [f"home: {problem}" for problem in layout_problems(page)]
    page.click('[data-action="new"]')
    journal_view(page, "entry").wait_for()
    problems += [f"entry: {problem}" for problem in layout_problems(page)]
    when = page.locator('[data-form="entry"] fieldset').first.bounding_box()
    assert when["x"] >= 0 and when["x"] + when["width"] <= 320, when
    assert problems == [], "\n".join(problems)


def test_a_long_number_stays_on_the_calculators_screen(small_phone):
    page = small_phone
    page.goto("/calculator")
    page.wait_for_selector(".calculator--ready")
    for key in "1234567890123456":
        page.click(f'[data-key="{key}"]')
    display = page.locator("[data-calc-display]")
    assert display.inner_text() == "1234567890123456"
    box = display.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    keys = page.locator(".calculator__keys").bounding_box()
    assert keys["y"] + keys["height"] <= 640, "the keys were pushed off the screen"
    assert page.evaluate(LAYOUT_PROBLEMS) + page.evaluate(BROKEN_WORDS, WORDS_THAT_MUST_NOT_BREAK) == []
    assert display.evaluate("(el) => el.scrollWidth <= el.clientWidth")  # all 16 digits in view
    for key in "12345678":
        page.click(f'[data-key="{key}"]')
    assert display.evaluate("(el) => el.scrollLeft + el.clientWidth >= el.scrollWidth - 1")  # longer: its end in view
    assert page.evaluate(LAYOUT_PROBLEMS) == []


@pytest.mark.parametrize("size", ["small-phone", "desktop"])
def test_999_is_the_biggest_call_button_on_the_home_page(browser, live_server, small_phone, size):
    page = small_phone
    if size == "desktop":
        page = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800}).new_page()
    page.goto("/")
    buttons = page.evaluate(CALL_BUTTONS)
    emergency = [b for b in buttons if b["href"] == "tel:999"]
    others = [b for b in buttons if b["href"] != "tel:999"]
    assert len(emergency) == 1 and len(others) >= 2
    emergency = emergency[0]
    assert emergency["button"] and emergency["height"] >= 44
    for other in others:
        assert emergency["width"] >= other["width"] and emergency["height"] >= other["height"], (emergency, other)
        assert emergency["font"] >= other["font"], (emergency, other)
    if size == "desktop":
        page.context.close()


# Nothing under the Hide control: every banner and button, on a 320 and a 360 px phone -------------------------

# Whether nothing lies on top of the element: points along its first line box (a link may wrap onto several).
NOTHING_ON_TOP = """(el) => {
  const box = [...el.getClientRects()].find((r) => r.width > 0 && r.height > 0)
  if (!box) return true
  const y = box.top + box.height / 2
  return [box.left + 2, (box.left + box.right) / 2, box.right - 2].every((x) => {
    const top = document.elementFromPoint(x, y)
    return top !== null && (el === top || el.contains(top) || top.contains(el))
  }) && box.top >= 0 && box.bottom <= innerHeight + 1  // in view (a scroll to it may leave it a fraction over the edge)
}"""
NEW_VERSION_READY = "() => { document.querySelector('[data-module=\"sw-update\"]').hidden = false }"
# The page's scroll padding has caught up with the height of what sticks to the top (components/sw-update.js).
BARS_FOLLOWED = """() => {
  const bars = document.querySelector('[data-top-bars]') || document.querySelector('.quick-hide-bar')
  const height = getComputedStyle(document.documentElement).getPropertyValue('--top-bars-height')
  return height === `${bars.offsetHeight}px` || !document.querySelector('[data-top-bars]')
}"""
CONTROLS = "a, button, input, select, textarea, summary"


def covered_controls(page) -> list[str]:
    """Each control, focused as a keyboard would (the page scrolls it into view): those with something on top."""
    covered = []
    for control in page.locator(CONTROLS).all():
        if not control.is_visible() or control.get_attribute("data-quick-hide") is not None:
            continue
        control.focus()
        if not control.evaluate(NOTHING_ON_TOP):
            covered.append(control.evaluate("(el) => `${el.tagName} ${el.textContent.trim().slice(0, 30)}`"))
    return covered


@pytest.mark.parametrize("width", [320, 360])
def test_nothing_is_ever_under_the_hide_control_with_a_new_version_ready(browser, live_server, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 640},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    update = page.locator("[data-sw-update-button]")
    problems = []
    for path in ["/", "/helplines", "/guides/safety-plan", "/appearance", "/journal"]:
        page.goto(path)
        page.wait_for_load_state("load")
        # The banner appears whenever the new version has downloaded: here after a first swipe down the page.
        page.evaluate("window.scrollTo(0, 20)")
        page.evaluate(NEW_VERSION_READY)
        if not update.evaluate(NOTHING_ON_TOP):
            problems.append(f"{path}: Update is covered or out of view just below the top")
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        if not update.evaluate(NOTHING_ON_TOP):
            problems.append(f"{path}: Update is covered or out of view at the bottom of the page")
        page.wait_for_function(BARS_FOLLOWED)
        problems += [f"{path}: {control} is covered when focused" for control in covered_controls(page)]
    # The question before another website opens, a sheet along the bottom, with the banner up too.
    page.goto("/helplines")
    page.evaluate(NEW_VERSION_READY)
    page.locator("a.button", has_text="Website").first.click()
    sheet = page.locator(".leaving")
    sheet.wait_for()
    for button in sheet.locator("a, button").all():
        if not button.evaluate(NOTHING_ON_TOP):
            problems.append(f"leaving sheet: {button.inner_text()} is covered")
    context.close()
    assert problems == [], "\n".join(problems)
