"""Request limits for the backup API, kept in the database so they hold across gunicorn workers.

Fixed windows: each request adds one to a counter per thing it is counted against (its backup, its client
address). A counter's key is an HMAC-SHA256, under a key derived from SECRET_KEY, of what it counts and the
window, so the table holds no address (nor anything that links one window's counter to the next without
SECRET_KEY), and a row is deleted once its window is over. Set SECRET_KEY: with a random one per process,
each worker would count on its own.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, request
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from . import wire
from .models import BackupRateCount, utcnow

CLEAN_UP_ONE_IN = 64  # requests, on average, between deletions of counters whose window is over


class RateLimited(Exception):
    def __init__(self, what: str, retry_after: int):
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    kind: str  # "backup", "address" or "create"
    value: str
    per_window: int
    window_seconds: int
    describes: str  # for the refusal: "this backup", "this network address"


def per_backup(backup_id: str) -> Limit:
    return Limit("backup", backup_id, current_app.config["BACKUP_RATE_PER_BACKUP"], 60, "requests for this backup")


def per_address() -> Limit:
    return Limit("address", client_address(), current_app.config["BACKUP_RATE_PER_ADDRESS"], 60,
                 "backup requests from this network address")


def creates_per_address() -> Limit:
    return Limit("create", client_address(), current_app.config["BACKUP_CREATES_PER_ADDRESS"], 3600,
                 "new backups from this network address")


def client_address() -> str:
    # With TRUSTED_PROXIES set, ProxyFix has already put the client's address here. Used only inside an HMAC.
    return request.remote_addr or "unknown"


def _hmac_key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    cached = current_app.extensions.get("backup_limit_key")
    if cached is None or cached[0] != secret:
        cached = (secret, wire.hkdf(secret, b"open-door backup rate limits"))
        current_app.extensions["backup_limit_key"] = cached
    return cached[1]


def _insert(dialect: str):
    if dialect == "postgresql":
        return postgresql_insert
    if dialect == "sqlite":
        return sqlite_insert
    raise RuntimeError(f"backup rate limits support SQLite and PostgreSQL, not {dialect}")


def count(*limits: Limit) -> None:
    """Count this request against each limit (in the caller's transaction); raise RateLimited over any of them.

    The caller commits either way, so refused requests count too. Keys are taken in a fixed order, so two
    requests never wait on each other's counters in opposite orders."""
    now = utcnow()
    insert = _insert(db.engine.dialect.name)
    rows = []
    for limit in limits:
        window = int(now.timestamp()) // limit.window_seconds
        key = hmac.new(_hmac_key(), f"{limit.kind}:{limit.value}:{limit.window_seconds}:{window}".encode(),
                       hashlib.sha256).hexdigest()
        rows.append((key, datetime.fromtimestamp((window + 1) * limit.window_seconds, UTC), limit))
    rows.sort(key=lambda row: row[0])
    statement = insert(BackupRateCount).values([{"key": key, "count": 1, "expires_at": ends} for key, ends, _ in rows])
    statement = statement.on_conflict_do_update(
        index_elements=[BackupRateCount.key], set_={"count": BackupRateCount.count + 1},
    ).returning(BackupRateCount.key, BackupRateCount.count)
    counted = {key: number for key, number in db.session.execute(statement)}  # one statement for every limit
    refused = None
    for key, ends, limit in rows:
        if counted[key] > limit.per_window and refused is None:
            refused = RateLimited(f"Too many {limit.describes}: at most {limit.per_window} every "
                                  f"{_period(limit.window_seconds)}.",
                                  max(1, math.ceil((ends - now).total_seconds())))
    if random.randrange(CLEAN_UP_ONE_IN) == 0:
        forget_expired(now)
    if refused:
        raise refused


def forget_expired(now: datetime | None = None) -> int:
    result = db.session.execute(db.delete(BackupRateCount).where(BackupRateCount.expires_at <= (now or utcnow())))
    return result.rowcount or 0


def _period(seconds: int) -> str:
    return {60: "minute", 3600: "hour"}.get(seconds, f"{seconds} seconds")
