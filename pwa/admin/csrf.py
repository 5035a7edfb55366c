"""CSRF protection: a per-session token that every POST to the admin must carry."""
import hmac
import secrets

from flask import session

FIELD = "csrf_token"


def token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def is_valid(form) -> bool:
    sent, expected = form.get(FIELD, ""), session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())
