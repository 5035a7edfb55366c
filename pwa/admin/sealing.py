"""Secrets at rest, under keys derived from SECRET_KEY: a database dump alone does not give them away.

Each use gets its own key (HKDF-SHA256 with a purpose label). Sealed text is AES-256-GCM with the purpose
and the owner (e.g. an account id) as associated data, so a sealed value copied to another account fails
to open. Changing SECRET_KEY makes everything sealed unreadable: people set up two-factor sign-in again.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

VERSION = "v1"


def _key(purpose: str) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"open-door admin {purpose}".encode()).derive(secret)


def seal(purpose: str, owner: str, plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(purpose)).encrypt(nonce, plaintext.encode(), f"{purpose}:{owner}".encode())
    return f"{VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(purpose: str, owner: str, token: str | None) -> str | None:
    """The plaintext, or None when the token is missing, damaged or was sealed under another SECRET_KEY."""
    version, _, body = (token or "").partition(":")
    if version != VERSION:
        return None
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        return AESGCM(_key(purpose)).decrypt(raw[:12], raw[12:], f"{purpose}:{owner}".encode()).decode()
    except (ValueError, InvalidTag):
        return None


def keyed_hash(purpose: str, value: str) -> str:
    """An HMAC-SHA256 (hex) for values that are only ever compared, such as recovery codes."""
    return hmac.new(_key(purpose), value.encode(), hashlib.sha256).hexdigest()
