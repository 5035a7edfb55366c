"""Regenerate tests/vectors/backup.json from pwa.backup.wire (only when the format changes on purpose).

    .venv/bin/python tests/vectors/make_backup_vectors.py

Every value is fixed (random bytes, salts, nonces, the signing key's seed), so the file is the same each run and
a browser implementation can reproduce each value from the inputs beside it. See docs/backup.md.
"""
import base64
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pwa.backup import wire
from pwa.journal import crypto

b64 = lambda data: base64.b64encode(data).decode()  # noqa: E731
FIXED_RANDOM = [bytes(range(22)), bytes(range(200, 222)), hashlib.sha256(b"third code").digest()[:22]]


def codes() -> list[dict]:
    out = []
    for random in FIXED_RANDOM:
        code = wire.new_code(lambda n, random=random: random[:n])
        normalized = wire.normalize_code(code)
        data = normalized[:wire.CODE_DATA]
        digest = hashlib.sha256(wire.CODE_CHECK_LABEL + data.encode()).digest()
        out.append({"random": random.hex(), "data": data, "checkDigest": digest[:2].hex(),
                    "check": normalized[wire.CODE_DATA:], "code": code, "normalized": normalized})
    return out


def typed(code: str) -> list[dict]:
    loose = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    return [{"input": loose, "normalized": wire.normalize_code(code)},
            {"input": code.replace("-", ""), "normalized": wire.normalize_code(code)}]


def bad_codes(code: str) -> list[dict]:
    wrong_check = code[:-1] + ("0" if code[-1] != "0" else "1")
    swapped = code[:1] + code[2] + code[1] + code[3:] if code[1] != code[2] else code[:-2] + "ZZ"
    cases = [("", "length"), (code[:-1], "length"), (code + "A", "length"), (code.replace(code[5], "U", 1), "alphabet"),
             (wrong_check, "check"), (swapped, "check"), (code.replace("-", "*"), "alphabet")]
    out = []
    for value, why in cases:
        try:
            wire.normalize_code(value)
        except wire.BackupFormatError:
            out.append({"input": value, "why": why})
        else:  # a swap the 10-bit check happens to miss: leave it out, it is not a vector of a refusal
            continue
    return out


def build() -> dict:
    code_vectors = codes()
    code = code_vectors[0]["code"]
    derived = []
    for item in code_vectors:
        keys = wire.derive(item["code"])
        derived.append({"code": item["code"], "ikm": item["normalized"], "backupId": keys.backup_id,
                        "writeToken": keys.token_hex, "tokenHash": keys.token_hash, "backupKey": keys.backup_key.hex(),
                        "recordKey": keys.record_key.hex()})
    keys = wire.derive(code)

    passphrase = "correct horse battery staple"
    kdf_salt = bytes(range(16, 32))
    vault_key, new_vault_key = bytes(range(32)), bytes(range(32, 64))
    bits = wire.passphrase_bits(passphrase, kdf_salt)
    kek = wire.wrap_key(keys.backup_key, bits)
    nonce = bytes.fromhex("0a0b0c0d0e0f101112131415")
    wrapped = wire.wrap_vault_key(keys.backup_key, passphrase, vault_key, keys.backup_id, 1, kdf_salt, nonce)
    previous_nonce = bytes.fromhex("161718191a1b1c1d1e1f2021")
    previous = wire.seal(new_vault_key, vault_key, wire.aad_previous_vault_key(keys.backup_id, 2), previous_nonce)
    wrap = {"code": code, "backupKey": keys.backup_key.hex(), "passphrase": passphrase,
            "kdf": {"name": wire.KDF_NAME, "iterations": wire.KDF_ITERATIONS, "salt": b64(kdf_salt)},
            "passphraseBits": bits.hex(), "wrapKey": kek.hex(), "vaultKey": vault_key.hex(),
            "generation": 1, "aad": wire.aad_vault_key(keys.backup_id, 1), "nonce": nonce.hex(),
            "sealed": b64(wrapped),
            "previous": {"newVaultKey": new_vault_key.hex(), "generation": 2,
                         "aad": wire.aad_previous_vault_key(keys.backup_id, 2), "nonce": previous_nonce.hex(),
                         "sealed": b64(previous)}}

    buckets = [[n, wire.bucket(n)] for n in (1, 68, 4096, 4097, 4608, 4609, 8192, 8193, 10_000, 65_537,
                                             1_000_000, 1_048_576)]
    not_buckets = [0, 4095, 4097, 4600, 8193, 1_048_575, 1_048_577]

    # A revision exactly as the journal stores it (pwa/journal/crypto.py: chain hash, MAC) and as it goes up.
    body = crypto.seal(bytes(range(64, 96)), b'{"kind":"entry","op":"create"}', crypto.aad_record("e-1", 1),
                       bytes(12))
    item_hash = crypto.chain_hash(1, "e-1", 1, crypto.GENESIS, body)
    item = {"seq": 1, "entry": "e-1", "rev": 1, "prev": crypto.GENESIS, "hash": item_hash,
            "mac": crypto.chain_mac(crypto.derive_chain_key(vault_key), item_hash),
            "key": b64(crypto.seal(vault_key, bytes(range(64, 96)), crypto.aad_record_key("e-1", 1), bytes(12)))}
    records = []
    photo_sealed = bytes(range(256)) * 20
    examples = [
        ("key", {"t": "key", "v": 1, "at": 0, "salt": None, "gen": 1, "kdf": wrap["kdf"], "vaultKey": wrap["sealed"],
                 "previous": None}, b"", wire.GENESIS),
        ("revision", {"t": "revision", "v": 1, "at": 1, "salt": None, "gen": 1, "item": item}, body, item_hash),
        ("photo", {"t": "photo", "v": 1, "at": 1, "salt": None, "gen": 1, "id": "p-1",
                   "key": b64(bytes(60)), "part": 0, "parts": 1, "size": len(photo_sealed)}, photo_sealed, item_hash),
    ]
    for number, (kind, header, payload, head) in enumerate(examples):
        salt = bytes([number + 1]) * wire.SALT_BYTES
        header["salt"] = b64(salt)
        header_bytes = wire.encode_header(header)
        commit = wire.commitment(salt, head)
        record_nonce = bytes([0xA0 + number]) * wire.NONCE_BYTES
        record = wire.seal_record(keys.record_key, keys.backup_id, header_bytes, payload, commit, record_nonce)
        framed = wire.frame(header_bytes, payload)
        records.append({"kind": kind, "backupId": keys.backup_id, "recordKey": keys.record_key.hex(),
                        "aad": wire.aad_record(keys.backup_id), "header": header_bytes.decode(),
                        "payload": b64(payload), "salt": b64(salt), "head": head, "commitment": commit.hex(),
                        "framedLength": len(framed), "framed": b64(framed), "nonce": record_nonce.hex(),
                        "size": len(record), "record": b64(record),
                        "sealedHash": hashlib.sha256(record[wire.COMMITMENT_BYTES:]).hexdigest(),
                        "recordHash": wire.record_hash(record)})

    seed = bytes(range(100, 132))  # a published seed: for these vectors only, never a real key
    signer = Ed25519PrivateKey.from_private_bytes(seed)
    revision_record = records[1]
    receipt = wire.sign_receipt(signer, keys.backup_id, 2, revision_record["recordHash"], "2026-11-29T21:02:03Z")
    receipts = {"seed": seed.hex(), "publicKey": b64(wire.raw_public_key(signer.public_key())),
                "fingerprint": wire.fingerprint(signer.public_key()),
                "fingerprintShown": wire.show_fingerprint(wire.fingerprint(signer.public_key())),
                "message": wire.receipt_message(keys.backup_id, 2, revision_record["recordHash"],
                                                "2026-11-29T21:02:03Z").decode(),
                "receipt": receipt,
                "inExport": {"revision": 1, "salt": revision_record["salt"],
                             "sealedHash": revision_record["sealedHash"], "receipt": receipt}}

    vectors = {"about": "The backup's wire format (docs/backup.md): pwa/backup/wire.py reproduces every value "
                        "(tests/test_backup_vectors.py), and so must the browser's implementation.",
               "version": wire.VERSION, "alphabet": wire.ALPHABET,
               "labels": {"codeCheck": wire.CODE_CHECK_LABEL.decode(), "hkdfSalt": wire.HKDF_SALT.decode(),
                          "backupId": wire.INFO_ID.decode(), "writeToken": wire.INFO_TOKEN.decode(),
                          "backupKey": wire.INFO_KEY.decode(), "recordKey": wire.INFO_RECORD_KEY.decode(),
                          "wrap": wire.INFO_WRAP.decode(), "commitment": wire.COMMIT_LABEL.decode(),
                          "recordHash": wire.RECORD_LABEL.decode(), "receipt": wire.RECEIPT_LABEL},
               "sizes": {"minRecord": wire.MIN_RECORD, "maxRecord": wire.MAX_RECORD, "photoSlice": wire.PHOTO_SLICE,
                         "overhead": wire.OVERHEAD, "frame": wire.FRAME_BYTES},
               "codes": code_vectors, "typedCodes": typed(code), "badCodes": bad_codes(code),
               "derive": derived, "wrap": wrap, "buckets": buckets, "notBuckets": not_buckets,
               "records": records, "receipts": receipts}
    return vectors


def main():
    out = Path(__file__).with_name("backup.json")
    out.write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
