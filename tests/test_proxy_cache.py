"""The shipped nginx rules (deploy/nginx/) in front of the app: what is kept, for whom, and for how long.

Real nginx on loopback (tests/proxy.py), the app on a live server that counts the requests reaching it. A
response is served from the cache when nginx says HIT (X-Cache-Status) and the app was not asked again.

The app opts responses into the shared cache with `CDN-Cache-Control` (RFC 9213); the tests marked
`opted_in` check what the proxy does with it. The others (what is never cached, 304s through the proxy, the
shipped TLS site) hold either way.
"""
from __future__ import annotations

import collections
import gzip
import http.client
import shutil
import socket
import ssl
import threading
import time
from pathlib import Path

import brotli
import pytest
from conftest import make_app
from proxy import ProxyServer, ShippedServer, nginx_available
from support import LiveServer

from pwa.settings import PROJECT_ROOT

pytestmark = pytest.mark.skipif(not nginx_available(), reason="nginx is missing: run `make test`, which installs it")

BUNDLE = "/api/v1/bundle"
CACHED = "HIT"

# Until the app sends CDN-Cache-Control (issue 15's server part, on its own branch), nothing is cached and these
# tests are expected to fail; strict, so they fail loudly if they pass without it. Once pwa/ sends the header,
# they run as ordinary tests (and this marker can go).
APP_OPTS_IN = any("CDN-Cache-Control" in path.read_text(encoding="utf-8")
                  for path in (PROJECT_ROOT / "pwa").rglob("*.py"))
opted_in = pytest.mark.xfail(not APP_OPTS_IN, strict=True,
                             reason="the app does not send CDN-Cache-Control yet (issue 15, server part)")


class CountingApp:
    """WSGI middleware: how many requests reached the app, per path."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.counts = collections.Counter()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.counts[environ["PATH_INFO"]] += 1
        return self.wsgi_app(environ, start_response)


def serve(tmp_path: Path, content_dir: Path | None = None):
    config = {"COMPRESS_RESPONSES": True, "TRUSTED_PROXIES": 1}
    if content_dir:
        config["CONTENT_DIR"] = str(content_dir)
    app = make_app(f"sqlite:///{tmp_path / 'proxied.sqlite'}", **config)
    counter = CountingApp(app.wsgi_app)
    app.wsgi_app = counter
    server = LiveServer(app).start()
    return app, counter, server


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    app, counter, server = serve(tmp_path_factory.mktemp("proxied-app"))
    yield app, counter, server
    server.stop()


@pytest.fixture
def proxy(upstream):
    """A fresh nginx, with an empty cache, in front of the module's app; the app's counts start at zero."""
    _, counter, server = upstream
    counter.counts.clear()
    nginx = ProxyServer(server.server.server_port).start()
    yield nginx
    nginx.stop()


@pytest.fixture
def counts(upstream):
    return upstream[1].counts


def get(proxy: ProxyServer, path: str, headers: dict | None = None, method: str = "GET", body: bytes | None = None):
    """(status, headers, body as sent) through the proxy. Without an Accept-Encoding, http.client sends
    `Accept-Encoding: identity`, as a client that decodes nothing would."""
    connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def decoded(headers, body: bytes) -> bytes:
    encoding = headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    assert encoding is None, f"unexpected Content-Encoding {encoding}"
    return body


@opted_in
@pytest.mark.parametrize("path", ["/", "/helplines", BUNDLE])
def test_public_pages_and_json_are_served_from_the_cache(proxy, counts, path):
    """A second visit is answered by nginx."""
    first = get(proxy, path, {"Accept-Encoding": "br"})
    second = get(proxy, path, {"Accept-Encoding": "br"})
    assert first[0] == second[0] == 200
    assert first[1]["X-Cache-Status"] == "MISS"
    assert second[1]["X-Cache-Status"] == CACHED
    assert second[2] == first[2]
    assert counts[path] == 1, "the second request reached the app"


@pytest.mark.parametrize("path", [
    "/admin/login",                      # staff sign-in: sets a session cookie
    "/sw.js",                            # the newest worker, always straight from the app
    "/api/v1/backups/" + "0" * 32,       # one person's encrypted backup
    "/language/cy",                      # sets the lang cookie
    "/no-such-page",                     # an error
])
def test_admin_worker_backups_cookies_and_errors_are_never_cached(proxy, counts, path):
    """Asked three times, answered by the app three times."""
    for _ in range(3):
        status, headers, _ = get(proxy, path, {"Accept-Encoding": "gzip"})
        assert headers.get("X-Cache-Status") in (None, "MISS", "BYPASS"), (path, status)
    assert counts[path] == 3, f"{path} was answered without the app"


@opted_in
def test_a_request_naming_a_person_is_never_answered_from_the_cache(proxy, counts):
    """An Authorization header bypasses the cache even on a public address."""
    get(proxy, BUNDLE)
    assert get(proxy, BUNDLE)[1]["X-Cache-Status"] == CACHED
    for _ in range(2):
        assert get(proxy, BUNDLE, {"Authorization": "Bearer someone"})[1]["X-Cache-Status"] == "BYPASS"
    assert counts[BUNDLE] == 3


def test_the_appearance_can_be_changed_through_the_proxy(proxy):
    """The app's same-origin check sees the address the browser used, port and all; another site is refused."""
    form = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}
    status, headers, _ = get(proxy, "/appearance", form | {"Origin": proxy.url}, method="POST", body=b"look=weather")
    assert status == 303 and headers["Set-Cookie"].startswith("look=weather")
    status, _, _ = get(proxy, "/appearance", form | {"Origin": "http://elsewhere.example"}, method="POST",
                       body=b"look=weather")
    assert status == 403


@opted_in
def test_each_look_and_language_gets_its_own_copy(proxy, counts):
    """Nobody gets a page in another disguise or language from the cache."""
    variants = [
        ({"Cookie": "look=weather"}, 'data-look="weather"'),
        ({"Cookie": "look=calculator"}, 'data-look="calculator"'),
        ({}, 'lang="en-GB"'),
        ({"Accept-Language": "cy"}, 'lang="cy"'),
        ({"Cookie": "lang=pl", "Accept-Language": "cy"}, 'lang="pl"'),
        ({"Cookie": "lang=cy", "Accept-Language": "pl"}, 'lang="cy"'),
        ({"X-Language": "ur", "Cookie": "lang=cy"}, 'lang="ur"'),
        ({"Cookie": "lang=nonsense", "Accept-Language": "pl"}, 'lang="pl"'),
        ({"Cookie": "lang=nonsense", "Accept-Language": "cy"}, 'lang="cy"'),
    ]
    asked = 0
    for headers, marker in variants:
        # The first request must miss (a key shared with an earlier variant would find its copy), the second
        # comes from the cache if the app let it be kept; both must be this variant's page. Back to back: a
        # copy is fresh for a second. The proxy keys on X-Language (the worker's), but the app may keep pages
        # asked for with it out of shared caches; every other variant must be kept.
        status, first, body = get(proxy, "/helplines", headers)
        assert status == 200 and marker in body.decode() and first["X-Cache-Status"] == "MISS", headers
        kept = "CDN-Cache-Control" in first
        assert kept or "X-Language" in headers, f"the app did not let {headers} be kept"
        status, second, body = get(proxy, "/helplines", headers)
        assert status == 200 and marker in body.decode(), (headers, marker)
        assert second["X-Cache-Status"] == (CACHED if kept else "MISS"), headers
        asked += 1 if kept else 2
    assert counts["/helplines"] == asked


@opted_in
@pytest.mark.parametrize("accept", ["br", "gzip", "gzip, deflate, br", "br;q=0, gzip", "gzip;q=0", None])
def test_every_client_can_decode_what_it_gets(proxy, counts, accept):
    """brotli, gzip or nothing: each client gets what it asked for, fresh or cached."""
    plain = get(proxy, BUNDLE, {"Accept-Encoding": "identity"})[2]
    headers = {"Accept-Encoding": accept} if accept else {}
    for _ in range(2):  # the first from the app, the second from the cache
        status, response_headers, body = get(proxy, BUNDLE, headers)
        assert status == 200 and decoded(response_headers, body) == plain
        refused = {part.split(";")[0].strip() for part in (accept or "").split(",") if "q=0" in part}
        assert response_headers.get("Content-Encoding") not in refused
    assert response_headers["X-Cache-Status"] == CACHED


def test_revalidation_through_the_proxy_is_a_304(proxy):
    """A browser holding the current bundle gets a 304 through the proxy, a stale one the bundle."""
    _, headers, _ = get(proxy, BUNDLE, {"Accept-Encoding": "gzip"})
    status, again, body = get(proxy, BUNDLE, {"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
    status, _, body = get(proxy, BUNDLE, {"Accept-Encoding": "gzip", "If-None-Match": '"something-else"'})
    assert status == 200 and gzip.decompress(body)


@opted_in
def test_the_proxy_answers_revalidations_itself(proxy, counts):
    """An installed app's revalidation never reaches the app while the copy is fresh."""
    _, headers, _ = get(proxy, BUNDLE, {"Accept-Encoding": "gzip"})
    for _ in range(3):
        status, again, _ = get(proxy, BUNDLE, {"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})
        assert status == 304 and again["X-Cache-Status"] == CACHED
    assert counts[BUNDLE] == 1


# nginx's cache counts whole seconds, so "fresh for 1 s" lasts 1 to 2 s; the next request then gets the old copy
# once while nginx refreshes it. The goal is 2 s (`make bench` measures it); one second more is for that refresh
# on a busy machine, so the test fails on a cache that keeps copies too long, not on a slow machine.
PUBLISH_DEADLINE_S = 3


@opted_in
def test_a_publish_is_served_through_the_proxy_within_seconds(tmp_path):
    """`flask content load` of changed content reaches visitors through the cache."""
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    app, _, server = serve(tmp_path, content)
    nginx = ProxyServer(server.server.server_port)
    try:
        nginx.start()
        old = get(nginx, BUNDLE)[1]["ETag"]
        assert get(nginx, BUNDLE)[1]["X-Cache-Status"] == CACHED

        services = content / "services.toml"
        services.write_text(services.read_text().replace('name = "Police emergency"', 'name = "Police: 999"', 1))
        result = app.test_cli_runner().invoke(args=["content", "load", "--dir", str(content)])
        assert result.exit_code == 0, result.output
        published = time.monotonic()
        while (etag := get(nginx, BUNDLE)[1]["ETag"]) == old:
            assert time.monotonic() - published < PUBLISH_DEADLINE_S, "the proxy still serves the old content"
            time.sleep(0.05)
        assert "Police: 999" in get(nginx, BUNDLE)[2].decode()
        assert etag != old
    finally:
        nginx.stop()
        server.stop()


def test_the_shipped_site_file_serves_https_over_http2_and_moves_http_there(upstream):
    """deploy/nginx.conf as shipped (its ports, certificate and cache folder changed): nginx -t accepts it, it
    speaks HTTP/2 over TLS 1.2 or 1.3, the app sees the visit as HTTPS (its HSTS header), port 80 redirects."""
    site = ShippedServer(upstream[2].server.server_port)
    try:
        checked = site.check()
        assert checked.returncode == 0, checked.stderr
        site.start()
        unverified = ssl.create_default_context()
        unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
        unverified.set_alpn_protocols(["h2", "http/1.1"])
        with unverified.wrap_socket(socket.create_connection(("127.0.0.1", site.https_port))) as tls:
            assert tls.selected_alpn_protocol() == "h2"
            assert tls.version() in ("TLSv1.2", "TLSv1.3")

        unverified.set_alpn_protocols(["http/1.1"])
        connection = http.client.HTTPSConnection("127.0.0.1", site.https_port, context=unverified, timeout=10)
        connection.request("GET", "/helplines")
        response = connection.getresponse()
        assert response.status == 200 and b"<html" in response.read()
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert response.headers["Server"] == "nginx", "the version is shown"
        connection.close()

        connection = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=10)
        connection.request("GET", "/helplines?area=x")
        response = connection.getresponse()
        assert response.status == 301 and response.headers["Location"] == "https://127.0.0.1/helplines?area=x"
        connection.close()
    finally:
        site.stop()
