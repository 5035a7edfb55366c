"""An export made in Chromium through the real UI verifies and decrypts with the Python CLI."""
import base64
import hashlib
import json

import pytest

from pwa import create_app
from test_journal_browser import journal_view, set_up, write_entry

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


def test_chromium_bundle_verifies_and_decrypts_in_python(cli, exported, tmp_path):
    path, code = exported
    assert path.name.startswith("export-") and path.suffix == ".json"
    assert len(code) == 24 and code.count("-") == 4
    doc = json.loads(path.read_text())
    assert doc["format"] == "open-door-journal-export" and len(doc["revisions"]) == 3
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
    assert text.index("1. Around 2026-09-15 (evening)") < text.index("2. 2026-10-02 19:40")
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
