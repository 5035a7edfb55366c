"""The journal flows that matter most to people, written once and run in Chromium and in WebKit (Safari's engine).

- An entry with a photo: set up, write, save, lock, unlock, find it again, and export it; the exported file
  verifies with the project's own verifier (`flask journal verify --code`).
- A draft kept across a quick-hide: typed, hidden mid-sentence by the control, offered back after the way in and
  the passphrase; while hidden, the words are nowhere in the page or in storage.
- No plaintext at rest: a canary typed into every field (and written into a photo) is found nowhere in IndexedDB,
  Cache Storage, localStorage or sessionStorage once the journal is locked, as UTF-8, UTF-16 or base64.

Every test runs on both engines (the `on` fixture) and fails if any page reported an error. CSS selectors only.
"""
import base64
import json
import secrets

import pytest
from PIL import Image, PngImagePlugin

from support import DUMP_STORAGE_BODY as DUMP_STORAGE
from test_engines_browser import assert_on_decoy, type_code

pytestmark = pytest.mark.browser

PASSPHRASE = "purple tractor singing lighthouse"
TEXT_FIELDS = ["occurredNote", "place", "what", "who", "injuries", "effect", "witnesses", "children", "evidence",
               "policeOfficer", "crimeReference", "medical"]



# The journal, by its real controls --------------------------------------------------------------------------

def view(name):
    return f'[data-module="journal"] [data-view="{name}"]'


def set_up(on, passphrase=PASSPHRASE):
    on.goto("/journal")
    on.wait_visible(view("setup"))
    on.fill("#setup-passphrase", passphrase)
    on.fill("#setup-confirm", passphrase)
    on.click('[data-form="setup"] [type=submit]')
    on.wait_visible(view("home"), timeout_s=40)  # the key is derived with PBKDF2 (600,000 rounds)


def unlock(on, passphrase=PASSPHRASE):
    on.wait_visible(view("unlock"))
    on.fill("#unlock-passphrase", passphrase)
    on.click('[data-form="unlock"] [type=submit]')
    on.wait_visible(view("home"), timeout_s=40)


def lock(on):
    on.click('[data-action="lock"]')
    on.wait_visible(view("unlock"))


def start_entry(on, photos=(), **fields):
    on.click('[data-action="new"]')
    on.wait_visible(view("entry"))
    for name, value in fields.items():
        on.fill(f"#f-{name}", value)
    for count, photo in enumerate(photos, start=1):
        on.choose_file("#photo-choose", photo)
        on.wait_for("return document.querySelectorAll('[data-photos] li').length === args[0]", count,
                    what=f"photo {count} to be added")


def save_entry(on):
    on.click('[data-form="entry"] [type=submit]')
    on.wait_visible(view("home"))


def listed(on):
    """The list's entries, as text. textContent, not innerText: the list is laid out lazily
    (content-visibility: auto), and WebKit gives an entry below the fold no innerText until it is scrolled to."""
    return on.run("return [...document.querySelectorAll('[data-list] li')]"
                  ".map((li) => [...li.querySelectorAll('span')].map((span) => span.textContent).join(' | '))")


SEARCHED = "return !document.querySelector('[data-list]').hasAttribute('aria-busy')"


def search(on, words):
    """Types into the search box, as a person does, and gives back what is listed once the search has run (keys in
    quick succession wait for a pause, the list marked busy meanwhile)."""
    on.fill("[data-search]", words)
    on.wait_for("return document.querySelector('[data-search]').value === args[0]", words)
    on.wait_for(SEARCHED, what="the search's matches")
    return listed(on)


def clear_search(on):
    on.fill("[data-search]", "")
    on.wait_for("return document.querySelector('[data-search]').value === ''", what="the search box, emptied")
    on.wait_for(SEARCHED, what="every entry again")
    return listed(on)


def field_value(on, name):
    return on.run("return document.querySelector(args[0]).value", f"#f-{name}")


def make_png(path, width=7, height=5, text=None):
    """A small PNG; `text` goes into a tEXt chunk, so the file's bytes carry it in the clear."""
    image = Image.new("RGB", (width, height), (200, 30, 90))
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    image.save(path, pnginfo=info)
    return path


# What is stored, searched for a secret --------------------------------------------------------------------

def dump(on):
    return on.run_async(DUMP_STORAGE)


def blobs(value) -> list[bytes]:
    """Every key, string and byte value inside a storage dump (strings as UTF-8)."""
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return [base64.b64decode(value["$bytes"])]
        return [blob for key, item in value.items() for blob in blobs(key) + blobs(item)]
    if isinstance(value, list):
        return [blob for item in value for blob in blobs(item)]
    if isinstance(value, str):
        return [value.encode("utf-8")]
    return [str(value).encode()]


def forms(secret: str) -> dict[str, bytes]:
    """The secret as UTF-8, UTF-16 (both byte orders), hex, and base64 of its UTF-8 at each of the three
    alignments it could sit at inside a longer base64 text."""
    raw = secret.encode("utf-8")
    found = {"utf-8": raw, "utf-16-le": secret.encode("utf-16-le"), "utf-16-be": secret.encode("utf-16-be"),
             "hex": raw.hex().encode()}
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw)
        found[f"base64+{offset}"] = encoded[4:-4] if offset else encoded[:-4]
    return found


def leaks(stored: dict, secret: str) -> list[str]:
    """Where (which storage area) and in which form the secret is stored."""
    found = []
    for area, value in stored.items():
        haystacks = blobs(value)
        for name, form in forms(secret).items():
            if any(form in hay for hay in haystacks):
                found.append(f"{area}: {name}")
    return found


def test_leaks_finds_every_form_of_a_secret():
    secret = "CANARY-0a1b2c Ωmega"
    assert leaks({"sessionStorage": {"k": "xx" + secret + "yy"}}, secret) == ["sessionStorage: utf-8"]
    utf16 = {"caches": {"u": {"$bytes": base64.b64encode(b"\0" + secret.encode("utf-16-le")).decode()}}}
    assert leaks(utf16, secret) == ["caches: utf-16-le"]
    for offset in range(3):
        hidden = base64.b64encode(b"p" * offset + secret.encode() + b"q").decode()
        assert any(found.startswith("localStorage: base64") for found in leaks({"localStorage": {"k": hidden}}, secret))
    assert leaks({"indexedDB": {"od-data": {"log": [[1, {"body": {"$bytes": "AAAA"}}]]}}}, secret) == []


# The flows --------------------------------------------------------------------------------------------------

def test_an_entry_with_a_photo_is_saved_locked_unlocked_found_and_exported_intact(on, live_app, tmp_path):
    photo = make_png(tmp_path / "bruise.png", width=7, height=5)
    set_up(on)
    start_entry(on, photos=[photo], place="The kitchen at home",
                what="He threw the kettle at the wall and blocked the door", injuries="Bruise on my left arm")
    save_entry(on)
    assert len(listed(on)) == 1 and "threw the kettle" in listed(on)[0], on.engine

    lock(on)
    assert "kettle" not in on.text(), on.engine
    unlock(on)
    [item] = listed(on)
    assert "threw the kettle" in item, on.engine

    # The entry, with its photo: decrypted, and decoded as the image it was.
    on.click("[data-list] [data-id]")
    on.wait_visible(view("detail"))
    assert "Bruise on my left arm" in on.text("[data-detail]"), on.engine
    on.wait_for("const img = document.querySelector('[data-detail] img.journal-photo');"
                "return !!img && img.complete && img.naturalWidth > 0", what="the photo, decrypted and shown")
    assert on.run("const img = document.querySelector('[data-detail] img.journal-photo');"
                  "return [img.naturalWidth, img.naturalHeight]") == [7, 5], on.engine
    on.click(f'{view("detail")} [data-action="back"]')
    on.wait_visible(view("home"))

    assert len(search(on, "kettle")) == 1, on.engine
    assert len(search(on, "kettle wall")) == 1, on.engine
    assert search(on, "motorbike") == [], on.engine
    assert on.text("[data-count]") == "0 of 1 entry match.", on.engine
    assert len(clear_search(on)) == 1, on.engine

    on.click('[data-action="export"]')
    on.wait_visible(view("export"))
    on.click('[data-action="make-export"]')
    on.wait_visible("[data-export-link]", timeout_s=30)
    code = on.text("[data-export-code]").strip()
    assert len(code) == 24 and code.count("-") == 4, (on.engine, code)
    exported = tmp_path / "export.json"
    exported.write_bytes(on.download("[data-export-link]"))
    doc = json.loads(exported.read_text())
    assert doc["format"] == "sealed-export" and len(doc["revisions"]) == 1, on.engine
    assert b"kettle" not in exported.read_bytes(), on.engine

    result = live_app.test_cli_runner().invoke(args=["journal", "verify", str(exported), "--code", code])
    assert result.exit_code == 0, (on.engine, result.output)
    assert "Verified: 1 revision, 1 photo" in result.output, (on.engine, result.output)
    result = live_app.test_cli_runner().invoke(args=["journal", "verify", str(exported), "--code",
                                                     "0000-0000-0000-0000-0000"])
    assert result.exit_code == 3, (on.engine, result.output)  # the check can fail


def test_a_draft_is_kept_across_a_quick_hide_and_offered_back(on):
    started = "Started writing DRAFT-9c41 about the shouting"
    effect = "Pressed hide straight after typing DRAFT-9c41 this"
    set_up(on)
    on.controlled()  # as on a phone after the first visit; the decoy's page is served by the worker too
    start_entry(on, what=started)
    on.fill("#f-effect", effect)
    on.click("[data-quick-hide]")
    assert_on_decoy(on)

    # While hidden: nothing of it on screen, in the page, or stored in the clear.
    assert "DRAFT-9c41" not in on.run("return document.documentElement.outerHTML"), on.engine
    stored = dump(on)
    assert leaks(stored, "DRAFT-9c41") == [], on.engine
    draft = dict(stored["indexedDB"]["od-data"]["state"]).get("draft")
    assert draft, f"{on.engine}: no draft was stored before the page was hidden"

    type_code(on, "weather", "")  # the plain look's way back: Search with nothing typed
    on.wait_for_path("/")
    on.goto("/journal")
    unlock(on)
    on.wait_visible("[data-draft-offer]")
    on.click('[data-action="continue-draft"]')
    on.wait_visible(view("entry"))
    assert field_value(on, "what") == started, on.engine
    assert field_value(on, "effect") == effect, on.engine


def test_a_canary_typed_into_every_field_is_stored_nowhere_in_the_clear(on, tmp_path):
    canary = f"CANARY-{secrets.token_hex(4)} Ωmega he hit me at the bus stop"
    token = canary.split()[0]
    photo = make_png(tmp_path / f"{token}.png", text=canary)
    assert token.encode() in photo.read_bytes()  # the photo's own bytes carry it in the clear
    set_up(on)
    on.controlled()  # the worker has cached what it caches
    start_entry(on, photos=[photo], **{name: f"{canary} {name}" for name in TEXT_FIELDS})
    save_entry(on)
    # And an unsaved draft, kept encrypted by "Close (keep as draft)".
    start_entry(on, what=f"{canary} draft")
    on.click('[data-action="close-entry"]')
    on.wait_visible("[data-draft-offer]")
    lock(on)
    unlock(on)
    [item] = listed(on)
    assert f"{canary} what" in item, on.engine  # typed whole (the Ω too), saved, and read back
    on.click("[data-list] [data-id]")
    on.wait_visible(view("detail"))
    for name in TEXT_FIELDS:
        assert f"{canary} {name}" in on.text("[data-detail]"), (on.engine, name)
    on.click(f'{view("detail")} [data-action="back"]')
    on.wait_visible(view("home"))
    lock(on)

    # The scan finds a canary where there is one.
    on.run("sessionStorage.setItem('planted', args[0]);"
           "localStorage.setItem('planted', btoa(String.fromCharCode(...new TextEncoder().encode('x' + args[0]))))",
           canary)
    planted = leaks(dump(on), token)
    assert "sessionStorage: utf-8" in planted and any(f.startswith("localStorage: base64") for f in planted), planted
    on.run("sessionStorage.removeItem('planted'); localStorage.removeItem('planted')")

    stored = dump(on)
    journal = stored["indexedDB"]["od-data"]
    assert journal["log"] and journal["attachments"], f"{on.engine}: the entry and its photo should be stored"
    assert "draft" in dict(journal["state"]), f"{on.engine}: the draft should be stored"
    assert stored["caches"], f"{on.engine}: the worker's caches should be there to scan"
    for secret in (canary, token, "Ωmega he hit me", "he hit me at the bus stop"):
        assert leaks(stored, secret) == [], (on.engine, secret)


def test_a_journal_backed_up_is_restored_in_a_fresh_profile(on, live_server, live_app, tmp_path):
    """The backup's main flow on both engines: turn it on, upload, then restore with the code and the passphrase."""
    from engines import open_engine_page

    photo = make_png(tmp_path / "arm.png", width=9, height=4)
    set_up(on)
    start_entry(on, photos=[photo], what="Kept off the phone")
    save_entry(on)
    on.click(f'{view("home")} [data-action="backup"]')
    on.wait_visible(view("backup"))
    on.fill("#backup-passphrase", PASSPHRASE)
    on.click('[data-backup-action="turn-on"]')
    on.wait_visible("[data-recovery-code]", timeout_s=40)
    code = on.text("[data-recovery-code]").strip()
    on.click('[data-backup-action="done"]')
    on.wait_for("const line = document.querySelector('[data-backup-status]');"
                "return line && line.dataset.state === 'done' && line.textContent === 'Copy up to date'",
                timeout_s=40, what="the copy, up to date")
    fresh = open_engine_page(on.engine, live_server.url, on.context.browser if on.engine == "chromium" else None)
    try:
        fresh.goto("/journal")
        fresh.wait_visible(view("setup"))
        fresh.click(f'{view("setup")} [data-action="backup"]')
        fresh.wait_visible("#restore-code")
        fresh.fill("#restore-code", code)
        fresh.fill("#restore-passphrase", PASSPHRASE)
        fresh.click('[data-backup-action="restore-server"]')
        fresh.wait_visible("[data-restored]", timeout_s=60)
        assert fresh.run("return document.querySelector('[data-restore-check]').dataset.restoreCheck") == "ok", \
            fresh.text("[data-view=backup]")
        assert "Restored 1 saved change and 1 photo" in fresh.text("[data-restored]")
        fresh.click('[data-backup-action="back"]')
        fresh.wait_visible(view("home"))
        assert "Kept off the phone" in listed(fresh)[0], on.engine
    finally:
        fresh.close()


def test_a_canary_typed_into_the_decoy_journal_is_stored_nowhere_in_the_clear(on):
    """The decoy journal a second passphrase opens (docs/duress.md), on both engines: the two passphrases open two
    journals, and neither what is typed into the decoy nor the second passphrase is stored in the clear."""
    canary = f"CANARY-{secrets.token_hex(4)} Ωmega decoy words"
    token = canary.split()[0]
    second = f"willow-{secrets.token_hex(3)} compass tuesday"
    set_up(on)
    start_entry(on, what="The real entry")
    save_entry(on)
    on.click('[data-action="second"]')
    on.wait_visible(view("second"))
    on.fill("#second-passphrase", second)
    on.fill("#second-confirm", second)
    on.fill("#second-entry1", f"{canary} everyday")
    on.click('[data-form="second"] [type=submit]')
    on.wait_visible(view("home"), timeout_s=40)
    lock(on)
    unlock(on, second)
    [item] = listed(on)
    assert f"{canary} everyday" in item, on.engine
    start_entry(on, **{name: f"{canary} {name}" for name in TEXT_FIELDS})
    save_entry(on)
    assert len(listed(on)) == 2 and not any("The real entry" in entry for entry in listed(on)), on.engine
    lock(on)
    unlock(on)
    assert [entry for entry in listed(on) if "The real entry" in entry] and not any(token in e for e in listed(on)), on.engine
    lock(on)

    stored = dump(on)
    assert stored["indexedDB"]["od-data-b"]["log"], f"{on.engine}: the decoy's entries should be stored"
    for secret in (canary, token, "Ωmega decoy words", second, second.split()[0]):
        assert leaks(stored, secret) == [], (on.engine, secret)
