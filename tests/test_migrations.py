"""Database migrations (pwa/migrations/): `flask init-db` makes the schema the models describe, on a fresh
database and on one made before migrations existed, on SQLite and PostgreSQL, and keeps what was there."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from pwa import create_app
from pwa.extensions import db


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of a database with nothing in it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    server_url = request.getfixturevalue("postgres_url")
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server_url.replace("/postgres?", f"/{name}?")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def app_on(url):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})


def differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def test_a_fresh_database_gets_exactly_the_models_schema(empty_database):
    app = app_on(empty_database)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert differences(app) == []
    loaded = app.test_cli_runner().invoke(args=["content", "load", "--if-empty"])
    assert loaded.exit_code == 0 and "Loaded" in loaded.output
    with app.app_context():
        db.engine.dispose()


def test_a_database_made_before_migrations_is_kept_and_brought_up_to_date(empty_database):
    app = app_on(empty_database)
    with app.app_context():
        db.create_all()  # how earlier versions made it
    assert app.test_cli_runner().invoke(args=["content", "load"]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "marked as the baseline" in result.output
    assert differences(app) == []
    again = app.test_cli_runner().invoke(args=["content", "load", "--if-empty"])
    assert "already present" in again.output  # the content it had is still there
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0  # and running it twice is harmless
    with app.app_context():
        db.engine.dispose()
