"""One small page API over two browser engines, so the flows that matter most are written once and run on both.

- Chromium through Playwright (as every other browser test), with the back/forward cache on as phones have it.
- WebKit, Safari's engine, through WebKitGTK's WebDriver (Debian's webkit2gtk-driver) and Selenium. Its
  MiniBrowser has no headless mode, so it runs on a virtual screen (Xvfb, started here when there is no
  DISPLAY). Its console cannot be read through the driver; page errors are collected by `PageErrors` instead.

Scripts are function bodies that read their arguments from `args` and `return` a value; `run_async` bodies may
`await`. CSS selectors only, which both drivers understand the same way.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ENGINES = ["chromium", "webkit"]
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
WAIT_S = 20


class EnginePage:
    """A tab in a fresh browser profile, at the live server's address."""

    engine: str

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    # Each engine provides these.
    def goto(self, path: str) -> None: ...
    def run(self, body: str, *args): ...
    def run_async(self, body: str, *args): ...
    def click(self, selector: str) -> None: ...
    def fill(self, selector: str, text: str) -> None: ...
    def choose_file(self, selector: str, path: Path) -> None: ...
    def press_shift(self, times: int) -> None: ...
    def type_keys(self, keys: str) -> None: ...
    def press(self, key: str) -> None: ...
    def back(self) -> None: ...
    def download(self, selector: str) -> bytes: ...
    def close(self) -> None: ...

    @property
    def path(self) -> str:
        return self.run("return location.pathname")

    @property
    def title(self) -> str:
        return self.run("return document.title")

    def wait_for(self, body: str, *args, timeout_s: float = WAIT_S, what: str = "") -> None:
        """Waits until the script returns something true."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if self.run(body, *args):
                    return
            except Exception:  # the page may be between documents; ask again
                pass
            assert time.monotonic() < deadline, f"{self.engine}: timed out waiting for {what or body}"
            time.sleep(0.1)

    def wait_for_path(self, path: str, **kwargs) -> None:
        self.wait_for("return location.pathname === args[0] && document.readyState === 'complete'", path,
                      what=f"the page at {path}", **kwargs)

    def wait_visible(self, selector: str, **kwargs) -> None:
        self.wait_for("const e = document.querySelector(args[0]); return !!e && e.checkVisibility()", selector,
                      what=f"{selector} to be visible", **kwargs)

    def probe(self, body: str, *args):
        """The script's answer, or None while the page is between documents."""
        try:
            return self.run(body, *args)
        except Exception:
            return None

    def text(self, selector: str = "body") -> str:
        return self.run("const e = document.querySelector(args[0]); return e ? e.innerText : ''", selector)

    def controlled(self) -> None:
        """Waits until the service worker controls the page (it then has everything to work offline)."""
        self.wait_for("return navigator.serviceWorker.controller !== null", what="the service worker", timeout_s=30)


class ChromiumPage(EnginePage):
    engine = "chromium"

    def __init__(self, browser, base_url: str):
        super().__init__(base_url)
        self.context = browser.new_context(base_url=self.base_url)
        self.page = self.context.new_page()

    def goto(self, path):
        self.page.goto(path)

    def run(self, body, *args):
        return self.page.evaluate(f"(args) => {{ {body} }}", list(args))

    def run_async(self, body, *args):
        return self.page.evaluate(f"async (args) => {{ {body} }}", list(args))

    def click(self, selector):
        self.page.click(selector)

    def fill(self, selector, text):
        self.page.fill(selector, text)

    def choose_file(self, selector, path):
        self.page.set_input_files(selector, files=[str(path)])

    def press_shift(self, times):
        for _ in range(times):
            self.page.keyboard.press("Shift")

    def type_keys(self, keys):
        for key in keys:
            self.page.keyboard.press(key)

    def press(self, key):
        self.page.keyboard.press(key)

    def back(self):
        self.page.go_back(wait_until="commit")

    def download(self, selector):
        with self.page.expect_download() as caught:
            self.page.click(selector)
        return Path(caught.value.path()).read_bytes()

    def close(self):
        self.context.close()


class WebKitPage(EnginePage):
    engine = "webkit"

    def __init__(self, base_url: str, home: Path):
        from selenium import webdriver

        super().__init__(base_url)
        self.home = home  # WebKitGTK saves downloads under $HOME
        service = webdriver.WebKitGTKService(executable_path=WEBKIT_DRIVER, env={**os.environ, "HOME": str(home)})
        self.driver = webdriver.WebKitGTK(options=webdriver.WebKitGTKOptions(), service=service)
        self.driver.set_script_timeout(WAIT_S)
        self.driver.set_page_load_timeout(30)

    def goto(self, path):
        self.driver.get(self.base_url + path)

    def run(self, body, *args):
        return self.driver.execute_script(f"const args = arguments; {body}", *args)

    def run_async(self, body, *args):
        result = self.driver.execute_async_script(
            "const args = Array.from(arguments); const done = args.pop();"
            f"(async () => {{ {body} }})().then(done, (error) => done({{ $error: String(error) }}))", *args)
        if isinstance(result, dict) and "$error" in result:
            raise AssertionError(f"webkit: {result['$error']}")
        return result

    def _element(self, selector):
        from selenium.webdriver.common.by import By

        self.wait_visible(selector)
        # WebKitGTK's driver does not scroll before Element Clear (nor reliably before Element Click): near or
        # below the bottom edge both fail as "element not interactable". Content laid out lazily
        # (content-visibility: auto) can be pressed only once it is painted on screen.
        self.run("document.querySelector(args[0]).scrollIntoView({ block: 'center' })", selector)
        self.wait_for("return document.querySelector(args[0]).checkVisibility({ contentVisibilityAuto: true })",
                      selector, what=f"{selector} to be laid out on screen")
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def click(self, selector):
        self._element(selector).click()

    def fill(self, selector, text):
        from selenium.webdriver.common.keys import Keys

        element = self._element(selector)
        # Select all and delete, as a person would (which focuses the field too). Not Element Clear: WebKitGTK's
        # fires only 'change', where typing (and Playwright's fill) fire 'input'.
        element.send_keys(Keys.CONTROL, "a")
        element.send_keys(Keys.BACKSPACE)
        if text:
            element.send_keys(text)

    def choose_file(self, selector, path):
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.CSS_SELECTOR, selector).send_keys(str(path))

    def press_shift(self, times):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        actions = ActionChains(self.driver)
        for _ in range(times):
            actions.key_down(Keys.SHIFT).key_up(Keys.SHIFT)
        actions.perform()

    def type_keys(self, keys):
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self.driver).send_keys(keys).perform()

    def press(self, key):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        ActionChains(self.driver).send_keys(getattr(Keys, key.upper())).perform()

    def back(self):
        self.driver.back()

    def download(self, selector):
        before = set(self.home.rglob("*"))
        self.click(selector)
        deadline = time.monotonic() + WAIT_S
        while True:
            done = [p for p in set(self.home.rglob("*")) - before
                    if p.is_file() and not p.name.endswith((".download", ".part")) and p.stat().st_size]
            if done:
                time.sleep(0.2)  # let the last write land
                return done[0].read_bytes()
            assert time.monotonic() < deadline, "webkit: the download never arrived"
            time.sleep(0.1)

    def close(self):
        self.driver.quit()


class VirtualScreen:
    """Xvfb for WebKitGTK, which cannot run without a display; nothing when there already is one."""

    def __init__(self):
        self.process = None

    def start(self) -> None:
        if os.environ.get("DISPLAY") or not shutil.which("Xvfb"):
            return
        read, write = os.pipe()
        self.process = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24",
                                         "-nolisten", "tcp"], pass_fds=[write], stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as pipe:
            os.environ["DISPLAY"] = ":" + pipe.readline().strip()

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            os.environ.pop("DISPLAY", None)


def open_engine_page(engine: str, base_url: str, playwright_browser=None) -> EnginePage:
    if engine == "chromium":
        return ChromiumPage(playwright_browser, base_url)
    return WebKitPage(base_url, Path(tempfile.mkdtemp(prefix="webkit-home-")))


# Page errors, whatever the engine ---------------------------------------------------------------------------

# Sent to the test server from each page: uncaught errors, rejected promises, resources that failed to load,
# CSP violations and console.error calls. A beacon, so errors survive the page that raised them.
ERRORS_SCRIPT = """(() => {
  const send = (kind, detail) => navigator.sendBeacon('/__test/errors',
    JSON.stringify({ kind, detail: String(detail), page: location.pathname }))
  addEventListener('error', (event) => {
    const target = event.target
    if (target && target !== window && (target.src || target.href)) send('failed to load', target.src || target.href)
    else send('error', event.message)
  }, true)
  addEventListener('unhandledrejection', (event) => send('unhandled rejection', event.reason && event.reason.stack || event.reason))
  addEventListener('securitypolicyviolation', (event) => send('CSP', event.violatedDirective + ' ' + event.blockedURI))
  // Not an error: a page given back by the back/forward cache, noted so tests can tell the cache is on.
  addEventListener('pageshow', (event) => { if (event.persisted) send('restored', location.pathname) })
  const consoleError = console.error
  console.error = (...parts) => { send('console.error', parts.join(' ')); consoleError.apply(console, parts) }
})()
"""


class PageErrors:
    """Collects what pages report through ERRORS_SCRIPT, which the app serves first in every page's head."""

    def __init__(self, app):
        from flask import request

        self.reports: list[dict] = []
        self.restored: list[str] = []  # pages the back/forward cache gave back, in order

        @app.get("/__test/errors.js")
        def errors_script():
            return app.response_class(ERRORS_SCRIPT, mimetype="text/javascript")

        @app.post("/__test/errors")
        def errors_report():
            report = json.loads(request.get_data(as_text=True))
            if report["kind"] == "restored":
                self.restored.append(report["detail"])
            else:
                self.reports.append(report)
            return "", 204

        @app.after_request
        def first_in_head(response):
            if response.mimetype == "text/html" and not response.direct_passthrough and response.status_code < 300:
                html = response.get_data(as_text=True)
                response.set_data(html.replace("<head>", '<head><script src="/__test/errors.js"></script>', 1))
            return response
