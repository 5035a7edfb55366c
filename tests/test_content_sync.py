"""One source of truth: `flask content load` respects what staff published in the admin; export and drafts agree.

The admin is the source of truth for every record staff publish there; a content pack sets up a server and
imports. A load that would undo admin work is refused unless forced, shows what it changes and is audited.
"""
import io
import re
import shutil
import zipfile

import pytest

from pwa import content
from pwa.admin.models import AuditEntry, Draft
from pwa.extensions import db
from pwa.settings import PROJECT_ROOT
from support import create_staff
from test_admin import EMAIL, PASSWORD, SECOND, csrf_from, form_for, new_number, revision_from, sign_in

HALTON = "halton-domestic-abuse-forum"
HALTON_OLD, HALTON_FIXED = "0300 111 1247", "0300 111 9999"


@pytest.fixture
def pack_dir(tmp_path):
    target = tmp_path / "pack"
    shutil.copytree(PROJECT_ROOT / "content", target)
    return target


@pytest.fixture
def admin(client, runner):
    """The first account (an admin), signed in, and a second publisher to approve new numbers."""
    assert create_staff(runner, EMAIL, PASSWORD).exit_code == 0
    assert create_staff(runner, SECOND, PASSWORD, role="publisher").exit_code == 0
    assert sign_in(client).status_code == 302
    return client


def approve_contact_changes(admin) -> None:
    """A second publisher approves every change to contact details the draft makes (the two-person rule)."""
    second = admin.application.test_client()
    assert sign_in(second, SECOND).status_code == 302
    page = second.get("/admin/preview")
    html = page.get_data(as_text=True)
    for kind, slug, name in re.findall(r'name="kind" value="([^"]+)">\s*<input type="hidden" name="slug" '
                                       r'value="([^"]+)">\s*<input type="hidden" name="field" value="([^"]+)"', html):
        response = second.post("/admin/approve", data={"csrf_token": csrf_from(page), "kind": kind, "slug": slug,
                                                        "field": name, "revision": revision_from(page)})
        assert response.status_code == 302


def publish(admin) -> None:
    approve_contact_changes(admin)
    preview = admin.get("/admin/preview")
    response = admin.post("/admin/publish", data={"csrf_token": csrf_from(preview), "revision": revision_from(preview)})
    assert response.status_code == 302, preview.get_data(as_text=True)
    assert "Published" in admin.get("/admin/").get_data(as_text=True)


def phone_of(client, slug=HALTON) -> str:
    return client.get(f"/api/v1/services/{slug}").get_json()["service"]["phone"]


def publish_admin_work(admin) -> None:
    """What staff did: corrected Halton's number, added a service and a guide, and published."""
    data = form_for(admin, f"/admin/services/{HALTON}")
    assert admin.post(f"/admin/services/{HALTON}", data=data | new_number(HALTON_FIXED)).status_code == 302
    service = form_for(admin, "/admin/services/new") | {
        "slug": "halton-outreach", "name": "Halton outreach", "area": "halton", "phone": "0300 111 2000",
        "categories": ["local-support"], "source": "https://agency.example/halton", "last_checked": "2026-11-01"}
    assert admin.post("/admin/services/new", data=service).status_code == 302
    guide = form_for(admin, "/admin/guides/new") | {
        "slug": "staying-safe-online", "title": "Staying safe online", "audience": "you",
        "body_markdown": "Check which devices are signed in to your accounts.", "last_checked": "2026-11-01"}
    assert admin.post("/admin/guides/new", data=guide).status_code == 302
    publish(admin)


def load(runner, pack_dir, *options):
    return runner.invoke(args=["content", "load", "--dir", str(pack_dir), *options])


def test_load_refuses_to_undo_what_staff_published_and_says_why(admin, runner, pack_dir):
    publish_admin_work(admin)
    result = load(runner, pack_dir)
    assert result.exit_code == 1
    assert f"service {HALTON}: changed phone" in result.output
    assert f"published in the admin by {EMAIL}" in result.output
    assert "service halton-outreach: removed" in result.output and "guide staying-safe-online: removed" in result.output
    assert "Nothing was loaded" in result.output and "--force" in result.output
    assert phone_of(admin) == HALTON_FIXED
    assert admin.get("/api/v1/services/halton-outreach").status_code == 200
    assert admin.get("/api/v1/guides/staying-safe-online").status_code == 200


def test_a_forced_load_replaces_it_and_the_audit_log_says_who_and_that_it_was_forced(admin, app, runner, pack_dir):
    publish_admin_work(admin)
    result = load(runner, pack_dir, "--force", "--actor", "ops@agency.example")
    assert result.exit_code == 0, result.output
    assert phone_of(admin) == HALTON_OLD
    with app.app_context():
        summary = db.session.scalar(db.select(AuditEntry).filter_by(action="content-load", kind=None))
        assert summary.actor == "ops@agency.example" and "forced" in summary.note and str(pack_dir) in summary.note
        entry = db.session.scalar(db.select(AuditEntry).filter_by(action="content-load", slug=HALTON))
        assert entry.before["phone"] == HALTON_FIXED and entry.after["phone"] == HALTON_OLD
    assert "content-load" in admin.get("/admin/audit").get_data(as_text=True)


def test_a_load_shows_its_changes_and_records_the_os_user(app, runner, pack_dir, monkeypatch):
    monkeypatch.setenv("USER", "deploy")
    monkeypatch.setenv("LOGNAME", "deploy")
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace(HALTON_OLD, "0300 111 5555"))
    dry = load(runner, pack_dir, "--dry-run")
    assert dry.exit_code == 0 and f"service {HALTON}: changed phone" in dry.output
    assert "nothing was loaded" in dry.output
    assert phone_of(app.test_client()) == HALTON_OLD
    result = load(runner, pack_dir)  # nothing was published in the admin: the pack is still the source
    assert result.exit_code == 0, result.output
    assert f"service {HALTON}: changed phone" in result.output
    assert phone_of(app.test_client()) == "0300 111 5555"
    with app.app_context():
        summary = db.session.scalar(db.select(AuditEntry).filter_by(action="content-load", kind=None))
        assert summary.actor == "deploy (OS user)" and "1 change" in summary.note and "forced" not in summary.note


def test_an_export_brought_into_the_pack_loads_without_force(admin, runner, pack_dir, tmp_path):
    publish_admin_work(admin)
    exported = tmp_path / "exported"
    result = runner.invoke(args=["content", "export", str(exported)])
    assert result.exit_code == 0, result.output
    again = load(runner, exported)
    assert again.exit_code == 0 and "already the same" in again.output
    # The pack now carries the admin's work; a further change to another record loads as usual.
    path = exported / "services.toml"
    path.write_text(path.read_text().replace('"01925 243359"', '"01925 000111"'))
    result = load(runner, exported)
    assert result.exit_code == 0, result.output
    assert phone_of(admin) == HALTON_FIXED and phone_of(admin, "warrington-refuge") == "01925 000111"


def test_an_export_loaded_into_an_empty_server_gives_the_same_bundle_version(admin, app, runner, tmp_path):
    # Content that is awkward to write back out: quotes, backslashes, new lines, non-ASCII, overnight hours,
    # a "+++" line in a guide's text.
    data = form_for(admin, "/admin/services/warrington-refuge") | {
        "description": 'Say "refuge" \\ or ask for Anna.\nNew line; naïve café ☎',
        "hours": "fri 20:00-08:00 overnight",
        "hours_note": "Tab\there", "categories": ["local-support", "refuge", "advice"]}
    assert admin.post("/admin/services/warrington-refuge", data=data).status_code == 302
    guide = form_for(admin, "/admin/guides/safety-plan") | {
        "body_markdown": "First\n\n+++\n\nAfter a +++ line, and a \\ backslash.", "summary": 'A "quoted" summary'}
    assert admin.post("/admin/guides/safety-plan", data=guide).status_code == 302
    publish(admin)
    version = admin.get("/api/v1/bundle").get_json()["version"]

    exported = tmp_path / "exported"
    assert runner.invoke(args=["content", "export", str(exported)]).exit_code == 0
    assert runner.invoke(args=["content", "check", "--dir", str(exported)]).exit_code == 0
    from conftest import make_app
    other = make_app(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with other.app_context():
        db.session.execute(db.delete(content.Service))
        db.session.execute(db.delete(content.Area))
        db.session.execute(db.delete(content.Guide))
        db.session.commit()
    result = other.test_cli_runner().invoke(args=["content", "load", "--if-empty", "--dir", str(exported)])
    assert result.exit_code == 0, result.output
    assert other.test_client().get("/api/v1/bundle").get_json()["version"] == version

    # The admin's download holds the same pack.
    download = admin.get("/admin/export")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = archive.namelist()
        assert f"content-{version}/services.toml" in names and f"content-{version}/guides/safety-plan.md" in names
        body = archive.read(f"content-{version}/guides/safety-plan.md").decode()
    assert body.endswith((exported / "guides" / "safety-plan.md").read_text().split("+++\n", 2)[2])


def test_export_will_not_overwrite_a_pack_unless_told(runner, pack_dir):
    result = runner.invoke(args=["content", "export", str(pack_dir)])
    assert result.exit_code == 1 and "--force" in result.output
    (pack_dir / "guides" / "gone.md").write_text((pack_dir / "guides" / "safety-plan.md").read_text())
    assert runner.invoke(args=["content", "export", str(pack_dir), "--force"]).exit_code == 0
    assert not (pack_dir / "guides" / "gone.md").exists()  # a guide that is not published is not kept


def test_first_set_up_still_loads_an_empty_database(app, runner):
    with app.app_context():
        for model in (content.Service, content.Area, content.Guide):
            db.session.execute(db.delete(model))
        db.session.commit()
    result = runner.invoke(args=["content", "load", "--if-empty"])
    pack = content.read_pack(PROJECT_ROOT / "content")  # counted, so adding a guide or service needs no change here
    loaded = f"Loaded {len(pack.areas)} areas, {len(pack.services)} services, {len(pack.guides)} guides"
    assert result.exit_code == 0 and loaded in result.output
    with app.app_context():
        assert db.session.scalar(db.select(AuditEntry).filter_by(action="content-load", kind=None)) is not None


# Drafts and loads ------------------------------------------------------------------------------------------

def start_draft(admin, description="Now also open at weekends."):
    data = form_for(admin, "/admin/services/warrington-refuge")
    assert admin.post("/admin/services/warrington-refuge", data=data | {"description": description}).status_code == 302


def change_halton_in_pack(pack_dir, phone="0300 111 5555"):
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace(HALTON_OLD, phone))


def test_a_draft_older_than_a_load_says_so_and_publishing_it_keeps_the_load(admin, runner, pack_dir):
    start_draft(admin)
    change_halton_in_pack(pack_dir)
    result = load(runner, pack_dir, "--actor", "ops@agency.example")
    assert result.exit_code == 0, result.output
    dashboard = admin.get("/admin/").get_data(as_text=True)
    assert "published after this draft was started" in dashboard and "ops@agency.example" in dashboard
    draft_section = dashboard.split("<h2>Draft</h2>")[1].split("<h2>")[0]
    assert "1 record differs" in draft_section and HALTON not in draft_section
    preview = admin.get("/admin/preview").get_data(as_text=True)
    assert "warrington-refuge" in preview and f"<code>{HALTON}</code>" not in preview
    publish(admin)
    assert phone_of(admin) == "0300 111 5555"  # the load's change was not quietly undone
    warrington = admin.get("/api/v1/services/warrington-refuge").get_json()["service"]
    assert warrington["description"] == "Now also open at weekends."


def test_a_record_changed_by_the_draft_and_a_load_is_compared_before_publishing(admin, runner, pack_dir):
    data = form_for(admin, f"/admin/services/{HALTON}")
    assert admin.post(f"/admin/services/{HALTON}", data=data | {"description": "Drop-in."}).status_code == 302
    change_halton_in_pack(pack_dir)
    assert load(runner, pack_dir).exit_code == 0
    preview = admin.get("/admin/preview").get_data(as_text=True)
    assert "cannot be published yet" in preview and "was changed in the published content" in preview
    assert "Publish these changes" not in preview
    page = admin.get(f"/admin/services/{HALTON}").get_data(as_text=True)
    assert "changed after the draft changed it" in page
    # The form brings the draft's own change together with the load's: saving it undoes neither.
    form = form_for(admin, f"/admin/services/{HALTON}")
    assert form["phone"] == "0300 111 5555" and form["description"] == "Drop-in."
    assert admin.post(f"/admin/services/{HALTON}", data=form).status_code == 302
    publish(admin)
    service = admin.get(f"/api/v1/services/{HALTON}").get_json()["service"]
    assert service["phone"] == "0300 111 5555" and service["description"] == "Drop-in."


def test_a_load_names_the_records_a_draft_also_changes(admin, runner, pack_dir):
    data = form_for(admin, f"/admin/services/{HALTON}")
    assert admin.post(f"/admin/services/{HALTON}", data=data | {"description": "Drop-in."}).status_code == 302
    change_halton_in_pack(pack_dir)
    result = load(runner, pack_dir)
    assert result.exit_code == 0 and "draft also changes 1 record" in result.output
    with admin.application.app_context():
        assert db.session.scalar(db.select(Draft)) is not None  # the draft is kept, not lost


def test_a_plan_question_published_in_the_admin_is_kept_by_a_load_and_exported(admin, runner, pack_dir, tmp_path):
    data = form_for(admin, "/admin/questions/pets") | {"hint": "Dogs, cats, anything you care for."}
    assert admin.post("/admin/questions/pets", data=data).status_code == 302
    publish(admin)
    result = load(runner, pack_dir)
    assert result.exit_code == 1 and "question pets: changed hint" in result.output
    assert f"published in the admin by {EMAIL}" in result.output
    exported = tmp_path / "exported"
    assert runner.invoke(args=["content", "export", str(exported)]).exit_code == 0
    assert 'hint = "Dogs, cats, anything you care for."' in (exported / "plan.toml").read_text()
    assert "already the same" in load(runner, exported).output
