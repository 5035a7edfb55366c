"""The journal's backup in real Chromium against a real server and database: turning it on, the upload queue,
restoring on a fresh profile from the server and from an export file, two devices, deletion, tampering."""
import base64
import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from pwa.backup import wire
from pwa.backup.models import Backup, BackupRecord
from pwa.extensions import db
from test_journal_browser import PASSPHRASE, journal_db, journal_view, lock_all, set_up, unlock_to_home, write_entry

pytestmark = pytest.mark.browser

PHOTO_A = os.urandom(3000)  # bytes no page or database would hold by chance
PHOTO_B = os.urandom(1_500_000)  # over one slice: two records


def png(name, data):
    return {"name": name, "mimeType": "image/png", "buffer": data}


def turn_on(page, passphrase=PASSPHRASE):
    """Turns the backup on through the screens; returns the recovery code shown once."""
    page.click('[data-view="home"] [data-action="backup"]')
    journal_view(page, "backup").wait_for()
    page.fill("#backup-passphrase", passphrase)
    page.click('[data-backup-action="turn-on"]')
    code = page.locator("[data-recovery-code]").inner_text(timeout=30000)
    page.click('[data-backup-action="done"]')
    journal_view(page, "home").wait_for()
    return code


def wait_up_to_date(page, timeout=60000):
    """Everything saved is on the server: the queue is idle and empty (data-state is set as soon as work starts)."""
    page.wait_for_function("""() => { const line = document.querySelector('[data-backup-status]')
      return line?.dataset.state === 'done' && line.textContent === 'Copy up to date' }""", timeout=timeout)


def restore_from_server(page, code, passphrase=PASSPHRASE, replace=False):
    page.click('[data-view="setup"]:not([hidden]) [data-action="backup"], [data-view="unlock"]:not([hidden]) [data-action="backup"]')
    journal_view(page, "backup").wait_for()
    if replace:
        page.check("#restore-replace")
    page.fill("#restore-code", code)
    page.fill("#restore-passphrase", passphrase)
    page.click('[data-backup-action="restore-server"]')


def backed_up(page, what):
    """A new journal with one entry, its backup turned on and up to date: returns the backup's code."""
    set_up(page)
    write_entry(page, what=what)
    code = turn_on(page)
    wait_up_to_date(page)
    return code


def restored_and_up_to_date(page, code):
    """A second device: the journal restored from the server, back on its home screen, its copy up to date."""
    page.goto("/journal")
    restore_from_server(page, code)
    page.locator("[data-restored]").wait_for(timeout=60000)
    page.click('[data-backup-action="back"]')
    wait_up_to_date(page)


def journal_state(page, passphrase=PASSPHRASE):
    """Every revision decrypted (entry, rev, hash, record) and every photo's SHA-256, from the page's own modules."""
    return page.evaluate("""async (passphrase) => {
      const { openStore } = await import('/static/js/journal/store.js')
      const { Vault } = await import('/static/js/journal/vault.js')
      const { Journal, openRecord } = await import('/static/js/journal/entries.js')
      const { sha256Hex, open, unwrapKey, aad } = await import('/static/js/journal/crypto.js')
      const store = await openStore()
      const vault = new Vault(store)
      await vault.unlock(passphrase)
      const journal = new Journal(vault)
      await journal.load()
      const check = await journal.verify()
      const log = await store.getAll('log')
      const revisions = []
      for (const item of log) revisions.push({ seq: item.seq, entry: item.entry, rev: item.rev, hash: item.hash, record: await openRecord(vault.key, item) })
      const photos = {}
      for (const stored of await store.getAll('attachments')) {
        const key = await unwrapKey(vault.key, stored.key, aad.attachmentKey(stored.id))
        photos[stored.id] = await sha256Hex(await open(key, stored.body, aad.attachment(stored.id)))
      }
      const entries = Object.fromEntries(journal.list().map((e) => [e.id, e.fields.what]))
      store.close()
      return { revisions, photos, entries, problems: check.problems }
    }""", passphrase)


def fresh_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    return context, page


def test_backed_up_then_restored_on_a_fresh_profile_with_code_and_passphrase(page, browser, live_server, live_app,
                                                                            tmp_path):
    from test_journal_export import export_through_the_ui
    from test_journal_receipts import LINE

    set_up(page)
    write_entry(page, what="He took my keys", photos=[png("a.png", PHOTO_A)])
    write_entry(page, what="Shouting at night", place="Kitchen")
    code = turn_on(page)
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}", code)
    assert wire.normalize_code(code)  # its check characters hold
    wait_up_to_date(page)
    # After the copy is on: a new entry with a bigger photo, and a deletion (a new revision, never a removal).
    write_entry(page, what="Pushed me on the stairs", photos=[png("b.png", PHOTO_B)])
    entry_id = page.locator("[data-list] [data-id]").filter(has_text="Shouting at night").get_attribute("data-id")
    page.click(f'[data-list] [data-id="{entry_id}"]')
    page.click("[data-view=detail] .journal-delete summary")
    page.click('[data-action="delete"]')
    page.click('[data-action="delete"]')
    journal_view(page, "home").wait_for()
    wait_up_to_date(page)
    before = journal_state(page)
    assert len(before["revisions"]) == 4 and len(before["photos"]) == 2 and before["problems"] == []

    # The code is nowhere on the device, not even sealed: only what it derives, sealed under the vault key.
    stored = json.dumps(journal_db(page))
    keys = wire.derive(code)
    for secret in (code, code.replace("-", ""), keys.backup_id, keys.token_hex, base64.b64encode(keys.backup_key).decode()):
        assert secret not in stored

    # The server holds: key record, photo A, two revisions, photo B (2 slices), two revisions; in that order.
    with live_app.app_context():
        backup = db.session.get(Backup, keys.backup_id)
        assert backup.last_seq == 8 and backup.conflicts == 0
        bodies = [r.body for r in db.session.scalars(db.select(BackupRecord).filter_by(backup_id=keys.backup_id)
                                                          .order_by(BackupRecord.seq))]
    kinds = [wire.open_record(keys.record_key, keys.backup_id, body).header["t"] for body in bodies]
    assert kinds == ["key", "photo", "revision", "revision", "photo", "photo", "revision", "revision"]

    # The phone is smashed: a fresh profile restores with the code and the passphrase.
    context, fresh = fresh_page(browser, live_server)
    try:
        fresh.goto("/journal")
        journal_view(fresh, "setup").wait_for()
        restore_from_server(fresh, code.lower().replace("-", " "))
        fresh.locator("[data-restored]").wait_for(timeout=60000)
        assert fresh.get_attribute("[data-restore-check]", "data-restore-check") == "ok"
        assert fresh.get_attribute("[data-receipts]", "data-receipts") == "8"
        assert fresh.locator("[data-restore-problems]").count() == 0
        after = journal_state(fresh)
        assert after["revisions"] == before["revisions"]
        assert after["photos"] == before["photos"]
        assert after["photos"][next(iter(after["photos"]))] in (hashlib.sha256(PHOTO_A).hexdigest(),
                                                                hashlib.sha256(PHOTO_B).hexdigest())
        assert sorted(after["photos"].values()) == sorted([hashlib.sha256(PHOTO_A).hexdigest(),
                                                           hashlib.sha256(PHOTO_B).hexdigest()])
        # The deleted entry is there as history; the list shows the others.
        assert entry_id not in after["entries"] and len(after["entries"]) == 2
        assert [r["record"]["op"] for r in after["revisions"] if r["entry"] == entry_id] == ["create", "delete"]
        fresh.click('[data-backup-action="back"]')
        journal_view(fresh, "home").wait_for()
        assert "Pushed me on the stairs" in fresh.text_content("[data-list]")
        wait_up_to_date(fresh)  # it carries on backing up to the same copy, with nothing to send again
        # The restored journal's export verifies with the project's verifier, receipts and all.
        path, export_code = export_through_the_ui(fresh, tmp_path)
        key = tmp_path / "key.json"
        key.write_text(json.dumps(live_app.test_client().get("/.well-known/backup-receipt-key").get_json()))
        result = live_app.test_cli_runner().invoke(args=["journal", "verify", str(path), "--code", export_code,
                                                         "--receipts-key", str(key)])
        assert result.exit_code == 0, result.output
        assert "Verified: 4 revisions" in result.output
        assert [int(n) for n, *_ in LINE.findall(result.output)] == [1, 2, 3, 4]
    finally:
        context.close()
    with live_app.app_context():
        assert db.session.get(Backup, keys.backup_id).last_seq == 8


def test_a_wrong_passphrase_or_code_restores_nothing_and_says_why(page, browser, live_server):
    code = backed_up(page, "Something")
    context, fresh = fresh_page(browser, live_server)
    try:
        fresh.goto("/journal")
        journal_view(fresh, "setup").wait_for()
        restore_from_server(fresh, code, passphrase="not the passphrase at all")
        fresh.wait_for_function("() => document.querySelector('[data-view=backup] [data-error]').textContent !== ''")
        assert "does not open the copy" in fresh.inner_text("[data-view=backup] [data-error]")
        mistyped = code[:-1] + ("A" if code[-1] != "A" else "B")
        fresh.fill("#restore-code", mistyped)
        fresh.fill("#restore-passphrase", PASSPHRASE)
        fresh.click('[data-backup-action="restore-server"]')
        fresh.wait_for_function("() => /mistake/.test(document.querySelector('[data-view=backup] [data-error]').textContent)")
        assert fresh.evaluate("async () => (await indexedDB.databases()).length") in (0, 1, 2)  # the page opens its two empty slots (docs/duress.md)
        assert fresh.evaluate("""async () => { const { openStore } = await import('/static/js/journal/store.js')
          const s = await openStore(); const n = (await s.getAll('log')).length + (await s.getAllKeys('meta')).length; s.close(); return n }""") == 0
    finally:
        context.close()


def server_records(app, backup_id):
    with app.app_context():
        return [(r.seq, r.body) for r in db.session.scalars(
            db.select(BackupRecord).filter_by(backup_id=backup_id).order_by(BackupRecord.seq))]


def opened_records(app, code):
    keys = wire.derive(code)
    return [wire.open_record(keys.record_key, keys.backup_id, body).header for _, body in server_records(app, keys.backup_id)]


def test_the_export_carries_the_receipts_and_the_verifier_checks_them(page, live_server, live_app, tmp_path):
    from test_journal_export import export_through_the_ui
    from test_journal_receipts import LINE

    set_up(page)
    write_entry(page, what="First", photos=[png("a.png", PHOTO_A)])
    write_entry(page, what="Second")
    turn_on(page)
    wait_up_to_date(page)
    path, code = export_through_the_ui(page, tmp_path)
    exported = json.loads(path.read_text())
    assert [r["revision"] for r in exported["receipts"]] == [1, 2]
    key = tmp_path / "key.json"
    key.write_text(json.dumps(live_app.test_client().get("/.well-known/backup-receipt-key").get_json()))
    result = live_app.test_cli_runner().invoke(args=["journal", "verify", str(path), "--code", code,
                                                     "--receipts-key", str(key)])
    assert result.exit_code == 0, result.output
    assert "2 receipts from the backup server check out" in result.output
    assert [int(n) for n, *_ in LINE.findall(result.output)] == [1, 2]


def test_restore_from_an_export_file_needs_no_server(page, browser, live_server, live_app, tmp_path):
    from support import CONTROLLED
    from test_journal_export import export_through_the_ui

    set_up(page)
    write_entry(page, what="Kept only in an export", photos=[png("a.png", PHOTO_A)])
    write_entry(page, what="Edited later")
    page.click("[data-list] li >> nth=0")
    page.click('[data-action="edit"]')
    page.fill("#f-place", "Hallway")
    page.click('[data-form="entry"] [type=submit]')
    journal_view(page, "home").wait_for()
    turn_on(page)
    wait_up_to_date(page)
    path, export_code = export_through_the_ui(page, tmp_path)
    before = journal_state(page)

    context = browser.new_context(base_url=live_server.url)
    try:
        fresh = context.new_page()
        fresh.goto("/journal")
        fresh.wait_for_function(CONTROLLED)
        fresh.reload()
        # Used once online (the restore screen's code is then kept by the worker), then offline for good.
        fresh.click('[data-view="setup"] [data-action="backup"]')
        journal_view(fresh, "backup").wait_for()
        context.set_offline(True)
        fresh.reload()
        fresh.click('[data-view="setup"] [data-action="backup"]')
        journal_view(fresh, "backup").wait_for()
        fresh.set_input_files("#restore-file", str(path))
        fresh.fill("#restore-export-code", export_code.lower())
        fresh.fill("#restore-new-passphrase", "new phone new passphrase words")
        fresh.click('[data-backup-action="restore-file"]')
        fresh.locator("[data-restored]").wait_for(timeout=60000)
        assert fresh.get_attribute("[data-restore-check]", "data-restore-check") == "ok"
        after = journal_state(fresh, "new phone new passphrase words")
        assert after["revisions"] == before["revisions"] and after["photos"] == before["photos"]
        assert after["problems"] == []
        # The receipts came along (their signatures are checked when online), and go into the next export.
        context.set_offline(False)
        fresh.click('[data-backup-action="back"]')
        journal_view(fresh, "home").wait_for()
        again, again_code = export_through_the_ui(fresh, tmp_path / "again")
        assert [r["revision"] for r in json.loads(again.read_text())["receipts"]] == [1, 2, 3]
        key = tmp_path / "key.json"
        key.write_text(json.dumps(live_app.test_client().get("/.well-known/backup-receipt-key").get_json()))
        result = live_app.test_cli_runner().invoke(args=["journal", "verify", str(again), "--code", again_code,
                                                         "--receipts-key", str(key)])
        assert result.exit_code == 0 and "3 receipts from the backup server check out" in result.output, result.output
        # A wrong code opens nothing and says so.
        lock_all(fresh, "button")
        fresh.click('[data-view="unlock"] [data-action="backup"]')
        # A journal is already here: restoring says so, and does nothing until told to replace it.
        assert "already has a journal" in fresh.inner_text("[data-restore-exists]")
        fresh.set_input_files("#restore-file", str(path))
        fresh.fill("#restore-export-code", export_code)
        fresh.fill("#restore-new-passphrase", "new phone new passphrase words")
        fresh.click('[data-backup-action="restore-file"]')
        fresh.wait_for_function("() => /Tick/.test(document.querySelector('[data-view=backup] [data-error]').textContent)")
        assert len(journal_state(fresh, "new phone new passphrase words")["revisions"]) == 3  # untouched
        fresh.check("#restore-replace")
        fresh.set_input_files("#restore-file", str(path))
        fresh.fill("#restore-export-code", "AAAA-AAAA-AAAA-AAAA-AAAA")
        fresh.fill("#restore-new-passphrase", "new phone new passphrase words")
        fresh.click('[data-backup-action="restore-file"]')
        fresh.wait_for_function("() => /does not open this file/.test(document.querySelector('[data-view=backup] [data-error]').textContent)")
    finally:
        context.close()


def test_a_tampered_or_truncated_record_is_reported_and_nothing_else_is_lost(page, browser, live_server, live_app):
    set_up(page)
    write_entry(page, what="With a photo", photos=[png("a.png", PHOTO_A)])
    write_entry(page, what="Second entry")
    write_entry(page, what="Third entry")
    code = turn_on(page)
    wait_up_to_date(page)
    keys = wire.derive(code)
    assert [h["t"] for h in opened_records(live_app, code)] == ["key", "photo", "revision", "revision", "revision"]
    with live_app.app_context():
        photo = db.session.get(BackupRecord, (keys.backup_id, 2))
        photo.body = photo.body[:500] + bytes([photo.body[500] ^ 1]) + photo.body[501:]  # one bit changed
        last = db.session.get(BackupRecord, (keys.backup_id, 5))
        last.body = last.body[:3000]  # cut short
        db.session.commit()
    context, fresh = fresh_page(browser, live_server)
    try:
        fresh.goto("/journal")
        restore_from_server(fresh, code)
        fresh.locator("[data-restored]").wait_for(timeout=60000)
        problems = fresh.inner_text("[data-restore-problems]")
        assert "Record 2 on the server cannot be read" in problems and "Record 5 on the server cannot be read" in problems
        assert "photo" in problems.lower()  # the entry's photo is missing, and the check says so
        after = journal_state(fresh)
        assert [r["record"]["fields"]["what"] for r in after["revisions"]] == ["With a photo", "Second entry"]
        assert after["photos"] == {}
    finally:
        context.close()


def test_deleting_the_copy_needs_the_code_waits_and_can_be_cancelled(page, live_server, live_app):
    code = backed_up(page, "Something")
    keys = wire.derive(code)
    page.click('[data-view="home"] [data-action="backup"]')
    page.locator("[data-backup-info]").filter(has_text="holds 2 records").wait_for()
    page.click("[data-view=backup] .journal-delete summary")
    page.fill("#backup-delete-code", "0123-4567-89AB-CDEF-GHJK-MN7K")  # a valid code, but another backup's
    page.click('[data-backup-action="delete"]')
    page.click('[data-backup-action="delete"]')
    page.wait_for_function("() => /No copy was found/.test(document.querySelector('[data-view=backup] [data-error]').textContent)")
    with live_app.app_context():
        assert db.session.get(Backup, keys.backup_id).deletion_due_at is None
    # Made to delete it: the deletion waits.
    page.fill("#backup-delete-code", code)
    page.click('[data-backup-action="delete"]')
    page.click('[data-backup-action="delete"]')
    page.locator("[data-deletion]").wait_for()
    with live_app.app_context():
        backup = db.session.get(Backup, keys.backup_id)
        wait = backup.deletion_due_at - backup.deletion_requested_at
        assert wait.days == live_app.config["BACKUP_DELETION_WAIT_DAYS"] == 7
    # Later, alone: cancelled with the code. Nothing was deleted meanwhile, and changes still went up.
    page.click('[data-backup-action="back"]')
    write_entry(page, what="Written while the deletion waited")
    wait_up_to_date(page)
    page.click('[data-view="home"] [data-action="backup"]')
    page.locator("[data-deletion]").wait_for()
    page.click("[data-view=backup] .journal-delete summary")
    page.fill("#backup-delete-code", code.lower())
    page.click('[data-backup-action="cancel-delete"]')
    page.locator("[data-deletion]").wait_for(state="detached")
    with live_app.app_context():
        backup = db.session.get(Backup, keys.backup_id)
        assert backup.deletion_due_at is None and backup.last_seq == 3


def test_no_plaintext_reaches_the_server_its_database_logs_or_any_request(page, browser, live_server, live_app,
                                                                            caplog, capfd):
    import logging

    from test_journal_canary import CANARY, CANARY_PHOTO, leaks

    caplog.set_level(logging.DEBUG)
    sent = []
    page.on("request", lambda request: sent.append(f"{request.method} {request.url}".encode() + (request.post_data_buffer or b"")))
    set_up(page)
    write_entry(page, place=CANARY, what=CANARY, who=CANARY, photos=[png("canary.png", CANARY_PHOTO)])
    code = turn_on(page)
    write_entry(page, what=CANARY + " after", injuries=CANARY)
    wait_up_to_date(page)
    context, fresh = fresh_page(browser, live_server)
    fresh.on("request", lambda request: sent.append(f"{request.method} {request.url}".encode() + (request.post_data_buffer or b"")))
    try:
        fresh.goto("/journal")
        restore_from_server(fresh, code)
        fresh.locator("[data-restored]").wait_for(timeout=60000)
        assert any(CANARY in what for what in journal_state(fresh)["entries"].values())  # it really went there
    finally:
        context.close()
    database = Path(live_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    files = [path.read_bytes() for path in database.parent.glob(database.name + "*")]
    out, err = capfd.readouterr()
    puts = [body for body in sent if body.startswith(b"PUT ")]
    assert len(puts) == 4  # the key record, the photo, two revisions
    assert leaks(sent) == [], "requests"
    assert files and leaks(files) == [], "server database"
    assert leaks([caplog.text.encode(), out.encode(), err.encode()]) == [], "server logs"
    # Nor the passphrase or the code, in any form.
    for secret in (PASSPHRASE.encode(), code.encode(), code.replace("-", "").encode()):
        assert not any(secret in hay for hay in sent + files + [caplog.text.encode(), out.encode(), err.encode()])


def test_offline_for_a_day_then_online_the_queue_drains_in_order_and_nothing_is_sent_twice(page, live_server,
                                                                                           live_app):
    code = backed_up(page, "Before")
    puts = []
    page.on("requestfinished", lambda request: puts.append(request.url) if request.method == "PUT" else None)
    page.clock.install()
    page.context.set_offline(True)
    for n in range(3):
        write_entry(page, what=f"Offline {n}", photos=[png(f"p{n}.png", os.urandom(2000 + n))] if n == 1 else ())
    page.wait_for_function("() => /4 waiting/.test(document.querySelector('[data-backup-status]').textContent)")
    page.clock.run_for(24 * 60 * 60 * 1000)  # a day: back-off retries fail, the journal locks when idle
    journal_view(page, "unlock").wait_for()
    assert puts == [] and len(server_records(live_app, wire.derive(code).backup_id)) == 2
    page.context.set_offline(False)
    unlock_to_home(page)
    wait_up_to_date(page)
    headers = opened_records(live_app, code)
    assert [h["t"] for h in headers] == ["key", "revision", "revision", "photo", "revision", "revision"]
    assert [h["at"] for h in headers] == [1, 1, 2, 2, 3, 4]  # in the journal's order (turned on after entry 1)
    assert len({h["item"]["hash"] for h in headers if h["t"] == "revision"}) == 4
    seqs = [int(url.rsplit("/", 1)[1]) for url in puts]
    assert seqs == [3, 4, 5, 6]  # each record sent once, in order


def test_two_devices_on_one_backup_lose_nothing_and_a_restore_shows_both(browser, live_server, live_app):
    context_a, phone = fresh_page(browser, live_server)
    context_b, laptop = fresh_page(browser, live_server)
    context_c, third = fresh_page(browser, live_server)
    try:
        code = backed_up(phone, "Written on the phone")
        restored_and_up_to_date(laptop, code)
        # Both write while offline; the laptop's change reaches the server first.
        context_a.set_offline(True)
        context_b.set_offline(True)
        write_entry(phone, what="Phone, second")
        write_entry(laptop, what="Laptop, second")
        context_b.set_offline(False)
        laptop.evaluate("() => dispatchEvent(new Event('online'))")
        wait_up_to_date(laptop)
        context_a.set_offline(False)
        phone.evaluate("() => dispatchEvent(new Event('online'))")
        wait_up_to_date(phone)
        keys = wire.derive(code)
        with live_app.app_context():
            backup = db.session.get(Backup, keys.backup_id)
            assert backup.last_seq == 4 and backup.conflicts == 1  # the phone tried 3, was refused, wrote at 4
        third.goto("/journal")
        restore_from_server(third, code)
        third.locator("[data-restored]").wait_for(timeout=60000)
        assert third.get_attribute("[data-other-device]", "data-other-device") == "1"
        third.click('[data-backup-action="back"]')
        listed = third.text_content("[data-list]")
        for what in ("Written on the phone", "Phone, second", "Laptop, second"):
            assert what in listed
        assert journal_state(third)["problems"] == []
    finally:
        for context in (context_a, context_b, context_c):
            context.close()


@pytest.mark.parametrize("replace_keys", [True, False])
def test_a_changed_passphrase_is_a_new_key_record_and_the_new_one_restores_everything(page, browser, live_server,
                                                                                       live_app, replace_keys):
    from test_journal_browser import NEW_PASSPHRASE, change_passphrase

    set_up(page)
    write_entry(page, what="Before the change", photos=[png("a.png", PHOTO_A)])
    code = turn_on(page)
    wait_up_to_date(page)
    change_passphrase(page, PASSPHRASE, NEW_PASSPHRASE, replace_keys=replace_keys)
    journal_view(page, "home").wait_for()
    write_entry(page, what="After the change", photos=[png("b.png", PHOTO_B[:5000])])
    wait_up_to_date(page)
    headers = opened_records(live_app, code)
    assert [(h["t"], h.get("gen")) for h in headers] == [
        ("key", 1), ("photo", 1), ("revision", 1), ("key", 2), ("photo", 2), ("revision", 2)]
    assert (headers[3]["previous"] is not None) is replace_keys  # a replaced vault key carries the old one
    before = journal_state(page, NEW_PASSPHRASE)
    context, fresh = fresh_page(browser, live_server)
    try:
        fresh.goto("/journal")
        restore_from_server(fresh, code, passphrase=NEW_PASSPHRASE)
        fresh.locator("[data-restored]").wait_for(timeout=60000)
        assert fresh.get_attribute("[data-restore-check]", "data-restore-check") == "ok"
        after = journal_state(fresh, NEW_PASSPHRASE)
        assert after["revisions"] == before["revisions"] and after["photos"] == before["photos"]
        assert len(after["photos"]) == 2
    finally:
        context.close()
    # The old passphrase still opens the copy as it was before the change (the older key record), no more.
    context, old = fresh_page(browser, live_server)
    try:
        old.goto("/journal")
        restore_from_server(old, code, passphrase=PASSPHRASE)
        old.locator("[data-restored]").wait_for(timeout=60000)
        assert "newest passphrase" in old.inner_text("[data-restore-problems]")
        assert [r["record"]["fields"]["what"] for r in journal_state(old)["revisions"]] == ["Before the change"]
    finally:
        context.close()


def test_quick_hide_while_restoring_writes_and_opens_nothing(page, browser, live_server):
    code = backed_up(page, "Something")
    context, fresh = fresh_page(browser, live_server)
    try:
        held = []
        fresh.route("**/records?*", lambda route: held.append(route))
        fresh.goto("/journal")
        restore_from_server(fresh, code)
        while not held:
            fresh.wait_for_timeout(50)
        lock_all(fresh, "hide")  # hidden while the copy is on its way
        held[0].continue_()
        # Unguarded, the restore would write the journal and open it within a second or two: for five, nothing.
        stored = """async () => { const { openStore } = await import('/static/js/journal/store.js')
          const s = await openStore(); const n = (await s.getAllKeys('meta')).length; s.close(); return n }"""
        for _ in range(50):
            assert fresh.evaluate(stored) == 0
            assert fresh.locator('[data-view="home"]').is_hidden()
            fresh.wait_for_timeout(100)
    finally:
        context.close()
