"""Shared test vectors: Python (pwa/journal/crypto.py) and Chromium (js/journal/crypto.js) agree byte for byte."""
import base64
import json
from pathlib import Path

import pytest

from pwa.journal import crypto

VECTORS = json.loads((Path(__file__).parent / "vectors" / "journal.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("vector", VECTORS["kdf"], ids=lambda v: v["passphrase"][:8])
def test_python_kdf(vector):
    key = crypto.derive_key(vector["passphrase"], base64.b64decode(vector["salt"]), vector["iterations"])
    assert key.hex() == vector["key"]


def test_python_kdf_refuses_weak_parameters():
    with pytest.raises(crypto.JournalCryptoError, match="below the floor"):
        crypto.derive_key("x", bytes(16), VECTORS["kdfFloor"] - 1)
    with pytest.raises(crypto.JournalCryptoError, match="salt"):
        crypto.derive_key("x", bytes(8), VECTORS["kdfFloor"])


@pytest.mark.parametrize("vector", VECTORS["seal"], ids=lambda v: v["aad"])
def test_python_seal_and_open(vector):
    key = bytes.fromhex(vector["key"])
    plaintext = base64.b64decode(vector["plaintext"])
    if "record" in vector:
        assert json.dumps(vector["record"], separators=(",", ":"), ensure_ascii=False).encode() == plaintext
    sealed = crypto.seal(key, plaintext, vector["aad"], bytes.fromhex(vector["nonce"]))
    assert base64.b64encode(sealed).decode() == vector["sealed"]
    assert crypto.open_sealed(key, sealed, vector["aad"]) == plaintext
    with pytest.raises(crypto.JournalCryptoError):
        crypto.open_sealed(key, sealed, vector["aad"] + "x")


def test_python_chain_codes_and_labels():
    for link in VECTORS["chain"]:
        assert crypto.chain_hash(link["seq"], link["entry"], link["rev"], link["prev"],
                                 base64.b64decode(link["body"])) == link["hash"]
    for code in VECTORS["codes"]:
        assert crypto.normalize_code(code["input"]) == code["normalized"]
    for bad in VECTORS["badCodes"]:
        with pytest.raises(crypto.JournalCryptoError):
            crypto.normalize_code(bad)
    labels = VECTORS["aad"]
    assert labels["recordKey"] == crypto.aad_record_key("e-1", 2)
    assert labels["draft"] == crypto.aad_draft() and labels["index"] == crypto.aad_index()
    assert labels["exportChainKey"] == crypto.aad_export_chain_key()


def test_python_chain_keys_and_keyed_links():
    for vector in VECTORS["chainKeys"]:
        chain_key = crypto.derive_chain_key(bytes.fromhex(vector["vaultKey"]))
        assert chain_key.hex() == vector["chainKey"]
        for link in vector["macs"]:
            assert crypto.chain_mac(chain_key, link["hash"]) == link["mac"]
    first, second = VECTORS["chainKeys"]
    assert first["chainKey"] != second["chainKey"] and first["macs"][0]["mac"] != second["macs"][0]["mac"]


# The same vectors in Chromium: the module is imported into a real page from the live server. The browser seals
# with its own random nonces (production code has no way to fix one), and Python opens what it sealed.
BROWSER_CHECK = """async (v) => {
  const c = await import('/static/js/journal/crypto.js')
  const out = { kdf: [], seal: [], opened: [], chain: [], chainKeys: [], macs: [], codes: [], badCodes: [],
    floorRefused: false, labels: {} }
  for (const k of v.kdf) {
    // Keys never leave WebCrypto, so compare what they produce: a seal that Python opens with the expected key.
    const derived = await c.deriveKey(k.passphrase, c.fromBase64(k.salt), k.iterations)
    out.kdf.push(c.toBase64(await c.seal(derived, c.utf8('probe'), 'kdf')))
  }
  try { await c.deriveKey('x', new Uint8Array(16), v.kdfFloor - 1) } catch (e) { out.floorRefused = e instanceof c.JournalCryptoError }
  for (const s of v.seal) {
    const key = await c.importKey(c.fromHex(s.key))
    const plaintext = s.record ? c.utf8(JSON.stringify(s.record)) : c.fromBase64(s.plaintext)
    out.seal.push(c.toBase64(await c.seal(key, plaintext, s.aad)))
    out.opened.push(c.toBase64(await c.open(key, c.fromBase64(s.sealed), s.aad)))
  }
  for (const l of v.chain) out.chain.push(await c.chainHash(l.seq, l.entry, l.rev, l.prev, c.fromBase64(l.body)))
  for (const k of v.chainKeys) {
    const chainKey = await c.deriveChainKey(c.fromHex(k.vaultKey))
    out.chainKeys.push(c.toHex(await c.exportChainKey(chainKey)))
    for (const m of k.macs) out.macs.push(await c.chainMac(chainKey, m.hash))
  }
  for (const code of v.codes) out.codes.push(c.normalizeCode(code.input))
  for (const bad of v.badCodes) { try { c.normalizeCode(bad); out.badCodes.push('accepted') } catch { out.badCodes.push('refused') } }
  out.labels = { vaultKey: c.aad.vaultKey(), recordKey: c.aad.recordKey('e-1', 2), record: c.aad.record('e-1', 2),
    attachmentKey: c.aad.attachmentKey('p-1'), attachment: c.aad.attachment('p-1'), exportKey: c.aad.exportKey(),
    exportManifest: c.aad.exportManifest(), exportChainKey: c.aad.exportChainKey(), index: c.aad.index(),
    draft: c.aad.draft() }
  out.code = c.newExportCode()
  out.exported = Object.keys(c)
  return out
}"""


@pytest.mark.browser
def test_chromium_gives_byte_identical_results(page, live_server):
    page.goto("/journal")
    got = page.evaluate(BROWSER_CHECK, VECTORS)
    for vector, probe in zip(VECTORS["kdf"], got["kdf"]):
        assert crypto.open_sealed(bytes.fromhex(vector["key"]), base64.b64decode(probe), "kdf") == b"probe"
    assert got["floorRefused"] is True
    for vector, sealed in zip(VECTORS["seal"], got["seal"]):
        raw = base64.b64decode(sealed)
        assert raw[:12].hex() != vector["nonce"]  # a fresh nonce, not the vector's
        assert crypto.open_sealed(bytes.fromhex(vector["key"]), raw, vector["aad"]) == base64.b64decode(vector["plaintext"])
    assert len({sealed[:16] for sealed in got["seal"]}) == len(got["seal"])
    assert got["opened"] == [v["plaintext"] for v in VECTORS["seal"]]
    assert got["chain"] == [link["hash"] for link in VECTORS["chain"]]
    assert got["chainKeys"] == [k["chainKey"] for k in VECTORS["chainKeys"]]
    assert got["macs"] == [m["mac"] for k in VECTORS["chainKeys"] for m in k["macs"]]
    assert got["codes"] == [code["normalized"] for code in VECTORS["codes"]]
    assert got["badCodes"] == ["refused"] * len(VECTORS["badCodes"])
    assert got["labels"] == VECTORS["aad"]
    # No way to fix a nonce ships in the production module.
    assert not [name for name in got["exported"] if "nonce" in name.lower() or "fixed" in name.lower()]
    # A fresh export code: 5 groups of 4 from the code alphabet, and Python reads it.
    assert len(crypto.normalize_code(got["code"])) == 20 and got["code"].count("-") == 4
