"""Regenerate tests/vectors/journal.json from pwa.journal.crypto (only when the format changes on purpose).

    .venv/bin/python tests/vectors/make_journal_vectors.py
"""
import base64
import json
import unicodedata
from pathlib import Path

from pwa.journal import crypto

b64 = lambda data: base64.b64encode(data).decode()  # noqa: E731


def main():
    salt = bytes(range(16))
    kdf = []
    for passphrase in ["correct horse battery staple", unicodedata.normalize("NFD", "Café nights 42!")]:
        kdf.append({"passphrase": passphrase, "salt": b64(salt), "iterations": crypto.KDF_FLOOR,
                    "key": crypto.derive_key(passphrase, salt, crypto.KDF_FLOOR).hex()})
    key = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
    record = {"kind": "entry", "op": "create", "recordedAt": "2026-11-20T21:45:00.000Z",
              "fields": {"occurredDate": "2026-11-20", "what": "He took my phone — again.", "tags": ["monitoring"]},
              "photos": []}
    record_bytes = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()
    seal = [
        {"key": key.hex(), "nonce": "101112131415161718191a1b", "aad": crypto.aad_vault_key(),
         "plaintext": b64(bytes(range(32)))},
        {"key": key.hex(), "nonce": "a0a1a2a3a4a5a6a7a8a9aaab", "aad": crypto.aad_record("e-1", 1),
         "record": record, "plaintext": b64(record_bytes)},
        {"key": key.hex(), "nonce": "000000000000000000000001", "aad": crypto.aad_attachment("p-1"),
         "plaintext": b64(b"\x89PNG\r\n\x1a\n fake photo bytes")},
    ]
    for item in seal:
        item["sealed"] = b64(crypto.seal(key, base64.b64decode(item["plaintext"]), item["aad"],
                                         bytes.fromhex(item["nonce"])))
    body = base64.b64decode(seal[1]["sealed"])
    first = crypto.chain_hash(1, "e-1", 1, crypto.GENESIS, body)
    chain = [{"seq": 1, "entry": "e-1", "rev": 1, "prev": crypto.GENESIS, "body": b64(body), "hash": first},
             {"seq": 2, "entry": "e-1", "rev": 2, "prev": first, "body": b64(b"second"),
              "hash": crypto.chain_hash(2, "e-1", 2, first, b"second")}]
    vault_keys = [bytes(range(32)), bytes.fromhex("ff" * 32)]
    chain_keys = []
    for vault_key in vault_keys:
        chain_key = crypto.derive_chain_key(vault_key)
        chain_keys.append({"vaultKey": vault_key.hex(), "chainKey": chain_key.hex(),
                           "macs": [{"hash": link["hash"], "mac": crypto.chain_mac(chain_key, link["hash"])}
                                    for link in chain]})
    codes = [{"input": "k7qm-3xhd 9p2a-ol1i", "normalized": crypto.normalize_code("k7qm-3xhd 9p2a-ol1i")},
             {"input": "ABCD-EFGH-JKMN-PQRS-TVWX", "normalized": "ABCDEFGHJKMNPQRSTVWX"}]
    aad = {"vaultKey": crypto.aad_vault_key(), "recordKey": crypto.aad_record_key("e-1", 2),
           "record": crypto.aad_record("e-1", 2), "attachmentKey": crypto.aad_attachment_key("p-1"),
           "attachment": crypto.aad_attachment("p-1"), "exportKey": crypto.aad_export_key(),
           "exportManifest": crypto.aad_export_manifest(), "exportChainKey": crypto.aad_export_chain_key(),
           "index": crypto.aad_index(), "draft": crypto.aad_draft()}
    vectors = {"about": "Shared by tests/test_journal_vectors.py (Python) and the same test in Chromium (JS).",
               "version": crypto.VERSION, "kdfFloor": crypto.KDF_FLOOR, "kdf": kdf, "seal": seal, "chain": chain,
               "chainKeys": chain_keys,
               "codes": codes, "badCodes": ["", "ABCU", "AB*C"], "aad": aad}
    out = Path(__file__).with_name("journal.json")
    out.write_text(json.dumps(vectors, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
