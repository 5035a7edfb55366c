"""Responses built once per content version and kept in memory, and the headers that let shared caches keep them.

What is kept, per worker (each bounded, least recently used first out):
- the content API's JSON bodies (api/responses.content_json), by content version, path and validated query;
- the public pages in CACHED_PAGES, by content version, path and query, look and language: the view's output
  (status 200, its headers and body) before the after-request hooks, which still run on every response (security
  headers, no-store, compression: webapp.compress keeps each encoding of a body once).
A body that asked the time while it was built (hours.is_open: "open now", a service's check date) is kept for
that minute only: opening hours change on the minute, so it is what a fresh build would give.

A kept body is exactly a fresh build's: everything a page is made from is in its key, or is the app's own
settings and code, which a worker keeps until it restarts (the caches are the app's). Nothing that reads the
session (an admin's flashed messages, CSRF tokens), sets a cookie or fails is kept. Off in debug (templates reload).

Shared caches (deploy/nginx.conf, a CDN): a response that is the same for everyone asking for the same path and
query with the same `look` and `lang` cookies, Accept-Language and Accept-Encoding carries
`CDN-Cache-Control: max-age=1, stale-while-revalidate=30` (RFC 9213), and only those may be kept by the proxy.
Browsers go on reading Cache-Control, unchanged: no-store for pages (back/forward cache and quick-hide), no-cache
for JSON and static files. Not `max-age=0, s-maxage=1, stale-while-revalidate=30`: stale-while-revalidate applies
to the browser's own cache too, so a browser could show a number up to 30 s old without asking.
"""
from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

from flask import Flask, Response, current_app, g, has_request_context, make_response, request
from flask.globals import _cv_request
from flask.sessions import NullSession
from sqlalchemy.exc import SQLAlchemyError

from . import content_version, i18n, identities
from .extensions import db

SHARED_CACHE_CONTROL = "max-age=1, stale-while-revalidate=30"
ASKED_THE_TIME = "open_door_asked_the_time"  # in flask.g while a body is built


@dataclass(frozen=True)
class Kept:
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    etag: str | None = None
    minute: int | None = None  # kept for this minute only (it asked the time), or None: until the content changes


class Bounded:
    """Least recently used entries leave first, past `entries` or `max_bytes` of bodies."""

    def __init__(self, entries: int, max_bytes: int):
        self.entries, self.max_bytes = entries, max_bytes
        self._items: OrderedDict[tuple, Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Kept | None:
        with self._lock:
            kept = self._items.get(key)
            if kept is not None:
                self._items.move_to_end(key)
            return kept

    def put(self, key: tuple, kept: Kept) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            self._bytes -= len(old.body) if old else 0
            self._items[key] = kept
            self._bytes += len(kept.body)
            while self._items and (len(self._items) > self.entries or self._bytes > self.max_bytes):
                _, gone = self._items.popitem(last=False)
                self._bytes -= len(gone.body)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


class Caches:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        # The bundle (25 KB for the default pack) and the other content JSON; one page is 10 to 40 KB.
        self.json = Bounded(entries=512, max_bytes=16 * 1024 * 1024)
        self.pages = Bounded(entries=1024, max_bytes=32 * 1024 * 1024)
        self._version: str | None = None

    def for_version(self, version: str) -> None:
        """Entries of an older version can never be asked for again: make room at once."""
        if version != self._version:
            self.json.clear()
            self.pages.clear()
            self._version = version


def caches(app: Flask | None = None) -> Caches:
    return (app or current_app).extensions["response_cache"]


def this_minute() -> int:
    return int(time.time() // 60)


def asked_the_time() -> None:
    """Called by what depends on the time of the request (hours.is_open): the body is kept for this minute only."""
    if has_request_context():
        g.setdefault(ASKED_THE_TIME, True)


def kept_or_built(bounded: Bounded, key: tuple, build) -> Kept:
    """The kept entry for `key`, or build() (which returns a Kept, or raises: nothing kept) and keep it."""
    minute = this_minute()  # before building: a build that runs into the next minute is not kept past it
    kept = bounded.get(key)
    if kept is not None and kept.minute in (None, minute):
        return kept
    g.pop(ASKED_THE_TIME, None)
    kept = build()
    if g.pop(ASKED_THE_TIME, False):
        kept = replace(kept, minute=minute)
    bounded.put(key, kept)
    return kept


def current_version() -> str:
    version = content_version.current()
    caches().for_version(version)
    return version


# Pages ------------------------------------------------------------------------------------------------------

def no_query(args) -> bool:
    return not args


def only(*names: str):
    """The page reads these query parameters, each at most once (the view answers 404 to an unknown value)."""
    def valid(args) -> bool:
        return all(name in names and len(args.getlist(name)) == 1 for name in args)
    return valid


def appearance_query(args) -> bool:
    return only("saved")(args) and args.get("saved", identities.DEFAULT.key) in identities.IDENTITIES


# Public pages that are a function of (path and query, look, language, content version) and the app's settings
# and code only, each with the queries kept (others are rendered every time). Not kept: the admin (sessions,
# CSRF tokens, flashed messages), /language/<tag> (sets a cookie), POST /appearance, errors, /sw.js (webapp.py).
CACHED_PAGES = {
    "pages.home": no_query,
    "pages.helplines": only("area", "category"),
    "pages.guides": no_query,
    "pages.guide": no_query,  # an unknown slug is a 404: never kept
    "pages.check": no_query,
    "pages.worried": no_query,
    "pages.limits": no_query,
    "pages.plan": no_query,
    "pages.tech_check": no_query,
    "journal.index": no_query,
    "webapp.offline": no_query,
    "disguise.calculator": no_query,
    "disguise.weather": no_query,
    "disguise.notes": no_query,
    "disguise.appearance": appearance_query,
}
# Never kept even if the view gave them: the response's length is worked out again for the body it is sent with.
UNKEPT_HEADERS = {"content-length", "set-cookie"}


def page_key(version: str) -> tuple:
    # chosen_tag: the worker's X-Language header, else the lang cookie, else Accept-Language, as pages render.
    return (version, request.path, request.query_string, identities.current().key, i18n.chosen_tag())


def keepable(response: Response) -> bool:
    return (response.status_code == 200 and response.mimetype == "text/html" and not response.is_streamed
            and not response.direct_passthrough and "Set-Cookie" not in response.headers and not read_session())


def read_session() -> bool:
    """Whether this request used the session (the admin's flashed messages, CSRF tokens, sign-in).

    Read from the request context: asking the `session` proxy would itself count as using it (Flask 3.1.3+), and
    then add Vary: Cookie to the response."""
    context = _cv_request.get(None)
    used = getattr(context, "_session", None) or vars(context or object()).get("session")
    return used is not None and not isinstance(used, NullSession) and bool(used.accessed or used.modified)


def cached_page(view, valid_query):
    @functools.wraps(view)
    def page(**kwargs):
        if not caches().enabled or request.method not in ("GET", "HEAD") or not valid_query(request.args):
            return view(**kwargs)
        try:
            version = current_version()
        except SQLAlchemyError:
            # No content version to key it by (say, the tables are not made yet): rendered as before caching, so
            # a page that reads no content (the journal, the decoys) still works, and one that does fails as it did.
            db.session.rollback()
            return view(**kwargs)
        bounded = caches().pages
        key = page_key(version)
        built: list[Response] = []

        def build() -> Kept:
            response = make_response(view(**kwargs))
            built.append(response)
            if not keepable(response):
                raise NotKept()
            headers = tuple((name, value) for name, value in response.headers.items()
                            if name.lower() not in UNKEPT_HEADERS)
            return Kept(response.get_data(), headers)

        try:
            kept = kept_or_built(bounded, key, build)
        except NotKept:
            return built[0]
        if built:  # rendered just now: that response as it is
            return built[0]
        return Response(kept.body, status=200, headers=list(kept.headers))
    return page


class NotKept(Exception):
    """The response is sent, but not kept (an error, a cookie, the session)."""


# Shared caches ----------------------------------------------------------------------------------------------

# The same for everyone with the same path, query, look and language cookies, Accept-Language and Accept-Encoding.
# Not here, so never kept by a proxy: /admin, /sw.js, the backup API and its receipt key, /language/<tag>, POST.
SHARED_ENDPOINTS = frozenset(CACHED_PAGES) | {
    "api.index", "api.areas", "api.area", "api.services", "api.service", "api.guides", "api.guide", "api.bundle",
    "api.openapi_json", "webapp.manifest", "i18n_json.catalogue", "static",
}


def for_shared_caches(response: Response) -> Response:
    if request.path.startswith("/admin"):
        # Staff pages: no cache anywhere, and `private` for any shared cache that would keep no-store responses.
        response.headers["Cache-Control"] = "private, no-store"
    if (request.endpoint in SHARED_ENDPOINTS and request.method in ("GET", "HEAD")
            and response.status_code in (200, 304) and "Set-Cookie" not in response.headers
            and not request.path.startswith(("/admin", "/sw.js"))
            # The worker's language header is not in the proxy's key: only cookies and Accept-Language are.
            and not (response.mimetype == "text/html" and request.headers.get(i18n.WORKER_HEADER))
            and not read_session()):
        response.headers["CDN-Cache-Control"] = SHARED_CACHE_CONTROL
    else:
        response.headers.pop("CDN-Cache-Control", None)
    return response


def init_app(app: Flask) -> None:
    """After every blueprint is registered: wraps the views in CACHED_PAGES."""
    app.extensions["response_cache"] = Caches(enabled=app.config.get("RESPONSE_CACHE", True) and not app.debug)
    for endpoint, valid_query in CACHED_PAGES.items():
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = cached_page(app.view_functions[endpoint], valid_query)
    # First in the list: after-request hooks run last-registered first, so this one sees the finished response.
    app.after_request_funcs.setdefault(None, []).insert(0, for_shared_caches)
