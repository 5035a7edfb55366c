"""Open Door: offline-first helplines, safety guidance and an encrypted journal."""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import settings
from .extensions import db, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"), render_as_batch=True)

    from . import (admin, backup, cli, content_version, disguise, errors, i18n, i18n_json, identities, journal,
                   response_cache, security, translated, views, webapp)
    from .api import api

    i18n.init_app(app)
    translated.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    identities.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api)
    app.register_blueprint(webapp.bp)
    app.register_blueprint(i18n_json.bp)
    app.register_blueprint(disguise.bp)
    journal.init_app(app)
    backup.init_app(app)
    admin.init_app(app)
    content_version.init_app(app)
    response_cache.init_app(app)  # last: it wraps the pages registered above
    return app
