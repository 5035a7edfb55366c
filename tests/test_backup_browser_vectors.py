"""The backup's wire format in Chromium (js/journal/backup/wire.js) against tests/vectors/backup.json, byte for
byte, as tests/test_journal_vectors.py does for the journal: Python made the vectors (pwa/backup/wire.py)."""
import base64
import json
from pathlib import Path

import pytest

from pwa.backup import wire

pytestmark = pytest.mark.browser

VECTORS = json.loads((Path(__file__).parent / "vectors" / "backup.json").read_text(encoding="utf-8"))

# The browser seals with its own random nonces (the production module has no way to fix one): Python opens what it
# sealed; everything deterministic (codes, HKDF values, the wrap key, buckets, framing, commitments, hashes,
# receipts) must be equal.
BROWSER_CHECK = """async (v) => {
  const w = await import('/static/js/journal/backup/wire.js')
  const c = await import('/static/js/journal/crypto.js')
  const out = { codes: [], typed: [], bad: [], derive: [], buckets: [], notBuckets: [], records: [], opened: [] }
  for (const code of v.codes) out.codes.push(await w.newRecoveryCode(w.fromHex(code.random)))
  for (const typed of v.typedCodes) out.typed.push(await w.normalizeRecoveryCode(typed.input))
  for (const bad of v.badCodes) {
    try { await w.normalizeRecoveryCode(bad.input); out.bad.push('accepted') } catch (e) { out.bad.push(e instanceof w.BackupFormatError ? e.message : 'other') }
  }
  for (const d of v.derive) {
    const got = await w.derive(d.code)
    out.derive.push({ backupId: got.id, writeToken: got.token, tokenHash: got.tokenHash, backupKey: w.toHex(got.backupKey),
      recordKey: w.toHex(await w.recordKeyBytes(got.backupKey)) })
  }
  const salt = w.fromBase64(v.wrap.kdf.salt)
  const bits = await w.passphraseBits(v.wrap.passphrase, salt, v.wrap.kdf.iterations)
  out.passphraseBits = w.toHex(bits)
  out.wrapKey = w.toHex(await w.wrapKeyBytes(w.fromHex(v.wrap.backupKey), bits))
  const wrapKey = await w.wrapKey(w.fromHex(v.wrap.backupKey), v.wrap.passphrase, salt, v.wrap.kdf.iterations)
  out.unwrapped = w.toHex(await c.open(wrapKey, w.fromBase64(v.wrap.sealed), w.aad.vaultKey(v.wrap.code && (await w.derive(v.wrap.code)).id, v.wrap.generation)))
  out.wrapAad = w.aad.vaultKey((await w.derive(v.wrap.code)).id, v.wrap.generation)
  out.previousAad = w.aad.previous((await w.derive(v.wrap.code)).id, v.wrap.previous.generation)
  out.buckets = v.buckets.map(([needed]) => w.bucket(needed))
  out.notBuckets = v.notBuckets.map((size) => w.isBucket(size))
  for (const r of v.records) {
    const key = await c.importKey(w.fromHex(r.recordKey))
    const header = JSON.parse(r.header)
    const framed = w.frame(header, w.fromBase64(r.payload))
    const commit = await w.commitment(w.fromBase64(r.salt), r.head)
    const record = w.fromBase64(r.record)
    const made = await w.sealRecord(key, r.backupId, { header, salt: w.fromBase64(r.salt), head: r.head }, w.fromBase64(r.payload))
    const opened = await w.openRecord(key, r.backupId, record)
    out.records.push({ framed: w.toBase64(framed), commitment: w.toHex(commit), aad: w.aad.record(r.backupId),
      sealedHash: w.toHex(await w.sealedHashOf(record)), recordHash: await w.recordHash(record),
      sealed: w.toBase64(made), header: JSON.stringify(opened.header), payload: w.toBase64(opened.payload) })
    // Altered or cut short: refused.
    const altered = record.slice(); altered[100] ^= 1
    const problems = []
    for (const bad of [altered, record.subarray(0, record.length - 1), record.subarray(0, 4096 * (record.length > 4096 ? 1 : 0) || 100)]) {
      try { await w.openRecord(key, r.backupId, bad); problems.push('opened') } catch (e) { problems.push(e instanceof w.BackupFormatError ? 'refused' : e.message) }
    }
    out.opened.push(problems)
  }
  const rv = v.receipts
  out.message = new TextDecoder().decode(w.receiptMessage(rv.receipt))
  out.fingerprint = await w.fingerprint(w.fromBase64(rv.publicKey))
  out.shown = w.showFingerprint(out.fingerprint)
  const keys = await w.importReceiptKey({ publicKey: rv.publicKey })
  out.receiptOk = await w.checkReceipt(rv.receipt, keys, { hash: rv.receipt.hash, seq: rv.receipt.seq, backup: rv.receipt.backup })
  out.backdated = await w.checkReceipt({ ...rv.receipt, time: '2026-01-01T00:00:00Z' }, keys)
  out.otherHash = await w.checkReceipt(rv.receipt, keys, { hash: '0'.repeat(64) })
  out.unknownKey = await w.checkReceipt({ ...rv.receipt, key: 'ab'.repeat(16) }, keys)
  const inExport = rv.inExport
  out.exportHash = await w.recordHashOfParts(await w.commitment(w.fromBase64(inExport.salt), v.records[1].head), w.fromHex(inExport.sealedHash))
  out.fresh = await w.newRecoveryCode()
  out.exported = Object.keys(w)
  return out
}"""


def test_chromium_reproduces_the_backup_vectors(page, live_server):
    page.goto("/journal")
    got = page.evaluate(BROWSER_CHECK, VECTORS)
    assert got["codes"] == [code["code"] for code in VECTORS["codes"]]
    assert got["typed"] == [typed["normalized"] for typed in VECTORS["typedCodes"]]
    assert "accepted" not in got["bad"] and "other" not in got["bad"]
    for bad, message in zip(VECTORS["badCodes"], got["bad"]):
        assert {"length": "characters", "alphabet": "letters", "check": "mistake"}[bad["why"]] in message
    for vector, derived in zip(VECTORS["derive"], got["derive"]):
        assert derived == {name: vector[name] for name in derived}
    wrap = VECTORS["wrap"]
    assert got["passphraseBits"] == wrap["passphraseBits"] and got["wrapKey"] == wrap["wrapKey"]
    assert got["unwrapped"] == wrap["vaultKey"] and got["wrapAad"] == wrap["aad"]
    assert got["previousAad"] == wrap["previous"]["aad"]
    assert got["buckets"] == [size for _, size in VECTORS["buckets"]]
    assert got["notBuckets"] == [False] * len(VECTORS["notBuckets"])
    for vector, made, refused in zip(VECTORS["records"], got["records"], got["opened"]):
        assert made["framed"] == vector["framed"] and len(base64.b64decode(made["framed"])) == vector["framedLength"]
        assert made["commitment"] == vector["commitment"] and made["aad"] == vector["aad"]
        assert made["sealedHash"] == vector["sealedHash"] and made["recordHash"] == vector["recordHash"]
        assert made["header"] == vector["header"] and made["payload"] == vector["payload"]
        sealed = base64.b64decode(made["sealed"])
        assert len(sealed) == vector["size"] and sealed[:32].hex() == vector["commitment"]
        assert sealed[32:44].hex() != vector["nonce"]  # a fresh nonce, not the vector's
        opened = wire.open_record(bytes.fromhex(vector["recordKey"]), vector["backupId"], sealed)
        assert wire.encode_header(opened.header).decode() == vector["header"]
        assert opened.payload == base64.b64decode(vector["payload"])
        assert refused == ["refused"] * 3
    receipts = VECTORS["receipts"]
    assert got["message"] == receipts["message"]
    assert got["fingerprint"] == receipts["fingerprint"] and got["shown"] == receipts["fingerprintShown"]
    assert got["receiptOk"] is None
    assert "signature does not match" in got["backdated"]
    assert "another hash" in got["otherHash"] and "does not know" in got["unknownKey"]
    assert got["exportHash"] == receipts["inExport"]["receipt"]["hash"]
    assert wire.normalize_code(got["fresh"]) and len(got["fresh"]) == 29
    assert not [name for name in got["exported"] if "nonce" in name.lower() or "fixed" in name.lower()]
