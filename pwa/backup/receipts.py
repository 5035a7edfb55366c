"""The agency's receipt-signing key: made by `flask backup keygen`, read by the server, published for checking.

The private key is a PEM (PKCS#8) file at BACKUP_SIGNING_KEY, readable only by its owner. Each worker reads it
when first needed and again whenever the file changes (a new key made with --force is used at once). Without
it the server takes no backups (a 503 that says why): a record accepted without a receipt would break the
promise every accepted append makes.
"""
from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption, PrivateFormat, PublicFormat,
                                                          load_pem_private_key)
from flask import current_app

from . import wire


class KeyUnavailable(Exception):
    pass


def key_path() -> Path:
    return Path(current_app.config["BACKUP_SIGNING_KEY"])


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def generate(path: Path, force: bool = False) -> tuple[Ed25519PrivateKey, Path | None]:
    """Write a new key to `path` (mode 0600). With force, an existing key is replaced and its public half kept
    beside it (receipts it signed still need checking); returns the new key and where the old public key went."""
    retired = None
    if path.exists():
        if not force:
            raise FileExistsError(path)
        old = read(path)
        retired = path.with_name(f"{path.stem}-retired-{wire.fingerprint(old.public_key())}.pub.pem")
        retired.write_text(public_pem(old.public_key()))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    os.replace(temporary, path)  # never a half-written key, even if interrupted
    return key, retired


def read(path: Path) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except OSError as err:
        raise KeyUnavailable(f"cannot read the receipt-signing key at {path}: {err.strerror}") from None
    except (ValueError, TypeError):
        raise KeyUnavailable(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyUnavailable(f"{path} is not an Ed25519 key")
    return key


def signing_key() -> Ed25519PrivateKey:
    """This server's key, cached per worker and read again when its file changes."""
    path = key_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise KeyUnavailable("this server has no receipt-signing key yet (whoever runs it: flask backup keygen)") \
            from None
    cached = current_app.extensions.get("backup_signing_key")
    if cached and cached[0] == (str(path), stamp):
        return cached[1]
    key = read(path)
    current_app.extensions["backup_signing_key"] = ((str(path), stamp), key)
    return key


def server_time() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issue(backup_id: str, seq: int, record_hash: str) -> dict:
    return wire.sign_receipt(signing_key(), backup_id, seq, record_hash, server_time())


def public_document() -> dict:
    """What /.well-known/backup-receipt-key serves, and `flask backup keygen` prints."""
    public_key = signing_key().public_key()
    return {"alg": "Ed25519", "fingerprint": wire.fingerprint(public_key),
            "publicKey": base64.b64encode(wire.raw_public_key(public_key)).decode(),
            "pem": public_pem(public_key)}
