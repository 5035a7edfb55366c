"""Agency admin tables. They hold staff accounts, the draft and the audit log; nothing about the public."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class AdminUser(db.Model):
    __tablename__ = "admin_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, PHC string format
    # Changes with the password, so a reset signs out every existing session.
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginAttempt(db.Model):
    """A failed sign-in, kept only for the rate-limit window. Keys are HMACs, never raw addresses."""
    __tablename__ = "admin_login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Draft(db.Model):
    """Unpublished changes, record by record, on top of the published content (see drafts.py):
    {"services": {slug: {"base": record or None, "after": record or None, "by": email, "at": ISO time}}, ...}."""
    __tablename__ = "admin_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    edits: Mapped[dict] = mapped_column(JSON)
    # Bumped on every change. (Publishing checks a fingerprint of what was previewed: drafts.preview_token.)
    revision: Mapped[int] = mapped_column(default=1)
    # The published version the draft started from, to warn when someone published meanwhile.
    base_version: Mapped[str] = mapped_column(String(32))
    updated_by: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the first change was made: publications after it show through the draft (drafts.publications_since).
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(db.Model):
    __tablename__ = "admin_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254))  # an email, kept even if the account goes
    action: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str | None] = mapped_column(String(16))
    slug: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
