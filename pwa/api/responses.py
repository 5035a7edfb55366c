"""Helpers shared by the API views: validated query strings and cacheable JSON."""
import hashlib
import json

from flask import Response, abort, request
from werkzeug.http import http_date, quote_etag
from marshmallow import Schema, ValidationError

from .. import response_cache
from ..errors import json_error


def query_args(schema: Schema) -> dict:
    """Validate the query string; any problem is a 400 that names the parameter."""
    if not request.args and not schema.load_fields:  # nothing to check, nothing to fill in
        return {}
    try:
        return schema.load(request.args.to_dict(flat=True))
    except ValidationError as err:
        abort(json_error(400, "bad_request", "Invalid query parameters.", err.messages))


def json_body(payload) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def cached_json(payload, etag: str | None = None) -> Response:
    """JSON with a strong ETag; answers 304 to a matching If-None-Match (a failed If-Match: see errors.py)."""
    body = json_body(payload)
    return json_response(body, etag or body_etag(body))


def body_etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


# Clients may keep a copy but must revalidate each time: a changed number reaches them at once. Shared caches read
# CDN-Cache-Control instead (response_cache.for_shared_caches).
JSON_CACHE_CONTROL = "public, no-cache"


def json_response(body: bytes, etag: str) -> Response:
    if is_a_plain_revalidation(etag):
        return not_modified(etag)
    response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = JSON_CACHE_CONTROL
    response.vary.add("Accept-Encoding")
    return response.make_conditional(request)


def is_a_plain_revalidation(etag: str) -> bool:
    """A GET whose If-None-Match holds this ETag (or its weak form, from a compressed copy), with no If-Match: the
    304 that make_conditional would give, without making the whole response first. Anything else goes to it."""
    return (request.method in ("GET", "HEAD") and "HTTP_IF_MATCH" not in request.environ
            and "HTTP_IF_NONE_MATCH" in request.environ and request.if_none_match.contains_weak(etag))


def not_modified(etag: str) -> Response:
    """The headers make_conditional leaves on its 304 (it drops the body's own), in its order."""
    response = Response(status=304, headers=[("ETag", quote_etag(etag)), ("Cache-Control", JSON_CACHE_CONTROL),
                                             ("Vary", "Accept-Encoding"), ("Date", http_date())])
    response.headers.remove("Content-Type")
    return response


def content_json(build, args: dict, etag_of=None) -> Response:
    """cached_json of build() (published content), built once per content version, path and validated query.

    etag_of(payload) gives the ETag (default: a hash of the body). A body whose build asked the time (open_now) is
    kept for that minute only (response_cache.kept_or_built); one whose build failed (a 404) is not kept."""
    if not response_cache.caches().enabled:
        payload = build()
        return cached_json(payload, etag_of(payload) if etag_of else None)
    kept = kept_json(build, args, etag_of)
    return json_response(kept.body, kept.etag)


def kept_json(build, args: dict, etag_of=None, path: str | None = None) -> "response_cache.Kept":
    """The kept body and ETag of build() for this content version, path (default: the request's) and query."""
    key = (response_cache.current_version(), path or request.path, tuple(sorted(args.items())))

    def built() -> response_cache.Kept:
        payload = build()
        body = json_body(payload)
        return response_cache.Kept(body, etag=etag_of(payload) if etag_of else body_etag(body))

    return response_cache.kept_or_built(response_cache.caches().json, key, built)
