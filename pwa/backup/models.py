"""Backup tables. They hold ciphertext and counters: nothing that names a person or where they connect from.

A backup is known only by an id derived from its recovery code; the server keeps the SHA-256 of its write
token, never the token. Records are written once and never changed; only `flask backup purge` removes them,
with their backup. Rate-limit counters are keyed by an HMAC (under a key from SECRET_KEY) of what they count
and the time window, and live only until the window ends.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class Backup(db.Model):
    __tablename__ = "backup"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # 32 hex digits, derived from the code
    token_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the write token, hex
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Last time the backup was used (written, read or asked about), kept to the day: purge removes backups
    # untouched for BACKUP_RETENTION_DAYS.
    touched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    stored_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Different bytes sent for a sequence number already written: refused, and counted here.
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    deletion_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deletion_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class BackupRecord(db.Model):
    """One record exactly as received (opaque, padded ciphertext), with the receipt given for it."""
    __tablename__ = "backup_record"

    backup_id: Mapped[str] = mapped_column(ForeignKey("backup.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))  # the record hash the receipt signs (pwa/backup/wire.py)
    receipt: Mapped[str] = mapped_column(Text)  # the receipt as JSON, returned again for a repeated write


class BackupRateCount(db.Model):
    """Requests counted in one time window for one backup or one client address: an HMAC, never the address."""
    __tablename__ = "backup_rate_count"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
