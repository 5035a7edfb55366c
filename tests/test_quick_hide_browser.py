"""Quick-hide and the disguises in real Chromium: every trigger, Back after hiding, offline hiding,
the secret ways in, the working decoys, and each disguise installable."""
from urllib.parse import urlsplit

import pytest

from pwa.identities import COOKIE, IDENTITIES
from support import (CONTROLLED, DECOY_OF, HOTLINE, PaintedFrames, assert_on_decoy, open_controlled,
                     persistent_context, reopened_offline)

pytestmark = pytest.mark.browser

def assert_not_hiding(page):
    assert page.evaluate("document.documentElement.classList.contains('is-hiding')") is False
    assert page.locator("[data-quick-hide]").is_visible()


def test_control_is_on_every_screen_and_at_least_44px(open_tab):
    page = open_tab("/")
    for path in ["/", "/helplines", "/guides", "/guides/safety-plan", "/limits", "/journal", "/appearance"]:
        page.goto(path)
        control = page.get_by_role("link", name="Hide this page")
        assert control.is_visible(), path
        box = control.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, path
        page.mouse.wheel(0, 2000)  # fixed: still in reach after scrolling
        assert control.is_visible() and control.bounding_box()["y"] >= 0, path


def test_button_paints_the_cover_in_the_next_frame_then_lands_on_the_decoy(open_tab):
    page = open_tab("/helplines")
    page.get_by_role("link", name="Hide this page").click()
    assert_on_decoy(page)
    cover = page.evaluate("JSON.parse(sessionStorage.getItem('cover'))")
    # The decoy was only asked for once the cover's frame had started: no old frame is held on screen.
    assert page.evaluate("performance.timeOrigin") >= cover.pop("frameAt")
    assert cover == {"body": "none", "background": "rgb(21, 101, 192)", "typing": False, "shut": "shut",
                     "title": "Open Door"}
    assert page.locator(".weather__place").inner_text() == "Chester"
    assert page.title() == "Weather"  # the decoy in its own name, even in the plain look


def test_shift_three_times_hides_but_not_shift_used_for_typing_or_too_slowly(open_tab):
    page = open_tab("/helplines")
    page.clock.install()
    page.reload()
    page.keyboard.press("Shift")
    page.keyboard.press("Shift+A")  # typing a capital letter resets the count
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert_not_hiding(page)
    page.clock.fast_forward(5100)  # more than 5 s since the last press: the count starts again
    page.keyboard.press("Shift")
    assert_not_hiding(page)
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert_on_decoy(page)


def test_escape_twice_hides_and_the_first_escape_in_a_field_only_steps_out(open_tab):
    page = open_tab("/appearance")
    field = page.locator("#pin")
    field.fill("1357")
    page.keyboard.press("Escape")
    assert_not_hiding(page)
    assert page.evaluate("document.activeElement.id") != "pin"
    assert field.input_value() == "1357"
    page.wait_for_timeout(1100)  # the rule under test: presses more than 1 s apart do not count
    page.keyboard.press("Escape")
    assert_not_hiding(page)
    page.keyboard.press("Escape")
    assert_on_decoy(page)


def test_page_becoming_hidden_hides_it_but_moving_between_pages_does_not(open_tab):
    page = open_tab("/")
    entries = page.evaluate("history.length")
    # Leaving for another page also fires pagehide and visibilitychange: that must not count as hiding.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.wait_for_url("**/helplines")
    page.get_by_role("button", name="Show").click()  # the filters work in the page: no page move, no hiding
    page.select_option("#category", "stalking")  # the address follows the choice in place
    page.wait_for_url("**/helplines?category=stalking")
    page.get_by_role("link", name="Guides").first.click()
    page.wait_for_url("**/guides")
    assert_not_hiding(page)
    assert page.evaluate("history.length") == entries  # in-app moves replace: Back has nowhere inside to go
    # Headless Chromium keeps every tab "visible", so the switch to another app is emulated.
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
        document.dispatchEvent(new Event('visibilitychange'))
    }""")
    assert_on_decoy(page)


def test_back_and_forward_never_paint_protected_content_after_hiding(open_tab):
    """With the back/forward cache on, as on phones: no frame after the hide shows a protected page."""
    page = open_tab("/")
    page.wait_for_function(CONTROLLED)  # a worker taking control later would empty the cache itself
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.wait_for_url("**/helplines")
    page.goto("/guides")  # typed addresses do add history entries, and the page left goes into the cache
    page.goto("/helplines")
    page.get_by_role("link", name="Guides").first.click()
    page.wait_for_url("**/guides")
    assert page.evaluate("history.length") >= 4
    frames = PaintedFrames(page)
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert_on_decoy(page)
    after_hide = frames.mark()

    for _ in range(4):
        page.go_back(wait_until="commit")  # a page restored from the cache fires no load event
        page.wait_for_timeout(300)  # long enough for a restored page to paint, if it were going to
        if page.url.startswith("about:"):
            break
        assert_on_decoy(page)
    page.go_forward(wait_until="commit")
    page.wait_for_timeout(300)
    assert page.get_by_text(HOTLINE).count() == 0
    page.goto("/helplines")  # even typing the address again
    assert_on_decoy(page)
    assert frames.mark() > after_hide  # the recorder did see the pages change
    assert frames.showing_protected(since=after_hide) == []
    frames.stop()
    # The cache is on (the next test shows an ordinary Back restoring a page), but it gave back no protected page.
    restored = page.evaluate("JSON.parse(sessionStorage.getItem('restored') || '[]')")
    assert set(restored) <= {"/weather"}


def test_forward_after_hiding_paints_nothing_protected(open_tab):
    """A page left by Back waits in the cache in the forward direction: Forward after a hide must not show it."""
    page = open_tab("/helplines")
    page.wait_for_function(CONTROLLED)
    page.goto("/guides")
    page.go_back(wait_until="commit")
    page.wait_for_url("**/helplines", wait_until="commit")
    frames = PaintedFrames(page)
    page.get_by_role("link", name="Hide this page").click()
    assert_on_decoy(page)
    after_hide = frames.mark()
    page.go_forward(wait_until="commit")
    page.wait_for_timeout(300)
    assert_on_decoy(page)
    assert frames.showing_protected(since=after_hide) == []
    frames.stop()


def test_back_without_hiding_shows_the_page_again(open_tab):
    """Going into the cache covered must not leave an ordinary Back on a blank page."""
    page = open_tab("/")
    page.wait_for_function(CONTROLLED)
    page.goto("/helplines")
    page.go_back(wait_until="commit")
    page.wait_for_url(lambda url: urlsplit(url).path == "/", wait_until="commit")
    assert page.evaluate("JSON.parse(sessionStorage.getItem('restored') || '[]')") == ["/"]
    assert_not_hiding(page)
    page.wait_for_function("() => getComputedStyle(document.body).visibility === 'visible'")


def test_offline_hiding_with_the_server_stopped(playwright_instance, live_server, tmp_path):
    with reopened_offline(playwright_instance, tmp_path / "profile", live_server) as page:
        page.goto("/helplines")
        assert page.get_by_text(HOTLINE).first.is_visible()
        page.get_by_role("link", name="Hide this page").click()
        assert_on_decoy(page)
        page.wait_for_function("() => /°$/.test(document.querySelector('[data-weather-temp]').textContent)")
        assert page.locator(".weather__day").count() == 5


def test_calculator_really_calculates(open_tab):
    page = open_tab("/calculator")
    cases = {"12+3×4": "24", "7÷2": "3.5", "0.1+0.2": "0.3", "2−5": "-3", "3×−2": "-6", "50%": "0.5",
             "200×5%": "10", "1÷0": "Error", "10−2−3": "5", "8÷4÷2": "1", "12+": "NaN", "×3": "NaN"}
    answers = page.evaluate("""async (cases) => {
        const { evaluate, format } = await import('/static/js/decoys/calculator.js')
        return Object.fromEntries(cases.map((c) => [c, Number.isNaN(evaluate(c)) ? 'NaN' : format(evaluate(c))]))
    }""", list(cases))
    assert answers == cases

    display = page.locator("[data-calc-display]")
    for key in ["1", "2", "+", "3", "×", "4"]:
        page.locator(f'[data-key="{key}"]').click()
    assert page.locator("[data-calc-preview]").inner_text() == "24"
    page.get_by_role("button", name="Equals").click()
    assert display.inner_text() == "24"
    page.keyboard.type("/5")
    page.keyboard.press("Enter")
    assert display.inner_text() == "4.8"
    page.keyboard.press("Escape")  # clears; on a decoy Esc is the calculator's, not a hide
    assert display.inner_text() == "0"
    page.keyboard.type("99")
    page.keyboard.press("Backspace")
    assert display.inner_text() == "9"
    assert page.url.endswith("/calculator")


@pytest.mark.parametrize("look", IDENTITIES)
def test_title_icon_and_colour_stay_the_identitys_on_every_screen(open_tab, look):
    page = open_tab("/", look=look, entered=True)
    for path in ["/", "/helplines", "/journal", "/limits", DECOY_OF[look]]:
        page.goto(path)
        assert page.url.endswith(path), path
        identity = IDENTITIES[path.strip("/")] if path == DECOY_OF[look] else IDENTITIES[look]  # decoys wear their own
        assert page.title() == (identity.name if identity.disguise else "Open Door"), path
        assert page.locator('meta[name="theme-color"]').get_attribute("content") == identity.theme_color
        assert page.locator('link[rel="icon"]').get_attribute("href") == f"/static/icons/{identity.key}/favicon-48.png"


def test_each_disguise_installs_and_reopens_on_its_decoy(playwright_instance, live_server, tmp_path):
    with persistent_context(playwright_instance, tmp_path / "profile", live_server.url) as context:
        for look in ("calculator", "weather", "notes"):
            context.add_cookies([{"name": COOKIE, "value": look, "url": live_server.url}])
            page = open_controlled(context, "/")  # where an installed disguise would start, reopened
            page.wait_for_url(f"**{DECOY_OF[look]}")
            cdp = context.new_cdp_session(page)
            manifest = cdp.send("Page.getAppManifest")
            assert manifest["url"].endswith(f"/manifests/{look}.webmanifest")
            assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
            cdp.detach()


def test_a_draft_in_the_real_journal_survives_quick_hide_encrypted(open_tab):
    from test_journal_browser import dump, journal_view, set_up, unlock, write_entry

    page = open_tab("/journal")
    set_up(page)
    write_entry(page, save=False, what="Typed just before hiding")
    page.fill("#f-injuries", "Typed a split second before")  # no time for the journal's autosave pause
    for _ in range(3):
        page.keyboard.press("Shift")  # while still typing in the field
    assert_on_decoy(page)
    assert page.evaluate("JSON.parse(sessionStorage.getItem('cover')).typing") is False  # keyboard closed
    stored = str(dump(page))
    assert "Typed just before hiding" not in stored and "split second" not in stored

    # Back in (no PIN chosen: an empty search), then the journal gives the draft back whole.
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Journal").click()
    unlock(page)
    journal_view(page, "home").wait_for()
    page.click('[data-action="continue-draft"]')
    assert page.input_value("#f-what") == "Typed just before hiding"
    assert page.input_value("#f-injuries") == "Typed a split second before"


# Keyboard and screen reader users, held against GOV.UK's "Exit this page" -----------------------------------

STATUS = ".quick-hide-bar [role='status']"
# Which of the control's three progress lights are lit, or None while they are not shown.
LIGHTS = """() => {
  const lights = document.querySelector('[data-quick-hide] .quick-hide__lights')
  if (!lights || lights.hidden || getComputedStyle(lights).display === 'none') return null
  return [...lights.children].map((light) => light.classList.contains('quick-hide__light--on'))
}"""
# Every key event the page gets, with its repeat flag: what the tests rely on Playwright sending.
WATCH_KEYS = """() => {
  window.keysSeen = []
  for (const type of ['keydown', 'keyup']) {
    addEventListener(type, (event) => keysSeen.push([type, event.key, event.repeat]), true)
  }
}"""


def status_text(page) -> str:
    return page.locator(STATUS).text_content()


def test_shift_presses_are_announced_politely_and_lit_on_the_control(open_tab):
    page = open_tab("/helplines")
    page.clock.install()
    page.reload()
    status = page.locator(STATUS)
    assert status.count() == 1 and status.get_attribute("role") == "status"  # polite, and in the DOM from the start
    assert status.evaluate("(el) => el.closest('.quick-hide-bar') !== null && el.getBoundingClientRect().width <= 1")
    assert status_text(page) == "" and page.evaluate(LIGHTS) is None
    control = page.get_by_role("link", name="Hide this page")  # the lights do not change its name
    box = control.bounding_box()

    page.keyboard.press("Shift")
    assert status_text(page) == "Shift, press 2 more times to hide this page."
    assert page.evaluate(LIGHTS) == [True, False, False]
    page.keyboard.press("Shift")
    assert status_text(page) == "Shift, press 1 more time to hide this page."
    assert page.evaluate(LIGHTS) == [True, True, False]
    assert control.bounding_box() == box  # lit inside the control: nothing moves
    page.clock.fast_forward(5100)
    assert status_text(page) == "Hide this page timed out."
    assert page.evaluate(LIGHTS) is None
    page.clock.fast_forward(5100)  # the message does not linger for someone reading the page later
    assert status_text(page) == ""

    page.keyboard.press("Shift")
    page.keyboard.press("a")  # another key: the count starts again, and nothing is said over the typing
    assert status_text(page) == "" and page.evaluate(LIGHTS) is None
    for _ in range(3):
        page.keyboard.press("Shift")
    assert_on_decoy(page)


def test_nothing_is_announced_under_a_disguise_but_the_lights_still_count(open_tab):
    page = open_tab("/helplines", look="calculator", entered=True)
    page.clock.install()
    page.reload()
    assert page.title() == "Calculator" and page.get_by_text(HOTLINE).first.is_visible()
    page.keyboard.press("Shift")
    assert page.evaluate(LIGHTS) == [True, False, False]  # the press was counted...
    assert status_text(page) == ""  # ...but "hide this page" is not said aloud in a calculator
    page.keyboard.press("Shift")
    page.clock.fast_forward(5100)
    assert page.evaluate(LIGHTS) is None and status_text(page) == ""
    for _ in range(3):
        page.keyboard.press("Shift")
    assert_on_decoy(page, "/calculator")


def test_a_held_escape_counts_once(open_tab):
    page = open_tab("/helplines")
    page.evaluate(WATCH_KEYS)
    page.keyboard.down("Escape")
    page.keyboard.down("Escape")  # Playwright sends a second down of a held key as an auto-repeat
    page.keyboard.down("Escape")
    page.keyboard.up("Escape")
    assert page.evaluate("keysSeen") == [["keydown", "Escape", False], ["keydown", "Escape", True],
                                         ["keydown", "Escape", True], ["keyup", "Escape", False]]
    assert_not_hiding(page)
    page.keyboard.press("Escape")  # a second, separate press within 1 s of the first
    assert_on_decoy(page)


def test_a_held_shift_counts_once(open_tab):
    page = open_tab("/helplines")
    page.evaluate(WATCH_KEYS)
    for _ in range(3):
        page.keyboard.down("Shift")
    page.keyboard.up("Shift")
    assert [repeat for _, _, repeat in page.evaluate("keysSeen")] == [False, True, True, False]
    page.keyboard.press("Shift")
    assert_not_hiding(page)  # held once, pressed once: two presses, not four
    page.keyboard.press("Shift")
    assert_on_decoy(page)


@pytest.mark.parametrize("font_size", [16, 20, 32])
def test_the_lights_fit_under_the_label_at_any_text_size(browser, live_server, font_size):
    page = browser.new_page(base_url=live_server.url)
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": font_size}})
    page.goto("/helplines")
    control = page.locator("[data-quick-hide]")
    box = control.bounding_box()
    page.keyboard.press("Shift")
    fit = control.evaluate("""(control) => {
      const style = getComputedStyle(control)
      const px = (name) => parseFloat(style[name])
      const box = control.getBoundingClientRect()
      const top = box.top + px('borderTopWidth') + px('paddingTop')
      const bottom = box.bottom - px('borderBottomWidth') - px('paddingBottom')
      const lights = control.querySelector('.quick-hide__lights').getBoundingClientRect()
      // One line of label, centred in the content box: where its line ends is where the lights may start.
      return { label: (top + bottom + px('lineHeight')) / 2, top: lights.top,
               room: box.bottom - px('borderBottomWidth') - lights.bottom }
    }""")
    assert control.bounding_box() == box
    page.context.close()
    assert fit["top"] >= fit["label"] and fit["room"] >= 2, fit


def test_the_lights_show_in_forced_colours_without_motion(browser, live_server):
    context = browser.new_context(base_url=live_server.url, forced_colors="active", reduced_motion="reduce")
    page = context.new_page()
    page.goto("/helplines")
    page.keyboard.press("Shift")
    lights = page.evaluate("""() => [...document.querySelectorAll('.quick-hide__light')].map((light) => {
      const style = getComputedStyle(light)
      return { width: light.getBoundingClientRect().width, ring: style.borderTopColor, fill: style.backgroundColor,
               motion: [style.transitionDuration, style.animationName] }
    })""")
    background = page.locator("[data-quick-hide]").evaluate("(el) => getComputedStyle(el).backgroundColor")
    context.close()
    on, off = lights[0], lights[1]
    assert on["width"] >= 7
    # Forced colours drop author backgrounds: the lit light must keep its fill, in a colour that shows.
    assert on["fill"] == on["ring"] == off["ring"] != background
    assert off["fill"] == "rgba(0, 0, 0, 0)"
    assert {tuple(light["motion"]) for light in lights} == {("0s", "none")}


def test_the_control_and_its_announcements_do_not_print(open_tab):
    page = open_tab("/helplines")
    page.locator(".update-banner").evaluate("(el) => { el.hidden = false }")  # as when a new version is ready
    page.keyboard.press("Shift")
    page.emulate_media(media="print")
    assert not page.locator("[data-quick-hide]").is_visible()
    shown = """() => ['[data-quick-hide]', '.quick-hide__lights', "%s", '.skip-link', '.update-banner']
        .map((selector) => document.querySelector(selector).checkVisibility())""" % STATUS
    assert page.evaluate(shown) == [False] * 5
    assert page.get_by_text(HOTLINE).first.is_visible()  # the page itself still prints
    page.emulate_media(media="screen")
    assert page.evaluate(shown) == [True] * 5  # the skip link and the announcements are only out of sight
