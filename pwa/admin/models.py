"""Agency admin tables. They hold staff accounts, the draft and the audit log; nothing about the public."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # editor, publisher or admin (pwa/admin/accounts.py). Accounts from before roles could all publish.
    role: Mapped[str] = mapped_column(String(16), server_default="publisher")
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The TOTP secret, encrypted with a key derived from SECRET_KEY (pwa/admin/sealing.py); None: not set up.
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The last 30-second step whose code was accepted: a code works once.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)


class LoginAttempt(db.Model):
    """A failed sign-in, kept only for the rate-limit window. Keys are HMACs, never raw addresses."""
    __tablename__ = "admin_login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class RecoveryCode(db.Model):
    """A single-use code for signing in without the authenticator app. Only a keyed hash is kept."""
    __tablename__ = "admin_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("admin_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AdminSession(db.Model):
    """A signed-in browser, so people can see where they are signed in and sign each one out.

    The cookie holds a random key; the table holds only its SHA-256. No client addresses are kept."""
    __tablename__ = "admin_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("admin_user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    device: Mapped[str] = mapped_column(String(60), default="")  # e.g. "Firefox on Android", from the User-Agent
    # Whether this sign-in passed the second factor (or set it up).
    two_factor: Mapped[bool] = mapped_column(Boolean, default=False)


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
    # The two-person rule's records live and die with the draft (pwa/admin/approvals.py).
    contact_edits: Mapped[list[ContactEdit]] = relationship(cascade="all, delete-orphan")
    approvals: Mapped[list[Approval]] = relationship(cascade="all, delete-orphan")


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


class ContactEdit(db.Model):
    """Who changed a record's contact details (phone, text number, web address...) in the draft."""
    __tablename__ = "admin_contact_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("admin_draft.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(32))
    edited_by: Mapped[str] = mapped_column(String(254))
    edited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Approval(db.Model):
    """A second person's approval of one contact detail's change, from exactly `before` to exactly `after`."""
    __tablename__ = "admin_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("admin_draft.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(32))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(254))
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    draft_revision: Mapped[int] = mapped_column(Integer)  # the revision the approver looked at
