"""Two-factor sign-in: TOTP codes (RFC 6238, via pyotp) and single-use recovery codes.

The TOTP secret is stored sealed (pwa/admin/sealing.py); recovery codes are shown once and stored as keyed
hashes. Each code works once: the step of the last accepted code is kept, and a used recovery code is marked.
"""
from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno
from flask import current_app
from markupsafe import Markup

from ..extensions import db
from . import sealing
from .models import AdminUser, RecoveryCode, utcnow

STEP_SECONDS = 30
RECOVERY_CODES = 10
# 16 characters of base32: 80 bits each, beyond guessing even from a stolen hash.
RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: easy to copy by hand
RECOVERY_LENGTH = 16
SIX_DIGITS = re.compile(r"^\d{6}$")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=f"{current_app.config['APP_NAME']} admin")


def qr_code_svg(uri: str) -> Markup:
    """The otpauth address as an inline SVG QR code: dark on light whatever the colour scheme, with a title."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff",
                                              title="QR code to add this account to an authenticator app",
                                              svgclass="totp-qr", omitsize=False)
    return Markup(svg)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app than one long string."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def seal_pending(user: AdminUser, secret: str) -> str:
    return sealing.seal("pending totp secret", str(user.id), secret)


def unseal_pending(user: AdminUser, token: str | None) -> str | None:
    return sealing.unseal("pending totp secret", str(user.id), token)


def secret_of(user: AdminUser) -> str | None:
    return sealing.unseal("totp secret", str(user.id), user.totp_secret)


def is_set_up(user: AdminUser) -> bool:
    return user.totp_secret is not None


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, after_step: int | None, now: datetime | None = None) -> int | None:
    """The step (now, or one either side for clock drift) whose code this is, if not already used."""
    code = re.sub(r"\s", "", code)
    if not SIX_DIGITS.match(code):
        return None
    totp, current = pyotp.TOTP(secret), _step(now or utcnow())
    for step in (current - 1, current, current + 1):
        if (after_step is None or step > after_step) and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def enable(user: AdminUser, secret: str, step: int) -> list[str]:
    """Store the confirmed secret and return fresh recovery codes (shown once, never stored in clear)."""
    user.totp_secret = sealing.seal("totp secret", str(user.id), secret)
    user.totp_enabled_at, user.totp_last_step = utcnow(), step
    return new_recovery_codes(user)


def reset(user: AdminUser) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _recovery_hash(user: AdminUser, code: str) -> str:
    return sealing.keyed_hash("recovery code", f"{user.id}:{_normalise_recovery(code)}")


def new_recovery_codes(user: AdminUser) -> list[str]:
    """Replace the account's recovery codes; the old ones stop working."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user, code)) for code in codes)
    return ["-".join(code[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4)) for code in codes]


def recovery_codes_left(user: AdminUser) -> int:
    return db.session.scalar(db.select(db.func.count(RecoveryCode.id))
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def use_recovery_code(user: AdminUser, code: str) -> bool:
    if len(_normalise_recovery(code)) != RECOVERY_LENGTH:
        return False
    found = db.session.scalar(db.select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
        RecoveryCode.code_hash == _recovery_hash(user, code)))
    if found is None:
        return False
    found.used_at = utcnow()
    return True


def check(user: AdminUser, code: str) -> str | None:
    """'app' or 'recovery code' when the code is right (and uses it up), else None."""
    secret = secret_of(user)
    step = matching_step(secret, code, user.totp_last_step) if secret else None
    if step is not None:
        user.totp_last_step = step
        return "app"
    if use_recovery_code(user, code):
        return "recovery code"
    return None
