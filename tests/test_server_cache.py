"""The server is cheap where it is hit most (issue 15): the stored content version, bodies and pages built once per
version, a publish seen at once (and by other workers within a second), and the headers shared caches go by."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import event

from pwa import content, content_version, create_app, hours, response_cache, views
from pwa.api.responses import json_body
from pwa.extensions import db
from pwa.hours import UK
from pwa.identities import COOKIE as LOOK
from pwa.i18n import COOKIE as LANG, WORKER_HEADER
from pwa.models import ContentVersion, Guide, Service
from pwa.settings import PROJECT_ROOT

CDN = "CDN-Cache-Control"
SHARED = "max-age=1, stale-while-revalidate=30"
CONTENT_TABLES = ("area", "service", "guide", "plan_question", "translation", "tech_step")
# Every kept page, with the queries kept.
PAGES = ["/", "/helplines", "/helplines?area=halton", "/helplines?category=legal", "/guides", "/guides/safety-plan",
         "/check", "/worried", "/limits", "/plan", "/tech-check", "/journal", "/offline", "/calculator", "/weather", "/notes",
         "/appearance", "/appearance?saved=notes"]


def statements_during(app, action) -> list[str]:
    """The SQL statements run (by any connection of the app's engine) while action() runs."""
    seen = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def touches_content(statement: str) -> bool:
    lowered = statement.lower()
    return any(f" {table}" in lowered or f'"{table}"' in lowered for table in CONTENT_TABLES)


def stored_version(app) -> str:
    with app.app_context():
        version = db.session.get(ContentVersion, content_version.ROW_ID).version
        db.session.remove()
    return version


def change_a_guide_title(app, title: str) -> None:
    with app.app_context():
        content.by_slug(Guide, "safety-plan").title = title
        db.session.commit()


# The stored version ---------------------------------------------------------------------------------------------

def test_the_stored_version_is_the_bundles_and_follows_every_commit_that_changes_content(app):
    with app.app_context():
        assert stored_version(app) == content.bundle()["version"]
        before = stored_version(app)
        db.session.scalar(db.select(Service).filter_by(slug="samaritans")).description = "Changed words."
        db.session.commit()
        after = stored_version(app)
        assert after != before and after == content.bundle()["version"]
        content.load_pack(content.read_pack(app.config["CONTENT_DIR"]))  # back to the pack: bulk deletes and adds
        assert stored_version(app) == before == content.bundle()["version"]
        db.session.scalar(db.select(Service).filter_by(slug="samaritans")).description = "Not kept."
        db.session.rollback()
        assert stored_version(app) == before


def test_a_revalidation_reads_no_content_table_and_serialises_nothing(app, client, monkeypatch):
    first = client.get("/api/v1/bundle")
    etag = first.headers["ETag"]
    monkeypatch.setattr(content, "bundle", lambda: pytest.fail("the bundle was built again"))

    def revalidate():
        for _ in range(50):
            response = client.get("/api/v1/bundle", headers={"If-None-Match": etag})
            assert response.status_code == 304 and response.data == b""
            assert [response.headers.get(name) for name in ("ETag", "Cache-Control", "Vary", CDN)] == [
                etag, "public, no-cache", "Accept-Encoding", SHARED]
            assert "Date" in response.headers and "Content-Type" not in response.headers
    statements = statements_during(app, revalidate)
    assert [s for s in statements if touches_content(s)] == []
    assert len(statements) <= 2  # the one-row version, read at most once a second


def test_the_bundle_bytes_and_etag_are_as_they_were(app, client):
    with app.app_context():
        data = content.bundle()
    built, kept = client.get("/api/v1/bundle"), client.get("/api/v1/bundle")
    for response in (built, kept):
        assert response.data == json_body(data)  # what cached_json sent for every request before
        assert response.headers["ETag"] == f'"{data["version"]}"'
        assert response.headers["Cache-Control"] == "public, no-cache"
    assert built.headers == kept.headers


def test_a_publish_is_served_at_once_by_the_worker_that_made_it(app, client):
    old = client.get("/api/v1/bundle").headers["ETag"]
    assert client.get("/api/v1/guides/safety-plan").json["guide"]["title"] != "A new title"
    change_a_guide_title(app, "A new title")
    response = client.get("/api/v1/bundle", headers={"If-None-Match": old})
    assert response.status_code == 200 and response.headers["ETag"] == f'"{stored_version(app)}"' != old
    assert client.get("/api/v1/guides/safety-plan").json["guide"]["title"] == "A new title"


def test_another_worker_sees_a_publish_within_a_second_and_reads_one_row_to_do_so(app):
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "CONTENT_DIR": app.config["CONTENT_DIR"], "COMPRESS_RESPONSES": False})
    worker = other.test_client()
    old = worker.get("/api/v1/bundle").headers["ETag"]
    change_a_guide_title(app, "Published elsewhere")
    new = f'"{stored_version(app)}"'
    assert new != old
    time.sleep(content_version.REFRESH_SECONDS + 0.1)
    statements = statements_during(other, lambda: worker.get("/api/v1/bundle", headers={"If-None-Match": new}))
    assert worker.get("/api/v1/bundle").headers["ETag"] == new
    assert any("content_version" in s for s in statements)
    with other.app_context():
        db.engine.dispose()


def test_a_database_without_the_row_gets_it_on_first_need(app, client):
    with app.app_context():
        db.session.execute(db.delete(ContentVersion))
        db.session.commit()
        expected = content.bundle()["version"]
    fresh = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "CONTENT_DIR": app.config["CONTENT_DIR"], "COMPRESS_RESPONSES": False})
    assert fresh.test_client().get("/api/v1/bundle").headers["ETag"] == f'"{expected}"'
    assert stored_version(app) == expected
    with fresh.app_context():
        db.engine.dispose()


# JSON kept per version, open_now per minute ---------------------------------------------------------------------

class FixedClock:
    """hours.is_open's and the page's clock, at a moment a test sets."""

    def __init__(self, monkeypatch, moment: datetime):
        self.moment = moment
        clock = self

        class Now(datetime):
            @classmethod
            def now(cls, tz=None):
                return clock.moment.astimezone(tz)

        class Today(date):
            @classmethod
            def today(cls):
                return clock.moment.date()
        monkeypatch.setattr(hours, "datetime", Now)
        monkeypatch.setattr(views, "date", Today)
        monkeypatch.setattr(response_cache, "this_minute", lambda: int(clock.moment.timestamp() // 60))


def galop_on_the_contacts_page(client) -> str:
    html = client.get("/helplines").get_data(as_text=True)
    return html.split('id="galop"')[1].split("</article>")[0]


def test_open_now_is_kept_for_its_minute_only(app, client, monkeypatch):
    with app.app_context():
        service = db.session.scalar(db.select(Service).filter_by(slug="galop"))
        service.hours = [{"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00", "closes": "17:00"}]
        db.session.commit()
    clock = FixedClock(monkeypatch, datetime(2026, 11, 30, 8, 59, 1, tzinfo=UK))  # a Monday
    assert client.get("/api/v1/services/galop").json["service"]["open_now"] is False
    assert "open-now--closed" in galop_on_the_contacts_page(client)
    clock.moment = datetime(2026, 11, 30, 8, 59, 59, tzinfo=UK)  # the same minute: kept
    assert client.get("/api/v1/services/galop").json["service"]["open_now"] is False
    assert "open-now--closed" in galop_on_the_contacts_page(client)
    clock.moment = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UK)  # the next: built again, and open
    assert client.get("/api/v1/services/galop").json["service"]["open_now"] is True
    assert "open-now--open" in galop_on_the_contacts_page(client)
    kept = response_cache.caches(app)
    assert client.get("/guides/safety-plan").status_code == 200  # asks no time: kept until the content changes
    assert kept.pages.get(next(k for k in kept.pages._items if k[1] == "/guides/safety-plan")).minute is None


def test_a_404_and_a_bad_query_are_never_kept(app, client):
    kept = response_cache.caches(app)
    client.get("/api/v1/bundle")
    before = len(kept.json)
    assert client.get("/api/v1/guides/no-such-guide").status_code == 404
    assert client.get("/api/v1/services?area=nowhere").status_code == 404
    assert client.get("/api/v1/services?colour=red").status_code == 400
    assert len(kept.json) == before
    pages = len(kept.pages)
    assert client.get("/guides/no-such-guide").status_code == 404
    assert client.get("/helplines?area=nowhere").status_code == 404
    assert client.get("/guides?from=home").status_code == 200  # rendered, but not kept: any query would do
    assert client.get("/helplines?area=halton&area=cheshire").status_code == 200
    assert client.get("/appearance?saved=nothing").status_code == 200
    assert len(kept.pages) == pages


def test_the_caches_are_bounded():
    bounded = response_cache.Bounded(entries=2, max_bytes=10)
    for key in "abc":
        bounded.put((key,), response_cache.Kept(b"1234"))
    assert len(bounded) == 2 and bounded.get(("a",)) is None and bounded.get(("c",)) is not None
    bounded.put(("big",), response_cache.Kept(b"12345678"))
    assert len(bounded) == 1 and bounded.get(("big",)) is not None


# Pages ----------------------------------------------------------------------------------------------------------

def as_sent(response) -> tuple:
    return response.status_code, sorted(response.headers.items()), response.data


@pytest.mark.parametrize("look", ["plain", "calculator"])
def test_kept_pages_are_byte_identical_to_fresh_renders(app, client, monkeypatch, look):
    FixedClock(monkeypatch, datetime(2026, 11, 30, 10, 0, tzinfo=UK))
    client.set_cookie(LOOK, look)
    kept = response_cache.caches(app)
    for language in ({LANG: "cy"}, {LANG: "ur"}, {"Accept-Language": "pl"}, {}):
        client.delete_cookie(LANG)
        if LANG in language:
            client.set_cookie(LANG, language[LANG])
        headers = {k: v for k, v in language.items() if k != LANG}
        for url in PAGES:
            built = client.get(url, headers=headers)
            assert built.status_code == 200, url
            again = client.get(url, headers=headers)
            kept.enabled = False
            fresh = client.get(url, headers=headers)
            kept.enabled = True
            assert as_sent(again) == as_sent(built) == as_sent(fresh), (url, language)
    assert len(kept.pages) == 4 * len(PAGES)


def test_pages_are_kept_per_look_and_language_and_the_workers_language_header(app, client):
    english = client.get("/guides").get_data(as_text=True)
    client.set_cookie(LANG, "cy")
    welsh = client.get("/guides").get_data(as_text=True)
    assert welsh != english and 'lang="cy"' in welsh
    assert client.get("/guides", headers={WORKER_HEADER: "pl"}).get_data(as_text=True).count('lang="pl"') >= 1
    client.set_cookie(LOOK, "notes")
    assert 'data-look="notes"' in client.get("/guides").get_data(as_text=True)


def test_a_publish_changes_kept_pages_at_once(app, client):
    assert "Renamed for the test" not in client.get("/guides").get_data(as_text=True)
    client.get("/guides")
    change_a_guide_title(app, "Renamed for the test")
    assert "Renamed for the test" in client.get("/guides").get_data(as_text=True)
    assert "Renamed for the test" in client.get("/guides/safety-plan").get_data(as_text=True)


# Headers for shared caches --------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/helplines?area=halton", "/guides/safety-plan", "/weather", "/offline"])
def test_pages_stay_no_store_for_browsers_and_may_be_kept_by_a_shared_cache(client, url):
    response = client.get(url)
    assert response.headers["Cache-Control"] == "no-store" and response.headers[CDN] == SHARED


@pytest.mark.parametrize("url", ["/api/v1/bundle", "/api/v1/areas", "/api/v1/services?area=halton",
                                 "/api/v1/guides/safety-plan", "/i18n/cy.json", "/manifests/plain.webmanifest"])
def test_json_revalidates_in_browsers_and_may_be_kept_by_a_shared_cache(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, no-cache" and response.headers[CDN] == SHARED
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.headers[CDN] == SHARED


def test_static_files_may_be_kept_by_a_shared_cache(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and response.headers[CDN] == SHARED
    response.close()


def test_nothing_personal_or_failed_is_marked_for_shared_caches(app, client):
    from backup_support import Device

    never = {
        "/sw.js": client.get("/sw.js"),
        "/admin/login": client.get("/admin/login"),
        "/language/cy": client.get("/language/cy?next=/guides"),
        "/.well-known/backup-receipt-key": client.get("/.well-known/backup-receipt-key"),
        "404 page": client.get("/guides/no-such-guide"),
        "404 JSON": client.get("/api/v1/guides/no-such-guide"),
        "400 JSON": client.get("/api/v1/services?colour=red"),
        "worker's language": client.get("/guides", headers={WORKER_HEADER: "cy"}),
        "POST /appearance": client.post("/appearance", data={"look": "notes"}),
    }
    device = Device(client)
    never["backup create"] = device.create()
    never["backup status"] = client.get(f"/api/v1/backups/{device.id}", headers=device.auth)
    assert never["backup status"].status_code == 200
    for name, response in never.items():
        assert CDN not in response.headers, name
    assert never["/admin/login"].headers["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" in never["/language/cy"].headers


# Two real workers -----------------------------------------------------------------------------------------------

def fetch(url: str, etag: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["ETag"]
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("ETag", "")


def test_two_gunicorn_workers_both_serve_a_publish_within_a_second(tmp_path):
    import socket

    root = Path(__file__).resolve().parent.parent
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'two.sqlite'}", "SECRET_KEY": "test-only",
                        "FLASK_APP": "pwa", "PYTHONPATH": str(root)}
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "init-db"], cwd=root, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "content", "load"], cwd=root, env=env, check=True, capture_output=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "pwa:create_app()"], cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/v1/bundle"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, old = fetch(url)
                break
            except OSError:  # not listening yet, or a worker still starting (URLError, refused, timed out)
                assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
                time.sleep(0.1)
        assert status == 200
        assert all(fetch(url, old) == (304, old) for _ in range(50))  # both workers hold the old version

        pack = tmp_path / "pack"
        shutil.copytree(PROJECT_ROOT / "content", pack)
        guide = pack / "guides" / "safety-plan.md"
        guide.write_text(guide.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        loaded = subprocess.run([*flask, "content", "load", "--dir", str(pack), "--actor", "test"], cwd=root,
                                env=env, capture_output=True, text=True)
        assert loaded.returncode == 0, loaded.stderr
        published = time.monotonic()
        time.sleep(content_version.REFRESH_SECONDS + 0.5 - (time.monotonic() - published))
        answers = [fetch(url, old) for _ in range(50)]
        assert {status for status, _ in answers} == {200}
        assert len({etag for _, etag in answers}) == 1 and answers[0][1] != old
    finally:
        server.terminate()
        server.wait(timeout=10)
