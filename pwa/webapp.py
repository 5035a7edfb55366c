"""The installable, offline-first web app: the service worker, one manifest per identity, the offline page.

The worker's precache list is built from the app itself rather than by hand: every page route without
URL arguments, every guide, the static files pages use, this identity's manifest and the content
bundle. Each entry's revision is hashed from bytes (files), from the content version plus templates
and code (pages), or is the bundle's version, so /sw.js changes whenever anything it caches does; the
browser then installs a new worker that waits for the user's word (static/js/components/sw-update.js).
Static files under ON_DEMAND are listed apart: the worker keeps them once a page uses them, not at install
(and those under KEPT_FOR_OFFLINE on a later visit, by itself).
With a national pack (more local areas than AREAS_ON_ONE_PAGE) the list holds national help, the HOME_AREAS pages
and the first GUIDES_PRECACHED guides, not the bundle; other areas and guides are "later" pages, kept once opened.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import threading
from fnmatch import fnmatch
from dataclasses import asdict
from pathlib import Path

import brotli
import rcssmin
import rjsmin
from flask import Blueprint, Flask, Response, abort, current_app, render_template, request, url_for
from werkzeug.security import safe_join

from . import content, disguise, i18n, i18n_json, identities, views
from .api.responses import body_etag, cached_json, json_body
from .api.views import bundle_version
from .extensions import db
from .models import Guide

bp = Blueprint("webapp", __name__)


WORKER_SOURCE = Path(__file__).parent / "static" / "sw.js"
MANIFEST_MARKER = '"__PRECACHE_MANIFEST__"'
# Never precached: the worker itself, the JSON API (only the bundle is), the agency admin, other manifests, the
# receipt-signing key (/.well-known/).
NOT_PAGES = ("/sw.js", "/api/", "/admin", "/manifests/", "/static/", "/.well-known/")
ICON_FILES = {  # file in static/icons/<identity>/: (sizes, purpose)
    "any-192.png": ("192x192", "any"),
    "any-512.png": ("512x512", "any"),
    "maskable-512.png": ("512x512", "maskable"),
}
FAVICON = "favicon-48.png"
APPLE_TOUCH_ICON = "apple-touch-180.png"
# Static files only some people need, big enough to matter on data credit: listed to the worker, which keeps
# them once a page has fetched them (and carries them over to new versions), but not fetched at install.
# vendor/zxcvbn-ts/: the journal's passphrase strength estimator, fetched when a new passphrase is typed.
# The manifest's big icons: the browser fetches them itself when the app is installed, online.
# js/journal/backup/: the journal's backup and restore, imported when turned on or used (kept for offline after).
# js/check/: the risk self-check's result, imported by its page only.
# js/plan/: the safety plan's page, imported on /plan only (it uses the journal's modules, which are precached).
# js/trusted/ and css/trusted.css: the trusted contacts' page, likewise on /trusted only.
ON_DEMAND = ("vendor/*", "js/journal/backup/*", "js/check/*", "js/plan/*", "js/trusted/*", "css/trusted.css",
             "icons/*/any-512.png", "icons/*/maskable-512.png")
# On-demand groups the worker also fetches by itself on a later visit, online and idle, so that they work offline
# before their first use: the safety plan's, the self-check's and the trusted contacts' modules, with their pages
# (LATER_VISIT_PAGES). A first visit never fetches them: its bytes go to the helplines. Not the others: the strength
# estimator is large, backup needs the network anyway, and the browser fetches the big icons itself when the app is
# installed.
KEPT_FOR_OFFLINE = ("js/plan/*", "js/check/*", "js/trusted/*", "css/trusted.css")
# Their pages come on that later visit too, and so do three pages that can wait: the appearance page (choosing a look
# needs the server anyway), what the app cannot hide, and the tech-safety check (long, and not for a crisis). Kept
# like "later" pages, in every saved language and across updates, but fetched by the worker itself rather than once
# opened.
LATER_VISIT_PAGES = ("pages.plan", "pages.check", "pages.trusted", "disguise.appearance", "pages.limits",
                     "pages.tech_check")
COMPRESSIBLE = {"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                "application/manifest+json", "image/svg+xml"}
MIN_COMPRESS_BYTES = 1000


def group_revision(statics: dict[str, str], pattern: str) -> str:
    """One revision for all the on-demand files a pattern names (a folder's modules change together): the worker's
    list, which every first visit downloads, then repeats one hash instead of carrying one per file."""
    return sha256(json.dumps([[name, value] for name, value in statics.items() if fnmatch(name, pattern)]))[:20]


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


class FileDigests:
    """sha256 of files, recomputed only when a file's size or modification time changes."""

    def __init__(self):
        self._known: dict[Path, tuple[tuple[int, int], str]] = {}

    def of(self, path: Path) -> str:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        known = self._known.get(path)
        if known is None or known[0] != stamp:
            known = (stamp, sha256(path.read_bytes()))
            self._known[path] = known
        return known[1]

    def of_tree(self, folder: Path, pattern: str = "*") -> dict[str, str]:
        return {path.relative_to(folder).as_posix(): self.of(path)
                for path in sorted(folder.rglob(pattern)) if path.is_file() and not path.name.startswith(".")}


digests = FileDigests()
_pages_found: dict[str, list[str]] = {}  # site version -> page paths that render as HTML
_pages_lock = threading.Lock()


def identity_named(key: str) -> identities.Identity:
    if key not in identities.IDENTITIES:
        abort(404)
    return identities.presented(identities.IDENTITIES[key])


def icon_url(identity_key: str, filename: str) -> str:
    return url_for("static", filename=f"icons/{identity_key}/{filename}")


def build_manifest(identity: identities.Identity) -> dict:
    base = json.loads(Path(current_app.config["BASE_MANIFEST"]).read_text(encoding="utf-8"))
    return base | {
        "id": f"/app/{identity.key}",
        # Chrome's install dialog can show the description: a disguise's says nothing more than its name.
        "description": identity.name if identity.disguise else base.get("description", identity.name),
        "name": identity.name,
        "short_name": identity.short_name,
        "start_url": identity.start_url,
        "scope": "/",
        "theme_color": identity.theme_color,
        "background_color": identity.background_color,
        "icons": [{"src": icon_url(identity.key, name), "sizes": sizes, "type": "image/png", "purpose": purpose}
                  for name, (sizes, purpose) in ICON_FILES.items()],
    }


def code_version(app: Flask) -> str:
    """Python and template sources and compiled catalogues: a deploy that changes how pages render changes their
    revisions."""
    sources = digests.of_tree(Path(app.root_path), "*.py")
    sources |= {f"translations/{name}": value
                for name, value in digests.of_tree(Path(app.root_path) / "translations", "*.mo").items()}
    for folder in template_folders(app):
        # Relative names: every server of a deployment gives the same bytes, wherever it is installed.
        where = os.path.relpath(folder, app.root_path)
        sources |= {f"{where}/{name}": value for name, value in digests.of_tree(folder).items()}
    return sha256(json.dumps(sources, sort_keys=True))


def template_folders(app: Flask) -> list[Path]:
    roots = [(app.root_path, app.template_folder)]
    roots += [(blueprint.root_path, blueprint.template_folder) for blueprint in app.blueprints.values()]
    return sorted({Path(root) / folder for root, folder in roots if folder and (Path(root) / folder).is_dir()})


def static_files(app: Flask, identity_key: str, decoy_key: str) -> dict[str, str]:
    """Static files the public pages use: everything but the worker source and admin assets, this identity's
    icons, and the favicons its decoy page wears (the plain look hides to a decoy of another identity)."""
    decoy_icons = {f"icons/{decoy_key}/{FAVICON}", f"icons/{decoy_key}/{APPLE_TOUCH_ICON}"}
    found = {}
    for name, value in digests.of_tree(Path(app.static_folder)).items():
        parts = name.split("/")
        if name == "sw.js" or any(part.startswith("admin") for part in parts):
            continue
        if parts[0] == "icons" and (len(parts) != 3 or parts[1] != identity_key) and name not in decoy_icons:
            continue
        found[name] = value
    return found


def page_candidates(app: Flask) -> list[str]:
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in (rule.methods or ()) and not rule.arguments and not rule.rule.startswith(NOT_PAGES)})


def page_paths(app: Flask, identity_key: str, candidates: list[str], site_version: str) -> list[str]:
    """The candidates that render as an HTML page, found by asking the app once per site version."""
    with _pages_lock:
        if site_version in _pages_found:
            return list(_pages_found[site_version])
    client = app.test_client()
    client.set_cookie(identities.COOKIE, identity_key)
    pages = []
    for path in candidates:
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append(path)
        response.close()
    with _pages_lock:
        if len(_pages_found) > 64:  # old versions: keep memory bounded
            _pages_found.clear()
        _pages_found[site_version] = pages
    return list(pages)  # callers may extend their copy


def precache_manifest(identity: identities.Identity) -> dict:
    """What the worker stores for offline use, each entry with a revision that changes when its bytes do."""
    app = current_app._get_current_object()
    content_version = bundle_version()  # kept in memory per content version (response_cache)
    decoy = identities.IDENTITIES[disguise.decoy_for(identity)]
    statics = static_files(app, identity.key, decoy.key)
    guide_slugs = list(db.session.scalars(db.select(Guide.slug).order_by(Guide.position, Guide.slug)))
    candidates = page_candidates(app)
    # Everything but the identity: when only the appearance changed, the worker can switch at once.
    build = sha256(json.dumps([code_version(app), digests.of(WORKER_SOURCE), content_version, guide_slugs, candidates,
                               {name: value for name, value in statics.items() if not name.startswith("icons/")}]))
    site_version = sha256(json.dumps([build, asdict(identity)]))

    later_visit = [url_for(endpoint) for endpoint in LATER_VISIT_PAGES]
    pages = [path for path in page_paths(app, identity.key, candidates, site_version) if path not in later_visit]
    # Guides: the first GUIDES_PRECACHED by position are saved at install; the others once read (`later`).
    saved_guides = app.config["GUIDES_PRECACHED"]
    pages += [url_for("pages.guide", slug=slug) for slug in guide_slugs[:saved_guides]]
    later_pages = [url_for("pages.guide", slug=slug) for slug in guide_slugs[saved_guides:]] + later_visit
    # A national pack (views.helplines): /helplines holds national help, and each area has its own page. The agency's
    # HOME_AREAS are saved at install; any other once opened, and kept across updates (sw.js, "kept pages").
    one_page = views.areas_on_one_page()
    if not one_page:
        local = {slug for slug, _ in content.local_area_choices()}
        home = [slug for slug in app.config["HOME_AREAS"] if slug in local]
        pages += [url_for("pages.helplines", area=slug) for slug in home]
    # Pages render in the person's language, so the worker keeps them per language: it stores each under its
    # revision and a language (sw.js), precaching only the current one and others once chosen. One list for every
    # language, so /sw.js is the same whatever the language and a new choice installs nothing. The decoys are
    # English in every language (README, Languages): precached once, with the static files.
    decoys = {url_for(f"disguise.{key}") for key in disguise.DECOYS}
    entries = [{"url": path, "revision": sha256(site_version + path)[:20]} for path in pages if path in decoys]
    language_pages = [{"url": path, "revision": sha256(site_version + path)[:20]} for path in pages
                      if path not in decoys]
    on_demand = language_parts()
    groups = {pattern: group_revision(statics, pattern) for pattern in ON_DEMAND}
    for name, value in statics.items():
        pattern = next((pattern for pattern in ON_DEMAND if fnmatch(name, pattern)), None)
        if pattern is None:
            entries.append({"url": url_for("static", filename=name), "revision": value[:20]})
        else:
            on_demand.append({"url": url_for("static", filename=name), "revision": groups[pattern],
                              **({"later": 1} if pattern in KEPT_FOR_OFFLINE else {})})
    # A manifest's revision begins its ETag (the body's digest), so the worker can take the page's copy as it is.
    entries += [{"url": url_for("webapp.manifest", key=key),
                 "revision": body_etag(json_body(build_manifest(identity_named(key))))[:20]}
                for key in dict.fromkeys([identity.key, decoy.key])]
    if one_page:
        # The whole bundle only while it is small: the pages hold what the app shows, and no script reads the
        # bundle (the API keeps it whole for API clients). At national scale it is megabytes.
        entries.append({"url": url_for("api.bundle"), "revision": content_version})
    # Pages the worker keeps once opened, across updates (one revision for all: any content change revises them):
    # these guides, the plan and the check (also fetched on a later visit: "visit"), and at national scale every
    # area's contacts page (/helplines?area=<slug>).
    later = {"revision": sha256(site_version + "later")[:20], "pages": later_pages, "visit": later_visit,
             **({} if one_page else {"areas": url_for("pages.helplines")})}
    languages = {tag: language_files(tag) for tag in i18n.CHOOSABLE}
    return {"version": sha256(json.dumps([entries, on_demand, language_pages, languages, later]))[:16],
            "build": build[:16], "identity": identity.key, "entries": entries, "onDemand": on_demand,
            "pages": language_pages, "languages": languages, "later": later}


def language_files(tag: str) -> list[dict]:
    """Files kept per language besides its pages (each {"url", "revision"}), e.g. the scripts' /i18n/<tag>.json:
    the worker saves them with the language's pages, and only for languages saved on the phone."""
    modules_text = i18n_json.catalogue_json(tag)  # the scripts' text; none for English and Easy Read
    if modules_text is None:
        return []
    return [{"url": url_for("i18n_json.catalogue", lang=tag), "revision": sha256(modules_text)[:20]}]


def language_parts() -> list[dict]:
    """The modules' text for screens imported on demand (i18n_json.PARTS), one file per part and language: listed
    with the on-demand files, kept by the worker once a page fetches it (as it keeps those screens' modules), so
    they stay translated offline once opened, and never fetched on a first visit. A part whose modules are
    KEPT_FOR_OFFLINE is marked `later` with its language: the worker fetches it with them, in saved languages only."""
    return [{"url": url_for("i18n_json.part_catalogue", part=part, lang=tag), "revision": sha256(text)[:20],
             **({"later": 1, "lang": tag} if f"js/{pattern}" in KEPT_FOR_OFFLINE else {})}
            for part, pattern in i18n_json.PARTS.items() for tag in i18n.CHOOSABLE
            if (text := i18n_json.catalogue_json(tag, part)) is not None]


@bp.get("/sw.js")
def service_worker():
    source = WORKER_SOURCE.read_text(encoding="utf-8")
    if not current_app.debug:
        source = minified_text(source.encode("utf-8"), "text/javascript").decode("utf-8")
    precache = json.dumps(precache_manifest(identities.current()), separators=(",", ":"))
    body = source.replace(MANIFEST_MARKER, precache, 1)
    response = Response(body, mimetype="text/javascript")
    # The browser must always see the newest worker, straight from the server.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")  # the look; not the language, which the worker follows by itself
    return response


@bp.get("/manifests/<key>.webmanifest")
def manifest(key: str):
    response = cached_json(build_manifest(identity_named(key)))
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline")
def offline():
    return render_template("offline.html", services=views.first_services())


@bp.app_template_global()
def identity_icon(identity: identities.Identity, filename: str = FAVICON) -> str:
    return icon_url(identity.key, filename)


@bp.after_app_request
def fit_for_a_bad_network(response: Response) -> Response:
    return compress(keep_pages_out_of_browser_caches(minified(lean_static_headers(response))))


# Sent with every static file and useless here: the ETag already answers conditional requests, nothing is
# downloaded as a file, and nothing asks for part of a script. About 110 bytes a response, twice per file on a
# first visit (the page's request, then the worker's precache).
UNNEEDED_STATIC_HEADERS = ("Content-Disposition", "Last-Modified", "Accept-Ranges")
STATIC_ETAG_CHARS = 16


def lean_static_headers(response: Response) -> Response:
    if request.endpoint == "static":
        for name in UNNEEDED_STATIC_HEADERS:
            response.headers.pop(name, None)
        if response.status_code in (200, 304) and "ETag" in response.headers:
            # The file's own digest (as its precache revision) instead of Werkzeug's time-size-checksum: half the
            # length, on every static response and every revalidation of one.
            path = safe_join(current_app.static_folder, request.view_args["filename"])
            response.set_etag(digests.of(Path(path))[:STATIC_ETAG_CHARS])
            response.make_conditional(request)  # a 304 for a browser holding the file under this ETag
    return response


# Scripts and styles are written to be read, with comments saying why; phones get them without the comments and
# spaces (rjsmin/rcssmin, tokenisers that know strings, regular expressions and template literals). A fifth off
# every script and style, most of them precached on a first visit. Off in debug, to read what is served.
MINIFIERS = {"text/javascript": rjsmin.jsmin, "text/css": rcssmin.cssmin}


def minified(response: Response) -> Response:
    if response.mimetype not in MINIFIERS or current_app.debug or response.status_code != 200 \
            or request.endpoint != "static":
        return response
    response.direct_passthrough = False  # static files arrive as a file wrapper
    response.set_data(minified_text(response.get_data(), response.mimetype))
    return response


@functools.lru_cache(maxsize=256)
def minified_text(body: bytes, mimetype: str) -> bytes:
    return MINIFIERS[mimetype](body.decode("utf-8")).encode("utf-8")


def keep_pages_out_of_browser_caches(response: Response) -> Response:
    """Pages are no-store: the browser keeps no copy of them in its HTTP cache, and keeps no-store pages out of
    its back/forward cache (Chromium evicts them when a cookie changes, which quick-hide does), so Back after a
    hide has nothing to paint from memory. The service worker keeps its own copies for offline use."""
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
        # Pages render in the identity the `look` cookie names, in the language of `lang` or Accept-Language.
        response.vary.update(("Cookie", "Accept-Language"))
    return response


def compress(response: Response) -> Response:
    """Brotli (or gzip for browsers without it) for text: pages, scripts, styles and JSON shrink to a fifth.

    Never for admin pages or responses setting cookies (they may carry secrets: BREACH)."""
    accepts = request.accept_encodings
    if (not current_app.config["COMPRESS_RESPONSES"]
            or response.status_code != 200 or response.mimetype not in COMPRESSIBLE or private(response)
            or "Content-Encoding" in response.headers or "Content-Range" in response.headers
            or (response.is_streamed and not response.direct_passthrough)  # a generator: leave it streaming
            or not (accepts["br"] or accepts["gzip"])):
        return response
    response.direct_passthrough = False  # static files arrive as a file wrapper
    body = response.get_data()
    response.vary.add("Accept-Encoding")
    if len(body) < MIN_COMPRESS_BYTES:
        return response
    if accepts["br"]:
        response.set_data(brotli_compressed(body))
        response.headers["Content-Encoding"] = "br"
    else:
        response.set_data(gzip_compressed(body))
        response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)  # another encoding of the same content (as nginx does)
    return response


# Brotli's best quality makes the first visit (every page, script and style the worker precaches) about 18%
# smaller than gzip, but costs about 5 ms a file: each body is compressed once and kept, since the same pages and
# files are sent again and again until the next publish or release. Keyed by the bytes themselves (bounded).
@functools.lru_cache(maxsize=512)
def brotli_compressed(body: bytes) -> bytes:
    return brotli.compress(body, quality=11 if len(body) <= 512 * 1024 else 5)


# Kept likewise, for browsers without Brotli: the same bundle and pages again and again until the next publish.
@functools.lru_cache(maxsize=256)
def gzip_compressed(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def private(response: Response) -> bool:
    return "Set-Cookie" in response.headers or request.path.startswith("/admin")
