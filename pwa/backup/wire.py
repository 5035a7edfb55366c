"""The backup's wire format (docs/backup.md), in Python.

The reference the browser must match byte for byte (tests/vectors/backup.json), and what the server, the
verifier (`flask journal verify --receipts-key`) and the tests use. Everything here is a pure function.

    recovery code   22 random characters of Crockford's base32 (110 bits) + 2 check characters, shown in six
                    groups of four: K7QM-3XHD-9P2A-0RWT-VN5Z-8KC4
    HKDF-SHA256     of the code (IKM: its 24 characters, normalised) gives the backup id (16 bytes, hex), the
                    write token (32 bytes; the server keeps only its SHA-256) and the backup key (32 bytes)
    record key      HKDF-SHA256 of the backup key: seals each record (AES-256-GCM)
    wrap key        HKDF-SHA256 of (backup key || PBKDF2-SHA256 of the passphrase): seals the vault key
    record          commitment (32 bytes) || nonce (12) || AES-GCM(record key, framed + padding) || tag (16),
                    its whole length one of the size buckets (4 KiB, then 8 steps per doubling, up to 1 MiB)
    record hash     SHA-256(label || commitment || SHA-256(the rest)): what a receipt signs
    receipt         Ed25519 over "opendoor-backup-receipt/1\\n" id \\n seq \\n record hash \\n time \\n
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

VERSION = 1
# Crockford's base32, as the export code: no I, L, O or U, so a code read aloud is hard to mishear.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_DATA = 22  # random characters: 110 bits
CODE_CHECK = 2  # check characters: 10 bits of SHA-256 over the rest
CODE_LENGTH = CODE_DATA + CODE_CHECK
CODE_GROUP = 4
CODE_CHECK_LABEL = b"opendoor/1/recovery-code-check\n"

HKDF_SALT = b"opendoor/1/backup"
INFO_ID = b"opendoor/1/backup-id"
INFO_TOKEN = b"opendoor/1/backup-write-token"
INFO_KEY = b"opendoor/1/backup-key"
INFO_RECORD_KEY = b"opendoor/1/backup-record-key"
INFO_WRAP = b"opendoor/1/backup-vault-wrap"
ID_BYTES = 16
KEY_BYTES = 32
KDF_NAME = "PBKDF2-SHA256"
KDF_ITERATIONS = 600_000  # the journal's own floor: a backup is never easier to guess than the phone

COMMIT_LABEL = b"opendoor/1/backup-commitment\n"
RECORD_LABEL = b"opendoor/1/backup-record\n"
RECEIPT_LABEL = "opendoor-backup-receipt/1\n"
GENESIS = "0" * 64  # the head of a journal with no revisions yet
COMMITMENT_BYTES = 32
SALT_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
OVERHEAD = COMMITMENT_BYTES + NONCE_BYTES + TAG_BYTES  # 60 bytes around the framed plaintext
FRAME_BYTES = 8  # two big-endian 32-bit lengths: header, payload
MIN_RECORD = 4096
MAX_RECORD = 1 << 20
# A photo's sealed body goes up in slices of this size, so a full slice fills a 1 MiB record exactly
# (the rest of the record holds its header, at most 4,028 bytes).
PHOTO_SLICE = MAX_RECORD - 4096

# For JSON Schema (ECMA regular expressions, where $ is the very end)...
BACKUP_ID_PATTERN = "^[0-9a-f]{32}$"
HEX64_PATTERN = "^[0-9a-f]{64}$"
TIME_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
# ...and for Python, where $ also matches before a final newline: \Z is the end.
BACKUP_ID = re.compile(BACKUP_ID_PATTERN[:-1] + r"\Z")
HEX64 = re.compile(HEX64_PATTERN[:-1] + r"\Z")
TIME = re.compile(TIME_PATTERN[:-1] + r"\Z")


class BackupFormatError(ValueError):
    """Something that does not follow the wire format: a mistyped code, a damaged record, a bad receipt."""


# The recovery code ---------------------------------------------------------------------------------------

def code_check(data: str) -> str:
    """The two check characters: the first 10 bits of SHA-256(label || the 22 data characters)."""
    digest = hashlib.sha256(CODE_CHECK_LABEL + data.encode("ascii")).digest()
    bits = (digest[0] << 2) | (digest[1] >> 6)
    return ALPHABET[bits >> 5] + ALPHABET[bits & 31]


def new_code(random_bytes=os.urandom) -> str:
    """A fresh recovery code, grouped for reading aloud. 256 is a multiple of 32, so `b & 31` is unbiased."""
    data = "".join(ALPHABET[b & 31] for b in random_bytes(CODE_DATA))
    return group(data + code_check(data))


def group(code: str) -> str:
    return "-".join(code[i:i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalize_code(typed: str) -> str:
    """The code as typed (any case, spaces or dashes; O, I and L read as 0, 1, 1), checked: 24 characters."""
    cleaned = "".join(ch for ch in unicodedata.normalize("NFKC", typed).upper() if ch not in " -\t\n\r")
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if any(ch not in ALPHABET for ch in cleaned):
        raise BackupFormatError("a recovery code uses only the digits and the letters A to Z without U")
    if len(cleaned) != CODE_LENGTH:
        raise BackupFormatError(f"a recovery code has {CODE_LENGTH} characters (six groups of four); "
                                f"this has {len(cleaned)}")
    if code_check(cleaned[:CODE_DATA]) != cleaned[CODE_DATA:]:
        raise BackupFormatError("this recovery code has a mistake in it: check each group again")
    return cleaned


# Keys ------------------------------------------------------------------------------------------------------

def hkdf(ikm: bytes, info: bytes, length: int = KEY_BYTES, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


@dataclass(frozen=True)
class Derived:
    backup_id: str  # 32 hex digits: the only name the server has for the backup
    write_token: bytes  # sent with every request; the server keeps only token_hash
    backup_key: bytes  # never leaves the device

    @property
    def token_hex(self) -> str:
        return self.write_token.hex()

    @property
    def token_hash(self) -> str:
        return token_hash(self.write_token)

    @property
    def record_key(self) -> bytes:
        return record_key(self.backup_key)


def derive(code: str) -> Derived:
    """Three independent values from one code: HKDF-Expand with three different labels."""
    ikm = normalize_code(code).encode("ascii")
    return Derived(backup_id=hkdf(ikm, INFO_ID, ID_BYTES, HKDF_SALT).hex(),
                   write_token=hkdf(ikm, INFO_TOKEN, KEY_BYTES, HKDF_SALT),
                   backup_key=hkdf(ikm, INFO_KEY, KEY_BYTES, HKDF_SALT))


def token_hash(write_token: bytes) -> str:
    return hashlib.sha256(write_token).hexdigest()


def record_key(backup_key: bytes) -> bytes:
    return hkdf(backup_key, INFO_RECORD_KEY)


def passphrase_bits(passphrase: str, salt: bytes, iterations: int = KDF_ITERATIONS) -> bytes:
    """PBKDF2-SHA256 of the passphrase (NFC, UTF-8), 256 bits: WebCrypto's deriveBits gives the same."""
    if iterations < KDF_ITERATIONS or len(salt) < 16:
        raise BackupFormatError(f"key derivation below the floor ({KDF_ITERATIONS} iterations, 16-byte salt)")
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, iterations=iterations)
    return kdf.derive(unicodedata.normalize("NFC", passphrase).encode())


def wrap_key(backup_key: bytes, passphrase_key: bytes) -> bytes:
    """Needs both: HKDF-SHA256 with IKM = backup key || passphrase bits (either alone is only half the input)."""
    return hkdf(backup_key + passphrase_key, INFO_WRAP)


def wrap_vault_key(backup_key: bytes, passphrase: str, raw_vault_key: bytes, backup_id: str, generation: int,
                   salt: bytes, nonce: bytes | None = None) -> bytes:
    """The vault key sealed for the backup, under a key that needs the backup key and the passphrase."""
    kek = wrap_key(backup_key, passphrase_bits(passphrase, salt))
    return seal(kek, raw_vault_key, aad_vault_key(backup_id, generation), nonce)


def unwrap_vault_key(backup_key: bytes, passphrase: str, sealed: bytes, backup_id: str, generation: int,
                     salt: bytes, iterations: int = KDF_ITERATIONS) -> bytes:
    kek = wrap_key(backup_key, passphrase_bits(passphrase, salt, iterations))
    return open_sealed(kek, sealed, aad_vault_key(backup_id, generation))


def aad_vault_key(backup_id: str, generation: int) -> str:
    return f"opendoor/{VERSION}/backup-vault-key/{backup_id}/{generation}"


def aad_previous_vault_key(backup_id: str, generation: int) -> str:
    return f"opendoor/{VERSION}/backup-previous-vault-key/{backup_id}/{generation}"


def aad_record(backup_id: str) -> str:
    return f"opendoor/{VERSION}/backup-record/{backup_id}"


def seal(key: bytes, plaintext: bytes, aad: str, nonce: bytes | None = None) -> bytes:
    nonce = os.urandom(NONCE_BYTES) if nonce is None else nonce
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad.encode())


def open_sealed(key: bytes, sealed: bytes, aad: str) -> bytes:
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise BackupFormatError(f"sealed data too short ({aad})")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad.encode())
    except InvalidTag:
        raise BackupFormatError(f"authentication tag does not match ({aad})") from None


# Records ---------------------------------------------------------------------------------------------------

def bucket(needed: int) -> int:
    """The record size for `needed` bytes: 4 KiB, then 8 steps per doubling (at most 12.5% padding)."""
    if needed <= MIN_RECORD:
        return MIN_RECORD
    step = 1 << ((needed - 1).bit_length() - 4)
    return -(-needed // step) * step


def is_bucket(size: int) -> bool:
    return size >= MIN_RECORD and bucket(size) == size


def commitment(salt: bytes, head: str) -> bytes:
    """What a record says about the journal without showing it: SHA-256(label || salt || head hash in hex)."""
    if len(salt) != SALT_BYTES or not HEX64.match(head):
        raise BackupFormatError("a commitment needs a 32-byte salt and a SHA-256 head in lower-case hex")
    return hashlib.sha256(COMMIT_LABEL + salt + head.encode("ascii")).digest()


def record_hash_of_parts(commit: bytes, rest_sha256: bytes) -> str:
    return hashlib.sha256(RECORD_LABEL + commit + rest_sha256).hexdigest()


def record_hash(record: bytes) -> str:
    """The hash a receipt signs: SHA-256(label || commitment || SHA-256(everything after the commitment))."""
    return record_hash_of_parts(record[:COMMITMENT_BYTES], hashlib.sha256(record[COMMITMENT_BYTES:]).digest())


def frame(header: bytes, payload: bytes) -> bytes:
    """The plaintext of a record, padded with zeros so that the whole record is a bucket size."""
    framed = struct.pack(">II", len(header), len(payload)) + header + payload
    size = bucket(OVERHEAD + len(framed))
    if size > MAX_RECORD:
        raise BackupFormatError(f"a record holds at most {MAX_RECORD} bytes; this needs {OVERHEAD + len(framed)}")
    return framed + bytes(size - OVERHEAD - len(framed))


def photo_slices(sealed_body: bytes) -> list[bytes]:
    """A photo's sealed body in the slices that go up one per record (a full slice fills a 1 MiB record)."""
    return [sealed_body[i:i + PHOTO_SLICE] for i in range(0, len(sealed_body), PHOTO_SLICE)] or [b""]


def encode_header(header: dict) -> bytes:
    return json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()


def seal_record(rec_key: bytes, backup_id: str, header: dict | bytes, payload: bytes, commit: bytes,
                nonce: bytes | None = None) -> bytes:
    header_bytes = header if isinstance(header, bytes) else encode_header(header)
    if len(commit) != COMMITMENT_BYTES:
        raise BackupFormatError("a commitment is 32 bytes")
    return commit + seal(rec_key, frame(header_bytes, payload), aad_record(backup_id), nonce)


@dataclass
class OpenedRecord:
    commitment: bytes
    header: dict
    payload: bytes


def open_record(rec_key: bytes, backup_id: str, record: bytes) -> OpenedRecord:
    """Decrypt and unframe a record; anything altered, truncated or oddly padded is a BackupFormatError."""
    if not is_bucket(len(record)) or len(record) > MAX_RECORD:
        raise BackupFormatError(f"record of {len(record)} bytes is not one of the size buckets (truncated?)")
    framed = open_sealed(rec_key, record[COMMITMENT_BYTES:], aad_record(backup_id))
    header_length, payload_length = struct.unpack(">II", framed[:FRAME_BYTES])
    end = FRAME_BYTES + header_length + payload_length
    if end > len(framed) or any(framed[end:]):
        raise BackupFormatError("record framing does not add up")
    try:
        header = json.loads(framed[FRAME_BYTES:FRAME_BYTES + header_length])
    except (ValueError, RecursionError):
        raise BackupFormatError("record header is not JSON") from None
    if not isinstance(header, dict):
        raise BackupFormatError("record header is not a JSON object")
    return OpenedRecord(record[:COMMITMENT_BYTES], header, framed[FRAME_BYTES + header_length:end])


# Receipts --------------------------------------------------------------------------------------------------

def receipt_message(backup_id: str, seq: int, rec_hash: str, time: str) -> bytes:
    """The exact bytes the server signs: four lines after a label line, each ending in a newline, ASCII."""
    if not BACKUP_ID.match(backup_id) or not HEX64.match(rec_hash) or not TIME.match(time) \
            or type(seq) is not int or seq < 1:
        raise BackupFormatError("a receipt names a backup id, a sequence number from 1, a record hash and a "
                                "UTC time such as 2026-11-30T21:02:03Z")
    return f"{RECEIPT_LABEL}{backup_id}\n{seq}\n{rec_hash}\n{time}\n".encode("ascii")


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """The key's name in receipts: the first 16 bytes of SHA-256 of its 32 raw bytes, in hex."""
    return hashlib.sha256(raw_public_key(public_key)).hexdigest()[:32]


def show_fingerprint(value: str) -> str:
    """For people: eight groups of four hex digits."""
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


def sign_receipt(private_key: Ed25519PrivateKey, backup_id: str, seq: int, rec_hash: str, time: str) -> dict:
    signature = private_key.sign(receipt_message(backup_id, seq, rec_hash, time))
    return {"v": VERSION, "backup": backup_id, "seq": seq, "hash": rec_hash, "time": time,
            "key": fingerprint(private_key.public_key()), "sig": base64.b64encode(signature).decode()}


def check_receipt(receipt, public_keys: dict[str, Ed25519PublicKey]) -> str | None:
    """None if the receipt is well formed and signed by one of the keys (by fingerprint), else what is wrong."""
    if not isinstance(receipt, dict) or receipt.get("v") != VERSION or type(receipt.get("v")) is not int:
        return "not a version 1 receipt"
    fields = [receipt.get(name) for name in ("backup", "seq", "hash", "time", "key", "sig")]
    backup_id, seq, rec_hash, time, key, sig = fields
    try:
        message = receipt_message(backup_id, seq, rec_hash, time)
    except (BackupFormatError, TypeError):
        return "a receipt field is missing or malformed"
    if key not in public_keys:
        return f"signed by a key that was not given (fingerprint {show_fingerprint(str(key))})"
    try:
        signature = base64.b64decode(sig, validate=True) if isinstance(sig, str) else b""
        public_keys[key].verify(signature, message)
    except (InvalidSignature, ValueError):
        return "the signature does not match (altered, or not made by that key)"
    return None
