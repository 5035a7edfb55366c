"""Load on loopback: gunicorn (the project's server) next to nginx serving the same bundle file.

Measures requests per second and p99 latency for a full GET of /api/v1/bundle (plain and gzip, both
compressing per request) and for a 304 revalidation (If-None-Match, as a browser sends it), with wrk for a fixed duration and connection count. Everything listens
on 127.0.0.1 only, every process is stopped at the end, and the whole run takes under a minute.
Needs nginx and wrk: `make bench` installs them (scripts/install-system-deps.sh bench).
"""
from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_PATH = "/api/v1/bundle"
WORKERS = 2  # as `make run`; nginx gets the same number of worker processes
CONNECTIONS = 8
THREADS = 2
DURATION_S = 5
GOALS = {"rps": 200, "p99_ms": 100}  # gunicorn on a cheap 2-core host; nginx is the yardstick, not a goal


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def fetch(url: str, etag: str | None = None, gzipped: bool = False) -> tuple[int, bytes, str]:
    headers = ({"If-None-Match": etag} if etag else {}) | ({"Accept-Encoding": "gzip"} if gzipped else {})
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            elif gzipped:
                raise AssertionError(f"{url} did not compress")
            return response.status, body, response.headers.get("ETag", "")
    except urllib.error.HTTPError as err:  # urllib treats 304 as an error
        return err.code, err.read(), err.headers.get("ETag", "")


def prepare_app(workdir: Path) -> dict:
    """A database with the seed content, and the environment gunicorn runs the app with."""
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
        "SECRET_KEY": "bench-only-not-secret",
        "FLASK_APP": "pwa",
    }
    subprocess.run([sys.executable, "-m", "flask", "content", "load"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return env


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                             "--workers", str(WORKERS), "pwa:create_app()"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_nginx(workdir: Path, bundle: bytes, port: int) -> subprocess.Popen:
    www = workdir / "www"
    www.mkdir()
    (www / "bundle.json").write_bytes(bundle)
    for path in (workdir, www, www / "bundle.json"):
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
  client_body_temp_path {workdir}/client_temp;
  proxy_temp_path {workdir}/proxy_temp;
  fastcgi_temp_path {workdir}/fastcgi_temp;
  uwsgi_temp_path {workdir}/uwsgi_temp;
  scgi_temp_path {workdir}/scgi_temp;
  server {{
    listen 127.0.0.1:{port};
    location = {BUNDLE_PATH} {{
      alias {www}/bundle.json;
      default_type application/json;
      etag on;
      add_header Cache-Control "public, no-cache";
    }}
  }}
}}
""")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return subprocess.Popen([nginx, "-c", str(config), "-p", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wrk(url: str, etag: str | None = None, gzipped: bool = False) -> dict:
    command = ["wrk", "--latency", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{DURATION_S}s",
               "--timeout", "5s"]
    if etag:
        command += ["-H", f"If-None-Match: {etag}"]
    if gzipped:
        command += ["-H", "Accept-Encoding: gzip"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                            timeout=DURATION_S + 30).stdout
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p99_ms": to_ms(re.search(r"^\s+99%\s+([\d.]+\w+)", output, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": errors + (int(non_success.group(1)) if non_success else 0),
    }


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def main() -> None:
    if not shutil.which("wrk") or not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        print("load: skipped (needs wrk and nginx: bash scripts/install-system-deps.sh bench)")
        return
    workdir = Path(tempfile.mkdtemp(prefix="open-door-load-"))
    processes = []
    try:
        env = prepare_app(workdir)
        app_port, nginx_port = free_port(), free_port()
        processes.append(start_gunicorn(env, app_port))
        app_url = f"http://127.0.0.1:{app_port}{BUNDLE_PATH}"
        wait_until_up(app_url, processes[-1])
        status, bundle, _ = fetch(app_url)
        assert status == 200, "gunicorn did not serve the bundle"

        processes.append(start_nginx(workdir, bundle, nginx_port))
        nginx_url = f"http://127.0.0.1:{nginx_port}{BUNDLE_PATH}"
        wait_until_up(nginx_url, processes[-1])
        status, same_bundle, _ = fetch(nginx_url)
        assert status == 200 and same_bundle == bundle

        # Both compress, and answer 304 to the (weak) ETag of their gzip copy, as a browser revalidates.
        etags = {}
        for server, url in (("gunicorn", app_url), ("nginx", nginx_url)):
            status, body, etags[server] = fetch(url, gzipped=True)
            assert status == 200 and body == bundle, f"{url} gzip copy differs"
            status, body, _ = fetch(url, etags[server], gzipped=True)
            assert status == 304 and body == b"", f"{url} did not revalidate"

        results = {}
        for server, url in (("gunicorn", app_url), ("nginx", nginx_url)):
            results[(server, "bundle")] = wrk(url)
            results[(server, "gzip")] = wrk(url, gzipped=True)
            results[(server, "304")] = wrk(url, etags[server], gzipped=True)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"load: {len(bundle):,} byte bundle, {WORKERS} workers each, {CONNECTIONS} connections, "
          f"{DURATION_S} s per run, 127.0.0.1 only")
    print(f"  {'':18}{'gunicorn req/s':>16}{'p99 ms':>9}{'nginx req/s':>14}{'p99 ms':>9}")
    for kind, label in (("bundle", "full bundle GET"), ("gzip", "gzip bundle GET"), ("304", "304 revalidation")):
        app, web = results[("gunicorn", kind)], results[("nginx", kind)]
        print(f"  {label:18}{app['rps']:>16,.0f}{app['p99_ms']:>9.1f}{web['rps']:>14,.0f}{web['p99_ms']:>9.1f}")
    for (server, kind), result in results.items():
        name = f"load_{server}_{ {'bundle': 'bundle', 'gzip': 'bundle_gzip', '304': 'revalidate'}[kind] }"
        if server == "gunicorn":
            print(f"{name}_rps: {result['rps']:.0f} req/s (goal >= {GOALS['rps']})")
            print(f"{name}_p99: {result['p99_ms']:.1f} ms (goal <= {GOALS['p99_ms']})")
        else:
            print(f"{name}_rps: {result['rps']:.0f} req/s (goal: reference only)")
            print(f"{name}_p99: {result['p99_ms']:.1f} ms (goal: reference only)")
    errors = sum(r["errors"] for r in results.values())
    requests = sum(r["requests"] for r in results.values())
    print(f"load_errors: {errors} of {requests:,} requests (goal 0){'  FAILED' if errors else ''}")


if __name__ == "__main__":
    main()
