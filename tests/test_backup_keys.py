"""`flask backup keygen|public-key`: the agency's receipt-signing key, its public half served and printed."""
import os
import re
import stat

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from backup_support import Device
from conftest import make_app
from pwa.backup import wire
from pwa.extensions import db


@pytest.fixture
def app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'keys.sqlite'}", BACKUP_SIGNING_KEY=str(tmp_path / "keys" / "signing.pem"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def printed_pem(output: str) -> str:
    return re.search(r"-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----", output, re.S)[0]


def test_keygen_writes_a_private_key_prints_its_public_half_and_refuses_to_overwrite(app, tmp_path):
    runner, path = app.test_cli_runner(), tmp_path / "keys" / "signing.pem"
    missing = runner.invoke(args=["backup", "public-key"])
    assert missing.exit_code == 1 and "flask backup keygen" in missing.output
    result = runner.invoke(args=["backup", "keygen"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and b"PRIVATE KEY" in path.read_bytes()
    served = app.test_client().get("/.well-known/backup-receipt-key").get_json()
    assert printed_pem(result.output) + "\n" == served["pem"]
    assert f"Fingerprint: {wire.show_fingerprint(served['fingerprint'])}" in result.output
    assert wire.fingerprint(load_pem_public_key(served["pem"].encode())) == served["fingerprint"]

    before = path.read_bytes()
    again = runner.invoke(args=["backup", "keygen"])
    assert again.exit_code == 1 and "already holds a receipt-signing key; nothing was changed" in again.output
    assert path.read_bytes() == before
    kept = runner.invoke(args=["backup", "keygen", "--if-missing"])
    assert kept.exit_code == 0 and wire.show_fingerprint(served["fingerprint"]) in kept.output
    assert path.read_bytes() == before
    shown = runner.invoke(args=["backup", "public-key"])
    assert shown.exit_code == 0 and printed_pem(shown.output) + "\n" == served["pem"]


def test_a_replaced_key_signs_from_then_on_and_its_public_half_is_kept_for_old_receipts(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "keygen"]).exit_code == 0
    device = Device(app.test_client())
    device.create()
    old_receipt = device.put(1, device.record()).get_json()["receipt"]
    result = runner.invoke(args=["backup", "keygen", "--force"])
    assert result.exit_code == 0, result.output
    retired = tmp_path / "keys" / f"signing-retired-{old_receipt['key']}.pub.pem"
    assert f"public half is in {retired}" in result.output
    old_key = load_pem_public_key(retired.read_bytes())
    assert wire.check_receipt(old_receipt, {old_receipt["key"]: old_key}) is None
    new_receipt = device.put(2, device.record()).get_json()["receipt"]  # the running server uses the new key
    served = app.test_client().get("/.well-known/backup-receipt-key").get_json()
    assert new_receipt["key"] == served["fingerprint"] != old_receipt["key"]
    assert [r["receipt"] for r in device.read_all()] == [old_receipt, new_receipt]  # given receipts never change
