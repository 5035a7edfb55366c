"""The published content's version: worked out once when content changes, stored, and read from memory.

Every commit that changed a content table (a `flask content load`, an admin publish, a translation marked
reviewed, guides rendered again, anything else through the ORM) works the bundle version out in the same
transaction and stores it in the one-row `content_version` table. Requests never work it out: each worker keeps it
in memory and reads the row again at most four times a second, so a publish is seen by every worker within a
quarter of a second (a proxy in front keeps its copy up to 2 s more: deploy/nginx.conf), at the cost of four one-row
reads a second per worker. The worker that committed knows at once.

A database upgraded from before the table (0007) has no row yet: the first request that needs the version works it
out and stores it.
"""
from __future__ import annotations

import threading
import time

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .models import Area, ContentVersion, Guide, PlanQuestion, Service, TechStep, Translation

ROW_ID = 1
REFRESH_SECONDS = 0.25
# Everything the bundle version is made from (content.bundle).
CONTENT_MODELS = (Area, Service, Guide, PlanQuestion, TechStep, Translation)
CONTENT_TABLES = frozenset(model.__tablename__ for model in CONTENT_MODELS)
CHANGED = "open_door_content_changed"  # in Session.info: this transaction wrote to a content table
COMMITTED = "open_door_content_version"  # in Session.info: the version this transaction stored


class VersionClock:
    """One app's (one worker's) idea of the current version, read from the database at most four times a second."""

    def __init__(self, app: Flask, refresh_seconds: float = REFRESH_SECONDS):
        self.app = app
        self.refresh_seconds = refresh_seconds
        self._version: str | None = None
        self._read_at = float("-inf")
        # Re-entrant: storing the first version tells the clock (after_commit) while it is reading.
        self._lock = threading.RLock()

    def current(self) -> str:
        if time.monotonic() - self._read_at < self.refresh_seconds and self._version is not None:
            return self._version
        with self._lock:  # one thread reads the row; the others wait for its answer
            if time.monotonic() - self._read_at >= self.refresh_seconds or self._version is None:
                self._version = stored(self.app)
                self._read_at = time.monotonic()
            return self._version

    def committed(self, version: str) -> None:
        with self._lock:
            self._version, self._read_at = version, time.monotonic()


def clock(app: Flask | None = None) -> VersionClock:
    app = app or current_app._get_current_object()
    return app.extensions["content_version"]


def current() -> str:
    """The published content's version as this worker knows it (at most REFRESH_SECONDS old)."""
    return clock().current()


def stored(app: Flask) -> str:
    """The stored version (one one-row query), worked out and stored first if there is none yet."""
    query = sa.select(ContentVersion.version).where(ContentVersion.id == ROW_ID)
    with db.engine.connect() as connection:
        version = connection.execute(query).scalar()
    if version is not None:
        return version
    # A fresh app context has a session of its own, so nothing the caller has pending is committed with this.
    with app.app_context():
        try:
            return store()
        except IntegrityError:  # another worker stored it first
            db.session.rollback()
            return db.session.scalar(query)


def store() -> str:
    """Work the version out from the content and store it, in the current transaction; committed."""
    db.session.info.pop(CHANGED, None)
    version = _computed_into_row(db.session)
    db.session.commit()
    return version


def _computed_into_row(session) -> str:
    from . import content  # content imports models only; imported here to keep this module light

    version = content.bundle()["version"]
    row = session.get(ContentVersion, ROW_ID)
    if row is None:
        session.add(ContentVersion(id=ROW_ID, version=version))
    elif row.version != version:
        row.version = version
    session.info[COMMITTED] = version
    return version


# Session events: note a change to a content table, store the new version before the commit, tell the clock after.

def _holds_content(session) -> bool:
    return any(isinstance(obj, CONTENT_MODELS) for obj in (*session.new, *session.dirty, *session.deleted))


def _note_flushed_content(session, _flush_context) -> None:
    if _holds_content(session):
        session.info[CHANGED] = True


def _note_bulk_content(state) -> None:
    # db.delete(Service), db.update(Guide)...: not in the flush, so seen here.
    if (state.is_delete or state.is_update or state.is_insert) and state.bind_mapper is not None \
            and state.bind_mapper.local_table.name in CONTENT_TABLES:
        state.session.info[CHANGED] = True


def _store_before_commit(session) -> None:
    # Changes not flushed yet are flushed after this hook: they count too.
    changed = session.info.pop(CHANGED, False) or _holds_content(session)
    if changed and has_app_context() and session is db.session():
        session.flush()  # the version is worked out from what this transaction wrote
        session.info.pop(CHANGED, None)
        _computed_into_row(session)


def _tell_the_clock(session) -> None:
    version = session.info.pop(COMMITTED, None)
    if version is not None and has_app_context() and "content_version" in current_app.extensions:
        clock().committed(version)


def _forget(session, *_args) -> None:
    session.info.pop(CHANGED, None)
    session.info.pop(COMMITTED, None)


event.listen(db.session, "after_flush", _note_flushed_content)
event.listen(db.session, "do_orm_execute", _note_bulk_content)
event.listen(db.session, "before_commit", _store_before_commit)
event.listen(db.session, "after_commit", _tell_the_clock)
event.listen(db.session, "after_rollback", _forget)


def init_app(app: Flask) -> None:
    app.extensions["content_version"] = VersionClock(app)
