"""nginx with the shipped proxy rules (deploy/nginx/) in front of an app on loopback, plain HTTP.

The tests (tests/test_proxy_cache.py) and `make bench` (benchmarks/bench_load.py) use it. The rules are
included from deploy/nginx/ as they ship; only the parts deploy/nginx.conf gives per machine (TLS, the
upstream's address, the cache's folder) are written here, around them.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_available() -> bool:
    return Path(NGINX).exists()


class ProxyServer:
    """nginx on a free 127.0.0.1 port, proxying to `upstream_port` with deploy/nginx/'s cache and locations."""

    def __init__(self, upstream_port: int, workers: int = 1, extra_http: str = ""):
        # Its own folder right under /tmp: nginx's workers run as nobody when started by root, and must reach
        # it to write the cache (pytest's tmp_path sits in a folder only its owner can enter).
        self.workdir = Path(tempfile.mkdtemp(prefix="open-door-nginx-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.config = self.workdir / "nginx-proxy.conf"
        self.error_log = self.workdir / "nginx-proxy-error.log"
        temp = self.workdir / "nginx-temp"
        self.config.write_text(f"""
worker_processes {workers};
daemon off;
pid {self.workdir}/nginx-proxy.pid;
error_log {self.error_log} warn;
events {{ worker_connections 1024; }}
http {{
  client_body_temp_path {temp}/client;
  proxy_temp_path {temp}/proxy;
  fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi;
  scgi_temp_path {temp}/scgi;
  server_tokens off;
  include {DEPLOY}/open-door-http.conf;
  upstream open_door {{ server 127.0.0.1:{upstream_port}; }}
  proxy_cache_path {self.workdir}/nginx-cache levels=1:2 keys_zone=open_door:10m max_size=256m inactive=1d
                   use_temp_path=off;
  {extra_http}
  server {{
    listen 127.0.0.1:{self.port};
    include {DEPLOY}/open-door-locations.conf;
  }}
}}
""")
        temp.mkdir(parents=True, exist_ok=True)
        for path in (self.workdir, temp):
            path.chmod(0o777)

    def start(self, timeout_s: float = 10) -> ProxyServer:
        self.process = subprocess.Popen([NGINX, "-p", str(self.workdir), "-c", str(self.config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen on {self.port} in {timeout_s} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)
