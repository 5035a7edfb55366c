"""Signed-in browsers, kept in the database so each can be listed and signed out.

The signed cookie (scoped to /admin) holds the session's random key and the account's session_token; the
table holds the key's SHA-256. A session ends after 30 minutes idle or 8 hours in all.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from flask import g, request, session

from ..extensions import db
from .models import AdminSession, AdminUser, utcnow

IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=8)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything here is stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def device_from(user_agent: str) -> str:
    """A coarse label such as "Firefox on Android": enough to recognise a session, not to fingerprint."""
    browsers = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("SamsungBrowser/", "Samsung Internet"),
                ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari")]
    systems = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
               ("Mac OS X", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]
    browser = next((name for marker, name in browsers if marker in user_agent), "A browser")
    system = next((name for marker, name in systems if marker in user_agent), None)
    return f"{browser} on {system}" if system else browser


def start(user: AdminUser, two_factor: bool) -> AdminSession:
    """Sign this browser in: a fresh cookie session (no fixation) and a row for it."""
    remove_expired()
    key = secrets.token_urlsafe(32)
    row = AdminSession(user_id=user.id, key_hash=_hash(key), two_factor=two_factor,
                       device=device_from(request.headers.get("User-Agent", ""))[:60])
    db.session.add(row)
    session.clear()
    session.permanent = True
    session.update(session_key=key, token=user.session_token)
    g.admin_session = row
    return row


def current() -> AdminSession | None:
    """This browser's session, if it is still valid; refreshes its idle clock."""
    if "admin_session" in g:
        return g.admin_session
    g.admin_session = _from_cookie()
    return g.admin_session


def _from_cookie() -> AdminSession | None:
    key = session.get("session_key")
    if not key:
        return None
    row = db.session.scalar(db.select(AdminSession).filter_by(key_hash=_hash(key)))
    user = db.session.get(AdminUser, row.user_id) if row else None
    now = utcnow()
    if (row is None or user is None or user.disabled_at is not None
            or not hmac.compare_digest(session.get("token", ""), user.session_token)
            or now - aware(row.last_seen_at) > IDLE or now - aware(row.created_at) > LONGEST):
        if row is not None:
            db.session.delete(row)
            db.session.commit()
        session.clear()
        g.session_ended = True  # the sign-in page says so, rather than appearing out of nowhere
        return None
    row.last_seen_at = now
    db.session.commit()
    return row


def of(user: AdminUser) -> list[AdminSession]:
    """The account's sessions that are still valid, most recently active first."""
    now = utcnow()
    return list(db.session.scalars(db.select(AdminSession).where(
        AdminSession.user_id == user.id, AdminSession.last_seen_at >= now - IDLE,
        AdminSession.created_at >= now - LONGEST).order_by(AdminSession.last_seen_at.desc())))


def end(row: AdminSession) -> None:
    db.session.delete(row)


def end_all(user: AdminUser, keep: AdminSession | None = None) -> int:
    """Sign the account out everywhere (but `keep`): returns how many sessions ended."""
    others = [row for row in of(user) if keep is None or row.id != keep.id]
    for row in others:
        db.session.delete(row)
    user.session_token = secrets.token_hex(16)
    if keep is not None and session.get("session_key"):
        session["token"] = user.session_token  # this browser stays signed in
    return len(others)


def remove_expired() -> None:
    now = utcnow()
    db.session.execute(db.delete(AdminSession).where(
        (AdminSession.last_seen_at < now - IDLE) | (AdminSession.created_at < now - LONGEST)))
