"""The journal's passphrase strength check in real Chromium: zxcvbn refuses guessable passphrases with the reason,
loads only when a new passphrase is typed, stays on this origin, is kept by the worker for offline use, and the
built-in estimate stands in when zxcvbn cannot load, without ever blocking set-up."""
import time

import pytest
from playwright.sync_api import expect

from pwa import content
from support import CONTROLLED, wait_until

pytestmark = pytest.mark.browser

STRONG = "tulip anchor gravy sofa"
NAMES = "Names are easy to guess for someone who knows you."
PLACES = "Places you know, like your town or team, are easy to guess."
DATES = "Dates and years, like birthdays, are easy to guess."
PERSONAL = "Names, birthdays, pets and places someone close to you knows are easy to guess."
COMMON = "Common passwords are tried first."
KEYBOARD = "Keyboard patterns like qwerty are easy to guess."
REPEATS = "Repeated letters or words are easy to guess."
# Each weak passphrase and the warnings shown under the field, the first of which the refusal repeats.
WEAK = {
    "aaaaaaaaaaaaaaa": [REPEATS],
    "sarahjones1985": [NAMES, DATES],
    "Liverpool1992!": [PLACES, DATES],
    "password1234": [COMMON],
    "qwertyuiop12": [KEYBOARD],
    "iloveyou2020!": [DATES, COMMON],
    "Chester2019": [PLACES, DATES],
}
# The built-in estimate knows no names or places, but refuses the same passphrases by their shape.
WEAK_BUILT_IN = WEAK | {"sarahjones1985": [DATES, PERSONAL], "Liverpool1992!": [DATES, PERSONAL],
                        "Chester2019": [DATES, PERSONAL]}
VENDOR = "/static/vendor/zxcvbn-ts/"
BOX = '[data-strength-for="setup-passphrase"]'
ERROR = '[data-form="setup"] [data-error]'


def open_set_up(page):
    page.goto("/journal")
    page.locator('[data-view="setup"]').wait_for()


def submit(page, passphrase, confirm=None):
    page.eval_on_selector(ERROR, "(error) => { error.textContent = '' }")
    page.fill("#setup-passphrase", passphrase)
    page.fill("#setup-confirm", passphrase if confirm is None else confirm)
    page.click('[data-form="setup"] [type=submit]')


def assert_refused(page, passphrase, warnings, estimator):
    submit(page, passphrase)
    expect(page.locator(ERROR)).to_have_text(f"That passphrase would be too easy to guess. {warnings[0]}")
    assert page.get_attribute(BOX, "data-estimator") == estimator, passphrase
    shown = page.inner_text(BOX)
    for warning in warnings:
        assert warning in shown, (passphrase, shown)
    assert page.locator('[data-view="setup"]').is_visible()


def assert_accepted(page, passphrase):
    submit(page, passphrase)
    page.locator('[data-view="home"]').wait_for()


def offsite(page, server):
    return [url for url in page.requests_seen if not url.startswith(server.url + "/")]


def test_set_up_refuses_guessable_passphrases_with_the_reason(page, live_server):
    open_set_up(page)
    # Before this check used zxcvbn, a letter typed 15 times passed as "Fair".
    submit(page, "aaaaaaaaaaaaaaa")
    expect(page.locator(ERROR)).to_contain_text("too easy to guess")
    expect(page.locator(BOX)).to_have_attribute("data-estimator", "zxcvbn")  # loading began when the field was used
    for passphrase, warnings in WEAK.items():
        assert_refused(page, passphrase, warnings, "zxcvbn")
    page.fill("#setup-passphrase", STRONG)
    assert page.inner_text(BOX).strip() == "Strong"
    assert_accepted(page, STRONG)
    assert offsite(page, live_server) == []


def test_a_name_is_warned_about_even_in_a_strong_passphrase(page, live_server):
    open_set_up(page)
    page.fill("#setup-passphrase", "sarah " + STRONG)
    expect(page.locator(BOX)).to_have_attribute("data-estimator", "zxcvbn")
    assert page.inner_text(BOX).split("\n") == ["Strong", NAMES]
    # Names, birthdays and places count for nothing: what is left must be strong by itself.
    submit(page, "sarahjones1985liverpool")
    expect(page.locator(ERROR)).to_have_text(f"That passphrase would be too easy to guess. {NAMES}")


def test_estimator_loads_only_when_a_new_passphrase_is_typed(page, live_server):
    page.goto("/")
    page.wait_for_function(CONTROLLED)
    page.wait_for_load_state("networkidle")
    open_set_up(page)
    page.wait_for_load_state("networkidle")
    # Not on the home page, not in the worker's install-time precache, not on opening the journal.
    assert not [url for url in page.requests_seen if VENDOR in url]
    page.focus("#setup-passphrase")
    page.keyboard.type("x")
    expect(page.locator(BOX)).to_have_attribute("data-estimator", "zxcvbn")
    fetched = sorted({url.removeprefix(live_server.url) for url in page.requests_seen if VENDOR in url})
    assert fetched == [VENDOR + "core.js", VENDOR + "dictionaries.js"]
    assert offsite(page, live_server) == []

    # The worker kept them: set-up offline later still has zxcvbn.
    wait_until(page, """async () => {
        const cache = await caches.open((await caches.keys()).find((name) => name.startsWith('app-shell-')))
        const paths = (await cache.keys()).map((request) => new URL(request.url).pathname)
        return paths.includes('/static/vendor/zxcvbn-ts/core.js') && paths.includes('/static/vendor/zxcvbn-ts/dictionaries.js')
    }""")
    page.context.set_offline(True)
    offline = page.context.new_page()
    open_set_up(offline)
    assert_refused(offline, "Liverpool1992!", WEAK["Liverpool1992!"], "zxcvbn")


KEPT = """async () => {
    const names = (await caches.keys()).filter((name) => name.startsWith('app-shell-'))
    const kept = []
    for (const name of names) {
        const paths = (await (await caches.open(name)).keys()).map((request) => new URL(request.url).pathname)
        kept.push(paths.filter((path) => path.startsWith('/static/vendor/')).sort())
    }
    return kept
}"""


def test_a_new_app_version_carries_the_estimator_over_without_fetching_it_again(page, live_app, live_server):
    page.goto("/")
    page.wait_for_function(CONTROLLED)
    open_set_up(page)
    page.focus("#setup-passphrase")
    expect(page.locator(BOX)).to_have_attribute("data-estimator", "zxcvbn")
    wait_until(page, f"() => ({KEPT})().then((kept) => kept.length === 1 && kept[0].length === 2)")

    pack = content.read_pack(live_app.config["CONTENT_DIR"])
    pack.services[0]["phone"] = "0808 000 1111"
    with live_app.app_context():
        content.load_pack(pack)
    fetched = len([url for url in page.requests_seen if VENDOR in url])
    page.reload()  # finds the new worker, which installs and waits
    wait_until(page, "() => navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)")
    assert page.evaluate(KEPT) == [[VENDOR + "core.js", VENDOR + "dictionaries.js"]] * 2  # old version and new
    assert len([url for url in page.requests_seen if VENDOR in url]) == fetched


@pytest.fixture
def no_worker_page(browser, live_server):
    """A page without a service worker, so page.route sees every request (a worker would answer first)."""
    context = browser.new_context(base_url=live_server.url, service_workers="block")
    page = context.new_page()
    page.requests_seen = []
    context.on("request", lambda request: page.requests_seen.append(request.url))
    yield page
    context.close()


def test_built_in_estimate_refuses_the_same_when_zxcvbn_cannot_load(no_worker_page, live_server):
    page = no_worker_page
    page.route(f"**{VENDOR}**", lambda route: route.abort())
    open_set_up(page)
    for passphrase, warnings in WEAK_BUILT_IN.items():
        assert_refused(page, passphrase, warnings, "built-in")
    assert_accepted(page, STRONG)
    assert offsite(page, live_server) == []


def test_set_up_never_waits_long_for_an_estimator_that_does_not_arrive(no_worker_page, live_server):
    page = no_worker_page
    stuck = []
    page.route(f"**{VENDOR}**", lambda route: stuck.append(route))  # never answered
    open_set_up(page)
    started = time.monotonic()
    assert_accepted(page, STRONG)
    assert time.monotonic() - started < 15  # 3 s for the estimator, then the key derivation
    assert stuck and page.get_attribute(BOX, "data-estimator") == "built-in"
