"""Database migrations (pwa/migrations/): `flask init-db` makes the schema the models describe, on a fresh
database and on one made before migrations existed, on SQLite and PostgreSQL, and keeps what was there."""
import json
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from pwa import content, create_app
from pwa.admin import drafts
from pwa.admin.models import AdminUser, AuditEntry
from pwa.cli import BASELINE
from pwa.extensions import db

SERVICE = "national-domestic-violence-helpline"


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
        upgrade(revision=BASELINE)  # the schema earlier versions made with create_all, without Alembic's table
        db.session.execute(text("DROP TABLE alembic_version"))
        content.load_pack(content.read_pack(app.config["CONTENT_DIR"]))
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "marked as the baseline" in result.output
    assert differences(app) == []
    again = app.test_cli_runner().invoke(args=["content", "load", "--if-empty"])
    assert "already present" in again.output  # the content it had is still there
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0  # and running it twice is harmless
    with app.app_context():
        db.engine.dispose()


def deployed_before_the_admin_upgrade(url: str, draft_base: str | None = None):
    """A database as the first version left it: content, an account, and a draft changing one phone number."""
    app = app_on(url)
    with app.app_context():
        upgrade(revision=BASELINE)
        content.load_pack(content.read_pack(app.config["CONTENT_DIR"]))  # the content tables are unchanged
        records = content.published_records()
        service = next(s for s in records["services"] if s["slug"] == SERVICE)
        service["phone"] = "0808 1111 222"
        db.session.execute(text("INSERT INTO admin_user (email, password_hash, session_token, created_at) "
                                "VALUES ('old@agency.example', 'x', 'y', '2026-01-02 03:04:05')"))
        db.session.execute(
            text("INSERT INTO admin_draft (records, revision, base_version, updated_by, updated_at) "
                 "VALUES (:records, 3, :base, 'old@agency.example', '2026-11-01 10:00:00')"),
            {"records": json.dumps(records), "base": draft_base or content.bundle()["version"]})
        db.session.commit()
    return app


def test_upgrading_keeps_a_draft_as_its_own_changes_and_accounts_become_publishers(empty_database):
    app = deployed_before_the_admin_upgrade(empty_database)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert differences(app) == []
    with app.app_context():
        assert db.session.scalar(db.select(AdminUser.role)) == "publisher"
        changes = drafts.changes(drafts.current())
        assert [(c["slug"], c["fields"], c["by"], c["stale"]) for c in changes] == [
            (SERVICE, ["phone"], "old@agency.example", False)]
        assert changes[0]["after"]["phone"] == "0808 1111 222"
        assert drafts.current().started_at is not None
        db.engine.dispose()


def test_upgrading_keeps_a_draft_on_old_content_whole_in_the_audit_log(empty_database):
    app = deployed_before_the_admin_upgrade(empty_database, draft_base="an-older-version")
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        assert drafts.current() is None
        archived = db.session.scalar(db.select(AuditEntry).filter_by(action="draft-archived"))
        kept = next(s for s in archived.after["services"] if s["slug"] == SERVICE)
        assert kept["phone"] == "0808 1111 222" and "old@agency.example" in archived.note
        db.engine.dispose()
