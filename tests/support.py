"""Test harness pieces: a throwaway PostgreSQL server, a live app server, Chromium settings."""
from __future__ import annotations

import base64
import glob
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches Chromium tries to reach Google's hosts, which are blocked here.
CHROMIUM_ARGS = [
    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
]
# Phones keep pages in the back/forward cache; Playwright turns it off unless told otherwise.
LAUNCH = {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "ignore_default_args": ["--disable-back-forward-cache"]}
CONTROLLED = "() => navigator.serviceWorker.controller !== null"  # a function: the CSP forbids eval
# Every number in the default content pack.
SEED_NUMBERS = ["0808 2000 247", "0300 123 5101", "0300 123 7047", "0300 111 1247", "01925 243359", "999", "101"]


# Everything the page's origin stores, binary values as {"$bytes": base64}: an async function body (for
# EnginePage.run_async; test_journal_browser.py wraps it for Playwright). Also used by the canary tests.
DUMP_STORAGE_BODY = """
  const bytes = (v) => { let s = ''; for (const b of v) s += String.fromCharCode(b); return { $bytes: btoa(s) } }
  const plain = (v) => {
    if (v instanceof ArrayBuffer) return bytes(new Uint8Array(v))
    if (ArrayBuffer.isView(v)) return bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
    if (Array.isArray(v)) return v.map(plain)
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
    return v
  }
  const done = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error) })
  const out = { indexedDB: {}, localStorage: { ...localStorage }, sessionStorage: { ...sessionStorage }, caches: {} }
  for (const { name } of await indexedDB.databases()) {
    const db = await done(indexedDB.open(name))
    out.indexedDB[name] = {}
    for (const store of db.objectStoreNames) {
      const os = db.transaction(store).objectStore(store)
      const [keys, values] = await Promise.all([done(os.getAllKeys()), done(os.getAll())])
      out.indexedDB[name][store] = plain(keys.map((k, i) => [k, values[i]]))
    }
    db.close()
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name)
    out.caches[name] = {}
    for (const request of await cache.keys()) {
      out.caches[name][request.url] = plain(new Uint8Array(await (await cache.match(request)).arrayBuffer()))
    }
  }
  return out
"""

# Quick-hide and the disguises -------------------------------------------------------------------------------

DECOY_OF = {"plain": "/weather", "calculator": "/calculator", "weather": "/weather", "notes": "/notes"}
PIN = "2468"
HOTLINE = "0808 2000 247"
# Pages that came back from the back/forward cache, in order.
WATCH_RESTORES = """
addEventListener('pageshow', (event) => {
  if (!event.persisted) return
  const restored = JSON.parse(sessionStorage.getItem('restored') || '[]')
  restored.push(location.pathname)
  sessionStorage.setItem('restored', JSON.stringify(restored))
})
"""
ENTERED = "sessionStorage.getItem('door') || sessionStorage.setItem('door', 'open')"
# What the frame right after a hide starts will paint, noted before the decoy replaces the page.
WATCH_COVER = """
addEventListener('DOMContentLoaded', () => {
  const root = document.documentElement
  new MutationObserver(() => {
    if (!root.classList.contains('is-hiding') || sessionStorage.getItem('cover')) return
    requestAnimationFrame(() => sessionStorage.setItem('cover', JSON.stringify({
      body: getComputedStyle(document.body).display,
      background: getComputedStyle(root).backgroundColor,
      typing: document.activeElement.matches('input, textarea'),
      shut: sessionStorage.getItem('door'),
      title: document.title,
      frameAt: performance.timeOrigin + performance.now()
    })))
  }).observe(root, { attributes: true, attributeFilter: ['class'] })
})
"""


def assert_on_decoy(page, path="/weather"):
    page.wait_for_url(f"**{path}")
    page.wait_for_load_state()
    assert page.locator("[data-quick-hide]").count() == 0
    assert page.get_by_text(HOTLINE).count() == 0


# Agency admin staff ----------------------------------------------------------------------------------------

# The app each test account was made in, so sign-in helpers can read which TOTP step it last used.
_STAFF_APPS: dict = {}


def create_staff(runner, email: str, password: str, role: str | None = None, two_factor: bool = True):
    """Adds an agency admin account through the CLI, as a deployment would; returns the CLI result.

    The first account is an admin, later ones editors, unless `role` says otherwise. With `two_factor` the
    account's authenticator app is set up (with staff_secret(email)), so sign-in helpers can type its codes."""
    args = ["admin", "create-user", email, "--password-stdin", *(["--role", role] if role else [])]
    result = runner.invoke(args=args, input=password + "\n")
    if result.exit_code == 0 and two_factor:
        enrol_two_factor(runner.app, email)
    return result


def staff_secret(email: str) -> str:
    return base64.b32encode(hashlib.sha256(email.encode()).digest()[:20]).decode()


def enrol_two_factor(app, email: str) -> list[str]:
    """Sets up the account's authenticator app as the set-up page would; returns its recovery codes."""
    from pwa.admin import accounts, totp
    from pwa.extensions import db

    _STAFF_APPS[email] = app
    with app.app_context():
        codes = totp.enable(accounts.find(email), staff_secret(email), step=0)
        db.session.commit()
    return codes


def two_factor_code(email: str) -> str:
    """The account's next unused code: this 30-second step's, or the next one's (waiting if both are used)."""
    import pyotp

    from pwa.admin import accounts
    from pwa.extensions import db

    with _STAFF_APPS[email].app_context():
        last = accounts.find(email).totp_last_step
        db.session.remove()
    now = int(time.time()) // 30
    step = next((s for s in (now, now + 1) if last is None or s > last), None)
    if step is None:
        time.sleep(30 - time.time() % 30 + 0.1)
        return two_factor_code(email)
    return pyotp.TOTP(staff_secret(email)).at(step * 30)


def sign_in_browser(page, email: str, password: str, landing: str = "**/admin/") -> None:
    """Fills in the admin sign-in form the page is on (and the code, if asked) and waits for the landing page."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/admin/login" not in url or url.endswith("/admin/login/code"))
    if page.url.endswith("/login/code"):
        page.get_by_label("Code").fill(two_factor_code(email))
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(landing)


@contextmanager
def persistent_context(playwright_instance, profile, base_url, **options):
    """A real (non-incognito) profile on disk: what installability and a true relaunch need."""
    context = playwright_instance.chromium.launch_persistent_context(
        str(profile), **LAUNCH, base_url=base_url, **options)
    try:
        yield context
    finally:
        context.close()


@contextmanager
def reopened_offline(playwright_instance, profile, live_server):
    """Installs the worker in a profile, stops the server, then reopens the profile: truly offline.

    Yields the reopened profile's first page (set_offline alone would also block the worker's own fetches)."""
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        open_controlled(context, "/")
    live_server.stop()
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        yield context.pages[0]


def open_controlled(context, path="/"):
    """The context's page at path, once the service worker controls it."""
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(path)
    page.wait_for_function(CONTROLLED)
    return page


def wait_until(page, predicate: str, timeout_s: float = 20) -> None:
    """Poll an async predicate (wait_for_function does not await promises)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        page.wait_for_timeout(100)


class PaintedFrames:
    """Every frame Chromium paints for a page (a CDP screencast), to check what reached the screen frame by frame.

    Protected pages are told apart by the quick-hide control's red, which is on every one of them, fixed at
    the top of the screen, and on no decoy or cover."""

    HIDE_RED = (212, 53, 28)

    def __init__(self, page):
        self.frames: list[bytes] = []
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.on("Page.screencastFrame", self._keep)
        self.cdp.send("Page.startScreencast", {"format": "png", "everyNthFrame": 1})

    def _keep(self, frame) -> None:
        self.frames.append(base64.b64decode(frame["data"]))
        self.cdp.send("Page.screencastFrameAck", {"sessionId": frame["sessionId"]})

    def mark(self) -> int:
        return len(self.frames)

    def showing_protected(self, since: int = 0) -> list[int]:
        """Numbers of the frames, from `since` on, in which a protected page was visible."""
        from PIL import Image

        def shows_control(png: bytes) -> bool:
            image = Image.open(io.BytesIO(png)).convert("RGB")
            return any(colour == self.HIDE_RED for _, colour in image.getcolors(maxcolors=image.width * image.height))

        return [number for number, png in enumerate(self.frames[since:], since) if shows_control(png)]

    def stop(self) -> None:
        self.cdp.send("Page.stopScreencast")
        self.cdp.detach()


def find_pg_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    initdb = candidates[-1] if candidates else shutil.which("initdb")
    if not initdb:
        raise RuntimeError("PostgreSQL is not installed: run `make test`, which installs it.")
    return Path(initdb).parent


class PostgresServer:
    """A private PostgreSQL cluster listening only on a Unix socket in a temporary folder."""

    def __init__(self):
        self.bin = find_pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="open-door-pg-"))
        self.data = self.dir / "data"
        # PostgreSQL refuses to run as root; use the postgres account the Debian package creates.
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.run_as:
            shutil.chown(self.dir, "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.run_as, *args], check=True, capture_output=True, cwd=self.dir)

    def start(self) -> str:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses='' -k {self.dir} -c fsync=off -c full_page_writes=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.dir / "log"), "start")
        return f"postgresql+psycopg://postgres@/postgres?host={self.dir}"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class LiveServer:
    """The app served by werkzeug on a free loopback port, in a daemon thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def precache_in(worker_source: str) -> dict:
    """The precache list the server wrote into /sw.js (served minified, so found by its start, read as JSON)."""
    found = re.search(r"const PRECACHE ?= ?(?=\{)", worker_source)
    assert found, "the precache list was not injected"
    return json.JSONDecoder().raw_decode(worker_source, found.end())[0]


class AxeScreens:
    """axe run on one page screen after screen, each violation kept as a line naming the screen. In dark mode only
    colour contrast is checked: nothing else changes with the colours."""

    def __init__(self, page, color_scheme: str):
        from axe_playwright_python.sync_playwright import Axe  # only browser tests need it

        self.page, self.axe, self.problems = page, Axe(), []
        self.options = {"resultTypes": ["violations"]}
        if color_scheme == "dark":
            self.options["runOnly"] = {"type": "rule", "values": ["color-contrast"]}

    def check(self, where: str) -> None:
        self.problems.extend(f"{where} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                             for v in self.axe.run(self.page, options=self.options).response["violations"])
