"""The offline-first, installable app in real Chromium: worker control, offline with the server stopped,
installability per identity, the update flow, storage persistence."""
import threading
import time

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from pwa import content, create_app
from pwa.identities import COOKIE, IDENTITIES
from support import CONTROLLED, SEED_NUMBERS, open_controlled, persistent_context, reopened_offline, wait_until

pytestmark = pytest.mark.browser


def identities_with_a_start_page() -> list[str]:
    """Disguises whose decoy page exists yet (another issue builds them); the plain identity always."""
    urls = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).url_map.bind("localhost")
    found = []
    for key, identity in IDENTITIES.items():
        try:
            urls.match(identity.start_url, method="GET")
            found.append(key)
        except (NotFound, MethodNotAllowed):
            pass
    return found


INSTALLABLE = identities_with_a_start_page()


def test_worker_controls_the_page_and_precaches_the_shell(page, live_server):
    page.goto("/")
    page.wait_for_function(CONTROLLED)
    cached = page.evaluate("""async () => {
        const names = (await caches.keys()).filter((n) => n.startsWith('app-shell-'))
        const keys = await (await caches.open(names[0])).keys()
        return { names, paths: keys.map((r) => new URL(r.url).pathname) }
    }""")
    assert len(cached["names"]) == 1
    for path in ["/", "/helplines", "/offline", "/guides/safety-plan", "/static/css/app.css", "/api/v1/bundle"]:
        assert path in cached["paths"]
    assert page.locator('[data-module="sw-update"]').is_hidden()  # first install: nothing to offer


@pytest.mark.parametrize("locale", ["en-GB", "ur"])
def test_a_first_visit_asks_for_each_static_file_once(browser, live_app, live_server, locale):
    # The worker takes what the page has just loaded from the browser's cache (its ETag says the revision), rather
    # than asking again for a 304: a couple of hundred bytes of headers, and a round trip, per file. So too the
    # language's text for the modules (/i18n/ur.json) and the web app manifest.
    page = browser.new_context(base_url=live_server.url, locale=locale).new_page()
    seen = []
    serve = live_app.wsgi_app

    def recording(environ, start_response):
        seen.append(environ["PATH_INFO"])
        return serve(environ, start_response)
    live_app.wsgi_app = recording

    page.goto("/")
    page.wait_for_function(CONTROLLED)
    page.wait_for_load_state("networkidle")
    statics = [path for path in seen if path.startswith(("/static/", "/i18n/", "/manifests/"))]
    assert "/static/js/main.js" in statics and "/static/css/app.css" in statics and "/manifests/plain.webmanifest" in statics
    assert ("/i18n/ur.json" in statics) == (locale == "ur")
    assert sorted(path for path in set(statics) if statics.count(path) > 1) == []
    precached = page.evaluate("""async () => {
        const names = (await caches.keys()).filter((n) => n.startsWith('app-shell-'))
        const keys = await (await caches.open(names[0])).keys()
        return keys.map((r) => new URL(r.url).pathname)
    }""")
    assert "/static/js/main.js" in precached and "/static/js/components/area-finder.js" in precached
    page.context.close()


def test_a_static_file_cached_at_another_revision_is_fetched_again(page, live_app, live_server):
    # The browser's cache holds a copy whose ETag is not the precache's revision (the file changed since): the worker
    # asks the server rather than keep the old bytes under the new revision.
    script, stale_etag = "/static/js/components/way-back.js", '"0123456789abcdef"'
    seen = []
    serve = live_app.wsgi_app

    def first_copy_stale(environ, start_response):
        path = environ["PATH_INFO"]
        seen.append((path, environ.get("HTTP_IF_NONE_MATCH")))

        def start(status, headers, exc_info=None):
            if path == script and len([s for s in seen if s[0] == script]) == 1:
                headers = [(name, stale_etag if name == "ETag" else value) for name, value in headers]
            return start_response(status, headers, exc_info)
        return serve(environ, start)
    live_app.wsgi_app = first_copy_stale

    page.goto("/")
    page.wait_for_function(CONTROLLED)
    asked = [etag for path, etag in seen if path == script]
    assert asked == [None, stale_etag]  # the page's, then the worker's, which the stale copy did not satisfy
    stored = page.evaluate("""async (script) => {
        const names = (await caches.keys()).filter((n) => n.startsWith('app-shell-'))
        const cache = await caches.open(names[0])
        for (const request of await cache.keys()) {
          if (new URL(request.url).pathname === script) {
            return { revision: new URL(request.url).searchParams.get('__revision'), etag: (await cache.match(request)).headers.get('ETag') }
          }
        }
        return null
    }""", script)
    assert stored["revision"].startswith(stored["etag"].removeprefix("W/").strip('"'))


def test_offline_with_the_server_stopped(playwright_instance, live_server, tmp_path):
    with reopened_offline(playwright_instance, tmp_path / "profile", live_server) as page:
        page.goto("/helplines")
        assert page.title() == "Open Door"
        for number in SEED_NUMBERS:
            # Visible somewhere (the postcode finder's hidden "not found" note names 999 before the services do).
            assert page.get_by_text(number).locator("visible=true").count(), number
        page.goto("/guides/silent-solution")
        assert page.locator("h1").inner_text() == "If you can't speak on a 999 call"
        assert "press 55" in page.locator(".prose").inner_text()
        page.goto("/guides/not-saved-anywhere")  # never visited, not precached
        assert page.locator("h1").inner_text() == "No connection"
        assert page.get_by_role("link", name="Call 0808 2000 247").is_visible()
        # Content for scripts, offline too.
        bundle = page.evaluate("fetch('/api/v1/bundle').then((r) => r.json())")
        assert len(bundle["services"]) >= 8


@pytest.mark.parametrize("key", INSTALLABLE)
def test_installable_in_a_persistent_profile(playwright_instance, live_server, tmp_path, key):
    with persistent_context(playwright_instance, tmp_path / "profile", live_server.url) as context:
        context.add_cookies([{"name": COOKIE, "value": key, "url": live_server.url}])
        page = open_controlled(context, IDENTITIES[key].start_url)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith(f"/manifests/{key}.webmanifest")
        assert manifest["errors"] == []
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []


def test_plain_identity_is_covered_by_installability():
    assert "plain" in INSTALLABLE


def test_content_change_reaches_the_client_through_the_update(page, live_app, live_server):
    page.goto("/helplines")
    page.wait_for_function(CONTROLLED)
    assert page.get_by_text("01925 243359").first.is_visible()

    pack = content.read_pack(live_app.config["CONTENT_DIR"])
    refuge = next(s for s in pack.services if s["phone"] == "01925 243359")
    refuge["phone"] = "01925 000111"
    with live_app.app_context():
        content.load_pack(pack)

    page.reload()  # a navigation: the browser checks /sw.js, finds new bytes, installs the new worker
    banner = page.locator('[data-module="sw-update"]')
    banner.wait_for(state="visible")
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)")

    # Offline, the old worker still answers with what it precached: the update has not happened yet.
    page.context.set_offline(True)
    page.goto("/helplines")
    assert page.get_by_text("01925 243359").first.is_visible()
    banner.wait_for(state="visible")
    # Whatever holds secrets is locked (drafts saved) before the new worker takes over.
    page.evaluate("""import('/static/js/lock.js').then(({ onLock }) =>
        onLock((reason) => sessionStorage.setItem('locked-for', (sessionStorage.getItem('locked-for') || '') + reason + ' ')))""")
    with page.expect_navigation():
        page.get_by_role("button", name="Update").click()
    page.wait_for_function(CONTROLLED)
    assert page.evaluate("sessionStorage.getItem('locked-for')").split()[0] == "update"  # before the reload
    assert page.get_by_text("01925 000111").first.is_visible()
    assert page.get_by_text("01925 243359").count() == 0
    assert banner.is_hidden()
    old = page.evaluate("caches.keys()")
    assert len([name for name in old if name.startswith("app-shell-")]) == 1  # the old version was deleted


def test_storage_persistence_is_asked_after_meaningful_use(page, live_server):
    page.add_init_script("""
        window.persistCalls = 0
        const persist = navigator.storage.persist.bind(navigator.storage)
        navigator.storage.persist = () => { window.persistCalls += 1; return persist() }
    """)
    page.goto("/")
    status = page.locator('[data-module="storage-status"]')
    status.wait_for(state="visible")
    assert page.evaluate("window.persistCalls") == 0  # a single look is not meaningful use
    assert "may clear it" in status.inner_text()
    page.evaluate("document.dispatchEvent(new Event('opendoor:meaningful-use'))")
    page.wait_for_function("() => window.persistCalls === 1")
    page.goto("/helplines")  # the second page view also counts
    page.wait_for_function("() => window.persistCalls === 1")
    persisted = page.evaluate("navigator.storage.persisted()")
    page.wait_for_function(f"() => document.querySelector('[data-module=storage-status]').dataset.persistent === '{str(persisted).lower()}'")


def test_storage_status_shows_persistent_when_the_browser_agrees(playwright_instance, live_server, tmp_path):
    with persistent_context(playwright_instance, tmp_path / "profile", live_server.url) as context:
        page = context.pages[0]
        cdp = context.new_cdp_session(page)
        cdp.send("Browser.grantPermissions", {"origin": live_server.url, "permissions": ["durableStorage"]})
        page.goto("/")
        page.goto("/guides")
        page.wait_for_function("() => document.querySelector('[data-module=storage-status]').dataset.persistent === 'true'")
        assert page.locator('[data-module="storage-status"]').inner_text() == "Saved on this device for offline use."


@pytest.mark.parametrize("browser_without, says", [
    ("delete Navigator.prototype.storage", "this browser does not say whether it will keep it"),
    ("Object.defineProperty(Navigator.prototype, 'standalone', { get: () => false })",
     "may be deleted after 7 days without a visit unless you add this app to your Home Screen"),
], ids=["no-storage-api", "apple-tab"])
def test_storage_status_says_only_what_the_browser_reports(page, live_server, browser_without, says):
    page.add_init_script(browser_without)
    page.goto("/")
    status = page.locator('[data-module="storage-status"]')
    status.wait_for(state="visible")
    assert says in status.inner_text()


def test_a_new_appearance_replaces_the_offline_copy_at_once(page, live_server):
    """Offline pages must never show the old look: an appearance-only change skips the update banner."""
    page.goto("/helplines")
    page.wait_for_function(CONTROLLED)
    page.context.add_cookies([{"name": COOKIE, "value": "notes", "url": live_server.url}])
    page.evaluate("sessionStorage.setItem('door', 'open')")  # the disguise's way in, as after the PIN
    page.goto("/guides")  # the browser checks /sw.js: new bytes, same build, another identity
    wait_until(page, """async () => {
        const shells = (await caches.keys()).filter((n) => n.startsWith('app-shell-'))
        const manifest = await caches.match('/manifests/notes.webmanifest', { ignoreSearch: true })
        return shells.length === 1 && manifest !== undefined  // the new worker took over, the old copy is gone
    }""")
    cached_title = page.evaluate("""async () => {
        const name = (await caches.keys()).find((n) => n.startsWith('app-shell-'))
        const cache = await caches.open(name)
        const key = (await cache.keys()).find((r) => new URL(r.url).pathname === '/helplines')
        const html = await (await cache.match(key)).text()
        return html.match(/<title>(.*?)<\\/title>/)[1]
    }""")
    assert cached_title == "Notes"
    assert page.locator('[data-module="sw-update"]').is_hidden()


def test_content_is_stale_while_revalidate_with_conditional_gets(page, live_app, live_server):
    seen = []
    serve = live_app.wsgi_app

    def recording(environ, start_response):
        def start(status, headers, exc_info=None):
            seen.append((environ["PATH_INFO"], environ.get("HTTP_IF_NONE_MATCH"), int(status[:3])))
            return start_response(status, headers, exc_info)
        return serve(environ, start)
    live_app.wsgi_app = recording

    page.goto("/")
    page.wait_for_function(CONTROLLED)
    phone = "() => fetch('/api/v1/services/warrington-refuge').then((r) => r.json()).then((j) => j.service.phone)"
    assert page.evaluate(phone) == "01925 243359"  # first time: from the network, then kept
    assert page.evaluate(phone) == "01925 243359"  # from the cache; revalidated behind the scenes
    api = lambda: [s for s in seen if s[0] == "/api/v1/services/warrington-refuge"]  # noqa: E731
    deadline = time.monotonic() + 10
    while len(api()) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    api = api()
    assert len(api) == 2 and api[0][1] is None and api[0][2] == 200
    assert api[-1][1] and api[-1][2] == 304  # a conditional GET: nothing re-sent

    pack = content.read_pack(live_app.config["CONTENT_DIR"])
    next(s for s in pack.services if s["slug"] == "warrington-refuge")["phone"] = "01925 000222"
    with live_app.app_context():
        content.load_pack(pack)
    assert page.evaluate(phone) == "01925 243359"  # stale at once...
    wait_until(page, f"async () => ({phone})().then((p) => p === '01925 000222')")  # ...then fresh


def test_slow_network_falls_back_to_the_cached_page(page, live_app, live_server):
    """Network first, but a stalled connection gives the saved page after a few seconds."""
    page.goto("/")
    page.wait_for_function(CONTROLLED)
    serve, stalled, answered = live_app.wsgi_app, threading.Event(), threading.Event()

    def stalling(environ, start_response):
        if environ["PATH_INFO"] == "/helplines":
            stalled.wait(30)
            answered.set()
        return serve(environ, start_response)
    live_app.wsgi_app = stalling
    try:
        started = time.monotonic()
        page.goto("/helplines")
        waited = time.monotonic() - started
        assert page.get_by_text("01925 243359").first.is_visible()
        assert not answered.is_set()  # the server has not answered: this is the saved copy
        assert waited > 2.5  # the network had its chance first (the worker waits 3 s)
    finally:
        stalled.set()


def test_the_decoy_comes_from_the_cache_without_waiting_for_the_server(page, live_app, live_server):
    """Quick-hide's destination paints at once: the worker answers it from its precache, asking no server; the other
    pages still go to the network first."""
    page.goto("/helplines")
    page.wait_for_function(CONTROLLED)
    wait_until(page, "async () => (await caches.keys()).some((n) => n.startsWith('app-shell-'))")
    page.wait_for_load_state("networkidle")
    seen = []
    serve = live_app.wsgi_app

    def recording(environ, start_response):
        seen.append(environ["PATH_INFO"])
        return serve(environ, start_response)
    live_app.wsgi_app = recording
    page.locator("[data-quick-hide]").click()
    page.wait_for_url("**/weather")
    page.locator(".decoy--weather").wait_for()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert "/weather" not in seen
    page.evaluate("sessionStorage.setItem('door', 'open')")  # as after the way in
    page.goto("/guides")
    assert "/guides" in seen  # network first, as before
