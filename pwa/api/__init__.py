"""JSON API, version 1: read-only published content, and the journal's encrypted backup (backups.py)."""
from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

from . import backups, openapi, views  # noqa: E402,F401  (registers the routes)
