"""Errors: JSON under /api, a plain page elsewhere. Never a stack trace."""
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, PreconditionFailed

from .i18n import N_

# Page titles for the errors people can meet on a page, in werkzeug's English words (the API keeps its own).
TITLES = {
    400: N_("Bad Request"),
    403: N_("Forbidden"),
    404: N_("Not Found"),
    405: N_("Method Not Allowed"),
    412: N_("Precondition Failed"),
    413: N_("Request Entity Too Large"),
    429: N_("Too Many Requests"),
    500: N_("Internal Server Error"),
}


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"status": status, "code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if wants_json():
            response = json_error(error.code or 500, _code(error), error.description or error.name)
        else:
            response = app.make_response(
                (render_template("error.html", status=error.code, title=page_title(error)), error.code))
            response.headers["Cache-Control"] = "no-store"
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.after_request
    def no_resource_with_a_412(response):
        # werkzeug's make_conditional (API, pages, manifests, static files) answers a failed If-Match with 412
        # but keeps the whole resource as the body, with its ETag and public caching: send the error instead.
        if response.status_code != 412:
            return response
        if request.if_match.star_tag:  # "*" matches any current version, but werkzeug fails it
            response.status_code = 200
            return response
        response.close()  # a static file's response holds the file open
        return http_error(PreconditionFailed("If-Match does not match the current version."))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # The route's pattern, never the path: /guides/leaving-safely would log what someone read.
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        app.logger.exception("Unhandled error on %s %s", request.method, rule)
        return http_error(InternalServerError())


def page_title(error: HTTPException) -> str:
    """The error's name in the chosen language; one not listed in TITLES says only that something went wrong."""
    title = TITLES.get(error.code or 500)
    return _(title) if title else _("Something went wrong")


def _code(error: HTTPException) -> str:
    return (error.name or "error").lower().replace(" ", "_").replace("'", "")
