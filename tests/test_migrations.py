"""Database migrations (pwa/migrations/): `flask init-db` makes the schema the models describe, on a fresh
database and on one made before migrations existed, on SQLite and PostgreSQL, and keeps what was there."""
import json
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import MetaData, Table, create_engine, inspect, text

from pwa import content, create_app, plan
from pwa.admin import drafts
from pwa.admin.models import AdminUser, AuditEntry
from pwa.settings import PROJECT_ROOT
from pwa.cli import BASELINE
from pwa.extensions import db

PACK = content.read_pack(PROJECT_ROOT / "content")  # the default pack, as `make run` loads it
SERVICE = "national-domestic-violence-helpline"
# The content tables releases before the plan's questions (0005) had, and loading only those.
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
        load_content_as_released(app)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "marked as the baseline" in result.output
    assert differences(app) == []
    again = app.test_cli_runner().invoke(args=["content", "load", "--if-empty"])
    assert "already present" in again.output  # the content it had is still there
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0  # and running it twice is harmless
    with app.app_context():
        db.engine.dispose()


def load_content_as_released(app) -> tuple[dict, str]:
    """The default content in tables of an older revision, as that release wrote it: only the columns the tables
    have (not, say, service.chat_url from 0004). Returns the records and bundle version that release published."""
    pack = content.read_pack(app.config["CONTENT_DIR"])
    connection = db.session.connection()
    meta = MetaData()
    area, service, guide = (Table(name, meta, autoload_with=connection) for name in ("area", "service", "guide"))
    area_ids = {record["slug"]: connection.execute(area.insert().values(
        **{k: v for k, v in record.items() if k in area.c})).inserted_primary_key[0] for record in pack.areas}
    for record in pack.services:
        connection.execute(service.insert().values(
            **{k: v for k, v in record.items() if k in service.c}, area_id=area_ids[record["area"]]))
    for record in pack.guides:
        connection.execute(guide.insert().values(**record, body_html=content.render_markdown(record["body_markdown"])))
    db.session.commit()
    return content.published_in_tables(db.session.connection())


def deployed_before_the_admin_upgrade(url: str, draft_base: str | None = None):
    """A database as the first version left it: content, an account, and a draft changing one phone number."""
    app = app_on(url)
    with app.app_context():
        upgrade(revision=BASELINE)
        records, version = load_content_as_released(app)
        assert "chat_url" not in records["services"][0]  # as the release before web chats wrote them
        service = next(s for s in records["services"] if s["slug"] == SERVICE)
        service["phone"] = "0808 1111 222"
        db.session.execute(text("INSERT INTO admin_user (email, password_hash, session_token, created_at) "
                                "VALUES ('old@agency.example', 'x', 'y', '2026-01-02 03:04:05')"))
        db.session.execute(
            text("INSERT INTO admin_draft (records, revision, base_version, updated_by, updated_at) "
                 "VALUES (:records, 3, :base, 'old@agency.example', '2026-11-01 10:00:00')"),
            {"records": json.dumps(records), "base": draft_base or version})
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


def everything(app) -> dict[str, list[tuple]]:
    """Every row of every table (Alembic's own aside), in a fixed order."""
    with app.app_context():
        tables = sorted(set(inspect(db.engine).get_table_names()) - {"alembic_version"})
        rows = {table: [tuple(row) for row in db.session.execute(text(f'SELECT * FROM "{table}" ORDER BY 1'))]
                for table in tables}
        db.session.remove()
    return rows


def deployed_before_the_backup(url: str):
    """A database as the admin release (0002) left it: content, two staff accounts with two-factor sign-in, a
    session, recovery codes, a draft, approvals and an audit log."""
    app = app_on(url)
    with app.app_context():
        upgrade(revision="0002")
        load_content_as_released(app)
        statements = [
            "INSERT INTO admin_user (id, email, password_hash, session_token, created_at, role, disabled_at, "
            "last_sign_in_at, totp_secret, totp_enabled_at, totp_last_step) VALUES "
            "(1, 'first@agency.example', '$argon2id$x', 'a1', '2026-01-02 03:04:05', 'admin', NULL, "
            "'2026-11-29 09:00:00', 'v1:sealed', '2026-02-01 10:00:00', 59000000), "
            "(2, 'second@agency.example', '$argon2id$y', 'b2', '2026-03-04 05:06:07', 'editor', "
            "'2026-11-01 12:00:00', NULL, NULL, NULL, NULL)",
            "INSERT INTO admin_session (user_id, key_hash, created_at, last_seen_at, device, two_factor) VALUES "
            "(1, 'f00d', '2026-11-29 09:00:00', '2026-11-29 09:10:00', 'Firefox on Linux', true)",
            "INSERT INTO admin_recovery_code (user_id, code_hash, used_at) VALUES (1, 'c0de', NULL), "
            "(1, 'c0d3', '2026-11-02 08:00:00')",
            "INSERT INTO admin_login_attempt (key, at) VALUES ('k3y', '2026-11-29 08:59:00')",
            "INSERT INTO admin_draft (id, edits, revision, base_version, updated_by, updated_at, started_at) VALUES "
            "(1, :edits, 4, 'v-old', 'second@agency.example', '2026-11-28 10:00:00', '2026-11-27 10:00:00')",
            "INSERT INTO admin_contact_edit (draft_id, kind, slug, field, edited_by, edited_at) VALUES "
            f"(1, 'services', '{SERVICE}', 'phone', 'second@agency.example', '2026-11-28 10:00:00')",
            "INSERT INTO admin_approval (draft_id, kind, slug, field, before, after, approved_by, approved_at, "
            f"draft_revision) VALUES (1, 'services', '{SERVICE}', 'phone', '0808 2000 247', '0808 1111 222', "
            "'first@agency.example', '2026-11-28 11:00:00', 4)",
            "INSERT INTO admin_audit (at, actor, action, kind, slug, before, after, note) VALUES "
            "('2026-11-28 11:00:00', 'first@agency.example', 'approve', 'services', :slug, :before, :after, "
            "'Approved the phone number')",
        ]
        values = {"edits": json.dumps({"services": {SERVICE: {"base": None, "after": {"phone": "0808 1111 222"},
                                                               "by": "second@agency.example",
                                                               "at": "2026-11-28T10:00:00+00:00"}}}),
                  "slug": SERVICE, "before": json.dumps({"phone": "0808 2000 247"}),
                  "after": json.dumps({"phone": "0808 1111 222"})}
        for statement in statements:
            db.session.execute(text(statement), values)
        db.session.commit()
    return app


def test_upgrading_to_the_backup_and_the_plan_loses_nothing_and_adds_only_their_tables(empty_database):
    app = deployed_before_the_backup(empty_database)
    before = everything(app)
    assert all(before[table] for table in ("area", "service", "guide", "admin_user", "admin_audit", "admin_session",
                                           "admin_recovery_code", "admin_draft", "admin_approval"))
    with app.app_context():
        version = content.published_in_tables(db.session.connection())[1]
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert differences(app) == []
    after = everything(app)
    assert set(after) - set(before) == {"backup", "backup_record", "backup_rate_count", "plan_question",
                                        "translation", "content_version", "tech_step"}
    assert after["plan_question"] == [] and after["translation"] == [] and after["content_version"] == []
    assert after["tech_step"] == []
    # 0004 (after the backup) gives each service an empty web chat, and each draft's service records too; 0008
    # gives each area no postcode districts (JSON read as text on SQLite).
    changed = {"service", "area", "admin_draft"}
    assert {table: after[table] for table in before if table not in changed} == {
        table: rows for table, rows in before.items() if table not in changed}
    assert after["service"] == [row + (None,) for row in before["service"]]
    assert [row[:-3] for row in after["area"]] == before["area"]
    assert all(row[-3] in ([], "[]") and row[-2:] == ("", None) for row in after["area"])
    assert len(after["admin_draft"]) == len(before["admin_draft"]) == 1
    with app.app_context():
        edits = db.session.scalar(text("SELECT edits FROM admin_draft"))
        edits = edits if isinstance(edits, dict) else json.loads(edits)
        db.session.remove()
    assert edits["services"][SERVICE]["after"] == {"phone": "0808 1111 222", "chat_url": None}
    with app.app_context():
        # No questions yet, and the bundle leaves out an empty web chat: the same version as before.
        assert content.bundle()["version"] == version
        assert [u.email for u in db.session.scalars(db.select(AdminUser).order_by(AdminUser.id))] == [
            "first@agency.example", "second@agency.example"]
        db.session.remove()
    # What `make run` does next: the content stays as published, and the pack's questions come in, once.
    loaded = app.test_cli_runner().invoke(args=["content", "load", "--if-empty", "--actor", "ops@agency.example"])
    assert loaded.exit_code == 0, loaded.output
    assert "left as it is" in loaded.output and "Added the pack's 26 safety plan questions" in loaded.output
    assert f"Added the pack's {len(PACK.translations)} translations" in loaded.output
    assert f"Added the pack's {len(PACK.steps)} tech-check steps" in loaded.output
    with app.app_context():
        parts = {part.slug: questions for part, questions in plan.questions_by_part()}
        assert parts["situation"][0]["slug"] == "living-together" and all(parts.values())
        new_version = content.bundle()["version"]
        assert new_version != version
        entry = db.session.scalar(db.select(AuditEntry).filter_by(action="content-load", slug="living-together"))
        assert entry.actor == "ops@agency.example" and entry.before is None
        db.session.remove()
    now = everything(app)  # only the questions, the steps, the translations, their audit entries and the version
    new = ("admin_audit", "plan_question", "tech_step", "translation", "content_version")
    assert len(now["tech_step"]) == len(PACK.steps)
    assert now["content_version"] == [(1, new_version)]
    assert {table: now[table] for table in after if table not in new} == {
        table: rows for table, rows in after.items() if table not in new}
    again = app.test_cli_runner().invoke(args=["content", "load", "--if-empty"])
    assert again.exit_code == 0 and "Added" not in again.output
    with app.app_context():
        db.engine.dispose()


def test_the_backup_tables_work_after_the_upgrade_and_go_on_a_downgrade(empty_database, tmp_path):
    from flask_migrate import downgrade

    from backup_support import Device
    from conftest import receipt_signing_key

    app = deployed_before_the_backup(empty_database)
    before = everything(app)
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    app.config["BACKUP_SIGNING_KEY"] = receipt_signing_key()
    device = Device(app.test_client())
    assert device.create().status_code == 201
    assert device.put(1, device.record("after the upgrade")).status_code == 201
    assert device.opened(device.read_all()[0]).payload == b"after the upgrade"
    with app.app_context():
        downgrade(revision="0002")
        db.session.remove()
    assert everything(app) == before
    with app.app_context():
        db.engine.dispose()


def test_the_translation_table_comes_with_0006_and_goes_on_a_downgrade(empty_database):
    from flask_migrate import downgrade

    app = app_on(empty_database)
    with app.app_context():
        upgrade(revision="0005")
        db.session.remove()
    before = everything(app)
    assert "translation" not in before
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    assert differences(app) == []
    loaded = app.test_cli_runner().invoke(args=["content", "load"])
    assert loaded.exit_code == 0, loaded.output
    with app.app_context():
        assert {(t["language"], t["slug"]) for t in content.translation_records()} == {
            (t["language"], t["slug"]) for t in PACK.translations}
        db.session.remove()  # PostgreSQL: an open transaction that read the table would hold up dropping it
        downgrade(revision="0005")
        db.session.remove()
        assert "translation" not in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_a_sqlite_database_runs_in_write_ahead_log_mode(tmp_path):
    app = app_on(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        db.engine.dispose()


def deployed_before_help_channels(url: str):
    """A database as the backup release (0003) left it: content, and a draft changing one phone number."""
    app = app_on(url)
    with app.app_context():
        upgrade(revision="0003")
        records, version = load_content_as_released(app)
        base = next(s for s in records["services"] if s["slug"] == SERVICE)
        edits = {"services": {SERVICE: {"base": base, "after": base | {"phone": "0808 1111 222"},
                                        "by": "old@agency.example", "at": "2026-11-28T10:00:00+00:00"}}}
        db.session.execute(
            text("INSERT INTO admin_draft (id, edits, revision, base_version, updated_by, updated_at, started_at) "
                 "VALUES (1, :edits, 2, :base, 'old@agency.example', '2026-11-28 10:00:00', '2026-11-28 10:00:00')"),
            {"edits": json.dumps(edits), "base": version})
        db.session.commit()
    return app, version


def test_upgrading_to_help_channels_adds_the_web_chat_and_drafts_still_match(empty_database):
    from flask_migrate import downgrade

    from pwa.models import Service

    app, version = deployed_before_help_channels(empty_database)
    with app.app_context():
        before = content.published_in_tables(db.session.connection())[0]
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert differences(app) == []
    with app.app_context():
        assert content.bundle()["version"] == version  # phones download nothing new
        published = content.published_records()
        assert all(s["chat_url"] is None for s in published["services"])
        assert [{k: v for k, v in s.items() if k != "chat_url"} for s in published["services"]] == before["services"]
        # The draft still shows only its own change, not a change to every field it did not have.
        [change] = drafts.changes(drafts.current())
        assert (change["slug"], change["fields"], change["stale"]) == (SERVICE, ["phone"], False)
        # A web chat can now be saved.
        service = db.session.scalar(db.select(Service).filter_by(slug=SERVICE))
        service.chat_url = "https://example.org/chat"
        db.session.commit()
        downgrade(revision="0003")
        db.session.remove()
        assert "chat_url" not in {c["name"] for c in inspect(db.engine).get_columns("service")}
        edits = db.session.scalar(text("SELECT edits FROM admin_draft"))
        edits = edits if isinstance(edits, dict) else json.loads(edits)
        assert "chat_url" not in edits["services"][SERVICE]["base"]
        assert content.published_in_tables(db.session.connection())[0] == before
        db.session.remove()
        db.engine.dispose()


def test_a_database_upgraded_to_0007_gets_its_content_version_stored_on_first_need_and_loses_it_on_downgrade(
        empty_database):
    from flask_migrate import downgrade

    from pwa.models import ContentVersion

    app = app_on(empty_database)
    with app.app_context():
        upgrade(revision="0006")
        load_content_as_released(app)  # as the release before 0007 wrote it
        db.session.remove()
    before = everything(app)
    assert "content_version" not in before
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    assert differences(app) == []
    assert everything(app)["content_version"] == []  # the migration only makes the table
    with app.app_context():
        expected = content.bundle()["version"]
        db.session.remove()
    response = app.test_client().get("/api/v1/bundle")  # the first request works it out and stores it
    assert response.status_code == 200 and response.headers["ETag"] == f'"{expected}"'
    assert everything(app)["content_version"] == [(1, expected)]
    assert app.test_client().get("/api/v1/bundle", headers={"If-None-Match": f'"{expected}"'}).status_code == 304
    with app.app_context():
        downgrade(revision="0006")
        db.session.remove()
        assert "content_version" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
    assert {table: rows for table, rows in everything(app).items()} == before
    assert ContentVersion.__tablename__ == "content_version"


def test_upgrading_to_0008_gives_areas_empty_postcode_districts_and_drafts_still_match(empty_database):
    """A database as the 0007 release left it, with a draft changing one area's description: after the upgrade,
    nothing published changes (phones download nothing new), the draft shows only its own change, and districts
    can be saved; a downgrade takes them away again, from the areas and the draft."""
    from flask_migrate import downgrade

    from pwa.models import Area

    app = app_on(empty_database)
    with app.app_context():
        upgrade(revision="0007")
        records, version = load_content_as_released(app)
        assert "postcode_districts" not in records["areas"][0]  # as the release before 0008 wrote them
        base = next(a for a in records["areas"] if a["slug"] == "halton")
        edits = {"areas": {"halton": {"base": base, "after": base | {"description": "Runcorn and Widnes."},
                                      "by": "old@agency.example", "at": "2026-11-29T10:00:00+00:00"}}}
        db.session.execute(
            text("INSERT INTO admin_draft (id, edits, revision, base_version, updated_by, updated_at, started_at) "
                 "VALUES (1, :edits, 2, :base, 'old@agency.example', '2026-11-29 10:00:00', '2026-11-29 10:00:00')"),
            {"edits": json.dumps(edits), "base": version})
        db.session.commit()
        before = content.published_in_tables(db.session.connection())[0]
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert differences(app) == []
    with app.app_context():
        assert content.bundle()["version"] == version
        published = content.published_records()
        assert all(a["postcode_districts"] == [] and a["postcode_last_checked"] is None for a in published["areas"])
        [change] = drafts.changes(drafts.current())
        assert (change["slug"], change["fields"], change["stale"]) == ("halton", ["description"], False)
        area = db.session.scalar(db.select(Area).filter_by(slug="halton"))
        area.postcode_districts = ["WA7", "WA8"]
        db.session.commit()
        assert content.bundle()["version"] != version  # the contacts page holds them: its saved copy is renewed
        db.session.remove()  # PostgreSQL: the downgrade's ALTER TABLE would wait for this session's read
        downgrade(revision="0007")
        db.session.remove()
        assert not {"postcode_districts", "postcode_source", "postcode_last_checked"} & {
            c["name"] for c in inspect(db.engine).get_columns("area")}
        edits = db.session.scalar(text("SELECT edits FROM admin_draft"))
        edits = edits if isinstance(edits, dict) else json.loads(edits)
        assert "postcode_districts" not in edits["areas"]["halton"]["base"]
        assert content.published_in_tables(db.session.connection())[0] == before
        db.session.remove()
        db.engine.dispose()
