"""Journal cryptography, byte for byte the same as pwa/static/js/journal/crypto.js.

- Keys come from a passphrase or an export code through PBKDF2-HMAC-SHA256 (at least 600,000 iterations,
  OWASP's floor); anything weaker is refused rather than used.
- Everything is sealed with AES-256-GCM: a fresh 96-bit nonce, then ciphertext with the 128-bit tag appended
  (WebCrypto's layout). The authenticated data names what the bytes are (record id, revision, envelope
  version), so ciphertexts cannot be swapped between places.
- Revisions form an append-only log; each one's hash covers the previous hash, so no revision can be
  changed, removed or reordered without breaking the chain. Anyone can recompute plain hashes, so each link
  also carries a MAC: HMAC-SHA256 under a chain key derived (HKDF-SHA256) from the vault key. Without the
  passphrase, a log cut or rewritten cannot be made to link up again.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

VERSION = 1
KDF_NAME = "PBKDF2-SHA256"
KDF_FLOOR = 600_000
# Exports use the floor; far above it, a crafted file would only keep the verifier busy for hours.
KDF_CEILING = 20_000_000
NONCE_BYTES = 12
KEY_BYTES = 32
GENESIS = "0" * 64
CHAIN_KEY_INFO = f"opendoor/{VERSION}/chain-key"
MAC_LABEL = f"opendoor-journal-mac/{VERSION}\n"
# Crockford's base32: no I, L, O or U, so a code read out over the phone is hard to mishear.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class JournalCryptoError(Exception):
    """Raised for anything that cannot be trusted: weak parameters, unknown versions, failed tags."""


def derive_key(secret: str, salt: bytes, iterations: int) -> bytes:
    if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < KDF_FLOOR:
        raise JournalCryptoError(f"key derivation below the floor ({KDF_FLOOR} PBKDF2-SHA256 iterations)")
    if len(salt) < 16:
        raise JournalCryptoError("key derivation salt shorter than 16 bytes")
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, iterations=iterations)
    return kdf.derive(unicodedata.normalize("NFC", secret).encode())


def seal(key: bytes, plaintext: bytes, aad: str, nonce: bytes | None = None) -> bytes:
    nonce = os.urandom(NONCE_BYTES) if nonce is None else nonce
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad.encode())


def open_sealed(key: bytes, sealed: bytes, aad: str) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise JournalCryptoError(f"sealed data too short ({aad})")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad.encode())
    except InvalidTag:
        raise JournalCryptoError(f"authentication tag does not match ({aad})") from None


# Authenticated data: one label per kind of sealed thing.
def aad_vault_key() -> str:
    return f"opendoor/{VERSION}/vault-key"


def aad_record_key(entry: str, rev: int) -> str:
    return f"opendoor/{VERSION}/record-key/{entry}/{rev}"


def aad_record(entry: str, rev: int) -> str:
    return f"opendoor/{VERSION}/record/{entry}/{rev}"


def aad_attachment_key(attachment: str) -> str:
    return f"opendoor/{VERSION}/attachment-key/{attachment}"


def aad_attachment(attachment: str) -> str:
    return f"opendoor/{VERSION}/attachment/{attachment}"


def aad_export_key() -> str:
    return f"opendoor/{VERSION}/export-key"


def aad_export_manifest() -> str:
    return f"opendoor/{VERSION}/export-manifest"


def aad_export_chain_key() -> str:
    return f"opendoor/{VERSION}/export-chain-key"


def aad_index() -> str:
    return f"opendoor/{VERSION}/index"


def aad_draft() -> str:
    return f"opendoor/{VERSION}/draft"


def chain_hash(seq: int, entry: str, rev: int, prev: str, body: bytes) -> str:
    """SHA-256 over the revision's place in the log and its sealed body (the wrapped key is bound by AAD)."""
    header = f"opendoor-journal/{VERSION}\n{seq}\n{entry}\n{rev}\n{prev}\n".encode()
    return hashlib.sha256(header + body).hexdigest()


def derive_chain_key(raw_vault_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=CHAIN_KEY_INFO.encode()).derive(raw_vault_key)


def chain_mac(chain_key: bytes, hash_hex: str) -> str:
    """A revision's keyed link: what someone without the passphrase cannot recompute."""
    return hmac.new(chain_key, (MAC_LABEL + hash_hex).encode(), hashlib.sha256).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalize_code(code: str) -> str:
    """An export code as typed: any case, spaces or dashes, and the look-alikes O/I/L read as 0/1/1."""
    cleaned = "".join(ch for ch in code.upper() if ch not in " -\t\n")
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if not cleaned or any(ch not in CODE_ALPHABET for ch in cleaned):
        raise JournalCryptoError("the export code has characters that are not in the code alphabet")
    return cleaned
