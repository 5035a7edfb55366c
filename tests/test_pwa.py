"""The installable web app on the server side: /sw.js and its precache list, manifests, icons, offline page."""
import hashlib
import json
import re
import shutil
import struct

import pytest
from flask import Response, redirect

from pwa import content
from pwa.extensions import db
from pwa.identities import COOKIE, IDENTITIES
from pwa.settings import PROJECT_ROOT
from support import precache_in


def worker(client) -> tuple[bytes, dict]:
    response = client.get("/sw.js")
    assert response.status_code == 200
    return response.data, precache_in(response.get_data(as_text=True))


def all_entries(precache: dict) -> list[dict]:
    """Shared entries and the pages the worker keeps per language (the same list for every language)."""
    return precache["entries"] + precache["pages"]


def urls(precache: dict) -> list[str]:
    return [entry["url"] for entry in all_entries(precache)]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_worker_is_served_at_root_never_cached_as_javascript(client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    body = response.get_data(as_text=True)
    assert "__PRECACHE_MANIFEST__" not in body and "Date.now" not in body
    assert "skipWaiting()" in body and "clients.claim()" in body


def test_precache_holds_every_page_guide_asset_and_the_bundle(client, app):
    _, precache = worker(client)
    listed = urls(precache)
    assert len(listed) == len(set(listed)), "an entry is listed twice"
    for page in ["/", "/helplines", "/guides", "/offline"]:
        assert page in listed
    # These come on a later visit (webapp.LATER_VISIT_PAGES), kept then like the pages read once.
    assert precache["later"]["visit"] == ["/plan", "/check", "/trusted", "/appearance", "/limits", "/tech-check"]
    assert not set(precache["later"]["visit"]) & set(listed)
    with app.app_context():
        slugs = db.session.scalars(db.select(content.Guide.slug)).all()
        version = content.bundle()["version"]
    in_pack = len(content.read_pack(app.config["CONTENT_DIR"]).guides)
    assert len(slugs) == in_pack and all(f"/guides/{slug}" in listed for slug in slugs)
    for asset in ["/static/css/app.css", "/static/js/main.js", "/static/js/lock.js",
                  "/static/js/components/open-now.js", "/static/js/components/sw-update.js",
                  "/static/icons/plain/favicon-48.png", "/manifests/plain.webmanifest",
                  # what the decoy that Hide shows wears, offline too
                  "/static/icons/weather/favicon-48.png", "/static/icons/weather/apple-touch-180.png",
                  "/manifests/weather.webmanifest"]:
        assert asset in listed
    bundle = next(e for e in precache["entries"] if e["url"] == "/api/v1/bundle")
    assert bundle["revision"] == version
    assert all(e["revision"] and re.fullmatch(r"[0-9a-f]+", e["revision"]) for e in all_entries(precache))
    # Never cached: the worker, the rest of the API, the admin, other identities' icons.
    assert not [u for u in listed if u == "/sw.js" or u.startswith(("/admin", "/static/sw.js"))
                or (u.startswith("/api/") and u != "/api/v1/bundle")
                or (u.startswith("/static/icons/") and not u.startswith(("/static/icons/plain/",
                                                                         "/static/icons/weather/favicon",
                                                                         "/static/icons/weather/apple")))]


def test_page_routes_are_found_automatically(app, client):
    """New GET pages join the precache by themselves; redirects, non-HTML, admin and argument routes do not."""
    app.add_url_rule("/new-page", "new_page", lambda: "<!doctype html><title>x</title>")
    app.add_url_rule("/moved", "moved", lambda: redirect("/"))
    app.add_url_rule("/data.txt", "data_txt", lambda: Response("plain", mimetype="text/plain"))
    app.add_url_rule("/admin/dashboard", "admin_dashboard", lambda: "<p>admin</p>")
    app.add_url_rule("/things/<int:thing>", "thing", lambda thing: "<p>thing</p>")
    listed = urls(worker(client)[1])
    assert "/new-page" in listed
    assert not {"/moved", "/data.txt", "/admin/dashboard"} & set(listed)
    assert not [u for u in listed if u.startswith("/things")]


def test_worker_bytes_are_stable_and_change_with_content(client, app):
    first, before = worker(client)
    assert worker(client)[0] == first  # no timestamps: the browser sees no update unless something changed
    pack = content.read_pack(app.config["CONTENT_DIR"])
    pack.services[1]["phone"] = "0808 2000 999"
    with app.app_context():
        content.load_pack(pack)
    changed, after = worker(client)
    assert changed != first and after["version"] != before["version"] and after["build"] != before["build"]
    revisions = lambda p: {e["url"]: e["revision"] for e in all_entries(p)}  # noqa: E731
    old, new = revisions(before), revisions(after)
    assert old["/helplines"] != new["/helplines"] and old["/api/v1/bundle"] != new["/api/v1/bundle"]
    assert old["/static/css/app.css"] == new["/static/css/app.css"]  # unchanged files are not fetched again


def test_worker_bytes_change_when_a_static_file_changes(app, client, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(PROJECT_ROOT / "pwa" / "static", static)
    app.static_folder = str(static)
    first, before = worker(client)
    (static / "css" / "app.css").write_text("body { color: black; }\n")
    changed, after = worker(client)
    assert changed != first
    old = {e["url"]: e["revision"] for e in before["entries"]}
    new = {e["url"]: e["revision"] for e in after["entries"]}
    assert old["/static/css/app.css"] != new["/static/css/app.css"]
    assert old["/static/js/main.js"] == new["/static/js/main.js"]


def test_worker_precaches_the_current_identitys_icons_and_manifest(client):
    plain = worker(client)[1]
    client.set_cookie(COOKIE, "calculator")
    precache = worker(client)[1]
    # Same build (code and content), another identity: the browser may switch to it without asking.
    assert (plain["identity"], precache["identity"]) == ("plain", "calculator")
    assert plain["build"] == precache["build"] and plain["version"] != precache["version"]
    listed = urls(precache)
    assert "/manifests/calculator.webmanifest" in listed and "/manifests/plain.webmanifest" not in listed
    assert "/static/icons/calculator/favicon-48.png" in listed
    assert not [u for u in listed if u.startswith("/static/icons/") and "/calculator/" not in u]


@pytest.mark.parametrize("key", IDENTITIES)
def test_manifest_per_identity(client, key):
    identity = IDENTITIES[key]
    response = client.get(f"/manifests/{key}.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["id"] == f"/app/{key}"
    assert manifest["name"] == identity.name and manifest["short_name"] == identity.short_name
    assert manifest["start_url"] == identity.start_url and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["lang"] == "en-GB"
    assert manifest["theme_color"] == identity.theme_color
    assert manifest["background_color"] == identity.background_color
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _), src in icons.items():
        assert f"/icons/{key}/" in src
        image = client.get(src)
        assert image.status_code == 200 and image.mimetype == "image/png"
        assert "x".join(map(str, png_size(image.data))) == sizes
    if identity.disguise:
        # Nothing in a disguise's manifest may give the real app away.
        assert "open door" not in response.get_data(as_text=True).lower()
        assert manifest["description"] == identity.name
    assert client.get(f"/manifests/{key}.webmanifest",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_every_identity_has_a_favicon_and_apple_touch_icon():
    for key in IDENTITIES:
        folder = PROJECT_ROOT / "pwa" / "static" / "icons" / key
        assert png_size((folder / "favicon-48.png").read_bytes()) == (48, 48)
        assert png_size((folder / "apple-touch-180.png").read_bytes()) == (180, 180)


def test_unknown_manifest_is_not_found(client):
    assert client.get("/manifests/nothing.webmanifest").status_code == 404


def test_plain_manifest_uses_the_deployments_name(app, client):
    app.config["APP_NAME"] = "Safe Space"
    manifest = client.get("/manifests/plain.webmanifest").get_json(force=True)
    assert manifest["name"] == "Safe Space"


@pytest.mark.parametrize("key", IDENTITIES)
def test_pages_link_the_identitys_manifest_and_favicon(client, key):
    client.set_cookie(COOKIE, key)
    html = client.get("/helplines").get_data(as_text=True)
    assert f'<link rel="manifest" href="/manifests/{key}.webmanifest">' in html
    assert f'<link rel="icon" href="/static/icons/{key}/favicon-48.png" type="image/png">' in html
    assert 'data-module="sw-update"' in html and "hidden" in html.split('data-module="sw-update"')[1][:40]


def test_offline_page_gives_emergency_numbers_under_a_neutral_title(client):
    response = client.get("/offline")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Open Door</title>" in html
    assert 'href="tel:999"' in html and 'href="tel:08082000247"' in html
    assert 'href="/helplines"' in html


@pytest.mark.parametrize("path", ["/", "/helplines", "/journal", "/weather", "/offline"])
def test_pages_are_kept_out_of_the_browsers_own_caches(client, path):
    """No HTTP cache copy, and no back/forward cache copy that Back could paint after a hide."""
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store" and "Cookie" in response.headers["Vary"]
    assert "ETag" not in response.headers


@pytest.mark.parametrize("url", ["/manifests/plain.webmanifest", "/static/css/app.css"])
def test_a_failed_if_match_is_an_error_page_that_is_never_stored(client, url):
    with client.get(url) as page:
        resource = page.data
    response = client.get(url, headers={"If-Match": '"junk"'})
    assert response.status_code == 412 and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    assert response.data != resource and b"Precondition Failed" in response.data


@pytest.mark.parametrize("url", ["/", "/guides/safety-plan", "/manifests/plain.webmanifest", "/sw.js",
                                 "/static/css/app.css"])
@pytest.mark.parametrize("headers", [{"If-Match": "*"}, {"If-Unmodified-Since": "junk"},
                                     {"If-Unmodified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
                                     {"If-None-Match": "junk"}, {"If-Modified-Since": "junk"},
                                     {"If-Range": "junk", "Range": "bytes=0-1"}])
def test_other_junk_preconditions_get_the_whole_resource(client, url, headers):
    # "*" matches any current version. Nothing here has a Last-Modified date, so If-Unmodified-Since has
    # nothing to compare with: it is ignored.
    with client.get(url, headers=headers) as response:
        assert response.status_code == 200


@pytest.mark.parametrize("url", ["/", "/guides/safety-plan", "/offline"])
def test_pages_have_no_etag_so_an_if_match_cannot_fail_on_them(client, url):
    response = client.get(url, headers={"If-Match": '"junk"'})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/", "/guides/safety-plan", "/manifests/plain.webmanifest", "/sw.js"])
def test_ranges_of_pages_are_not_offered(client, url):
    for value in ("bytes=junk", "bytes=0-9", "bytes=99999999-"):
        response = client.get(url, headers={"Range": value})
        assert response.status_code == 200 and "Content-Range" not in response.headers


def test_an_unsatisfiable_range_of_a_static_file_is_an_error_that_is_never_stored(client):
    with client.get("/static/css/app.css", headers={"Range": "bytes=0-9"}) as partial:
        assert partial.status_code == 206
    for value in ("bytes=junk", "bytes=99999999-"):
        response = client.get("/static/css/app.css", headers={"Range": value})
        assert response.status_code == 416 and response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/static/css/app.css", "/static/js/main.js", "/static/icons/plain/favicon-48.png"])
def test_static_files_carry_only_the_headers_they_need_and_still_answer_304(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.headers["ETag"]
    for name in ("Content-Disposition", "Last-Modified", "Accept-Ranges"):
        assert name not in response.headers, name
    digest = hashlib.sha256((PROJECT_ROOT / "pwa" / url.lstrip("/")).read_bytes()).hexdigest()
    assert response.headers["ETag"] == f'"{digest[:16]}"'  # the file's digest, short
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-None-Match": f'W/"{digest[:16]}"'}).status_code == 304  # as compressed
    assert client.get(url, headers={"If-None-Match": '"0000000000000000"'}).status_code == 200


def test_text_is_compressed_with_brotli_or_gzip_as_the_browser_accepts(app, client):
    import gzip

    import brotli

    app.config["COMPRESS_RESPONSES"] = True  # the default outside tests

    plain = client.get("/helplines")
    packed = client.get("/helplines", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert packed.headers["Content-Encoding"] == "br" and "Accept-Encoding" in packed.headers["Vary"]
    assert brotli.decompress(packed.data) == plain.data
    gzipped = client.get("/helplines", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(gzipped.data) == plain.data
    assert len(packed.data) < len(gzipped.data) < len(plain.data) / 2
    script = client.get("/static/js/journal/entries.js", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(script.data) == client.get("/static/js/journal/entries.js").data
    bundle = client.get("/api/v1/bundle", headers={"Accept-Encoding": "gzip"})
    assert bundle.headers["Content-Encoding"] == "gzip"
    assert client.get("/api/v1/bundle", headers={"If-None-Match": bundle.headers["ETag"]}).status_code == 304
    css = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(css.data) == client.get("/static/css/app.css").data
    icon = client.get("/static/icons/plain/any-192.png", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in icon.headers  # PNGs are compressed already
    app.config["COMPRESS_RESPONSES"] = False  # e.g. behind a proxy that compresses
    assert "Content-Encoding" not in client.get("/helplines", headers={"Accept-Encoding": "gzip"}).headers


def test_admin_pages_and_cookie_setting_responses_are_left_alone(app, client):
    """They may carry secrets: no compression (BREACH) and no ETag for a shared cache to key on."""
    page = "<!doctype html><p>" + "token " * 400 + "</p>"
    app.add_url_rule("/admin/preview", "admin_preview", lambda: page)
    app.config["COMPRESS_RESPONSES"] = True

    def sets_cookie():
        response = Response(page, mimetype="text/html")
        response.set_cookie("look", "notes")
        return response
    app.add_url_rule("/sets-cookie", "sets_cookie", sets_cookie)
    for path in ["/admin/preview", "/sets-cookie"]:
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in response.headers and "ETag" not in response.headers, path


def test_worker_bytes_do_not_depend_on_where_the_app_is_installed(tmp_path):
    """Two servers of one deployment, installed in different folders, must not make browsers update."""
    from conftest import make_app

    copies = []
    for name in ("one", "two"):
        folder = tmp_path / name
        shutil.copytree(PROJECT_ROOT / "pwa", folder / "pwa", ignore=shutil.ignore_patterns("__pycache__"))
        app = make_app(f"sqlite:///{tmp_path / name}.sqlite")
        app.root_path = str(folder / "pwa")
        app.static_folder = str(folder / "pwa" / "static")
        app.template_folder = "templates"
        copies.append(worker(app.test_client())[0])
    assert copies[0] == copies[1]


def test_the_backups_code_is_kept_on_demand_under_one_revision_that_follows_its_files(client, app, tmp_path):
    """The backup and restore modules are not precached (the cold visit), but listed to keep once used; one
    revision for the folder, which changes when any of its files does."""
    from pwa import webapp

    _, precache = worker(client)
    backup = [e for e in precache["onDemand"] if e["url"].startswith("/static/js/journal/backup/")]
    assert {e["url"].rsplit("/", 1)[1] for e in backup} == {"wire.js", "device.js", "screens.js"}
    assert not [u for u in urls(precache) if u.startswith("/static/js/journal/backup/")]
    assert len({e["revision"] for e in backup}) == 1
    vendor = {e["revision"] for e in precache["onDemand"] if e["url"].startswith("/static/vendor/")}
    assert len(vendor) == 1 and vendor != {backup[0]["revision"]}
    with app.test_request_context():
        statics = webapp.static_files(app, "plain", "weather")
        before = webapp.group_revision(statics, "js/journal/backup/*")
        statics["js/journal/backup/wire.js"] = "0" * 64
        assert webapp.group_revision(statics, "js/journal/backup/*") != before
        assert before == backup[0]["revision"]
