"""The journal's backup in real Chromium against a real server and database: turning it on, the upload queue,
restoring on a fresh profile from the server and from an export file, two devices, deletion, tampering."""
import base64
import hashlib
import json
import os
import re

import pytest

from pwa.backup import wire
from pwa.backup.models import Backup, BackupRecord
from pwa.extensions import db
from test_journal_browser import PASSPHRASE, journal_db, journal_view, set_up, unlock_to_home, write_entry

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
    page.wait_for_function("() => document.querySelector('[data-backup-status]')?.textContent === 'Copy up to date'",
                           timeout=timeout)


def restore_from_server(page, code, passphrase=PASSPHRASE, replace=False):
    page.click('[data-view="setup"]:not([hidden]) [data-action="backup"], [data-view="unlock"]:not([hidden]) [data-action="backup"]')
    journal_view(page, "backup").wait_for()
    if replace:
        page.check("#restore-replace")
    page.fill("#restore-code", code)
    page.fill("#restore-passphrase", passphrase)
    page.click('[data-backup-action="restore-server"]')


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


def test_backed_up_then_restored_on_a_fresh_profile_with_code_and_passphrase(page, browser, live_server, live_app):
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
        assert "Pushed me on the stairs" in fresh.inner_text("[data-list]")
        wait_up_to_date(fresh)  # it carries on backing up to the same copy, with nothing to send again
    finally:
        context.close()
    with live_app.app_context():
        assert db.session.get(Backup, keys.backup_id).last_seq == 8


def test_a_wrong_passphrase_or_code_restores_nothing_and_says_why(page, browser, live_server):
    set_up(page)
    write_entry(page, what="Something")
    code = turn_on(page)
    wait_up_to_date(page)
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
        assert fresh.evaluate("async () => (await indexedDB.databases()).length") in (0, 1)
        assert fresh.evaluate("""async () => { const { openStore } = await import('/static/js/journal/store.js')
          const s = await openStore(); const n = (await s.getAll('log')).length + (await s.getAllKeys('meta')).length; s.close(); return n }""") == 0
    finally:
        context.close()
