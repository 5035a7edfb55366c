"""Extension instances, created unbound so any app from create_app can use them."""
import sqlite3

from flask_babel import Babel
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
# Schema changes ship as Alembic migrations (pwa/migrations/): `flask init-db` applies them.
migrate = Migrate()
# Interface text in the person's language: the locale selector and catalogues are set up in i18n.py.
babel = Babel()


@event.listens_for(Engine, "connect")
def sqlite_write_ahead_log(connection, _record):
    """SQLite in WAL mode: readers (restores, status) never wait for a writer, and gunicorn's workers write in turn
    without locking each other out for the whole of a transaction. `synchronous` stays FULL: an append that got a
    signed receipt must survive a power cut."""
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
