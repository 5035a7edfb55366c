"""Choosing a language in Chromium (issue 14): one tap, the worker's copies per language, offline."""
import pytest
from support import CONTROLLED, assert_on_decoy, wait_until

from pwa import content, i18n

pytestmark = pytest.mark.browser

# Which languages the worker holds: pages per language in the shell cache, and the ones marked saved whole.
HELD = """async () => {
    const name = (await caches.keys()).find((n) => n.startsWith('app-shell-'))
    const keys = (await (await caches.open(name)).keys()).map((r) => new URL(r.url))
    return {
        pages: [...new Set(keys.map((u) => u.searchParams.get('__language')).filter(Boolean))].sort(),
        saved: keys.filter((u) => u.pathname.startsWith('/__saved/')).map((u) => decodeURIComponent(u.pathname.slice(9))).sort()
    }
}"""


def html_lang(page):
    return page.evaluate("[document.documentElement.lang, document.documentElement.dir]")


def choose(page, name):
    with page.expect_navigation():
        page.locator(".language-chooser").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def test_one_tap_changes_the_language_and_direction(page, live_server):
    page.goto("/helplines")
    page.wait_for_function(CONTROLLED)
    assert html_lang(page) == ["en-GB", "ltr"]
    choose(page, "Cymraeg")
    assert html_lang(page) == ["cy", "ltr"] and page.url.endswith("/helplines")
    choose(page, "اردو")
    assert html_lang(page) == ["ur", "rtl"]
    current = page.locator(".language-chooser [aria-current]")
    assert current.inner_text() == "اردو" and current.get_attribute("dir") == "rtl"
    assert {c["name"]: c["value"] for c in page.context.cookies()}[i18n.COOKIE] == "ur"


def test_without_a_worker_the_link_goes_through_the_server(browser, live_server):
    context = browser.new_context(base_url=live_server.url, service_workers="block")
    try:
        page = context.new_page()
        page.goto("/guides")
        choose(page, "Polski")
        assert html_lang(page) == ["pl", "ltr"] and page.url.endswith("/guides")
    finally:
        context.close()


def test_the_first_visit_precaches_only_the_chosen_language(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ur-PK")  # Accept-Language: ur-PK
    try:
        page = context.new_page()
        page.goto("/")
        page.wait_for_function(CONTROLLED)
        assert html_lang(page) == ["ur", "rtl"]
        assert page.evaluate(HELD) == {"pages": ["ur"], "saved": ["ur"]}
    finally:
        context.close()


def test_saved_languages_switch_offline_and_an_unsaved_one_says_so(page, live_app, live_server):
    page.goto("/helplines")
    page.wait_for_function(CONTROLLED)
    choose(page, "Cymraeg")  # online: the worker fetches the Welsh pages, then keeps them
    assert page.evaluate(HELD) == {"pages": ["cy", "en-GB"], "saved": ["cy", "en-GB"]}

    page.context.set_offline(True)
    choose(page, "English")
    assert html_lang(page) == ["en-GB", "ltr"]
    page.goto("/guides")  # a navigation served from the cache keeps the choice
    assert html_lang(page) == ["en-GB", "ltr"]
    choose(page, "Cymraeg")
    assert html_lang(page) == ["cy", "ltr"] and page.url.endswith("/guides")

    page.locator(".language-chooser").get_by_role("link", name="Polski", exact=True).click()
    message = page.locator("[data-language-message]")
    message.wait_for(state="visible")
    with live_app.test_request_context(headers={"Cookie": f"{i18n.COOKIE}=cy"}):  # said in Welsh, the page's language
        expected = i18n.not_saved_message().replace("{language}", "Polski")
    assert "\u2068Polski\u2069" in expected and message.inner_text() == expected
    assert html_lang(page) == ["cy", "ltr"] and page.url.endswith("/guides")
    assert {c["name"]: c["value"] for c in page.context.cookies()}[i18n.COOKIE] == "cy"  # kept as it was
    page.goto("/helplines")
    assert html_lang(page) == ["cy", "ltr"]


def test_a_language_chosen_without_the_script_is_saved_from_the_page_the_server_sends(page, live_server):
    page.goto("/")
    page.wait_for_function(CONTROLLED)
    page.goto("/language/pl?next=/limits")  # as the link does without JavaScript
    assert html_lang(page) == ["pl", "ltr"]
    wait_until(page, f"async () => JSON.stringify(await ({HELD})()) === JSON.stringify({{pages: ['en-GB', 'pl'], saved: ['en-GB', 'pl']}})")
    page.context.set_offline(True)
    page.goto("/helplines")
    assert html_lang(page) == ["pl", "ltr"]


def test_quick_hide_works_offline_in_urdu(page, live_server):
    page.context.add_cookies([{"name": i18n.COOKIE, "value": "ur", "url": live_server.url}])
    page.goto("/helplines")
    page.wait_for_function(CONTROLLED)
    page.context.set_offline(True)
    page.goto("/guides")
    assert html_lang(page) == ["ur", "rtl"]
    # The cover reads left to right like the English decoy it stands for, not from the other side.
    assert page.evaluate("""() => {
        const root = document.documentElement
        root.classList.add('is-hiding')
        const direction = getComputedStyle(root, '::before').direction
        root.classList.remove('is-hiding')
        return direction
    }""") == "ltr"
    page.locator("[data-quick-hide]").click()
    assert_on_decoy(page, "/weather")
    assert html_lang(page) == ["en-GB", "ltr"]
    assert page.locator(".language-chooser").count() == 0


def change_a_number(live_app, new_number):
    pack = content.read_pack(live_app.config["CONTENT_DIR"])
    next(s for s in pack.services if s["phone"] == "01925 243359")["phone"] = new_number
    with live_app.app_context():
        content.load_pack(pack)


def update(page):
    page.reload()  # the browser finds a new worker, which installs and waits for the person's word
    page.locator('[data-module="sw-update"]').wait_for(state="visible")
    with page.expect_navigation():
        page.locator("[data-sw-update-button]").click()  # its name is in the page's language
    page.wait_for_function(CONTROLLED)


def test_an_update_fetches_every_saved_language_again(page, live_app, live_server):
    page.goto("/helplines")
    page.wait_for_function(CONTROLLED)
    choose(page, "Cymraeg")
    change_a_number(live_app, "01925 000111")
    update(page)
    assert page.evaluate(HELD) == {"pages": ["cy", "en-GB"], "saved": ["cy", "en-GB"]}
    page.context.set_offline(True)
    for name, lang in [("English", "en-GB"), ("Cymraeg", "cy")]:
        choose(page, name)
        assert html_lang(page) == [lang, "ltr"] and page.get_by_text("01925 000111").first.is_visible()


def test_a_saved_language_the_update_cannot_fetch_is_left_out_whole(page, live_app, live_server):
    page.goto("/helplines")
    page.wait_for_function(CONTROLLED)
    choose(page, "Cymraeg")
    choose(page, "English")
    serve = live_app.wsgi_app

    def welsh_unavailable(environ, start_response):
        if environ.get("HTTP_X_LANGUAGE") == "cy":
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"busy"]
        return serve(environ, start_response)
    live_app.wsgi_app = welsh_unavailable
    change_a_number(live_app, "01925 000222")
    update(page)
    assert page.evaluate(HELD) == {"pages": ["en-GB"], "saved": ["en-GB"]}
    page.context.set_offline(True)
    page.locator(".language-chooser").get_by_role("link", name="Cymraeg", exact=True).click()
    page.locator("[data-language-message]").wait_for(state="visible")
    assert html_lang(page) == ["en-GB", "ltr"] and page.get_by_text("01925 000222").first.is_visible()
