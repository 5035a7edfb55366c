"""An export made in Chromium through the real UI verifies and decrypts with the Python CLI."""
import base64
import hashlib
import json

import pytest

from pwa import create_app
from test_journal_browser import journal_db, journal_view, set_up, unlock_to_home, write_entry

pytestmark = pytest.mark.browser

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture(scope="module")
def cli():
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_cli_runner()


@pytest.fixture
def exported(page, live_server, tmp_path):
    set_up(page)
    write_entry(page, occurredDate="2026-10-02", occurredTime="19:40", place="Living room",
                what="Threw my phone across the room when I wouldn't unlock it", who="J.",
                injuries="Cut on my hand", tags=["monitoring", "threats"], childrenPresent="no",
                photos=[{"name": "hand.png", "mimeType": "image/png", "buffer": PHOTO}])
    write_entry(page, occurredDate="2026-09-15", approximate=True, partOfDay="evening",
                what="Wouldn't let me go to my sister's", tags=["isolation"])
    page.click("[data-list] li >> nth=0")
    page.click('[data-action="edit"]')
    page.fill("#f-crimeReference", "CC-99-1234")
    page.click('[data-form="entry"] [type=submit]')
    journal_view(page, "home").wait_for()
    return export_through_the_ui(page, tmp_path)


def test_chromium_bundle_verifies_and_decrypts_in_python(cli, exported, tmp_path):
    path, code = exported
    assert path.name.startswith("export-") and path.suffix == ".json"
    assert len(code) == 24 and code.count("-") == 4
    doc = json.loads(path.read_text())
    assert doc["format"] == "sealed-export" and len(doc["revisions"]) == 3
    assert b"Threw my phone" not in path.read_bytes()

    result = cli.invoke(args=["journal", "verify", str(path)])
    assert result.exit_code == 0, result.output
    result = cli.invoke(args=["journal", "verify", str(path), "--code", code.lower()])
    assert result.exit_code == 0, result.output
    assert "Verified: 3 revisions, 1 photo" in result.output

    report = tmp_path / "report.txt"
    result = cli.invoke(args=["journal", "decrypt", str(path), "--code", code, "--out", str(report)])
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert text.index("1. Around 15 September 2026 (evening)") < text.index("2. 2 October 2026 19:40")
    assert "Threw my phone across the room when I wouldn't unlock it" in text
    assert "Crime reference number:\n  CC-99-1234" in text
    assert f"SHA-256 {hashlib.sha256(PHOTO).hexdigest()}" in text
    assert "Behaviours: Monitoring or tracking me, Threats" in text

    html_report = tmp_path / "report.html"
    assert cli.invoke(args=["journal", "decrypt", str(path), "--code", code, "--out", str(html_report)]).exit_code == 0
    assert base64.b64encode(PHOTO).decode() in html_report.read_text()


def test_chromium_bundle_tampered_or_wrong_code_fails_in_python(cli, exported, tmp_path):
    path, code = exported
    doc = json.loads(path.read_text())
    body = bytearray(base64.b64decode(doc["revisions"][1]["body"]))
    body[-1] ^= 1
    doc["revisions"][1]["body"] = base64.b64encode(bytes(body)).decode()
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    result = cli.invoke(args=["journal", "verify", str(tampered), "--code", code])
    assert result.exit_code == 1 and "FAILED" in result.output

    result = cli.invoke(args=["journal", "verify", str(path), "--code", "0000-0000-0000-0000-0000"])
    assert result.exit_code == 3 and "wrong export code" in result.output


def export_through_the_ui(page, tmp_path):
    page.click('[data-action="export"]')
    page.click('[data-action="make-export"]')
    link = page.locator("[data-export-link]")
    link.wait_for(timeout=20_000)
    code = page.inner_text("[data-export-code]")
    with page.expect_download() as download:
        link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path, code


# Changes made to the stored log with no passphrase, as someone holding the phone could make them.
ERASE = """async ({ how }) => {
  const { openStore } = await import('/static/js/journal/store.js')
  const { chainHash, GENESIS } = await import('/static/js/journal/crypto.js')
  const store = await openStore()
  const log = await store.getAll('log')
  if (how === 'newest') {
    await store.write(['log'], ({ log: os }) => os.delete(log.at(-1).seq))
    return
  }
  // The middle one goes, and everything after it is renumbered and re-hashed so that the links hold.
  const kept = log.filter((_, i) => i !== 1)
  let prev = GENESIS
  for (const [i, item] of kept.entries()) {
    item.seq = i + 1
    item.prev = prev
    item.hash = prev = await chainHash(item.seq, item.entry, item.rev, item.prev, item.body)
  }
  await store.write(['log'], ({ log: os }) => { os.clear(); kept.forEach((item) => os.add(item)) })
}"""


@pytest.mark.parametrize("how", ["newest", "middle-rehashed"])
def test_entries_erased_without_the_passphrase_are_shown_kept_and_exported(page, live_server, cli, tmp_path, how):
    set_up(page)
    for what in ("First: he pushed me", "Second: he took my keys", "Third: he broke the door"):
        write_entry(page, what=what)
    page.click('[data-action="lock"]')
    page.evaluate(ERASE, {"how": how})
    page.reload()
    unlock_to_home(page)
    warning = page.locator("[data-notices]")
    warning.wait_for()
    assert "changed outside the app" in warning.inner_text()
    # The next save does not cover it up, and the index that knew the real end is kept.
    write_entry(page, what="Fourth, written after")
    page.reload()
    unlock_to_home(page)
    page.locator("[data-notices]").wait_for()
    kept = [key for key, _ in journal_db(page)["state"] if key.startswith("kept-index-")]
    assert kept
    page.click('[data-action="check"]')
    page.locator('[data-check-result="problems"]').wait_for()
    assert "Noted on" in page.inner_text("[data-check]")
    page.click('[data-view="check"] [data-action="back"]')

    path, code = export_through_the_ui(page, tmp_path)
    result = cli.invoke(args=["journal", "verify", str(path), "--code", code])
    assert result.exit_code == 1, result.output
    assert "the journal itself recorded" in result.output
    if how == "middle-rehashed":
        assert "keyed link does not match" in result.output or "was not written by this journal" in result.output
