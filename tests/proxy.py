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


def nginx_command(workdir: Path, config: Path) -> list[str]:
    """nginx in the foreground with everything in `workdir`: -e keeps it from opening the system's error log
    before it reads the config (which it cannot, unless root)."""
    return [NGINX, "-p", str(workdir), "-c", str(config), "-e", str(workdir / "startup-error.log")]


def temp_paths(temp: Path) -> str:
    """nginx's temporary folders, all in `temp` (its defaults are under /var, which tests may not write)."""
    return "\n".join(f"  {kind}_temp_path {temp}/{folder};" for kind, folder in
                     (("client_body", "client"), ("proxy", "proxy"), ("fastcgi", "fastcgi"), ("uwsgi", "uwsgi"),
                      ("scgi", "scgi")))


class NginxProcess:
    """nginx run in the foreground on a config of its own; `listen_port` is the port that says it is up."""

    workdir: Path
    config: Path
    listen_port: int
    process: subprocess.Popen | None = None

    def start(self, timeout_s: float = 10):
        self.process = subprocess.Popen(nginx_command(self.workdir, self.config),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.listen_port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen on {self.listen_port} in {timeout_s} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


class ProxyServer(NginxProcess):
    """nginx on a free 127.0.0.1 port, proxying to `upstream_port` with deploy/nginx/'s cache and locations."""

    def __init__(self, upstream_port: int, workers: int = 1):
        # Its own folder right under /tmp: nginx's workers run as nobody when started by root, and must reach
        # it to write the cache (pytest's tmp_path sits in a folder only its owner can enter).
        self.workdir = Path(tempfile.mkdtemp(prefix="open-door-nginx-"))
        self.port = self.listen_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
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
{temp_paths(temp)}
  server_tokens off;
  include {DEPLOY}/open-door-http.conf;
  upstream open_door {{ server 127.0.0.1:{upstream_port}; }}
  proxy_cache_path {self.workdir}/nginx-cache levels=1:2 keys_zone=open_door:10m max_size=256m inactive=1d
                   use_temp_path=off;
  server {{
    listen 127.0.0.1:{self.port};
    include {DEPLOY}/open-door-locations.conf;
  }}
}}
""")
        temp.mkdir(parents=True, exist_ok=True)
        for path in (self.workdir, temp):
            path.chmod(0o777)



def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 / localhost: (certificate, key) files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                               x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "fullchain.pem", folder / "privkey.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class ShippedServer(NginxProcess):
    """deploy/nginx.conf itself (TLS, HTTP/2, the redirect from port 80) on loopback: only its addresses, ports,
    certificate and cache folder are changed, as a site would change them."""

    def __init__(self, upstream_port: int):
        self.workdir = Path(tempfile.mkdtemp(prefix="open-door-nginx-tls-"))
        self.workdir.chmod(0o777)
        self.https_port, self.http_port = free_port(), free_port()
        self.listen_port = self.https_port
        (self.workdir / "snippets").symlink_to(DEPLOY)  # where the site file includes them from (/etc/nginx)
        cert, key = self_signed_certificate(self.workdir)
        site = (DEPLOY.parent / "nginx.conf").read_text()
        for shipped, here in [
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"),
            ("listen [::]:443 ssl http2;", ""),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen [::]:80;", ""),
            ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
            ("/var/cache/nginx/open-door", str(self.workdir / "cache")),
            ("/etc/letsencrypt/live/example.org/fullchain.pem", str(cert)),
            ("/etc/letsencrypt/live/example.org/privkey.pem", str(key)),
        ]:
            assert shipped in site, f"deploy/nginx.conf no longer has {shipped!r}"
            site = site.replace(shipped, here)
        (self.workdir / "open-door.conf").write_text(site)
        temp = self.workdir / "temp"
        temp.mkdir()
        temp.chmod(0o777)
        self.config = self.workdir / "nginx.conf"
        self.config.write_text(f"""
daemon off;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/error.log warn;
events {{ worker_connections 64; }}
http {{
{temp_paths(temp)}
  include open-door.conf;
}}
""")

    def check(self) -> subprocess.CompletedProcess:
        """`nginx -t` of the site file."""
        return subprocess.run([*nginx_command(self.workdir, self.config), "-t"], capture_output=True, text=True,
                              check=False)

