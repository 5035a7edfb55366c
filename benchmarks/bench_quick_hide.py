"""Quick-hide: from the input to the decoy cover on screen, in Chromium with the CPU throttled 4x.

Each run opens /helplines in the tab, then triggers quick-hide with a real input (a mouse click on the
control, Shift pressed 3 times, or Esc twice) sent through CDP. The figure is the Event Timing API's
`duration` of the input that triggered the hide: from the input's timestamp to the next paint after
its handlers ran, i.e. the frame that shows the cover. Chromium only reports entries of 16 ms or more
(durations are rounded to 8 ms), so an input with no entry counts as 8 ms. For context, a second
figure times the same span from the event's timestamp to a message posted from the next animation frame,
and a baseline presses the page heading instead (nothing happens): the floor the machine itself sets.

A lock handler that never settles stands in for a journal still saving: quick-hide then waits its
bounded 500 ms before leaving, which keeps the page alive long enough to collect the entries.
"""
import statistics
import tempfile
from pathlib import Path

from conftest import make_app
from playwright.sync_api import sync_playwright
from support import LAUNCH, LiveServer

RUNS_PER_TRIGGER = 15
CPU_SLOWDOWN = 4
BELOW_THRESHOLD_MS = 8  # largest rounded duration Chromium does not report at durationThreshold 16

# Installed after the page loads; results go to sessionStorage, which outlives the move to the decoy.
INSTRUMENT = """async () => {
  const { onLock } = await import('/static/js/lock.js')
  onLock(() => new Promise(() => {}))
  const root = document.documentElement
  let trigger = null
  for (const type of ['click', 'keydown', 'keyup']) {
    addEventListener(type, (event) => { if (!root.classList.contains('is-hiding')) trigger = event }, true)
  }
  const save = (key, value) => sessionStorage.setItem(key, JSON.stringify(value))
  // Kept light: this runs inside the measured input's processing. Storage is written after the frame.
  const seen = new MutationObserver(() => {
    if (!root.classList.contains('is-hiding') || !trigger) return
    seen.disconnect()
    const started = trigger.timeStamp
    requestAnimationFrame(() => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => {
        save('bench-frame', performance.now() - started)
        save('bench-trigger', { type: trigger.type, start: started })
      }
      channel.port2.postMessage(null)
    })
  })
  seen.observe(root, { attributes: true, attributeFilter: ['class'] })
  const entries = []
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) entries.push({ name: e.name, start: e.startTime, duration: e.duration })
    save('bench-entries', entries)
  }).observe({ type: 'event', durationThreshold: 16 })
}"""

SETTLED = "() => new Promise((done) => requestIdleCallback(() => requestAnimationFrame(() => done()), { timeout: 2000 }))"

def click(page) -> None:
    # The pointer is already over the control (a finger lands where it aims): measure the press itself.
    page.mouse.move(*centre(page.locator("[data-quick-hide]").bounding_box()))
    page.evaluate(SETTLED)
    page.mouse.down()
    page.mouse.up()


TRIGGERS = {
    "click": click,
    "shift_x3": lambda page: [page.keyboard.press("Shift") for _ in range(3)],
    "escape_x2": lambda page: [page.keyboard.press("Escape") for _ in range(2)],
}


def centre(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def one_run(page, cdp, url: str, trigger: str) -> tuple[float, float]:
    page.evaluate("sessionStorage.clear()")  # the tab is shut after each hide; start outside again
    page.goto(url + "/helplines")
    page.wait_for_load_state("networkidle")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.evaluate(INSTRUMENT)
    page.evaluate(SETTLED)  # a person reads the page before hiding it: nothing else is running
    TRIGGERS[trigger](page)
    page.wait_for_url("**/weather")
    result = page.evaluate("""() => Object.fromEntries(['bench-trigger', 'bench-frame', 'bench-entries']
        .map((key) => [key, JSON.parse(sessionStorage.getItem(key))]))""")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    started = result["bench-trigger"]["start"]
    # Entries for the triggering input share its timestamp; none means under the reporting threshold.
    matching = [e["duration"] for e in result["bench-entries"] or [] if abs(e["start"] - started) < 0.5]
    return max(matching, default=BELOW_THRESHOLD_MS), result["bench-frame"]


def baseline_run(page, cdp, url: str) -> float:
    """The same press on the page's heading, which changes nothing: the floor this machine sets."""
    page.goto(url + "/helplines")
    page.wait_for_load_state("networkidle")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.evaluate(INSTRUMENT)
    page.mouse.move(*centre(page.locator("h1").bounding_box()))
    page.evaluate(SETTLED)
    page.mouse.down()
    page.mouse.up()
    page.evaluate(SETTLED)  # the frame after the press, then the observer's delivery
    entries = page.evaluate("JSON.parse(sessionStorage.getItem('bench-entries') || '[]')")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    return max((e["duration"] for e in entries if e["name"] == "click"), default=BELOW_THRESHOLD_MS)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-quick-hide-") as folder:
        app = make_app(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        server = LiveServer(app).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**LAUNCH)
                page = browser.new_page()
                cdp = page.context.new_cdp_session(page)
                page.goto(server.url + "/weather")
                one_run(page, cdp, server.url, "click")  # warm-up: first-load costs are not quick-hide's
                results = {trigger: [one_run(page, cdp, server.url, trigger) for _ in range(RUNS_PER_TRIGGER)]
                           for trigger in TRIGGERS}
                baseline = [baseline_run(page, cdp, server.url) for _ in range(RUNS_PER_TRIGGER)]
                browser.close()
        finally:
            server.stop()

    durations = [d for runs in results.values() for d, _ in runs]
    frames = [f for runs in results.values() for _, f in runs]
    below = sum(d == BELOW_THRESHOLD_MS for d in durations)
    detail = f"{len(durations)} runs: click, Shift x3, Esc x2; {below} under the 16 ms reporting threshold"
    print(f"quick_hide_input_to_cover_painted_p50_4x_cpu: {statistics.median(durations):.0f} ms "
          f"(goal <= 16 ms; Event Timing duration, {detail})")
    print(f"quick_hide_input_to_cover_painted_p95_4x_cpu: {percentile(durations, 0.95):.0f} ms "
          f"(goal <= 50 ms; Event Timing duration, max {max(durations):.0f} ms)")
    for trigger, runs in results.items():
        values = [d for d, _ in runs]
        print(f"quick_hide_{trigger}_p50_4x_cpu: {statistics.median(values):.0f} ms "
              f"(for information: p95 {percentile(values, 0.95):.0f} ms)")
    print(f"quick_hide_baseline_click_changing_nothing_p50_4x_cpu: {statistics.median(baseline):.0f} ms "
          f"(for information: the same press on the page heading, no hide: this machine's floor; "
          f"p95 {percentile(baseline, 0.95):.0f} ms)")
    print(f"quick_hide_input_to_next_frame_p50_4x_cpu: {statistics.median(frames):.1f} ms "
          f"(for information: event timestamp to a message posted from the next animation frame, "
          f"p95 {percentile(frames, 0.95):.1f} ms)")


if __name__ == "__main__":
    raise SystemExit("run it with: .venv/bin/python benchmarks/run.py quick_hide")
