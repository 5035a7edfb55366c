"""The journal page shell: every secret in it is decrypted and rendered by the browser only."""
from flask import Blueprint, current_app, render_template

from .report import CHILDREN, FIELDS, TAGS

bp = Blueprint("journal", __name__)

# Auto-lock after this many idle seconds (the design asks for 2 to 5 minutes; tests use less).
DEFAULT_IDLE_SECONDS = 180
LONGEST_IDLE_SECONDS = 300


@bp.get("/journal")
def index():
    # A mistaken setting can shorten the wait but never leave the journal open for longer than 5 minutes.
    idle = max(1, min(int(current_app.config.get("JOURNAL_IDLE_SECONDS", DEFAULT_IDLE_SECONDS)), LONGEST_IDLE_SECONDS))
    return render_template("journal/index.html", labels=dict(FIELDS), tags=TAGS, children=CHILDREN,
                           idle_seconds=idle)
