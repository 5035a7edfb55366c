"""Receipts in an export: the backup server's signed statement that it held a record committing to a revision.

An export may carry, at its top level (docs/backup.md, "Receipts in an export"):

    "receipts": [{"revision": N, "salt": base64 (32 bytes), "sealedHash": hex, "receipt": {v, backup, seq, hash,
                  time, key, sig}}, ...]

For each, the commitment to revision N's chain hash is worked out from the export itself, then the record hash
the server signed; the signature is checked with a public key given on the command line. Each revision's hash
covers the one before it, so a receipt for revision N shows that revisions 1 to N existed, exactly as exported,
no later than the receipt's time. A receipt for a revision the export does not have shows revisions were cut
off after the server received them.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from ..backup import wire
from ..wording import plural
from .report import uk_time


class ReceiptKeyError(Exception):
    """A --receipts-key file that cannot be read or is not an Ed25519 public key."""

    def __init__(self, message: str, unreadable: bool = False):
        super().__init__(message)
        self.unreadable = unreadable


@dataclass
class Confirmed:
    revision: int
    time: str
    key: str


def load_keys(paths) -> dict[str, Ed25519PublicKey]:
    """Public keys by fingerprint, from PEM files or the JSON the server serves at /.well-known/."""
    keys = {}
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise ReceiptKeyError(f"cannot read {path}: {err.strerror}", unreadable=True) from None
        key = _parse_key(data)
        if key is None:
            raise ReceiptKeyError(f"{path} is not an Ed25519 public key (a PEM file, or the JSON served at "
                                  "/.well-known/backup-receipt-key)")
        keys[wire.fingerprint(key)] = key
    return keys


def _parse_key(data: bytes) -> Ed25519PublicKey | None:
    try:
        key = load_pem_public_key(data)
        return key if isinstance(key, Ed25519PublicKey) else None
    except (ValueError, TypeError):
        pass
    try:
        document = json.loads(data)
        raw = base64.b64decode(document["publicKey"], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError, KeyError, RecursionError, binascii.Error):
        return None


def check(items, hashes: dict[int, str], keys: dict[str, Ed25519PublicKey]) -> tuple[list[Confirmed], list[str]]:
    """Every receipt checked against the export's revision hashes (seq -> chain hash) and the given keys."""
    confirmed, problems = [], []
    for index, item in enumerate(items, start=1):
        where = f"receipt {index}"
        if not isinstance(item, dict):
            problems.append(f"{where}: not a receipt")
            continue
        revision, receipt = item.get("revision"), item.get("receipt")
        try:
            salt = base64.b64decode(item.get("salt") or "", validate=True)
            sealed_hash = bytes.fromhex(item.get("sealedHash") or "")
        except (ValueError, TypeError, binascii.Error):
            salt, sealed_hash = b"", b""
        if type(revision) is not int or len(salt) != wire.SALT_BYTES or len(sealed_hash) != 32 \
                or not isinstance(receipt, dict):
            problems.append(f"{where}: malformed (it needs revision, salt, sealedHash and receipt)")
            continue
        if revision not in hashes:
            problems.append(f"{where}: the backup server received revision {revision}, which this export does not "
                            "have (revisions removed after they were backed up)")
            continue
        expected = wire.record_hash_of_parts(wire.commitment(salt, hashes[revision]), sealed_hash)
        if receipt.get("hash") != expected:
            problems.append(f"{where}: does not match revision {revision} as exported (the revision, or the receipt, "
                            "was changed after the server received it)")
            continue
        wrong = wire.check_receipt(receipt, keys)
        if wrong:
            problems.append(f"{where} (revision {revision}): {wrong}")
            continue
        confirmed.append(Confirmed(revision, receipt["time"], receipt["key"]))
    return confirmed, problems


def lines(confirmed: list[Confirmed]) -> list[str]:
    """One line per revision, with its earliest receipt: "entry N existed no later than <UK time> (signed by ...)"."""
    earliest: dict[int, Confirmed] = {}
    for item in confirmed:
        if item.revision not in earliest or item.time < earliest[item.revision].time:
            earliest[item.revision] = item
    return [f"entry {n} existed no later than {uk_time(item.time)} (signed by {wire.show_fingerprint(item.key)})"
            for n, item in sorted(earliest.items())]


# What a receipt that checks out shows, and what it does not.
MEANING = ("A receipt shows that the backup server held the change, exactly as exported, at the time given (by the "
           "server's clock, signed with the agency's key): so it existed no later than then. It does not show when "
           "it was written, nor that it is true.")


def summary(confirmed: list[Confirmed]) -> str:
    revisions = len({item.revision for item in confirmed})
    return (f"Receipts: {plural(len(confirmed), 'receipt')} from the backup server check out, for "
            f"{plural(revisions, 'saved change')} (numbered as in the journal's log; each also covers every "
            "change before it):")
