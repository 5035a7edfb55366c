"""Helpers shared by the API views: validated query strings and cacheable JSON."""
import hashlib
import json

from flask import Response, abort, request
from marshmallow import Schema, ValidationError

from ..errors import json_error


def query_args(schema: Schema) -> dict:
    """Validate the query string; any problem is a 400 that names the parameter."""
    try:
        return schema.load(request.args.to_dict(flat=True))
    except ValidationError as err:
        abort(json_error(400, "bad_request", "Invalid query parameters.", err.messages))


def cached_json(payload, etag: str | None = None) -> Response:
    """JSON with a strong ETag; answers 304 to a matching If-None-Match (a failed If-Match: see errors.py)."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    response = Response(body, mimetype="application/json")
    response.set_etag(etag or hashlib.sha256(body).hexdigest()[:32])
    # Clients may keep a copy but must revalidate each time: a changed number reaches them at once.
    response.headers["Cache-Control"] = "public, no-cache"
    response.vary.add("Accept-Encoding")
    return response.make_conditional(request)
