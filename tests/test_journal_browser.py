"""The journal in real Chromium: set-up, unlock, entries, drafts, locking, tamper evidence, refusals."""
import base64
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import make_app
from support import DUMP_STORAGE_BODY, LiveServer

pytestmark = pytest.mark.browser

PASSPHRASE = "purple tractor singing lighthouse"
NEW_PASSPHRASE = "seven quiet herons over the canal"

# Everything the page's origin stores, binary values as {"$bytes": base64}; also used by the canary tests.
DUMP_STORAGE = f"async () => {{{DUMP_STORAGE_BODY}}}"


def journal_view(page, name):
    return page.locator(f'[data-module="journal"] [data-view="{name}"]')


def set_up(page, passphrase=PASSPHRASE):
    page.goto("/journal")
    journal_view(page, "setup").wait_for()
    page.fill("#setup-passphrase", passphrase)
    page.fill("#setup-confirm", passphrase)
    page.click('[data-form="setup"] [type=submit]')
    journal_view(page, "home").wait_for()


def unlock(page, passphrase=PASSPHRASE):
    journal_view(page, "unlock").wait_for()
    page.fill("#unlock-passphrase", passphrase)
    page.click('[data-form="unlock"] [type=submit]')


def unlock_to_home(page, passphrase=PASSPHRASE):
    unlock(page, passphrase)
    journal_view(page, "home").wait_for()
    return page


def journal_in_new_tab(context):
    """A fresh tab on the journal, unlocked: what someone coming back later sees."""
    tab = context.new_page()
    tab.goto("/journal")
    return unlock_to_home(tab)


def write_entry(page, save=True, photos=(), **fields):
    page.click('[data-action="new"]')
    journal_view(page, "entry").wait_for()
    for name, value in fields.items():
        if name == "tags":
            for tag in value:
                page.check(f"#f-tag-{tag}")
        elif name == "childrenPresent":
            page.check(f"#f-childrenPresent-{value}")
        elif name == "approximate":
            page.set_checked("#f-approximate", value)
        elif name == "partOfDay":
            page.select_option("#f-partOfDay", value)
        else:
            page.fill(f"#f-{name}", value)
    for count, photo in enumerate(photos, start=1):
        page.set_input_files("#photo-choose", files=[photo])
        page.locator("[data-photos] li").nth(count - 1).wait_for()
    if save:
        page.click('[data-form="entry"] [type=submit]')
        journal_view(page, "home").wait_for()


def lock_all(page, reason="hide"):
    page.evaluate("async (reason) => (await import('/static/js/lock.js')).lockAll(reason)", reason)


def dump(page):
    return page.evaluate(DUMP_STORAGE)


def journal_db(page):
    return dump(page)["indexedDB"]["od-data"]


def decoded(value):
    return base64.b64decode(value["$bytes"])


def test_set_up_refuses_weak_or_mismatched_passphrases_then_opens(page, live_server):
    page.goto("/journal")
    journal_view(page, "setup").wait_for()
    page.fill("#setup-passphrase", "short")
    assert "Too short" in page.inner_text('[data-strength-for="setup-passphrase"]')
    page.click('[data-form="setup"] [type=submit]')
    assert "at least 10 characters" in page.inner_text('[data-form="setup"] [data-error]')
    page.fill("#setup-passphrase", "password123")
    page.fill("#setup-confirm", "password123")
    page.click('[data-form="setup"] [type=submit]')
    assert "too easy to guess" in page.inner_text('[data-form="setup"] [data-error]')
    page.fill("#setup-passphrase", PASSPHRASE)
    assert page.inner_text('[data-strength-for="setup-passphrase"]').strip() in ("Good", "Strong")
    page.fill("#setup-confirm", PASSPHRASE + "x")
    page.click('[data-form="setup"] [type=submit]')
    assert "not the same" in page.inner_text('[data-form="setup"] [data-error]')
    assert journal_db(page)["meta"] == []
    page.evaluate("document.addEventListener('opendoor:meaningful-use', () => { window.meaningfulUse = true })")
    page.fill("#setup-confirm", PASSPHRASE)
    page.click('[data-form="setup"] [type=submit]')
    journal_view(page, "home").wait_for()
    assert page.evaluate("window.meaningfulUse") is True
    assert page.input_value("#setup-passphrase") == ""
    [(key, header)] = journal_db(page)["meta"]
    assert key == "vault" and header["v"] == 2  # 2: the log's links are keyed
    assert header["kdf"]["name"] == "PBKDF2-SHA256" and header["kdf"]["iterations"] >= 600_000
    assert len(decoded(header["vaultKey"])) == 12 + 32 + 16
    assert page.title() == "Open Door"  # the neutral identity name, never "Journal"


def test_entries_are_saved_listed_searched_edited_and_deleted_as_revisions(page, live_server):
    set_up(page)
    write_entry(page, occurredDate="2026-11-01", what="Took my bank card and PIN", tags=["money"])
    write_entry(page, occurredDate="2026-11-03", approximate=True, partOfDay="night",
                what="Called me useless in front of the kids", childrenPresent="yes", tags=["degradation"])
    items = page.locator("[data-list] li")
    assert items.count() == 2
    # Saving clears the draft for good: no late autosave brings it back, the next entry starts empty.
    assert [key for key, _ in journal_db(page)["state"]] == ["index", "pair"]  # pair: see docs/duress.md
    page.click('[data-action="new"]')
    assert page.input_value("#f-what") == "" and not page.is_checked("#f-tag-degradation")
    page.click('[data-action="discard-entry"]')
    page.click('[data-action="discard-entry"]')
    journal_view(page, "home").wait_for()
    assert "Around 3 November 2026, night" in items.nth(0).text_content()  # most recent first
    page.fill("[data-search]", "bank card")
    assert items.count() == 1 and "bank card" in items.nth(0).text_content()
    page.fill("[data-search]", "controlling money")  # tag labels are searchable too
    assert items.count() == 1
    page.fill("[data-search]", "")

    page.click("[data-list] li >> nth=1")
    journal_view(page, "detail").wait_for()
    page.click('[data-action="edit"]')
    page.fill("#f-crimeReference", "CC/0411/26")
    page.click('[data-form="entry"] [type=submit]')
    journal_view(page, "home").wait_for()
    page.click("[data-list] li >> nth=1")
    assert "CC/0411/26" in page.inner_text("[data-detail]")
    page.click('[data-action="history"]')
    page.locator("[data-history] li").nth(1).wait_for()
    assert "Changed " in page.inner_text("[data-history]")

    page.click(".journal-delete summary")
    page.fill("[data-delete-reason]", "wrong day")
    page.click('[data-action="delete"]')
    page.click('[data-action="delete"]')  # the second press confirms
    journal_view(page, "home").wait_for()
    assert items.count() == 1
    log = journal_db(page)["log"]
    assert [(item["entry"] == log[0][1]["entry"], item["rev"]) for _, item in log] == \
        [(True, 1), (False, 1), (True, 2), (True, 3)]
    # Hash-linked: each revision names the hash of the one before it.
    assert log[0][1]["prev"] == "0" * 64
    assert all(log[i][1]["prev"] == log[i - 1][1]["hash"] for i in range(1, len(log)))

    page.click('[data-action="check"]')
    assert "All 4 saved changes and 0 photos check out" in page.locator("[data-check-result]").inner_text()


def test_wrong_passphrase_says_could_not_unlock_and_changes_nothing(page, live_server):
    set_up(page)
    write_entry(page, what="Something to keep")
    page.click('[data-action="lock"]')
    before = journal_db(page)
    unlock(page, "not my passphrase at all")
    error = page.locator('[data-form="unlock"] [data-error]')
    error.wait_for()
    assert error.inner_text() == "Could not unlock. Check the passphrase and try again."
    assert page.input_value("#unlock-passphrase") == ""
    assert journal_db(page) == before
    unlock_to_home(page)
    assert "Something to keep" in page.text_content("[data-list]")


def change_passphrase(page, current, new, replace_keys=True):
    page.click('[data-action="passphrase"]')
    assert page.is_checked("#change-replace-keys")  # on unless the person says otherwise
    page.set_checked("#change-replace-keys", replace_keys)
    page.fill("#change-current", current)
    page.fill("#change-passphrase", new)
    page.fill("#change-confirm", new)
    page.click('[data-form="passphrase"] [type=submit]')


def test_changing_the_passphrase_alone_rewraps_only_the_vault_key(page, live_server):
    set_up(page)
    write_entry(page, what="Entry that must survive")
    before = journal_db(page)
    change_passphrase(page, "wrong current passphrase", NEW_PASSPHRASE, replace_keys=False)
    page.locator('[data-form="passphrase"] [data-error]:not(:empty)').wait_for()
    assert "Nothing was changed" in page.inner_text('[data-form="passphrase"] [data-error]')
    assert journal_db(page) == before

    page.fill("#change-current", PASSPHRASE)
    page.fill("#change-passphrase", NEW_PASSPHRASE)
    page.fill("#change-confirm", NEW_PASSPHRASE)
    page.set_checked("#change-replace-keys", False)
    page.click('[data-form="passphrase"] [type=submit]')
    journal_view(page, "home").wait_for()
    after = journal_db(page)
    assert after["meta"] != before["meta"]
    assert after["meta"][0][1]["kdf"]["salt"] != before["meta"][0][1]["kdf"]["salt"]
    for store in ("log", "attachments", "state"):
        assert after[store] == before[store], store
    page.click('[data-action="lock"]')
    unlock(page, PASSPHRASE)
    page.locator('[data-form="unlock"] [data-error]:not(:empty)').wait_for()
    unlock_to_home(page, NEW_PASSPHRASE)
    assert "Entry that must survive" in page.text_content("[data-list]")


# What someone who learnt the old passphrase can do with a copy of storage taken before the change: open the
# old vault key, then try it on a record key written after.
OLD_KEY_OPENS = """async ({ header, passphrase, wrapped, entry, rev }) => {
  const c = await import('/static/js/journal/crypto.js')
  const bytes = (v) => c.fromBase64(v.$bytes)
  const kek = await c.deriveKey(passphrase, bytes(header.kdf.salt), header.kdf.iterations)
  const oldVaultKey = await c.importKey(await c.open(kek, bytes(header.vaultKey), c.aad.vaultKey()))
  try {
    await c.unwrapKey(oldVaultKey, bytes(wrapped), c.aad.recordKey(entry, rev))
    return true
  } catch { return false }
}"""


def test_replacing_the_keys_leaves_an_old_copy_and_passphrase_unable_to_read_what_comes_after(page, live_server):
    set_up(page)
    write_entry(page, what="Before the change", photos=[{"name": "a.png", "mimeType": "image/png", "buffer": b"photo-1"}])
    write_entry(page, save=False, what="A draft kept across the change")
    page.click('[data-action="close-entry"]')
    before = journal_db(page)
    old_header = before["meta"][0][1]
    change_passphrase(page, PASSPHRASE, NEW_PASSPHRASE)
    journal_view(page, "home").wait_for()
    assert "every key replaced" in page.inner_text("[data-status]")
    assert dict(journal_db(page)["state"])["draft"] != dict(before["state"])["draft"]  # re-sealed
    page.click('[data-action="continue-draft"]')
    assert page.input_value("#f-what") == "A draft kept across the change"
    page.fill("#f-what", "After the change")
    page.click('[data-form="entry"] [type=submit]')
    journal_view(page, "home").wait_for()
    after = journal_db(page)

    old_items = {item["seq"]: item for _, item in before["log"]}
    for _, item in after["log"]:
        if item["seq"] in old_items:  # the same revisions, the same links, everything re-wrapped and re-keyed
            old = old_items[item["seq"]]
            assert item["hash"] == old["hash"] and item["body"] == old["body"]
            assert item["key"] != old["key"] and item["mac"] != old["mac"]
    assert [photo["key"] for _, photo in after["attachments"]] != [photo["key"] for _, photo in before["attachments"]]
    newest = after["log"][-1][1]
    assert page.evaluate(OLD_KEY_OPENS, {"header": old_header, "passphrase": PASSPHRASE, "wrapped": newest["key"],
                                         "entry": newest["entry"], "rev": newest["rev"]}) is False
    first = before["log"][0][1]
    assert page.evaluate(OLD_KEY_OPENS, {"header": old_header, "passphrase": PASSPHRASE, "wrapped": first["key"],
                                         "entry": first["entry"], "rev": first["rev"]}) is True  # the probe works

    page.click('[data-action="lock"]')
    unlock_to_home(page, NEW_PASSPHRASE)
    assert "Before the change" in page.text_content("[data-list]") and "After the change" in page.text_content("[data-list]")
    page.click('[data-action="check"]')
    page.locator('[data-check-result="ok"]').wait_for()


SEED_ENTRIES = """async ({ passphrase, count }) => {
  const { openStore } = await import('/static/js/journal/store.js')
  const { Vault } = await import('/static/js/journal/vault.js')
  const { Journal } = await import('/static/js/journal/entries.js')
  const vault = new Vault(await openStore())
  await vault.unlock(passphrase)
  const journal = new Journal(vault)
  await journal.load()
  for (let i = 0; i < count; i++) await journal.save(null, { what: `Entry ${i}`, tags: [] }, [])
}"""


OPENS = """async (passphrases) => {
  const { openStore } = await import('/static/js/journal/store.js')
  const { Vault } = await import('/static/js/journal/vault.js')
  const { Journal } = await import('/static/js/journal/entries.js')
  const opened = []
  for (const passphrase of passphrases) {
    const vault = new Vault(await openStore())
    try { await vault.unlock(passphrase) } catch { continue }
    const journal = new Journal(vault)
    await journal.load()
    opened.push({ passphrase, entries: journal.list().length, problems: (await journal.verify()).problems })
  }
  return opened
}"""


def test_closing_the_page_while_the_keys_are_replaced_leaves_one_whole_journal(browser, live_server):
    """One transaction: whenever the page dies, exactly one passphrase opens everything, and the check is clean.

    The change is timed once on this machine, then the page is closed at points spread across it, so both
    outcomes (the old journal, the new one) are seen, and never a mixture."""
    def journal_ready_to_change():
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        set_up(page)
        page.click('[data-action="lock"]')
        page.evaluate(SEED_ENTRIES, {"passphrase": PASSPHRASE, "count": 60})
        unlock_to_home(page)
        page.click('[data-action="passphrase"]')
        page.fill("#change-current", PASSPHRASE)
        page.fill("#change-passphrase", NEW_PASSPHRASE)
        page.fill("#change-confirm", NEW_PASSPHRASE)
        return context, page

    context, page = journal_ready_to_change()
    started = time.monotonic()
    page.click('[data-form="passphrase"] [type=submit]', delay=0)
    journal_view(page, "home").wait_for()
    whole_ms = (time.monotonic() - started) * 1000
    context.close()

    seen = set()
    for fraction in (0, 0.2, 0.4, 0.55, 0.7, 0.85, 1.0, 1.5):
        context, page = journal_ready_to_change()
        page.click('[data-form="passphrase"] [type=submit]', delay=0)
        page.wait_for_timeout(whole_ms * fraction)
        page.close()
        tab = context.new_page()
        tab.goto("/journal")
        opened = tab.evaluate(OPENS, [PASSPHRASE, NEW_PASSPHRASE])
        context.close()
        assert len(opened) == 1, (fraction, opened)
        assert opened[0]["entries"] == 60 and opened[0]["problems"] == [], (fraction, opened)
        seen.add(opened[0]["passphrase"])
    assert seen == {PASSPHRASE, NEW_PASSPHRASE}, f"the closes did not straddle the change ({whole_ms:.0f} ms)"


def test_a_crash_loses_nothing_the_draft_is_autosaved_encrypted(page, live_server):
    set_up(page)
    write_entry(page, save=False, what="Half-written when the page died", place="Car park")
    page.locator("[data-draft-state]:not(:empty)").wait_for()
    # Open the journal afresh in another tab while the first is frozen mid-entry: what is stored must be
    # enough on its own (no pagehide, no lock handler ran), as after a crash or a dead battery.
    page = journal_in_new_tab(page.context)
    offer = page.locator("[data-draft-offer]")
    assert offer.is_visible()
    page.click('[data-action="continue-draft"]')
    assert page.input_value("#f-what") == "Half-written when the page died"
    assert page.input_value("#f-place") == "Car park"


def test_locking_saves_the_draft_first_then_clears_the_screen(page, live_server):
    """What quick-hide and app updates do: lockAll() must not lose a word typed a moment ago."""
    set_up(page)
    write_entry(page, what="Saved entry text")
    write_entry(page, save=False, what="Typed just before hiding", photos=[
        {"name": "bruise.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\nbruise"}])
    page.fill("#f-injuries", "Typed a split second before")  # no time for the autosave pause
    lock_all(page, "hide")
    journal_view(page, "unlock").wait_for()
    html = page.content()
    for text in ("Typed just before hiding", "Typed a split second before", "Saved entry text", "bruise.png"):
        assert text not in html
    assert page.evaluate("[...document.querySelectorAll('input, textarea')].every((f) => !f.value || f.type === 'checkbox' || f.type === 'radio')")
    unlock_to_home(page)
    page.click('[data-action="continue-draft"]')
    assert page.input_value("#f-what") == "Typed just before hiding"
    assert page.input_value("#f-injuries") == "Typed a split second before"
    assert "bruise.png" in page.inner_text("[data-photos]")


def test_lock_handler_is_fast(page, live_server):
    set_up(page)
    write_entry(page, save=False, what="x" * 5000)
    took = page.evaluate("""async () => {
      const { lockAll } = await import('/static/js/lock.js')
      const started = performance.now()
      await lockAll('hide')
      return performance.now() - started
    }""")
    assert took < 500  # quick-hide waits at most ~0.5 s before leaving


@pytest.fixture
def idle_server(tmp_path):
    server = LiveServer(make_app(f"sqlite:///{tmp_path / 'idle.sqlite'}", JOURNAL_IDLE_SECONDS=1)).start()
    yield server
    server.stop()


def test_auto_lock_on_idle_clears_the_dom_and_keeps_the_draft(browser, idle_server):
    context = browser.new_context(base_url=idle_server.url)
    page = context.new_page()
    set_up(page)
    write_entry(page, save=False, what="IDLE-CANARY typed then walked away")
    journal_view(page, "unlock").wait_for(timeout=10_000)
    assert "Locked after a few minutes without use" in page.inner_text("[data-status]")
    assert "IDLE-CANARY" not in page.content()
    assert "IDLE-CANARY" not in page.evaluate("[...document.querySelectorAll('input, textarea')].map((f) => f.value).join()")
    unlock_to_home(page)
    page.click('[data-action="continue-draft"]')
    assert page.input_value("#f-what") == "IDLE-CANARY typed then walked away"
    context.close()


def test_the_page_being_hidden_locks_it(page, live_server):
    set_up(page)
    write_entry(page, save=False, what="Hidden-page draft")
    page.evaluate("""() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
    }""")
    page.wait_for_function("!document.body.innerHTML.includes('Hidden-page draft')")
    page.wait_for_function("""async () => {
      const db = await new Promise((r) => { const q = indexedDB.open('od-data'); q.onsuccess = () => r(q.result) })
      return new Promise((r) => { const q = db.transaction('state').objectStore('state').get('draft'); q.onsuccess = () => r(Boolean(q.result)) })
    }""")


TAMPER_EVERY_RECORD = """async ({ passphrase }) => {
  const { openStore } = await import('/static/js/journal/store.js')
  const { Vault } = await import('/static/js/journal/vault.js')
  const { Journal } = await import('/static/js/journal/entries.js')
  const store = await openStore()
  const vault = new Vault(store)
  await vault.unlock(passphrase)
  const journal = new Journal(vault)
  const results = { clean: (await journal.verify()).problems, missed: [], tried: 0 }
  const put = (item) => store.write(['log'], ({ log }) => log.put(item))
  for (const original of await store.getAll('log')) {
    for (const field of ['body', 'key']) {
      for (let i = 0; i < original[field].length; i++) {
        const changed = original[field].slice()
        changed[i] ^= 1
        await put({ ...original, [field]: changed })
        results.tried += 1
        if ((await journal.verify()).problems.length === 0) results.missed.push(`${original.seq} ${field} ${i}`)
      }
    }
    for (const [field, value] of [['prev', 'f'.repeat(64)], ['hash', 'e'.repeat(64)], ['rev', original.rev + 1], ['entry', 'someone-else']]) {
      await put({ ...original, [field]: value })
      results.tried += 1
      if ((await journal.verify()).problems.length === 0) results.missed.push(`${original.seq} ${field}`)
    }
    await put(original)
  }
  results.restored = (await journal.verify()).problems
  return results
}"""


def test_tampering_any_byte_of_any_stored_record_is_detected(page, live_server):
    set_up(page)
    write_entry(page, what="First")
    write_entry(page, what="Second", photos=[{"name": "p.png", "mimeType": "image/png", "buffer": b"photo"}])
    result = page.evaluate(TAMPER_EVERY_RECORD, {"passphrase": PASSPHRASE})
    assert result["clean"] == [] and result["restored"] == []
    assert result["tried"] > 400
    assert result["missed"] == []
    # And the photo: change one byte of it on the device and the check names it.
    page.evaluate("""async () => {
      const { openStore } = await import('/static/js/journal/store.js')
      const store = await openStore()
      const [photo] = await store.getAll('attachments')
      photo.body[20] ^= 1
      await store.write(['attachments'], ({ attachments }) => attachments.put(photo))
    }""")
    page.click('[data-action="check"]')
    result = page.locator('[data-check-result="problems"]')
    result.wait_for()
    assert "p.png" in page.inner_text("[data-check]")


@pytest.mark.parametrize("change, message", [
    ({"v": 3}, "newer version"),
    ({"kdf.iterations": 100_000}, "not safe enough"),
    ({"kdf.name": "PBKDF2-SHA1"}, "not safe enough"),
])
def test_unknown_versions_and_weak_parameters_are_refused(page, live_server, change, message):
    set_up(page)
    page.click('[data-action="lock"]')
    page.evaluate("""async (change) => {
      const { openStore } = await import('/static/js/journal/store.js')
      const store = await openStore()
      const header = await store.get('meta', 'vault')
      for (const [path, value] of Object.entries(change)) {
        const names = path.split('.')
        const last = names.pop()
        names.reduce((obj, name) => obj[name], header)[last] = value
      }
      await store.write(['meta'], ({ meta }) => meta.put(header, 'vault'))
    }""", change)
    unlock(page)
    page.locator('[data-form="unlock"] [data-error]:not(:empty)').wait_for()
    assert message in page.inner_text('[data-form="unlock"] [data-error]')
    assert not journal_view(page, "home").is_visible()


def test_entry_form_is_checked_and_mobile_friendly(page, live_server):
    page.set_viewport_size({"width": 360, "height": 740})
    set_up(page)
    page.click('[data-action="new"]')
    page.click('[data-form="entry"] [type=submit]')
    assert "Write what happened" in page.inner_text('[data-form="entry"] [data-error]')
    assert page.evaluate("document.activeElement.id") == "f-what"
    page.fill("#f-what", "x")
    page.fill("#f-occurredDate", "2999-01-01")
    page.click('[data-form="entry"] [type=submit]')
    assert "in the future" in page.inner_text('[data-form="entry"] [data-error]')
    # Every control has a label, and every button is a big enough target.
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('[data-form=entry] input, [data-form=entry] textarea, [data-form=entry] select')]
      .filter((f) => !f.labels || f.labels.length === 0).map((f) => f.id || f.name)""")
    assert unlabelled == []
    small = page.evaluate("""() => [...document.querySelectorAll('[data-view=entry] .button')]
      .filter((b) => b.offsetParent && b.getBoundingClientRect().height < 44).map((b) => b.textContent)""")
    assert small == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_no_console_errors_on_the_journal(page, live_server):
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda err: problems.append(str(err)))
    set_up(page)
    write_entry(page, what="Console check")
    page.click('[data-action="report"]')
    journal_view(page, "report").wait_for()
    assert "Console check" in page.inner_text("[data-report]")
    assert problems == []


def test_quick_hide_keeps_the_draft_and_leaves_nothing_on_screen(page, live_server):
    """The real quick-hide control, pressed mid-sentence: the decoy shows, and the words are kept encrypted."""
    set_up(page)
    write_entry(page, save=False, what="Started writing")
    page.fill("#f-effect", "Pressed hide straight after typing this")
    page.click("[data-quick-hide]")
    page.wait_for_url(lambda url: "/journal" not in url)
    assert "Pressed hide" not in page.content()
    page.go_back()
    assert "Pressed hide" not in page.content()
    # Later, in a fresh tab (the hidden one stays shut until the secret way in).
    later = journal_in_new_tab(page.context)
    later.click('[data-action="continue-draft"]')
    assert later.input_value("#f-what") == "Started writing"
    assert later.input_value("#f-effect") == "Pressed hide straight after typing this"


def test_locking_one_tab_locks_the_journal_in_every_tab(page, live_server):
    set_up(page)
    write_entry(page, what="Open in two tabs")
    other = journal_in_new_tab(page.context)
    write_entry(other, save=False, what="Being written in the other tab")
    page.click('[data-action="lock"]')
    journal_view(other, "unlock").wait_for()
    assert "Open in two tabs" not in other.content()
    unlock_to_home(other)
    other.click('[data-action="continue-draft"]')
    assert other.input_value("#f-what") == "Being written in the other tab"


def test_locking_while_unlocking_keeps_the_journal_locked(page, live_server):
    set_up(page)
    page.click('[data-action="lock"]')
    journal_view(page, "unlock").wait_for()
    page.fill("#unlock-passphrase", PASSPHRASE)
    page.evaluate("""async () => {
      const { lockAll } = await import('/static/js/lock.js')
      document.querySelector('[data-form=unlock]').requestSubmit()
      await lockAll('hide')  // while the key is still being derived
    }""")
    page.locator('[data-form="unlock"] [type=submit]:enabled').wait_for()
    with pytest.raises(PlaywrightTimeout):  # give a wrongly opened journal the time to show itself
        journal_view(page, "home").wait_for(timeout=2000)
    assert journal_view(page, "unlock").is_visible()


@pytest.mark.parametrize("stored", ["index", "draft"])
def test_locking_while_the_journal_opens_keeps_it_locked(page, live_server, stored):
    """Hidden just after the key is derived, while the index or the draft is still being read: what is read after
    the lock must not reach the page, and the journal must not show its home screen."""
    set_up(page)
    write_entry(page, what="OPEN-CANARY saved")
    write_entry(page, save=False, what="OPEN-CANARY unsaved")
    page.click('[data-action="close-entry"]')
    page.click('[data-action="lock"]')
    journal_view(page, "unlock").wait_for()
    page.evaluate("""async (stored) => {
      const { lockAll } = await import('/static/js/lock.js')
      const { Store } = await import('/static/js/journal/store.js')
      const get = Store.prototype.get
      Store.prototype.get = async function (store, key) {
        const value = await get.call(this, store, key)
        if (key === stored) { Store.prototype.get = get; await lockAll('hide') }
        return value
      }
    }""", stored)
    unlock(page)
    page.locator('[data-form="unlock"] [type=submit]:enabled').wait_for()
    page.wait_for_timeout(1000)  # time for a wrongly opened journal to show itself
    assert journal_view(page, "unlock").is_visible()
    assert not journal_view(page, "home").is_visible()
    assert "OPEN-CANARY" not in page.content()
    unlock_to_home(page)
    assert "OPEN-CANARY saved" in page.text_content("[data-list]")
    assert page.locator("[data-draft-offer]").is_visible()


@pytest.mark.parametrize("action", ["save", "delete"])
def test_locking_while_saving_leaves_nothing_on_screen(page, live_server, action):
    """A quick-hide that lands while a revision is being written must not bring the list back afterwards."""
    set_up(page)
    write_entry(page, what="SAVE-CANARY already saved", occurredDate="2026-11-20")
    if action == "save":
        write_entry(page, save=False, what="SAVE-CANARY being saved")
        button = '[data-form="entry"] [type=submit]'
    else:
        page.click("[data-list] [data-id]")
        journal_view(page, "detail").wait_for()
        page.click("details.journal-delete summary")
        page.click('[data-action="delete"]')  # arms it; the next press deletes
        button = '[data-action="delete"]'
    page.evaluate("""async (selector) => {
      const { lockAll } = await import('/static/js/lock.js')
      // Hide at the worst moment: the revision is queued in IndexedDB but not yet committed.
      const add = IDBObjectStore.prototype.add
      const locked = new Promise((resolve) => {
        IDBObjectStore.prototype.add = function (...args) {
          const request = add.apply(this, args)
          if (this.name === 'log') { IDBObjectStore.prototype.add = add; queueMicrotask(() => resolve(lockAll('hide'))) }
          return request
        }
      })
      document.querySelector(selector).click()
      await locked
    }""", button)
    page.wait_for_timeout(1500)  # time for the write to finish and any late rendering to happen
    assert journal_view(page, "unlock").is_visible()
    assert not journal_view(page, "home").is_visible()
    assert "SAVE-CANARY" not in page.content()
    unlock_to_home(page)
    assert page.locator("[data-list] [data-id]").count() == (2 if action == "save" else 0)


def test_locking_while_changing_the_passphrase_keeps_the_journal_locked(page, live_server):
    set_up(page)
    write_entry(page, what="PASS-CANARY entry")
    page.click('[data-action="passphrase"]')
    page.fill("#change-current", PASSPHRASE)
    page.fill("#change-passphrase", NEW_PASSPHRASE)
    page.fill("#change-confirm", NEW_PASSPHRASE)
    page.evaluate("""async () => {
      const { lockAll } = await import('/static/js/lock.js')
      document.querySelector('[data-form=passphrase]').requestSubmit()
      await lockAll('hide')  // while the keys are still being derived
    }""")
    page.wait_for_function("() => !document.querySelector('[data-form=passphrase] [type=submit]').disabled")
    page.wait_for_timeout(500)
    assert journal_view(page, "unlock").is_visible()
    assert not journal_view(page, "home").is_visible()
    unlock(page, NEW_PASSPHRASE)  # the change itself went through
    journal_view(page, "home").wait_for()
    assert "PASS-CANARY entry" in page.text_content("[data-list]")


@pytest.mark.parametrize("cut", ["last", "all", "last-and-index"])
def test_revisions_cut_off_the_end_are_detected(page, live_server, cut):
    """What is left of a truncated log still links up; the sealed index, written with every revision, does not."""
    set_up(page)
    write_entry(page, what="First")
    write_entry(page, what="Second")
    problems = page.evaluate("""async ({ passphrase, cut }) => {
      const { openStore } = await import('/static/js/journal/store.js')
      const { Vault } = await import('/static/js/journal/vault.js')
      const { Journal } = await import('/static/js/journal/entries.js')
      const store = await openStore()
      const vault = new Vault(store)
      await vault.unlock(passphrase)
      const journal = new Journal(vault)
      const clean = (await journal.verify()).problems
      const seqs = (await store.getAll('log')).map((item) => item.seq)
      const gone = cut === 'all' ? seqs : seqs.slice(-1)
      await store.write(['log', 'state'], ({ log, state }) => {
        gone.forEach((seq) => log.delete(seq))
        if (cut === 'last-and-index') state.delete('index')
      })
      return { clean, cut: (await journal.verify()).problems }
    }""", {"passphrase": PASSPHRASE, "cut": cut})
    assert problems["clean"] == []
    assert any("removed from the end" in problem for problem in problems["cut"]), problems


@pytest.mark.parametrize("press_ms", [50, 300, 800])
def test_a_long_press_on_save_right_after_typing_saves(page, live_server, press_ms):
    """Pressing Save moves focus out of the field, which saves the draft and says so: the button must not move
    between the finger going down and coming up, or the press lands elsewhere and nothing is saved."""
    set_up(page)
    write_entry(page, save=False, what="Typed, then Save pressed at once")
    button = page.locator('[data-form="entry"] [type=submit]')
    page.focus("#f-what")
    button.scroll_into_view_if_needed()
    before = button.bounding_box()
    page.mouse.move(before["x"] + before["width"] / 2, before["y"] + before["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(press_ms)
    assert button.bounding_box() == before  # the draft line appeared meanwhile, and moved nothing
    page.mouse.up()
    journal_view(page, "home").wait_for()
    # textContent: list items are content-visibility: auto, so a new one has no innerText until a frame is drawn.
    assert "Typed, then Save pressed at once" in page.text_content("[data-list]")


def test_a_lock_while_a_save_lands_leaves_no_stale_draft_and_photos_in_use_are_never_deleted(page, live_server):
    set_up(page)
    write_entry(page, save=False, what="Saved as the lock comes",
                photos=[{"name": "bruise.png", "mimeType": "image/png", "buffer": b"bruise-photo"}])
    # Save, and lock just as the save's write starts (a quick-hide pressed straight after Save).
    page.evaluate("""async () => {
      const { lockAll } = await import('/static/js/lock.js')
      const { Store } = await import('/static/js/journal/store.js')
      const write = Store.prototype.write
      Store.prototype.write = function (stores, writes) {
        if (stores.includes('log')) { Store.prototype.write = write; lockAll('hide') }
        return write.call(this, stores, writes)
      }
    }""")
    page.click('[data-form="entry"] [type=submit]')
    journal_view(page, "unlock").wait_for()
    page.wait_for_timeout(500)  # anything the lock would still write, written
    unlock_to_home(page)
    page.wait_for_function("() => document.querySelector('[data-list]').textContent.includes('Saved as the lock comes')")
    assert page.locator("[data-draft-offer]").is_hidden()  # no stale copy of what was saved
    assert [key for key, _ in journal_db(page)["state"]] == ["index", "pair"]

    # A draft that (as the old race left behind) lists the saved entry's photo as its own new photo:
    # throwing it away must not delete a photo a saved revision uses.
    page.evaluate("""async () => {
      const { openStore } = await import('/static/js/journal/store.js')
      const store = await openStore()
      const [photo] = await store.getAll('attachments')
      window.photoId = photo.id
    }""")
    page.evaluate("""async (passphrase) => {
      const { openStore } = await import('/static/js/journal/store.js')
      const { Vault } = await import('/static/js/journal/vault.js')
      const { saveDraft } = await import('/static/js/journal/drafts.js')
      const vault = new Vault(await openStore())
      await vault.unlock(passphrase)
      await saveDraft(vault, { entry: null, fields: { what: 'stale' }, photos: [], newPhotos: [window.photoId] })
    }""", PASSPHRASE)
    page.reload()
    unlock_to_home(page)
    page.click('[data-action="discard-draft"]')
    page.click('[data-action="discard-draft"]')  # the second press confirms
    page.wait_for_function("() => document.querySelector('[data-status]').textContent.includes('thrown away')")
    assert len(journal_db(page)["attachments"]) == 1
    page.click('[data-action="check"]')
    page.locator('[data-check-result="ok"]').wait_for()


def test_the_photo_picker_covers_the_page_and_a_long_stay_in_it_locks_without_losing_the_photo(page, live_server):
    set_up(page)
    write_entry(page, save=False, what="Writing, then adding a photo")
    with page.expect_file_chooser() as chooser:
        page.click('label[for="photo-choose"]')
    covered = "() => document.documentElement.classList.contains('is-covered') && getComputedStyle(document.body).display === 'none'"
    assert page.evaluate(covered)
    chooser.value.set_files([{"name": "one.png", "mimeType": "image/png", "buffer": b"first-photo"}])
    page.locator("[data-photos] li").first.wait_for()
    assert not page.evaluate(covered)

    # Left in the picker for a minute: the journal locks (entry kept as a draft); the photo chosen then waits.
    page.clock.install()
    with page.expect_file_chooser() as chooser:
        page.click('label[for="photo-choose"]')
    page.clock.run_for(60_500)
    journal_view(page, "unlock").wait_for(state="attached")
    page.wait_for_function("() => !document.querySelector('[data-view=\"unlock\"]').hidden")
    assert "Writing, then adding a photo" not in page.content()
    chooser.value.set_files([{"name": "two.png", "mimeType": "image/png", "buffer": b"second-photo"}])
    page.wait_for_function("() => document.querySelector('[data-status]').textContent.includes('waiting')")
    assert "second-photo" not in str(journal_db(page))
    unlock(page)
    journal_view(page, "entry").wait_for()
    assert page.input_value("#f-what") == "Writing, then adding a photo"
    page.locator("[data-photos] li").nth(1).wait_for()
    assert "two.png" in page.inner_text("[data-photos]") and "one.png" in page.inner_text("[data-photos]")


def test_printing_the_report_warns_first_and_prints_nothing_without_the_warning(page, live_server):
    set_up(page)
    write_entry(page, what="Only after the warning")
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1 } }")
    page.click('[data-action="report"]')
    journal_view(page, "report").wait_for()
    page.emulate_media(media="print")
    assert page.locator("[data-report]").is_hidden()  # the browser's own Print menu prints no journal
    page.emulate_media(media="screen")
    page.click('[data-action="print-warning"]')
    warning = page.locator("[data-print-warning]")
    assert "not encrypted" in warning.inner_text() and "Downloads" in warning.inner_text()
    assert page.evaluate("window.printed") is None
    page.click('[data-action="print"]')
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    assert page.locator("[data-report]").is_visible()
    assert "Only after the warning" in page.inner_text("[data-report]")


def test_saved_changes_that_cannot_be_read_are_counted_as_changes(page, live_server):
    set_up(page)
    write_entry(page, what="First")
    write_entry(page, what="Second")
    page.evaluate("""async () => {
      const { openStore } = await import('/static/js/journal/store.js')
      const store = await openStore()
      const [first] = await store.getAll('log')
      first.body[20] ^= 1
      await store.write(['log', 'state'], ({ log, state }) => { log.put(first); state.delete('index') })
    }""")
    page.reload()
    unlock_to_home(page)
    status = page.locator("[data-status]")
    status.wait_for()
    assert "1 saved change could not be read" in status.inner_text()


def test_a_journal_that_cannot_load_says_so_instead_of_failing_silently(page, live_server):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/static/js/journal/app.js", lambda route: route.abort())
    page.goto("/journal")
    status = page.locator('[data-module="journal"] [data-status]')
    page.wait_for_function("() => document.querySelector('[data-module=journal] [data-status]').textContent !== ''")
    assert status.inner_text() == "The journal could not start. Reload the page to try again: nothing saved is lost."
    assert errors == []
