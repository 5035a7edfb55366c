"""The ways from a decoy back into the app, in real Chromium: the PIN, its absence, wrong PINs slowing down,
the plain look's first-time notice, and decoys that keep working when the browser's storage is off or full."""
from urllib.parse import urlsplit

import pytest

from pwa.identities import COOKIE, IDENTITIES
from support import DECOY_OF, HOTLINE, PIN, assert_on_decoy

pytestmark = pytest.mark.browser


def set_pin_on_appearance_page(page, look):
    page.goto("/appearance")
    page.locator(f"#look-{look}").check()
    page.locator("#pin").fill(PIN)
    page.locator("#pin-again").fill(PIN)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/appearance?saved={look}")
    assert page.title() == IDENTITIES[look].name
    assert page.get_by_text(f"Saved: this app now looks like {IDENTITIES[look].name}").is_visible()


def test_appearance_page_refuses_a_disguise_without_pin_and_mismatched_pins(open_tab):
    page = open_tab("/appearance")
    page.locator("#look-calculator").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("alert").inner_text().startswith("Choose a PIN")
    page.locator("#pin").fill("12")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("alert").inner_text() == "Enter a PIN of 4 to 8 digits."
    page.locator("#pin").fill("1234")
    page.locator("#pin-again").fill("1243")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("alert").inner_text().startswith("The two PINs are different")
    assert page.context.cookies()[0:0] == [] and all(c["name"] != COOKIE for c in page.context.cookies())
    assert page.evaluate("localStorage.getItem('door-pin')") is None


def test_secret_ways_in_and_reopening_shows_the_decoy(open_tab):
    page = open_tab("/")
    set_pin_on_appearance_page(page, "calculator")
    stored = page.evaluate("JSON.parse(localStorage.getItem('door-pin'))")
    assert PIN not in str(stored) and len(stored["salt"]) == 32 and stored["iterations"] >= 100000

    context = page.context
    for look in ("calculator", "weather", "notes"):
        context.add_cookies([{"name": COOKIE, "value": look, "url": page.url}])
        tab = context.new_page()  # a new tab starts outside: reopening shows the decoy
        tab.goto("/helplines")
        assert_on_decoy(tab, DECOY_OF[look])
        assert tab.title() == IDENTITIES[look].name
        for code, opens in [("1357", False), (PIN, True)]:
            type_code(tab, look, code)
            if opens:
                tab.wait_for_url(lambda url: urlsplit(url).path == "/")
                assert tab.get_by_text(HOTLINE).first.is_visible()
                assert tab.title() == IDENTITIES[look].name
            else:
                assert tab.evaluate("sessionStorage.getItem('door')") is None
                assert tab.url.endswith(DECOY_OF[look])
        tab.goto("/helplines")  # inside now, for this tab's session
        assert tab.get_by_text(HOTLINE).first.is_visible()
        tab.close()


def test_weather_and_notes_decoys_work_and_stay_on_this_phone(open_tab):
    page = open_tab("/weather")
    page.get_by_role("searchbox").fill("nantwich")
    page.get_by_role("searchbox").press("Enter")
    assert page.locator(".weather__place").inner_text() == "Nantwich"
    page.reload()
    assert page.locator(".weather__place").inner_text() == "Nantwich"
    assert page.locator(".weather__day").count() == 5

    page.goto("/notes")
    page.get_by_label("New note").fill("Milk, bread")
    page.get_by_role("button", name="Add note").click()
    page.reload()
    assert page.locator(".notes__text").inner_text() == "Milk, bread"
    page.get_by_role("button", name="Delete").click()
    assert page.locator(".notes__text").count() == 0
    origin = page.url.split("/notes")[0]
    assert all(url.startswith(origin) for url in page.context.pages[0].evaluate(
        "performance.getEntriesByType('resource').map((e) => e.name)"))




def type_code(page, look, code):
    """The way in for each decoy: the calculator's keys then "=", or the search box then Enter."""
    if look == "calculator":
        page.keyboard.type(code)
        page.keyboard.press("=")
    else:
        page.get_by_role("searchbox").fill(code)
        page.get_by_role("searchbox").press("Enter")


@pytest.mark.parametrize("look", ["calculator", "weather", "notes"])
def test_a_disguise_never_opens_without_its_pin_and_says_where_to_set_one(open_tab, look):
    """The look lives in a cookie for 400 days; the PIN's hash in storage the browser may clear by itself."""
    page = open_tab(DECOY_OF[look], look=look)
    assert page.evaluate("localStorage.getItem('door-pin')") is None
    type_code(page, look, "")  # once the way in with no PIN saved
    page.wait_for_timeout(300)
    assert page.url.endswith(DECOY_OF[look]) and page.evaluate("sessionStorage.getItem('door')") is None
    assert page.locator("[data-no-pin]").count() == 0  # an empty press is ordinary use of the decoy

    type_code(page, look, PIN)
    notice = page.locator("[data-no-pin]")
    notice.wait_for()
    assert "No PIN is saved in this browser" in notice.inner_text()
    assert page.url.endswith(DECOY_OF[look]) and page.evaluate("sessionStorage.getItem('door')") is None
    notice.get_by_role("link", name="Set a PIN").click()
    page.wait_for_url("**/appearance")
    assert page.get_by_role("heading", name="Change how this app looks").is_visible()


def test_wrong_pins_slow_down_without_saying_so(open_tab):
    page = open_tab("/", look="calculator", entered=True)
    set_pin_on_appearance_page(page, "calculator")
    page.goto("/calculator")
    for wrong in range(6):
        type_code(page, "calculator", f"{1000 + wrong}")
        page.wait_for_function(f"() => (JSON.parse(localStorage.getItem('door-tries')) || {{}}).n === {wrong + 1}")
    # The sixth wrong PIN was past the free tries: the next check waits 2 s, shown by a paused clock.
    page.clock.install()
    page.clock.pause_at(page.evaluate("Date.now()") / 1000)  # seconds
    type_code(page, "calculator", PIN)
    page.wait_for_timeout(500)
    page.clock.run_for(1500)
    page.wait_for_timeout(300)
    assert page.url.endswith("/calculator"), "the right PIN was checked before the wait"
    assert page.locator("[data-calc-display]").inner_text() == PIN  # the calculator just calculated
    assert page.locator("body").inner_text().count("wait") == 0 and "try" not in page.locator("body").inner_text()
    page.clock.run_for(1000)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    assert page.evaluate("localStorage.getItem('door-tries')") is None  # the right PIN starts the count again


def test_the_plain_look_says_how_to_come_back_before_the_first_hide(open_tab):
    page = open_tab("/")
    notice = page.locator('[data-module="way-back"]')
    assert notice.is_visible()
    assert "press Search with nothing typed" in notice.inner_text()
    assert "weather page" in notice.inner_text()
    notice.get_by_role("button", name="Got it").click()
    assert notice.is_hidden()
    page.reload()
    assert notice.is_hidden()

    with_pin = open_tab("/")
    set_pin_on_appearance_page(with_pin, "plain")
    with_pin.goto("/helplines")
    assert "search for your PIN" in with_pin.locator('[data-module="way-back"]').inner_text()
    disguised = open_tab("/", look="notes", entered=True)
    assert disguised.locator('[data-module="way-back"]').count() == 0  # a disguise's own page says its way in


STORAGE_OFF = """
for (const name of ['localStorage', 'sessionStorage']) {
  Object.defineProperty(window, name, { configurable: true, get () { throw new DOMException('off', 'SecurityError') } })
}
"""
STORAGE_FULL = """
Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError') }
"""


@pytest.mark.parametrize("storage", [STORAGE_OFF, STORAGE_FULL], ids=["off", "full"])
def test_decoys_keep_working_when_storage_is_off_or_full(open_tab, storage):
    page = open_tab("/calculator", init_scripts=[storage])
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.reload()
    page.keyboard.type("6*7")
    page.keyboard.press("=")
    assert page.locator("[data-calc-display]").inner_text() == "42"

    page.goto("/weather")
    page.get_by_role("searchbox").fill("crewe")
    page.get_by_role("searchbox").press("Enter")
    assert page.locator(".weather__place").inner_text() == "Crewe"
    assert page.locator(".weather__day").count() == 5

    page.goto("/notes")
    page.get_by_label("New note").fill("Buy stamps")
    page.get_by_role("button", name="Add note").click()
    assert page.locator(".notes__text").inner_text() == "Buy stamps"
    assert "kept only until you close this page" in page.get_by_role("alert").inner_text()
    page.get_by_role("searchbox").fill("stamps")
    assert page.locator(".notes__text").count() == 1
    assert errors == []
