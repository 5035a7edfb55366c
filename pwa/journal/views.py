"""The journal page shell: every secret in it is decrypted and rendered by the browser only."""
from flask import Blueprint, current_app, render_template
from flask_babel import gettext

from .report import CHILDREN, FIELDS, TAGS

bp = Blueprint("journal", __name__)

# The design asks for auto-lock after 2 to 5 minutes idle (JOURNAL_IDLE_SECONDS; tests use less).
LONGEST_IDLE_SECONDS = 300


def idle_seconds() -> int:
    """How long the journal (and the safety plan, which keeps its answers in it) stays open without use.

    A mistaken setting can shorten the wait but never leave the journal open for longer than 5 minutes."""
    return max(1, min(int(current_app.config["JOURNAL_IDLE_SECONDS"]), LONGEST_IDLE_SECONDS))


def translated(labels) -> dict[str, str]:
    """The entry form's labels (British English, marked with N_) in the page's language, for the page and its script."""
    return {name: gettext(label) for name, label in dict(labels).items()}


@bp.get("/journal")
def index():
    return render_template("journal/index.html", labels=translated(FIELDS), tags=translated(TAGS),
                           children=translated(CHILDREN), idle_seconds=idle_seconds(),
                           chaff=current_app.config["JOURNAL_CHAFF"])
