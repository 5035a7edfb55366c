"""Storing backups: create, append (write once), read back, status, deletion with a waiting period, purge.

The only module that reads or writes the backup tables. Records are opaque: the server checks only that each
is one of the padded sizes (pwa/backup/wire.py) and within the limits. Every function leaves the session with
either all of its change or none of it, except what it means to keep when it refuses (a conflict is counted);
the caller commits, refusals included, so that rate-limit counters hold.

Sequence numbers start at 1 and have no gaps: a record at N is accepted only when N-1 is already stored, so
"the last sequence number" is also how many records there are, a restore knows nothing is missing on the
server, and two devices writing at once find out at once (one of them gets a 409 and writes at the next number).
"""
from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from . import receipts, wire
from .models import Backup, BackupRecord, utcnow

MAX_SEQ = 2**31 - 1  # the column is a 32-bit integer
TOUCH_EVERY = timedelta(days=1)


class BackupError(Exception):
    """A refusal with its HTTP status, a machine-readable code and a message for people."""
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields


class NoSuchBackup(BackupError):
    status, code = 404, "backup_not_found"


class TokenMissing(BackupError):
    status, code = 401, "token_missing"


class WrongToken(BackupError):
    status, code = 403, "wrong_token"


class BackupExists(BackupError):
    status, code = 409, "backup_exists"


class RecordConflict(BackupError):
    status, code = 409, "record_conflict"


class SequenceGap(BackupError):
    status, code = 409, "sequence_gap"


class RecordTooLarge(BackupError):
    status, code = 413, "record_too_large"


class QuotaExceeded(BackupError):
    status, code = 413, "quota_exceeded"


class MalformedRecord(BackupError):
    status, code = 400, "malformed_record"


class Unavailable(BackupError):
    status, code = 503, "backup_unavailable"


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything here is stored in UTC."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    return aware(moment).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


# Finding a backup -------------------------------------------------------------------------------------------

def find(backup_id: str) -> Backup:
    backup = db.session.get(Backup, backup_id)
    if backup is None:
        raise NoSuchBackup("There is no backup with this id on this server (a mistyped recovery code gives "
                           "another id; or it was deleted).")
    return backup


def authorise(backup_id: str, token: bytes | None) -> Backup:
    """The backup, if the write token is its own. Only the token's SHA-256 is stored and compared."""
    backup = find(backup_id)
    if token is None:
        raise TokenMissing("Send the backup's write token: Authorization: Bearer followed by its 64 hex digits.")
    if not hmac.compare_digest(wire.token_hash(token), backup.token_hash):
        raise WrongToken("The write token does not match this backup.")
    return backup


def touch(backup: Backup) -> None:
    """Note that the backup is in use, at most once a day (purge removes backups nobody uses)."""
    now = utcnow()
    if aware(backup.touched_at) <= now - TOUCH_EVERY:
        backup.touched_at = now


# Creating -------------------------------------------------------------------------------------------------

def create(backup_id: str, token_hash: str) -> tuple[Backup, bool]:
    """A new, empty backup; the same id and token hash again is the same backup (a retried request)."""
    if not wire.BACKUP_ID.match(backup_id) or not wire.HEX64.match(token_hash):
        raise BackupError("A backup is created with an id of 32 and a token hash of 64 lower-case hex digits.")
    existing = db.session.get(Backup, backup_id)
    if existing is None:
        backup = Backup(id=backup_id, token_hash=token_hash, created_at=utcnow(), touched_at=utcnow())
        db.session.add(backup)
        try:
            db.session.flush()
            return backup, True
        except IntegrityError:  # created by a request running at the same moment
            db.session.rollback()
            existing = find(backup_id)
    if not hmac.compare_digest(existing.token_hash, token_hash):
        raise BackupExists("A backup with this id already exists, with another token.")
    return existing, False


# Appending ------------------------------------------------------------------------------------------------

def check_record(body: bytes) -> None:
    size, largest = len(body), current_app.config["BACKUP_MAX_RECORD_BYTES"]
    if size > largest:
        raise RecordTooLarge(f"A record may be at most {largest} bytes on this server; this one is {size}.")
    if not wire.is_bucket(size):
        raise MalformedRecord(f"A record is padded to one of the bucket sizes ({wire.MIN_RECORD} bytes, then eight "
                              f"steps per doubling: docs/backup.md); {size} bytes is not one of them.",
                              {"body": [f"{size} bytes is not a bucket size"]})


def append(backup: Backup, seq: int, body: bytes) -> tuple[dict, bool]:
    """Store `body` at `seq` and return (its receipt, True); the same bytes again return (the same receipt, False).

    Refused: different bytes at a stored number (409, counted and logged), a gap (409), over the quota (413)."""
    check_record(body)
    if not 1 <= seq <= MAX_SEQ:
        raise BackupError(f"Sequence numbers run from 1 to {MAX_SEQ}.", {"seq": ["out of range"]})
    backup_id = backup.id
    try:
        key = receipts.signing_key()
    except receipts.KeyUnavailable as err:
        raise Unavailable(f"This server cannot sign receipts, so it takes no backups: {err}.") from None
    size, quota, now = len(body), current_app.config["BACKUP_QUOTA_BYTES"], utcnow()
    # One statement checks the number follows the last and the quota holds, and counts the record, so two
    # requests at once cannot both pass the checks: the second waits for the first and then finds it. A number
    # already written fails the check too, and is then looked up (a repeat, or a conflict).
    counted = db.session.execute(
        db.update(Backup)
        .where(Backup.id == backup_id, Backup.last_seq == seq - 1, Backup.stored_bytes + size <= quota)
        .values(last_seq=seq, record_count=Backup.record_count + 1, stored_bytes=Backup.stored_bytes + size,
                touched_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if counted != 1:
        return _refused(backup_id, seq, body)
    record_hash = wire.record_hash(body)
    receipt = wire.sign_receipt(key, backup_id, seq, record_hash, receipts.server_time())
    db.session.add(BackupRecord(backup_id=backup_id, seq=seq, body=body, size=size, hash=record_hash,
                                receipt=json.dumps(receipt, separators=(",", ":"))))
    try:
        db.session.flush()
    except IntegrityError:  # cannot happen while last_seq and the records agree; if it does, nothing changes
        db.session.rollback()
        return _refused(backup_id, seq, body)
    return receipt, True


def _again(backup_id: str, stored: BackupRecord, body: bytes) -> tuple[dict, bool]:
    if stored.body == body:
        return json.loads(stored.receipt), False
    db.session.execute(db.update(Backup).where(Backup.id == backup_id)
                       .values(conflicts=Backup.conflicts + 1).execution_options(synchronize_session=False))
    current_app.logger.warning("Backup %s…: different bytes sent for record %d, which is already stored; "
                               "refused, the stored record kept.", backup_id[:8], stored.seq)
    raise RecordConflict(f"Record {stored.seq} is already stored with different contents; it is never replaced. "
                         "Write at the next free sequence number (the backup's lastSeq + 1).",
                         {"seq": [f"{stored.seq} is taken"]})


def _refused(backup_id: str, seq: int, body: bytes) -> tuple[dict, bool]:
    """Why the checked update changed nothing, as the database now stands."""
    backup = db.session.execute(db.select(Backup).where(Backup.id == backup_id)
                                .execution_options(populate_existing=True)).scalar_one_or_none()
    if backup is None:
        raise NoSuchBackup("This backup was deleted.")
    if seq <= backup.last_seq:
        stored = db.session.execute(db.select(BackupRecord).filter_by(backup_id=backup_id, seq=seq)
                                    .execution_options(populate_existing=True)).scalar_one()
        return _again(backup_id, stored, body)
    if seq > backup.last_seq + 1:
        raise SequenceGap(f"Records are written in order without gaps: the next one is {backup.last_seq + 1}, "
                          f"not {seq}.", {"seq": [f"expected {backup.last_seq + 1}"]})
    quota = current_app.config["BACKUP_QUOTA_BYTES"]
    raise QuotaExceeded(f"This backup is full: it holds {backup.stored_bytes} of its {quota} bytes, and this record "
                        f"needs {len(body)} more.")


# Reading --------------------------------------------------------------------------------------------------

@dataclass
class Page:
    records: list[BackupRecord]
    next_after: int | None  # ask again with after=this for the rest; None: this was the last page


def read_records(backup: Backup, after: int, limit: int) -> Page:
    """Records after `after`, oldest first: at most `limit` of them and BACKUP_PAGE_BYTES of records (but at
    least one), so a page never holds more than that in memory."""
    budget = current_app.config["BACKUP_PAGE_BYTES"]
    sizes = db.session.execute(db.select(BackupRecord.seq, BackupRecord.size)
                               .where(BackupRecord.backup_id == backup.id, BackupRecord.seq > after)
                               .order_by(BackupRecord.seq).limit(limit)).all()
    chosen, total = [], 0
    for seq, size in sizes:
        if chosen and total + size > budget:
            break
        chosen.append(seq)
        total += size
    if not chosen:
        return Page([], None)
    records = list(db.session.scalars(db.select(BackupRecord).where(
        BackupRecord.backup_id == backup.id, BackupRecord.seq.between(chosen[0], chosen[-1]))
        .order_by(BackupRecord.seq)))
    return Page(records, chosen[-1] if chosen[-1] < backup.last_seq else None)


def status(backup: Backup) -> dict:
    config = current_app.config
    deletion = None
    if backup.deletion_due_at is not None:
        deletion = {"requestedAt": iso(backup.deletion_requested_at), "dueAt": iso(backup.deletion_due_at)}
    return {"id": backup.id, "records": backup.record_count, "bytes": backup.stored_bytes,
            "lastSeq": backup.last_seq, "conflicts": backup.conflicts, "deletion": deletion,
            "limits": {"quotaBytes": config["BACKUP_QUOTA_BYTES"], "maxRecordBytes": config["BACKUP_MAX_RECORD_BYTES"],
                       "minRecordBytes": wire.MIN_RECORD,
                       "deletionWaitDays": config["BACKUP_DELETION_WAIT_DAYS"]}}


# Deleting -------------------------------------------------------------------------------------------------

def request_deletion(backup: Backup) -> bool:
    """Schedule deletion after the waiting period; asking again changes nothing (and never brings it forward)."""
    if backup.deletion_due_at is not None:
        return False
    now = utcnow()
    backup.deletion_requested_at = now
    backup.deletion_due_at = now + timedelta(days=current_app.config["BACKUP_DELETION_WAIT_DAYS"])
    return True


def cancel_deletion(backup: Backup) -> bool:
    if backup.deletion_due_at is None:
        return False
    backup.deletion_requested_at = backup.deletion_due_at = None
    return True


@dataclass
class Purged:
    untouched: int
    deleted: int
    records: int


def purge(now: datetime | None = None) -> Purged:
    """Remove backups whose deletion is due and those untouched for BACKUP_RETENTION_DAYS, with their records."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["BACKUP_RETENTION_DAYS"])
    due = set(db.session.scalars(db.select(Backup.id).where(Backup.deletion_due_at <= now)))
    untouched = set(db.session.scalars(db.select(Backup.id).where(Backup.touched_at < cutoff))) - due
    gone = sorted(due | untouched)
    records = 0
    for start in range(0, len(gone), 500):  # a bounded IN list
        chunk = gone[start:start + 500]
        records += db.session.execute(db.delete(BackupRecord).where(BackupRecord.backup_id.in_(chunk))).rowcount
        db.session.execute(db.delete(Backup).where(Backup.id.in_(chunk)))
    return Purged(untouched=len(untouched), deleted=len(due), records=records)
