"""Offline-first PWA figures, measured in Chromium against a live server on loopback.

- Cold first visit: everything the server sends (status line, headers and bodies) while a fresh profile
  opens / and its service worker precaches the whole app (pages, guides, assets, bundle), until the
  worker controls the page and the network is idle. Measured at the server, as served (the app gzips
  text itself; headers are counted uncompressed, as HTTP/1.1 sends them).
- Per language: the same cold first visit with the browser asking for Urdu (Accept-Language: ur), and what one
  more language costs: after the English first visit, everything the server sends from the tap on "Cymraeg" in
  the chooser (the worker fetches every Welsh page, then the page reloads) until the network is idle.
- Offline repeat visit: the server is stopped and Chromium relaunched on the same profile; each run is a
  new tab with the worker stopped first (so it starts cold) and the CPU throttled 4x (CDP
  Emulation.setCPUThrottlingRate): time from navigation start to first contentful paint of /helplines,
  served by the worker from its cache. The browser's own first-tab start-up is left out (one warm-up run).
"""
import os
import statistics
import tempfile
import threading
from pathlib import Path

from conftest import make_app
from figures import load_average
from playwright.sync_api import sync_playwright
from support import LiveServer, open_controlled, persistent_context

COLD_RUNS = 3
OFFLINE_RUNS = 9


class CountingMiddleware:
    """Counts what the app sends back: header bytes and body bytes."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.headers = self.body = self.responses = 0

    def __call__(self, environ, start_response):
        def counting_start_response(status, headers, exc_info=None):
            size = len(f"HTTP/1.1 {status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers) + 2
            with self.lock:
                self.headers += size
                self.responses += 1
            return start_response(status, headers, exc_info)

        for chunk in self.app(environ, counting_start_response):
            with self.lock:
                self.body += len(chunk)
            yield chunk


def cold_visit(playwright, profile: Path, url: str, counter: CountingMiddleware, locale: str | None = None,
               then_choose: str | None = None) -> dict:
    counter.reset()
    with persistent_context(playwright, profile, url, **({"locale": locale} if locale else {})) as context:
        page = open_controlled(context, "/")
        page.wait_for_load_state("networkidle")
        visit = {"total": counter.headers + counter.body, "body": counter.body, "responses": counter.responses}
        if then_choose:
            counter.reset()
            with page.expect_navigation():
                page.locator(".language-chooser").get_by_role("link", name=then_choose, exact=True).click()
            page.wait_for_load_state("networkidle")
            visit["another"] = counter.headers + counter.body
            visit["another_responses"] = counter.responses
    return visit


def offline_repeat_visit(context, url: str, cpu_slowdown: int = 4) -> tuple[float, float]:
    """A new tab opening /helplines, with the worker stopped first so it starts cold, as after a while away."""
    page = context.new_page()
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("ServiceWorker.enable")
        cdp.send("ServiceWorker.stopAllWorkers")
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
        page.goto(url + "/helplines")
        page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length > 0")
        if page.get_by_text("01925 243359").count() == 0:
            raise RuntimeError("the offline /helplines page does not show the seed numbers")
        return page.evaluate("""() => [performance.getEntriesByName('first-contentful-paint')[0].startTime,
                                      performance.getEntriesByType('navigation')[0].responseEnd]""")
    finally:
        page.close()


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    print(f"pwa_load_before: {load()}")
    with tempfile.TemporaryDirectory(prefix="bench-pwa-") as folder:
        folder = Path(folder)
        app = make_app(f"sqlite:///{folder / 'bench.sqlite'}", COMPRESS_RESPONSES=True)  # the production default
        counter = CountingMiddleware(app)
        server = LiveServer(counter).start()
        with sync_playwright() as playwright:
            visits = [cold_visit(playwright, folder / f"profile-{run}", server.url, counter, then_choose="Cymraeg")
                      for run in range(COLD_RUNS)]
            urdu = [cold_visit(playwright, folder / f"profile-ur-{run}", server.url, counter, locale="ur")
                    for run in range(COLD_RUNS)]
            server.stop()
            offline_load = load_average()
            with persistent_context(playwright, folder / "profile-0", server.url) as context:
                offline_repeat_visit(context, server.url)  # warm-up: the browser's own first-tab costs
                paints = [offline_repeat_visit(context, server.url) for _ in range(OFFLINE_RUNS)]
                unthrottled = [offline_repeat_visit(context, server.url, 1) for _ in range(OFFLINE_RUNS)]

    median = lambda key: statistics.median(v[key] for v in visits)  # noqa: E731
    print(f"pwa_cold_first_visit_transferred: {median('total') / 1024:.1f} KB "
          f"(goal <= 150 KB; headers + bodies as served, incl. the worker's precache, "
          f"{median('responses'):.0f} responses, median of {COLD_RUNS})")
    print(f"pwa_cold_first_visit_transferred_urdu: {statistics.median(v['total'] for v in urdu) / 1024:.1f} KB "
          f"(goal <= 150 KB; the same in Urdu, Accept-Language: ur, "
          f"{statistics.median(v['responses'] for v in urdu):.0f} responses, median of {COLD_RUNS})")
    print(f"pwa_one_more_language_transferred: {median('another') / 1024:.1f} KB "
          f"(for information: Welsh chosen after the English first visit, the worker saving its pages and the "
          f"page reloaded, {median('another_responses'):.0f} responses, median of {COLD_RUNS})")
    fcp = [paint for paint, _ in paints]
    print(f"pwa_offline_repeat_helplines_fcp_4x_cpu: {statistics.median(fcp):.0f} ms "
          f"(goal <= 200 ms; server stopped, first contentful paint, median of {OFFLINE_RUNS}, "
          f"p95 {percentile(fcp, 0.95):.0f} ms) [load {offline_load:.2f}]")
    print(f"pwa_offline_repeat_helplines_page_from_worker_4x_cpu: {statistics.median(r for _, r in paints):.0f} ms "
          f"(for information: the worker has started and answered with the whole page)")
    print(f"pwa_offline_repeat_helplines_fcp_1x_cpu: {statistics.median(p for p, _ in unthrottled):.0f} ms "
          f"(for information: the same without CPU throttling)")
    print(f"pwa_load_after: {load()}")


if __name__ == "__main__":
    raise SystemExit("run it with: .venv/bin/python benchmarks/run.py pwa")
