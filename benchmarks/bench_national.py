"""National-scale content figures, with the pack benchmarks/national_pack.py generates (350 local areas x 25
services, 40 guides).

- `flask content load` of the pack into an empty SQLite database, and `flask content check` of it: wall time of
  each command as a new process (imports included), as an operator runs them.
- Cold first visit with the national pack, in English and in Urdu (Accept-Language: ur): everything the server
  sends while a fresh profile opens / and its worker precaches, as bench_pwa.py counts it. Above
  AREAS_ON_ONE_PAGE local areas the worker keeps national help and the agency's HOME_AREAS (here one area), not the
  country; other areas are kept once opened (README, "National-scale content").
- The bundle (/api/v1/bundle, kept whole for API clients): its size as served, and that a revalidation with its
  ETag is answered 304.

Run one alone with `python benchmarks/run.py national`; `python benchmarks/bench_national.py --urls` prints the
first visit's bytes per URL instead.
"""
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]

from bench_pwa import CountingMiddleware, cold_visit  # noqa: E402
from conftest import make_app  # noqa: E402
from national_pack import write_pack  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from support import LiveServer  # noqa: E402

COLD_RUNS = 3
HOME_AREA_INDEX = 7  # the agency's own area in the benchmark: one of the 350, not the first


class CountingByUrl(CountingMiddleware):
    """Counts as bench_pwa does, and (by_url) also per URL path."""

    def __init__(self, app, by_url: bool = False):
        super().__init__(app)
        self.by_url = by_url
        self.paths: dict[str, int] = {}

    def __call__(self, environ, start_response):
        if not self.by_url:
            yield from super().__call__(environ, start_response)
            return
        path = environ["PATH_INFO"] + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        sent = [0]

        def counting_start_response(status, headers, exc_info=None):
            sent[0] += len(f"HTTP/1.1 {status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers) + 2
            return start_response(status, headers, exc_info)

        for chunk in self.app(environ, counting_start_response):
            sent[0] += len(chunk)
            yield chunk
        with self.lock:
            self.paths[path] = self.paths.get(path, 0) + sent[0]

    def print_urls(self) -> None:
        print(f"total {sum(self.paths.values()) / 1024:.1f} KB")
        for path, size in sorted(self.paths.items(), key=lambda item: -item[1]):
            print(f"{size / 1024:7.2f} KB  {path}")


def flask_command(folder: Path, *args: str) -> float:
    env = os.environ | {"FLASK_APP": "pwa", "DATABASE_URL": f"sqlite:///{folder / 'cli.sqlite'}",
                        "PYTHONPATH": str(HERE.parent)}
    flask = [sys.executable, "-m", "flask"]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([*flask, *args], env=env, cwd=HERE.parent, check=True, capture_output=True)
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    return wall, cpu


def load_average() -> str:
    return "/".join(f"{figure:.1f}" for figure in os.getloadavg())


def main(by_url: bool = False) -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-national-") as folder:
        folder = Path(folder)
        pack = write_pack(folder / "pack")
        home_area = sorted((pack / "areas.toml").read_text().split('slug = "')[1:])[HOME_AREA_INDEX].split('"')[0]
        if not by_url:
            before = load_average()
            check_s, check_cpu = flask_command(folder, "content", "check", "--dir", str(pack))
            flask_command(folder, "init-db")
            load_s, load_cpu = flask_command(folder, "content", "load", "--dir", str(pack), "--actor", "bench")
            busy = f"load average {before} before, {load_average()} after"
            print(f"national_content_load: {load_s:.1f} s (goal < 10 s; `flask content load` of 351 areas, "
                  f"8,756 services, 40 guides into an empty SQLite database, a new process; {load_cpu:.1f} s of CPU; "
                  f"{busy})")
            print(f"national_content_check: {check_s:.1f} s (for information: `flask content check` of the pack; "
                  f"{check_cpu:.1f} s of CPU)")
        app = make_app(f"sqlite:///{folder / 'bench.sqlite'}", COMPRESS_RESPONSES=True, CONTENT_DIR=str(pack),
                       HOME_AREAS=[home_area])
        counter = CountingByUrl(app, by_url=by_url)
        server = LiveServer(counter).start()
        try:
            with sync_playwright() as playwright:
                english = [cold_visit(playwright, folder / f"profile-{run}", server.url, counter)
                           for run in range(1 if by_url else COLD_RUNS)]
                if by_url:
                    counter.print_urls()
                    return
                urdu = [cold_visit(playwright, folder / f"profile-ur-{run}", server.url, counter, locale="ur")
                        for run in range(COLD_RUNS)]
            client = app.test_client()
            full = client.get("/api/v1/bundle", headers={"Accept-Encoding": "br"})
            again = client.get("/api/v1/bundle", headers={"Accept-Encoding": "br",
                                                           "If-None-Match": full.headers["ETag"]})
        finally:
            server.stop()
    for name, visits, language in (("", english, "English"), ("_urdu", urdu, "Urdu, Accept-Language: ur")):
        print(f"national_cold_first_visit_transferred{name}: {statistics.median(v['total'] for v in visits) / 1024:.1f}"
              f" KB (goal <= 150 KB; {language}, headers + bodies as served, incl. the worker's precache, "
              f"{statistics.median(v['responses'] for v in visits):.0f} responses, median of {COLD_RUNS})")
    print(f"national_bundle_size: {len(full.get_data()) / 1024:.0f} KB (for information: /api/v1/bundle as "
          f"served with Brotli; not precached at this scale)")
    print(f"national_bundle_revalidation_status: {again.status_code} (goal 304; If-None-Match with its ETag)")


if __name__ == "__main__":
    if "--urls" in sys.argv:
        main(by_url=True)
    else:
        raise SystemExit("run it with: .venv/bin/python benchmarks/run.py national")
