"""tests/vectors/backup.json is what pwa/backup/wire.py computes, value by value: the browser's implementation of
the backup (docs/backup.md) must reproduce the same file. Also the format's own properties: the code's check,
independent derived values, the wrap needing both halves, buckets, and records that cannot be altered unseen."""
import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pwa.backup import wire
from pwa.settings import PROJECT_ROOT

VECTORS = json.loads((Path(__file__).parent / "vectors" / "backup.json").read_text(encoding="utf-8"))
unb64 = base64.b64decode


def test_the_vectors_file_is_what_the_generator_makes():
    import runpy

    generator = runpy.run_path(str(PROJECT_ROOT / "tests" / "vectors" / "make_backup_vectors.py"))
    assert json.loads(json.dumps(generator["build"]())) == VECTORS


@pytest.mark.parametrize("item", VECTORS["codes"], ids=lambda item: item["code"])
def test_codes_come_from_the_random_bytes_and_carry_their_check(item):
    random = bytes.fromhex(item["random"])
    assert wire.new_code(lambda n: random[:n]) == item["code"]
    assert item["data"] == "".join(VECTORS["alphabet"][b & 31] for b in random)
    digest = hashlib.sha256(VECTORS["labels"]["codeCheck"].encode() + item["data"].encode()).digest()
    assert digest[:2].hex() == item["checkDigest"]
    bits = int.from_bytes(digest[:2], "big") >> 6
    assert item["check"] == VECTORS["alphabet"][bits >> 5] + VECTORS["alphabet"][bits & 31]
    assert wire.normalize_code(item["code"]) == item["normalized"] == item["data"] + item["check"]
    assert [len(group) for group in item["code"].split("-")] == [4] * 6


def test_codes_are_typed_loosely_and_mistakes_are_refused_before_anything_is_derived():
    for typed in VECTORS["typedCodes"]:
        assert wire.normalize_code(typed["input"]) == typed["normalized"]
    assert {bad["why"] for bad in VECTORS["badCodes"]} == {"length", "alphabet", "check"}
    for bad in VECTORS["badCodes"]:
        with pytest.raises(wire.BackupFormatError):
            wire.normalize_code(bad["input"])


def test_the_check_catches_every_single_character_mistake_in_a_code():
    code = wire.normalize_code(VECTORS["codes"][2]["code"])
    missed = 0
    for position in range(wire.CODE_LENGTH):
        for letter in wire.ALPHABET:
            if letter == code[position]:
                continue
            try:
                wire.normalize_code(code[:position] + letter + code[position + 1:])
                missed += 1
            except wire.BackupFormatError:
                pass
    # A 10-bit check misses about 1 in 1,024 changes; such a code then names a backup that does not exist.
    assert missed <= 3


def test_a_code_has_110_random_bits():
    assert wire.CODE_DATA * 5 == 110 and len(wire.ALPHABET) == 32 == len(set(wire.ALPHABET))
    codes = {wire.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(wire.normalize_code(code) for code in codes)


@pytest.mark.parametrize("item", VECTORS["derive"], ids=lambda item: item["code"])
def test_three_independent_values_come_from_a_code(item):
    keys = wire.derive(item["code"])
    assert (keys.backup_id, keys.token_hex, keys.token_hash, keys.backup_key.hex(), keys.record_key.hex()) == (
        item["backupId"], item["writeToken"], item["tokenHash"], item["backupKey"], item["recordKey"])
    ikm, salt, labels = item["ikm"].encode(), VECTORS["labels"]["hkdfSalt"].encode(), VECTORS["labels"]
    assert wire.hkdf(ikm, labels["backupId"].encode(), 16, salt).hex() == item["backupId"]
    assert hashlib.sha256(bytes.fromhex(item["writeToken"])).hexdigest() == item["tokenHash"]
    values = {item["backupId"], item["writeToken"], item["backupKey"], item["recordKey"]}
    assert len(values) == 4 and not any(a in b for a in values for b in values if a != b)
    assert wire.derive(item["code"].lower().replace("-", " ")) == keys


def test_the_vault_key_wrap_needs_the_backup_key_and_the_passphrase():
    wrap = VECTORS["wrap"]
    backup_key, salt = bytes.fromhex(wrap["backupKey"]), unb64(wrap["kdf"]["salt"])
    bits = wire.passphrase_bits(wrap["passphrase"], salt, wrap["kdf"]["iterations"])
    assert bits.hex() == wrap["passphraseBits"]
    assert wire.wrap_key(backup_key, bits).hex() == wrap["wrapKey"]
    backup_id = wire.derive(wrap["code"]).backup_id
    assert wire.aad_vault_key(backup_id, 1) == wrap["aad"]
    sealed = wire.wrap_vault_key(backup_key, wrap["passphrase"], bytes.fromhex(wrap["vaultKey"]), backup_id, 1, salt,
                                 bytes.fromhex(wrap["nonce"]))
    assert base64.b64encode(sealed).decode() == wrap["sealed"]
    assert wire.unwrap_vault_key(backup_key, wrap["passphrase"], sealed, backup_id, 1, salt).hex() == wrap["vaultKey"]
    with pytest.raises(wire.BackupFormatError):  # the code's key with a guessed passphrase
        wire.unwrap_vault_key(backup_key, "correct horse battery stapler", sealed, backup_id, 1, salt)
    with pytest.raises(wire.BackupFormatError):  # the passphrase with another code's key
        wire.unwrap_vault_key(bytes(32), wrap["passphrase"], sealed, backup_id, 1, salt)
    with pytest.raises(wire.BackupFormatError):  # moved to another generation
        wire.unwrap_vault_key(backup_key, wrap["passphrase"], sealed, backup_id, 2, salt)
    previous = wrap["previous"]
    opened = wire.open_sealed(bytes.fromhex(previous["newVaultKey"]), unb64(previous["sealed"]), previous["aad"])
    assert opened.hex() == wrap["vaultKey"]


def test_buckets_are_4_kib_then_eight_steps_per_doubling():
    for needed, size in VECTORS["buckets"]:
        assert wire.bucket(needed) == size and wire.is_bucket(size)
    for size in VECTORS["notBuckets"]:
        assert not wire.is_bucket(size)
    for needed in range(4097, 300_000, 997):
        size = wire.bucket(needed)
        assert needed <= size <= needed * 1.125 and wire.is_bucket(size)
    sizes = {wire.bucket(n) for n in range(1, wire.MAX_RECORD + 1, 61)}
    assert len(sizes) == 65  # 4 KiB, then 8 sizes for each of the 8 doublings up to 1 MiB


@pytest.mark.parametrize("item", VECTORS["records"], ids=lambda item: item["kind"])
def test_records_are_reproduced_byte_for_byte_and_open_again(item):
    record_key, backup_id = bytes.fromhex(item["recordKey"]), item["backupId"]
    salt, header, payload = unb64(item["salt"]), item["header"].encode(), unb64(item["payload"])
    commit = wire.commitment(salt, item["head"])
    assert commit.hex() == item["commitment"]
    assert wire.frame(header, payload) == unb64(item["framed"]) and len(unb64(item["framed"])) == item["framedLength"]
    record = wire.seal_record(record_key, backup_id, header, payload, commit, bytes.fromhex(item["nonce"]))
    assert base64.b64encode(record).decode() == item["record"] and len(record) == item["size"]
    assert wire.is_bucket(len(record))
    assert hashlib.sha256(record[32:]).hexdigest() == item["sealedHash"]
    assert wire.record_hash(record) == item["recordHash"] == wire.record_hash_of_parts(
        commit, bytes.fromhex(item["sealedHash"]))
    opened = wire.open_record(record_key, backup_id, record)
    assert (opened.header, opened.payload, opened.commitment) == (json.loads(header), payload, commit)


def test_a_record_altered_truncated_or_moved_to_another_backup_does_not_open():
    item = VECTORS["records"][1]
    record_key, backup_id, record = bytes.fromhex(item["recordKey"]), item["backupId"], unb64(item["record"])
    for position in (40, 100, len(record) - 1):
        altered = bytearray(record)
        altered[position] ^= 1
        with pytest.raises(wire.BackupFormatError):
            wire.open_record(record_key, backup_id, bytes(altered))
    with pytest.raises(wire.BackupFormatError, match="not one of the size buckets"):
        wire.open_record(record_key, backup_id, record[:-1])
    with pytest.raises(wire.BackupFormatError):
        wire.open_record(record_key, "0" * 32, record)
    # The commitment is outside the encryption, but the record hash (and so the receipt) covers it.
    assert wire.record_hash(bytes(32) + record[32:]) != item["recordHash"]


def test_receipts_are_reproduced_and_check_out():
    vectors = VECTORS["receipts"]
    signer = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vectors["seed"]))
    public_key = Ed25519PublicKey.from_public_bytes(unb64(vectors["publicKey"]))
    assert wire.fingerprint(public_key) == vectors["fingerprint"]
    assert hashlib.sha256(unb64(vectors["publicKey"])).hexdigest()[:32] == vectors["fingerprint"]
    assert wire.show_fingerprint(vectors["fingerprint"]) == vectors["fingerprintShown"]
    receipt = vectors["receipt"]
    message = wire.receipt_message(receipt["backup"], receipt["seq"], receipt["hash"], receipt["time"])
    assert message.decode() == vectors["message"]
    assert wire.sign_receipt(signer, receipt["backup"], receipt["seq"], receipt["hash"], receipt["time"]) == receipt
    keys = {vectors["fingerprint"]: public_key}
    assert wire.check_receipt(receipt, keys) is None
    assert "not given" in wire.check_receipt(receipt, {})
    for name, value in [("seq", 3), ("time", "2026-11-29T21:02:04Z"), ("hash", "0" * 64), ("backup", "1" * 32)]:
        assert "does not match" in wire.check_receipt({**receipt, name: value}, keys)
    for name, value in [("seq", True), ("seq", 0), ("time", "2026-11-29 21:02:03"), ("hash", "ABC"), ("v", 2)]:
        assert wire.check_receipt({**receipt, name: value}, keys) is not None
    exported = vectors["inExport"]
    record = next(item for item in VECTORS["records"] if item["kind"] == "revision")
    commit = wire.commitment(unb64(exported["salt"]), record["head"])
    assert wire.record_hash_of_parts(commit, bytes.fromhex(exported["sealedHash"])) == exported["receipt"]["hash"]
