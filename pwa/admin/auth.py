"""Staff sign-in: Argon2id passwords, sessions that expire, and rate limits kept in the database.

Limits live in the database (not in memory) so they hold across gunicorn workers.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, redirect, request, session, url_for

from ..extensions import db
from .models import AdminUser, LoginAttempt, utcnow

# argon2-cffi's defaults are Argon2id with RFC 9106's low-memory profile (64 MiB, t=3, p=4),
# above OWASP's floor (19 MiB, t=2, p=1).
hasher = PasswordHasher()
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = hasher.hash(secrets.token_hex(16))

MIN_PASSWORD_LENGTH = 12
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
IDLE_SECONDS = 30 * 60


class RateLimited(Exception):
    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    return None


def new_session_token() -> str:
    return secrets.token_hex(16)


def set_password(user: AdminUser, password: str) -> None:
    user.password_hash = hasher.hash(password)
    user.session_token = new_session_token()


def _limit_key(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _failures(key: str) -> int:
    return db.session.scalar(db.select(db.func.count(LoginAttempt.id))
                             .where(LoginAttempt.key == key, LoginAttempt.at > utcnow() - WINDOW))


def authenticate(email: str, password: str) -> AdminUser | None:
    """The user for these credentials, or None. Raises RateLimited before checking anything when over a limit."""
    email = normalise_email(email)
    account_key = _limit_key("account", email)
    address_key = _limit_key("address", request.remote_addr or "unknown")
    db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.at <= utcnow() - WINDOW))
    if (_failures(account_key) >= MAX_FAILURES_PER_ACCOUNT
            or _failures(address_key) >= MAX_FAILURES_PER_ADDRESS):
        db.session.commit()
        raise RateLimited(int(WINDOW.total_seconds() // 60))

    user = db.session.scalar(db.select(AdminUser).filter_by(email=email)) if "\x00" not in email else None
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        db.session.add_all([LoginAttempt(key=account_key), LoginAttempt(key=address_key)])
        db.session.commit()
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.key == account_key))
    db.session.commit()
    return user


def start_session(user: AdminUser) -> None:
    session.clear()  # a fresh session (and CSRF token) on sign-in: no session fixation
    session.permanent = True
    session.update(user_id=user.id, token=user.session_token, seen=time.time())


def current_user() -> AdminUser | None:
    if "user" not in g:
        g.user = _user_from_session()
    return g.user


def _user_from_session() -> AdminUser | None:
    user_id, seen = session.get("user_id"), session.get("seen", 0)
    if user_id is None:
        return None
    user = db.session.get(AdminUser, user_id)
    if user is None or not hmac.compare_digest(session.get("token", ""), user.session_token) \
            or time.time() - seen > IDLE_SECONDS:
        session.clear()
        return None
    session["seen"] = time.time()
    return user


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("admin.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)
    return wrapped
