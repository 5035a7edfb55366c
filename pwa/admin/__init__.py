"""Agency admin: staff keep helplines and guidance current through a draft, a preview and a publish.

Off with ADMIN_ENABLED=0. Outside debug and testing it needs a fixed SECRET_KEY (sessions are signed
with it, and several workers must agree on it); without one the admin answers 503 and says why.
"""
import os
from datetime import timedelta

from flask import Blueprint, Flask, current_app, render_template, request
from flask.sessions import SecureCookieSessionInterface

from . import models  # noqa: F401  (registers the tables with db.create_all)


class AdminSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the Secure flag whenever the request came over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request):
        # The cookie is only ever sent to /admin (SESSION_COOKIE_PATH): elsewhere the session is empty, and is had
        # without making a signing serializer on every public request.
        if not request.path.startswith(app.config["SESSION_COOKIE_PATH"]):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    from . import cli

    cli.init_app(app)
    if not app.config.get("ADMIN_ENABLED", True):
        return
    if not (os.environ.get("SECRET_KEY") or app.debug or app.testing):
        app.register_blueprint(_unavailable_blueprint())
        return

    # Only the admin uses sessions: the cookie is scoped to /admin and never sent with public pages.
    app.config.update(SESSION_COOKIE_PATH="/admin", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=8))
    app.session_interface = AdminSessionInterface()
    from . import account_views, approval_views, people_views  # noqa: F401  (their routes join bp)
    from .views import bp

    app.register_blueprint(bp)


def _unavailable_blueprint() -> Blueprint:
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("/", defaults={"rest": ""}, methods=["GET", "POST"])
    @bp.route("/<path:rest>", methods=["GET", "POST"])
    def unavailable(rest):
        current_app.logger.warning("Agency admin is off: set SECRET_KEY in the environment to use it.")
        return render_template("admin/message.html", heading="The admin is not set up",
                               message="Whoever runs this site needs to set SECRET_KEY in its environment "
                                       "and restart it."), 503

    return bp
