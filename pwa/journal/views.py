"""The journal page shell: every secret in it is decrypted and rendered by the browser only."""
from flask import Blueprint, current_app, render_template

from .report import CHILDREN, FIELDS, TAGS

bp = Blueprint("journal", __name__)

# The design asks for auto-lock after 2 to 5 minutes idle (JOURNAL_IDLE_SECONDS; tests use less).
LONGEST_IDLE_SECONDS = 300


def idle_seconds() -> int:
    """How long the journal (and the safety plan, which keeps its answers in it) stays open without use.

    A mistaken setting can shorten the wait but never leave the journal open for longer than 5 minutes."""
    return max(1, min(int(current_app.config["JOURNAL_IDLE_SECONDS"]), LONGEST_IDLE_SECONDS))


@bp.get("/journal")
def index():
    return render_template("journal/index.html", labels=dict(FIELDS), tags=TAGS, children=CHILDREN,
                           idle_seconds=idle_seconds())
