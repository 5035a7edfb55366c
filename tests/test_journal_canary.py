"""No plaintext at rest: a canary typed and a canary photo attached through the real UI never appear in any
browser storage, cookie, request, the server's database file or its logs (raw, hex or base64)."""
import base64
import json
import logging
from pathlib import Path

import pytest

from support import open_controlled, persistent_context
from test_journal_browser import dump, journal_view, lock_all, set_up, unlock, write_entry

pytestmark = pytest.mark.browser

CANARY = "CANARY-7f3a9c Ωmega he hit me at the bus stop"
CANARY_PHOTO = b"\x89PNG\r\n\x1a\n" + b"CANARY-PHOTO-BYTES-" + bytes(range(200, 256)) * 3


def forms(secret: bytes) -> list[bytes]:
    """The secret as raw bytes, hex, and base64 at each of the three alignments it could sit at."""
    found = [secret, secret.hex().encode(), secret.hex().upper().encode()]
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret)
        found.append(encoded[4:-4] if offset else encoded[:-4])
    return found


def blobs(value) -> list[bytes]:
    """Every string and byte value inside a storage dump."""
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return [base64.b64decode(value["$bytes"])]
        return [blob for key, item in value.items() for blob in blobs(key) + blobs(item)]
    if isinstance(value, list):
        return [blob for item in value for blob in blobs(item)]
    if isinstance(value, str):
        return [value.encode("utf-8"), value.encode("utf-16-le")]
    return [str(value).encode()]


def leaks(haystacks: list[bytes]) -> list[str]:
    found = []
    for secret, name in ((CANARY.encode(), "text"), (CANARY.split()[0].encode(), "text prefix"),
                         (CANARY_PHOTO[8:40], "photo")):
        for form in forms(secret):
            if any(form in hay for hay in haystacks):
                found.append(f"{name}: {form[:24]!r}")
    return found


def test_the_check_itself_finds_a_planted_canary():
    assert leaks([b"xx" + base64.b64encode(b"ab" + CANARY.encode()) + b"yy"])
    assert leaks(blobs({"k": {"$bytes": base64.b64encode(CANARY_PHOTO).decode()}}))
    assert leaks(blobs([CANARY]))


def test_canary_never_reaches_storage_cookies_network_database_or_logs(page, live_app, live_server, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.url, request.post_data_buffer or b"")))
    set_up(page)
    write_entry(page, occurredNote=CANARY, place=CANARY, what=CANARY, who=CANARY, injuries=CANARY, effect=CANARY,
                witnesses=CANARY, children=CANARY, evidence=CANARY, policeOfficer=CANARY, crimeReference=CANARY,
                medical=CANARY, tags=["threats"],
                photos=[{"name": "canary.png", "mimeType": "image/png", "buffer": CANARY_PHOTO}])
    # And an unsaved draft with the canary in it, left behind by a lock.
    write_entry(page, save=False, what=CANARY + " (draft)")
    lock_all(page)
    journal_view(page, "unlock").wait_for()
    unlock(page)
    journal_view(page, "home").wait_for()
    assert CANARY in page.text_content("[data-list]")  # it really was saved and can be read back
    page.click('[data-action="check"]')
    page.locator('[data-check-result="ok"]').wait_for()
    lock_all(page, "button")
    # Give the service worker its chance to cache whatever it caches.
    page.wait_for_function("caches.keys().then((names) => names.length > 0)", timeout=15_000)

    stored = dump(page)
    assert stored["indexedDB"]["od-data"]["log"], "the entry should be stored (encrypted)"
    cookies = page.context.cookies()
    database = Path(live_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    files = [path.read_bytes() for path in database.parent.glob(database.name + "*")]
    out, err = capfd.readouterr()

    assert leaks(blobs(stored["indexedDB"])) == [], "IndexedDB"
    assert leaks(blobs(stored["localStorage"]) + blobs(stored["sessionStorage"])) == [], "Web Storage"
    assert leaks(blobs(stored["caches"])) == [], "Cache Storage"
    assert leaks([json.dumps(cookies).encode()]) == [], "cookies"
    assert leaks([f"{m} {u}".encode() + body for m, u, body in sent]) == [], "requests"
    assert all(method == "GET" for method, _, _ in sent), "the journal never sends anything"
    assert files and leaks(files) == [], "server database"
    assert leaks([caplog.text.encode(), out.encode(), err.encode()]) == [], "server logs"


PASSPHRASE_CANARY = "quartz-CANARY lantern meadow harbour"
TEXT_FIELDS = ["occurredNote", "place", "what", "who", "injuries", "effect", "witnesses", "children", "evidence",
               "policeOfficer", "crimeReference", "medical"]


def profile_leaks(profile: Path, secrets: dict[str, str]) -> list[str]:
    """Every file in a browser profile that holds a secret in UTF-8 or UTF-16LE (Blink's saved form state)."""
    found = []
    for path in profile.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for name, secret in secrets.items():
            for encoding in ("utf-8", "utf-16-le"):
                if secret.encode(encoding) in data:
                    found.append(f"{name} ({encoding}) in {path.relative_to(profile)}")
    return found


def test_the_profile_check_finds_planted_form_state(tmp_path):
    (tmp_path / "Default" / "Sessions").mkdir(parents=True)
    (tmp_path / "Default" / "Sessions" / "Session_1").write_bytes(b"\0\0" + CANARY.encode("utf-16-le"))
    assert profile_leaks(tmp_path, {"text": CANARY}) == ["text (utf-16-le) in Default/Sessions/Session_1"]


def test_nothing_typed_reaches_the_browser_profile_on_disk(playwright_instance, live_server, tmp_path):
    """Session restore, form-state restore, autofill and the rest write to the profile folder: after the
    browser closes, neither the journal's words (saved or in an unsaved draft) nor its passphrase is there."""
    profile = tmp_path / "profile"
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = open_controlled(context, "/journal")
        set_up(page, PASSPHRASE_CANARY)
        write_entry(page, **{name: f"{CANARY} {name}" for name in TEXT_FIELDS})
        page.fill("[data-search]", CANARY)
        write_entry(page, save=False, **{name: f"{CANARY} draft {name}" for name in TEXT_FIELDS})
        page.wait_for_timeout(1500)  # the draft's autosave, and the browser's own periodic session save
        lock_all(page, "button")
        journal_view(page, "unlock").wait_for()
        page.fill("#unlock-passphrase", PASSPHRASE_CANARY)  # typed, then left there: as when someone walks in
        page.goto("/helplines")  # leaving the page, so its state is saved into the session's history
        page.wait_for_timeout(3000)
    secrets = {"text": CANARY.split()[0], "passphrase": PASSPHRASE_CANARY.split()[0]}
    assert profile_leaks(profile, secrets) == []


# The safety plan keeps its answers in the journal's log: the same checks, on what is typed on /plan.

def fill_plan(page, words):
    """Every text question of the plan given the words, and every option ticked (as far as the page shows them)."""
    from test_plan_browser import PART_OF, QUESTIONS, go_to_part

    for slug, question in QUESTIONS.items():
        go_to_part(page, PART_OF[slug])
        if question["kind"] == "text":
            page.fill(f"#q-{slug}", f"{words} {slug}")
        else:
            for option in question["options"]:
                box = page.locator(f"#q-{slug}-{option['value']}")
                if box.is_visible():
                    box.check()


def test_plan_canary_never_reaches_storage_cookies_network_database_or_logs(page, live_app, live_server, caplog, capfd):
    from test_plan_browser import TEXT, open_plan, saved_plan, unlock_plan

    caplog.set_level(logging.DEBUG)
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.url, request.post_data_buffer or b"")))
    set_up(page)
    open_plan(page)
    fill_plan(page, CANARY + " (before keeping)")  # typed before "Keep my answers": never stored as typed
    unlock_plan(page)
    fill_plan(page, CANARY)
    lock_all(page)  # saved as the page locks
    page.locator('[data-keep-state="off"]').wait_for()
    assert saved_plan(page)["plan"]["answers"][TEXT["slug"]]["value"].startswith(CANARY)  # really saved
    page.wait_for_function("caches.keys().then((names) => names.length > 0)", timeout=15_000)

    stored = dump(page)
    database = Path(live_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    files = [path.read_bytes() for path in database.parent.glob(database.name + "*")]
    out, err = capfd.readouterr()
    assert leaks(blobs(stored["indexedDB"])) == [], "IndexedDB"
    assert leaks(blobs(stored["localStorage"]) + blobs(stored["sessionStorage"])) == [], "Web Storage"
    assert leaks(blobs(stored["caches"])) == [], "Cache Storage"
    assert leaks([json.dumps(page.context.cookies()).encode()]) == [], "cookies"
    assert leaks([f"{m} {u}".encode() + body for m, u, body in sent]) == [], "requests"
    assert all(method == "GET" for method, _, _ in sent), "the plan never sends anything"
    assert files and leaks(files) == [], "server database"
    assert leaks([caplog.text.encode(), out.encode(), err.encode()]) == [], "server logs"


def test_nothing_typed_in_the_plan_reaches_the_browser_profile_on_disk(playwright_instance, live_server, tmp_path):
    """Kept or not, the plan's answers and the passphrase typed on /plan never reach the profile folder."""
    from test_plan_browser import open_plan, unlock_plan

    profile = tmp_path / "profile"
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = open_controlled(context, "/journal")
        set_up(page, PASSPHRASE_CANARY)
        open_plan(page)
        fill_plan(page, CANARY + " unsaved")
        unlock_plan(page, PASSPHRASE_CANARY)
        fill_plan(page, CANARY)
        page.wait_for_timeout(1500)  # the plan's autosave, and the browser's own periodic session save
        lock_all(page, "button")
        page.click('[data-action="keep"]')
        page.fill("#plan-passphrase", PASSPHRASE_CANARY)  # typed, then left there
        fill_plan(page, CANARY + " typed while locked")
        page.goto("/helplines")
        page.wait_for_timeout(3000)
    secrets = {"text": CANARY.split()[0], "passphrase": PASSPHRASE_CANARY.split()[0]}
    assert profile_leaks(profile, secrets) == []


# The decoy journal a second passphrase opens (docs/duress.md): the same checks, on what is typed into it, and
# the second passphrase itself.

SECOND_CANARY = "ember-CANARY willow compass tuesday"


def test_decoy_canary_and_second_passphrase_never_reach_storage_or_network(page, live_server):
    from test_duress_browser import set_second

    sent = []
    page.on("request", lambda request: sent.append((request.method, request.url, request.post_data_buffer or b"")))
    set_up(page)
    set_second(page, SECOND_CANARY, entries=[CANARY + " everyday"])
    page.click('[data-action="lock"]')
    unlock(page, SECOND_CANARY)
    journal_view(page, "home").wait_for()
    assert CANARY in page.text_content("[data-list]")  # the decoy opened, with the entry written for it
    write_entry(page, **{name: f"{CANARY} {name}" for name in TEXT_FIELDS})
    write_entry(page, save=False, what=CANARY + " (draft)")
    lock_all(page)
    journal_view(page, "unlock").wait_for()
    page.wait_for_function("caches.keys().then((names) => names.length > 0)", timeout=15_000)

    stored = dump(page)
    assert stored["indexedDB"]["od-data-b"]["log"], "the decoy's entries should be stored (encrypted)"
    second = [SECOND_CANARY.encode(), SECOND_CANARY.split()[0].encode()]
    everything = blobs(stored) + [f"{m} {u}".encode() + body for m, u, body in sent]
    assert leaks(everything) == []
    assert [form for secret in second for form in forms(secret) if any(form in hay for hay in everything)] == []
    assert all(method == "GET" for method, _, _ in sent), "the journal never sends anything"


def test_nothing_typed_in_the_decoy_reaches_the_browser_profile_on_disk(playwright_instance, live_server, tmp_path):
    from test_duress_browser import set_second

    profile = tmp_path / "profile"
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = open_controlled(context, "/journal")
        set_up(page)
        set_second(page, SECOND_CANARY, entries=[CANARY + " everyday"])
        page.click('[data-action="lock"]')
        unlock(page, SECOND_CANARY)
        journal_view(page, "home").wait_for()
        write_entry(page, what=CANARY + " decoy")
        page.wait_for_timeout(1500)
        lock_all(page, "button")
        journal_view(page, "unlock").wait_for()
        page.fill("#unlock-passphrase", SECOND_CANARY)  # typed, then left there
        page.goto("/helplines")
        page.wait_for_timeout(3000)
    assert profile_leaks(profile, {"text": CANARY.split()[0], "second passphrase": SECOND_CANARY.split()[0]}) == []
