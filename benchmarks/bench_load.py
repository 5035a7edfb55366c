"""Load on loopback: gunicorn (the project's server) alone, and behind the shipped proxy (deploy/nginx/), each
next to nginx serving the same bytes as static files in the same run.

Measures requests per second and p99 latency with wrk for a fixed duration and connection count:
- gunicorn direct next to nginx: a full GET of /api/v1/bundle (plain and gzip, both compressing per request)
  and a 304 revalidation (If-None-Match, as a browser sends it);
- through the proxy (tests/proxy.py runs deploy/nginx/'s rules in front of gunicorn): a page (brotli), the
  bundle (gzip) and its 304, each as a ratio of nginx sending the very same bytes from files (goal >= 50%);
- the time from a publish (`flask content load` of a changed copy of content/) to the new version being served
  through the proxy, asked for every 50 ms throughout (goal <= 2 s), three times.
Everything listens on 127.0.0.1 only, every process is stopped at the end, and the run takes under 2 minutes.
Needs nginx and wrk: `make bench` installs them (scripts/install-system-deps.sh bench).
"""
from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests")]  # tests/proxy.py: the shipped proxy rules on loopback, as the tests run them

from figures import figure, load_average
from proxy import ProxyServer, free_port, nginx_available, nginx_command, temp_paths

BUNDLE_PATH = "/api/v1/bundle"
PAGE_PATH = "/helplines"
WORKERS = 2  # as `make run`; nginx gets the same number of worker processes
CONNECTIONS = 8
THREADS = 2
DURATION_S = 4
# Goals on this 2-core machine (issue 15). gunicorn's are absolute; the proxy's are ratios to nginx sending the
# same bytes from files in the same run, so a busy machine moves both sides.
GOALS = {"bundle_rps": ">= 1000", "revalidate_rps": ">= 2000", "p99_ms": "<= 50", "proxy_ratio": ">= 0.5",
         "publish_s": "<= 2"}
PUBLISHES = 3
POLL_S = 0.05


def wait_until_up(url: str, process: subprocess.Popen, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {timeout_s} s")


def fetch(url: str, etag: str | None = None, encoding: str | None = None, raw: bool = False):
    """(status, body, headers); the body decompressed unless raw."""
    headers = ({"If-None-Match": etag} if etag else {}) | ({"Accept-Encoding": encoding} if encoding else {})
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip" and not raw:
                body = gzip.decompress(body)
            elif encoding and not response.headers.get("Content-Encoding"):
                raise AssertionError(f"{url} did not compress")
            return response.status, body, response.headers
    except urllib.error.HTTPError as err:  # urllib treats 304 as an error
        return err.code, err.read(), err.headers


def flask(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def prepare_app(workdir: Path) -> dict:
    """A database with the seed content, and the environment gunicorn runs the app with."""
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
        "SECRET_KEY": "bench-only-not-secret",
        "FLASK_APP": "pwa",
        "TRUSTED_PROXIES": "1",  # as behind deploy/nginx.conf; direct requests carry no X-Forwarded-* anyway
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    flask(env, "init-db")
    flask(env, "content", "load")
    return env


def changed_contents(workdir: Path) -> list[Path]:
    """Two copies of content/, each differing from the seed and from the other: publishing them in turn
    always changes the content version."""
    copies = []
    for n, name in enumerate(("Police emergency: 999", "Police emergency (999)")):
        copy = workdir / f"content-{n}"
        shutil.copytree(ROOT / "content", copy)
        services = copy / "services.toml"
        services.write_text(services.read_text().replace('name = "Police emergency"', f'name = "{name}"', 1))
        copies.append(copy)
    return copies


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                             "--workers", str(WORKERS), "pwa:create_app()"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_nginx(workdir: Path, files: dict[str, bytes], port: int) -> subprocess.Popen:
    """nginx serving static files: the bundle compressed per request (beside gunicorn, which does the same), and
    the exact bytes the proxy sends for the page (brotli) and the bundle (gzip), stored already compressed."""
    www = workdir / "www"
    www.mkdir()
    for name, data in files.items():
        (www / name).write_bytes(data)
        (www / name).chmod(0o644)
    for path in (workdir, www):
        path.chmod(0o755)  # nginx workers run as nobody when started by root
    config = workdir / "nginx.conf"
    config.write_text(f"""
worker_processes {WORKERS};
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  # Compress per request, at the app's level, so the gzip rows compare like with like.
  gzip on;
  gzip_types application/json;
  gzip_comp_level 6;
  gzip_min_length 1024;
{temp_paths(workdir)}
  server {{
    listen 127.0.0.1:{port};
    location = {BUNDLE_PATH} {{
      alias {www}/bundle.json;
      default_type application/json;
      etag on;
      add_header Cache-Control "public, no-cache";
    }}
    location = /same{PAGE_PATH} {{
      gzip off;
      alias {www}/page.br;
      default_type text/html;
      add_header Content-Encoding br;
    }}
    location = /same{BUNDLE_PATH} {{
      gzip off;
      alias {www}/bundle.json.gz;
      default_type application/json;
      etag on;
      add_header Content-Encoding gzip;
    }}
  }}
}}
""")
    return subprocess.Popen(nginx_command(workdir, config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wrk(url: str, etag: str | None = None, encoding: str | None = None) -> dict:
    command = ["wrk", "--latency", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{DURATION_S}s",
               "--timeout", "5s"]
    if etag:
        command += ["-H", f"If-None-Match: {etag}"]
    if encoding:
        command += ["-H", f"Accept-Encoding: {encoding}"]
    load = load_average()  # before: the run itself keeps both cores busy
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                            timeout=DURATION_S + 30).stdout
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p99_ms": to_ms(re.search(r"^\s+99%\s+([\d.]+\w+)", output, re.MULTILINE).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": errors + (int(non_success.group(1)) if non_success else 0),
        "load": load,
    }


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def publish_to_proxy(env: dict, content: Path, proxy_url: str, app_url: str) -> tuple[float, float]:
    """(seconds from the publish to the proxy serving the new version, the load's own seconds).

    Visitors ask the proxy for the bundle every 50 ms from 2 s before `flask content load` until the new version
    comes back, as national traffic would: the kept copy is always freshly refreshed when the publish lands, the
    worst moment for a cache. The publish is taken as done when the command exits, or earlier if gunicorn
    (asked directly, also every 50 ms) serves the new version before that."""
    old = fetch(proxy_url, encoding="gzip")[2]["ETag"]
    seen, stop = {}, threading.Event()

    def visit(name: str, url: str):
        while not stop.is_set():
            if fetch(url, encoding="gzip")[2]["ETag"] != old:
                seen[name] = time.monotonic()
                return
            stop.wait(POLL_S)

    visitors = [threading.Thread(target=visit, args=args, daemon=True)
                for args in (("proxy", proxy_url), ("app", app_url))]
    for visitor in visitors:
        visitor.start()
    time.sleep(2)
    started = time.monotonic()
    flask(env, "content", "load", "--dir", str(content))
    exited = time.monotonic()
    for visitor in visitors:
        visitor.join(timeout=30)
    stop.set()
    if "proxy" not in seen:
        raise RuntimeError("the proxy still served the old bundle 30 s after the publish")
    published = min(exited, seen.get("app", exited))
    return max(0.0, seen["proxy"] - published), exited - started


def main() -> None:
    if not shutil.which("wrk") or not nginx_available():
        print("load: skipped (needs wrk and nginx: bash scripts/install-system-deps.sh bench)")
        return
    workdir = Path(tempfile.mkdtemp(prefix="open-door-load-"))
    processes, proxy = [], None
    try:
        env = prepare_app(workdir)
        contents = changed_contents(workdir)
        app_port, nginx_port = free_port(), free_port()
        processes.append(start_gunicorn(env, app_port))
        app = f"http://127.0.0.1:{app_port}"
        wait_until_up(app + BUNDLE_PATH, processes[-1])
        status, bundle, _ = fetch(app + BUNDLE_PATH)
        assert status == 200, "gunicorn did not serve the bundle"

        proxy = ProxyServer(app_port, workers=WORKERS).start()
        # The bytes the proxy sends (the app's own brotli page and gzip bundle), for nginx to send from files.
        status, page_br, page_headers = fetch(proxy.url + PAGE_PATH, encoding="br", raw=True)
        assert status == 200 and page_headers["Content-Encoding"] == "br", "the proxy did not send a brotli page"
        status, bundle_gz, headers = fetch(proxy.url + BUNDLE_PATH, encoding="gzip", raw=True)
        assert status == 200 and gzip.decompress(bundle_gz) == bundle
        proxy_etag = headers["ETag"]
        assert fetch(proxy.url + BUNDLE_PATH, proxy_etag, encoding="gzip")[0] == 304, "no 304 via the proxy"

        processes.append(start_nginx(workdir, {"bundle.json": bundle, "page.br": page_br,
                                               "bundle.json.gz": bundle_gz}, nginx_port))
        web = f"http://127.0.0.1:{nginx_port}"
        wait_until_up(web + BUNDLE_PATH, processes[-1])
        status, same_bundle, _ = fetch(web + BUNDLE_PATH)
        assert status == 200 and same_bundle == bundle
        assert fetch(web + "/same" + PAGE_PATH, encoding="br", raw=True)[1] == page_br
        static_etag = fetch(web + "/same" + BUNDLE_PATH, encoding="gzip")[2]["ETag"]
        assert fetch(web + "/same" + BUNDLE_PATH, static_etag, encoding="gzip")[0] == 304

        # Both compress, and answer 304 to the (weak) ETag of their gzip copy, as a browser revalidates.
        etags = {}
        for server, url in (("gunicorn", app + BUNDLE_PATH), ("nginx", web + BUNDLE_PATH)):
            status, body, headers = fetch(url, encoding="gzip")
            etags[server] = headers["ETag"]
            assert status == 200 and body == bundle, f"{url} gzip copy differs"
            status, body, _ = fetch(url, etags[server], encoding="gzip")
            assert status == 304 and body == b"", f"{url} did not revalidate"

        results = {}
        for server, url in (("gunicorn", app + BUNDLE_PATH), ("nginx", web + BUNDLE_PATH)):
            results[(server, "bundle")] = wrk(url)
            results[(server, "gzip")] = wrk(url, encoding="gzip")
            results[(server, "304")] = wrk(url, etags[server], encoding="gzip")
        for server, base in (("proxy", proxy.url), ("static", web + "/same")):
            results[(server, "page")] = wrk(base + PAGE_PATH, encoding="br")
            results[(server, "gzip")] = wrk(base + BUNDLE_PATH, encoding="gzip")
            results[(server, "304")] = wrk(base + BUNDLE_PATH, proxy_etag if server == "proxy" else static_etag,
                                           encoding="gzip")

        publishes = []
        for n in range(PUBLISHES):
            load = load_average()
            seconds, loading = publish_to_proxy(env, contents[n % 2], proxy.url + BUNDLE_PATH, app + BUNDLE_PATH)
            publishes.append((seconds, loading, load))
    finally:
        if proxy:
            proxy.stop()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)

    report(results, publishes, len(bundle), len(page_br))


def report(results: dict, publishes: list, bundle_bytes: int, page_bytes: int) -> None:
    print(f"load: {bundle_bytes:,} byte bundle, {page_bytes:,} byte brotli page ({PAGE_PATH}), {WORKERS} workers "
          f"each, {CONNECTIONS} connections, {DURATION_S} s per run, 127.0.0.1 only")
    print(f"  {'':22}{'gunicorn req/s':>16}{'p99 ms':>9}{'nginx req/s':>14}{'p99 ms':>9}")
    for kind, label in (("bundle", "full bundle GET"), ("gzip", "gzip bundle GET"), ("304", "304 revalidation")):
        app, web = results[("gunicorn", kind)], results[("nginx", kind)]
        print(f"  {label:22}{app['rps']:>16,.0f}{app['p99_ms']:>9.1f}{web['rps']:>14,.0f}{web['p99_ms']:>9.1f}")
    print(f"  {'':22}{'proxy req/s':>16}{'p99 ms':>9}{'static req/s':>14}{'p99 ms':>9}{'ratio':>8}")
    for kind, label in (("page", "page (brotli)"), ("gzip", "gzip bundle GET"), ("304", "304 revalidation")):
        via, web = results[("proxy", kind)], results[("static", kind)]
        print(f"  {label:22}{via['rps']:>16,.0f}{via['p99_ms']:>9.1f}{web['rps']:>14,.0f}{web['p99_ms']:>9.1f}"
              f"{via['rps'] / web['rps']:>8.0%}")

    names = {"bundle": "bundle", "gzip": "bundle_gzip", "304": "revalidate", "page": "page"}
    for kind in ("bundle", "gzip", "304"):
        app, web = results[("gunicorn", kind)], results[("nginx", kind)]
        goal = GOALS["revalidate_rps" if kind == "304" else "bundle_rps"]
        figure(f"load_gunicorn_{names[kind]}_rps", app["rps"], "req/s", goal=goal, anchor=web["rps"],
               anchor_name="nginx", load=app["load"])
        figure(f"load_gunicorn_{names[kind]}_p99", app["p99_ms"], "ms", goal=GOALS["p99_ms"], anchor=web["p99_ms"],
               anchor_name="nginx", digits=1, load=app["load"])
    for kind in ("page", "gzip", "304"):
        via, web = results[("proxy", kind)], results[("static", kind)]
        figure(f"load_proxy_{names[kind]}_rps", via["rps"], "req/s", ratio_goal=GOALS["proxy_ratio"],
               anchor=web["rps"], anchor_name="nginx static, same bytes", load=via["load"])
        figure(f"load_proxy_{names[kind]}_p99", via["p99_ms"], "ms", goal=GOALS["p99_ms"], anchor=web["p99_ms"],
               anchor_name="nginx static, same bytes", digits=1, load=via["load"])
    for n, (seconds, loading, load) in enumerate(publishes, 1):
        print(f"  publish {n}: new version served through the proxy {seconds:.2f} s after the publish "
              f"(`flask content load` took {loading:.1f} s; visitors every {POLL_S * 1000:.0f} ms)")
    worst = max(publishes)
    figure("load_publish_to_proxy_worst_s", worst[0], "s", goal=GOALS["publish_s"], digits=2,
           note=f"worst of {len(publishes)}, polled every {POLL_S * 1000:.0f} ms", load=worst[2])
    errors = sum(r["errors"] for r in results.values())
    requests = sum(r["requests"] for r in results.values())
    figure("load_errors", errors, "errors", goal="<= 0", digits=0, note=f"of {requests:,} requests")


if __name__ == "__main__":
    main()
