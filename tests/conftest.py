import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pwa import content, create_app
from pwa.extensions import babel, db
from pwa.settings import PROJECT_ROOT
from pwa.identities import COOKIE
from engines import ENGINES, WEBKIT_DRIVER, PageErrors, VirtualScreen, open_engine_page
from support import CHROMIUM, ENTERED, LAUNCH, WATCH_COVER, WATCH_RESTORES, LiveServer, PostgresServer


@pytest.fixture(scope="session")
def postgres_url():
    server = PostgresServer()
    url = server.start()
    yield url
    server.stop()


@functools.cache
def receipt_signing_key() -> str:
    """One receipt-signing key for the test session, as `flask backup keygen` makes them."""
    from pwa.backup import receipts

    folder = Path(tempfile.mkdtemp(prefix="open-door-receipts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    receipts.generate(folder / "backup-signing-key.pem")
    return str(folder / "backup-signing-key.pem")


def make_app(database_url: str, **config):
    # In-process clients (Flask's test client, schemathesis) do not decode gzip; browsers do (live_app).
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "CONTENT_DIR": str(PROJECT_ROOT / "content"), "COMPRESS_RESPONSES": False,
                      "BACKUP_SIGNING_KEY": receipt_signing_key(),
                      # The older journal tests count the records they wrote; test_duress_browser.py turns chaff on.
                      "JOURNAL_CHAFF": False, **config})
    with app.app_context():
        db.drop_all()
        db.create_all()
        content.load_pack(content.read_pack(app.config["CONTENT_DIR"]))
    return app


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The app with the default content, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = make_app(url)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# Browser fixtures -----------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing at /usr/bin/chromium: run `make test`, which installs it.")
    with sync_playwright() as playwright:
        yield playwright


# A finger holds a button for about a tenth of a second: every click in the browser tests does too, so a press
# lost to something moving under it between down and up fails a test instead of passing by luck.
PRESS_MS = 100


@pytest.fixture(scope="session", autouse=True)
def press_like_people():
    import functools

    from playwright.sync_api import Locator, Page

    def held(click):
        @functools.wraps(click)
        def press(*args, **kwargs):
            kwargs.setdefault("delay", PRESS_MS)
            return click(*args, **kwargs)
        return press

    originals = {cls: cls.click for cls in (Page, Locator)}
    for cls, click in originals.items():
        cls.click = held(click)
    yield
    for cls, click in originals.items():
        cls.click = click


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(**LAUNCH)
    yield browser
    browser.close()


@pytest.fixture
def live_app(tmp_path):
    return make_app(f"sqlite:///{tmp_path / 'live.sqlite'}", COMPRESS_RESPONSES=True)


@pytest.fixture
def live_server(live_app):
    server = LiveServer(live_app).start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page; every request it makes is kept in page.requests_seen."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.requests_seen = []
    context.on("request", lambda request: page.requests_seen.append(request.url))
    yield page
    context.close()


@pytest.fixture
def open_tab(browser, live_server):
    """Opens pages in fresh contexts: optionally under a disguise, and already past the way in."""
    contexts = []

    def open_tab(path="/", look=None, entered=False, init_scripts=()):
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        if look:
            context.add_cookies([{"name": COOKIE, "value": look, "url": live_server.url}])
        if entered:
            context.add_init_script(ENTERED)
        context.add_init_script(WATCH_COVER)
        context.add_init_script(WATCH_RESTORES)
        for script in init_scripts:
            context.add_init_script(script)
        page = context.new_page()
        page.goto(path)
        return page

    yield open_tab
    for context in contexts:
        context.close()


# Both engines: Chromium and WebKit (Safari's engine), for the flows in test_engines_browser.py -------------

@pytest.fixture(scope="session")
def virtual_screen():
    if not os.path.exists(WEBKIT_DRIVER):
        pytest.fail(f"WebKit's driver is missing at {WEBKIT_DRIVER}: run `make test`, which installs it.")
    screen = VirtualScreen()
    screen.start()
    yield screen
    screen.stop()


@pytest.fixture
def page_errors(live_app):
    """What every page reports: errors, failed loads, CSP violations, console.error (before the server starts)."""
    return PageErrors(live_app)


@pytest.fixture(params=ENGINES)
def on(request, page_errors, live_server):
    """A page in a fresh profile of each engine in turn; at the end, no page may have reported an error."""
    browser = request.getfixturevalue("virtual_screen" if request.param == "webkit" else "browser")
    page = open_engine_page(request.param, live_server.url, browser)
    yield page
    page.close()
    assert page_errors.reports == [], f"{request.param}: pages reported errors"


@pytest.fixture
def fresh_catalogues():
    """Flask-Babel keeps loaded catalogues on the shared extension's domain, across apps: start and end empty."""
    def forget():
        domain = vars(babel).get("domain_instance")  # a cached property: absent until first used
        if domain is not None:
            domain.cache.clear()
    forget()
    yield
    forget()
