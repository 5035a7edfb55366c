import re

import pytest


@pytest.mark.parametrize("url", ["/", "/helplines", "/api/v1/bundle", "/api/v1/nothing", "/static/css/app.css"])
def test_security_headers_everywhere(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain http here


def test_hsts_only_over_https(client):
    headers = client.get("/", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_third_party_hosts_in_pages_or_assets(client):
    html = "".join(client.get(u).get_data(as_text=True) for u in ["/", "/helplines", "/guides", "/limits"])
    # Only plain links the person chooses to follow may point elsewhere, never anything loaded automatically.
    loaded = re.findall(r'<(?:script|link|img|iframe|source)[^>]+(?:src|href)="([^"]+)"', html)
    assert loaded and all(u.startswith("/") and not u.startswith("//") for u in loaded)
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert "url(" not in css and "@import" not in css
