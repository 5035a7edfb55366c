import re

import pytest


@pytest.mark.parametrize("url", ["/", "/helplines", "/api/v1/bundle", "/api/v1/nothing", "/sw.js",
                                 "/static/no-such-file.js", "/i18n/xx.json"])
def test_security_headers_on_every_document_and_error(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain http here


@pytest.mark.parametrize("url", ["/static/css/app.css", "/static/js/main.js", "/static/icons/plain/favicon-48.png",
                                 "/manifests/plain.webmanifest", "/i18n/ur.json", "/i18n/trusted/cy.json"])
def test_scripts_styles_pictures_and_manifests_carry_only_the_headers_that_apply_to_them(client, url):
    response = client.get(url)
    assert response.status_code == 200
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Content-Security-Policy" not in headers and "Permissions-Policy" not in headers


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


@pytest.mark.parametrize("url", ["/admin/login", "/admin/", "/api/v1/openapi.json"])
def test_security_headers_on_admin_and_spec(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    for feature in ["geolocation=()", "microphone=()", "payment=()"]:
        assert feature in headers["Permissions-Policy"]


def test_hsts_on_admin_behind_a_tls_proxy(tmp_path):
    from pwa import create_app

    # Behind one proxy that terminates TLS, X-Forwarded-Proto makes the request secure: HSTS and a Secure cookie.
    app = create_app({"TESTING": True, "TRUSTED_PROXIES": 1,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.sqlite'}"})
    response = app.test_client().get("/admin/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]
    plain = app.test_client().get("/admin/login")
    assert "Strict-Transport-Security" not in plain.headers and "Secure" not in plain.headers["Set-Cookie"]
