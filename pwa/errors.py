"""Errors: JSON under /api, a plain page elsewhere. Never a stack trace."""
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed


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
                (render_template("error.html", status=error.code, title=error.name), error.code))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # The route's pattern, never the path: /guides/leaving-safely would log what someone read.
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        app.logger.exception("Unhandled error on %s %s", request.method, rule)
        return http_error(InternalServerError())


def _code(error: HTTPException) -> str:
    return (error.name or "error").lower().replace(" ", "_").replace("'", "")
