"""Staff sign-in: Argon2id passwords, a second factor for publishers, and limits kept in the database.

Limits live in the database (not in memory) so they hold across gunicorn workers. They lock the attempts,
not the colleague: an account locks only on its own failures (5 in 15 minutes, for 15 minutes, or until an
admin unlocks it or its password is set again); an address that fails often is slowed down with a growing
delay instead, so one person guessing cannot lock out an office behind the same address. Keys are HMACs,
never raw addresses or emails; the audit log records failures and locks without addresses.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from datetime import datetime, timedelta
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, flash, g, redirect, render_template, request, session, url_for

from ..extensions import db
from ..wording import plural
from . import roles, sessions, totp
from .drafts import audit
from .models import AdminUser, LoginAttempt, utcnow
from .times import uk_clock

# argon2-cffi's defaults are Argon2id with RFC 9106's low-memory profile (64 MiB, t=3, p=4),
# above OWASP's floor (19 MiB, t=2, p=1).
hasher = PasswordHasher()
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = hasher.hash(secrets.token_hex(16))

MIN_PASSWORD_LENGTH = 12
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
LOCK = WINDOW
# An address's first failures cost nothing; after that each try waits 1, 2, 4... seconds, at most a minute.
FREE_FAILURES_PER_ADDRESS = 10
LONGEST_ADDRESS_DELAY = 60
SECOND_STEP_SECONDS = 5 * 60  # between the password and the code
# What the audit log names instead of an email nobody has: a stranger's typing (even a password) is not kept.
UNKNOWN_ACCOUNT = "(no such account)"
LIMITS = "(sign-in limits)"
WHO_CAN_UNLOCK = ("To unlock it now, ask a colleague with the Admin role (People, in this admin) or whoever runs "
                  "the server (flask admin unlock). Setting a new password also unlocks it.")


class SignInRefused(Exception):
    status = 429

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AccountLocked(SignInRefused):
    def __init__(self, until: datetime):
        minutes = max(1, math.ceil((until - utcnow()).total_seconds() / 60))
        super().__init__(f"This account is locked after {MAX_FAILURES_PER_ACCOUNT} failed sign-ins. It unlocks by "
                         f"itself at {uk_clock(until)} (in {plural(minutes, 'minute')}). {WHO_CAN_UNLOCK}")
        self.until = until


class AddressSlowed(SignInRefused):
    def __init__(self, seconds: int):
        super().__init__(f"Too many failed sign-ins from your network. Wait {plural(seconds, 'second')}, then try "
                         "again. No account has been locked by this.")
        self.seconds = seconds


class AccountDisabled(SignInRefused):
    status = 403

    def __init__(self):
        super().__init__("This account has been switched off. If you still need it, ask a colleague with the "
                         "Admin role to switch it back on.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    return None


def new_session_token() -> str:
    return secrets.token_hex(16)


def set_password(user: AdminUser, password: str) -> None:
    """A new password signs the account out everywhere and lifts a lock."""
    user.password_hash = hasher.hash(password)
    user.session_token = new_session_token()
    clear_failures(user.email)


def password_matches(user: AdminUser, password: str) -> bool:
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Limits -----------------------------------------------------------------------------------------------------

def _limit_key(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _times(key: str) -> list[datetime]:
    """When the key's rows (failures, or a lock) were made, newest first, within the window."""
    return [sessions.aware(at) for at in db.session.scalars(
        db.select(LoginAttempt.at).where(LoginAttempt.key == key, LoginAttempt.at > utcnow() - WINDOW)
        .order_by(LoginAttempt.at.desc()))]


def locked_until(email: str) -> datetime | None:
    locks = _times(_limit_key("lock", normalise_email(email)))
    return locks[0] + LOCK if locks else None


def clear_failures(email: str) -> bool:
    """Forget an account's failures and lift its lock. Returns whether it was locked."""
    email = normalise_email(email)
    was_locked = locked_until(email) is not None
    db.session.execute(db.delete(LoginAttempt).where(
        LoginAttempt.key.in_([_limit_key("account", email), _limit_key("lock", email)])))
    return was_locked


def _address_key() -> str:
    return _limit_key("address", request.remote_addr or "unknown")


def _check_limits(email: str) -> None:
    db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.at <= utcnow() - WINDOW))
    failures = _times(_address_key())
    if len(failures) >= FREE_FAILURES_PER_ADDRESS:
        delay = min(2 ** (len(failures) - FREE_FAILURES_PER_ADDRESS), LONGEST_ADDRESS_DELAY)
        wait = (failures[0] + timedelta(seconds=delay) - utcnow()).total_seconds()
        if wait > 0:
            db.session.commit()
            raise AddressSlowed(math.ceil(wait))
    until = locked_until(email)
    if until is not None:
        db.session.commit()
        raise AccountLocked(until)


def _record_failure(email: str, user: AdminUser | None, why: str) -> None:
    """Count a failure against the account and the address; lock the account on its fifth (raises then)."""
    account_key = _limit_key("account", email)
    db.session.add_all([LoginAttempt(key=account_key), LoginAttempt(key=_address_key())])
    who = user.email if user else UNKNOWN_ACCOUNT
    audit(who, "sign-in-failed", note=why)
    db.session.flush()
    if len(_times(_address_key())) == FREE_FAILURES_PER_ADDRESS:
        audit(LIMITS, "sign-in-slowed",
              note=f"{FREE_FAILURES_PER_ADDRESS} failed sign-ins from one network in 15 minutes: its next tries "
                   "are slowed down (the address is not kept)")
    if len(_times(account_key)) >= MAX_FAILURES_PER_ACCOUNT:
        db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.key == account_key))
        locked_at = utcnow()
        db.session.add(LoginAttempt(key=_limit_key("lock", email), at=locked_at))
        audit(who, "account-locked", note=f"after {MAX_FAILURES_PER_ACCOUNT} failed sign-ins; unlocks by itself "
                                          f"at {uk_clock(locked_at + LOCK)}")
        db.session.commit()
        raise AccountLocked(locked_at + LOCK)
    db.session.commit()


def authenticate(email: str, password: str) -> AdminUser | None:
    """The user for these credentials, or None. Raises SignInRefused (before checking, when over a limit)."""
    email = normalise_email(email)
    _check_limits(email)
    user = db.session.scalar(db.select(AdminUser).filter_by(email=email)) if "\x00" not in email else None
    try:
        ok = hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _record_failure(email, user, "wrong password" if user else "no account has that email")
        return None
    if user.disabled_at is not None:
        audit(user.email, "sign-in-refused", note="the account is switched off")
        db.session.commit()
        raise AccountDisabled()
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.key == _limit_key("account", email)))
    db.session.commit()
    return user


def check_second_factor(user: AdminUser, code: str) -> str | None:
    """'app' or 'recovery code' when right; a wrong code counts as a failed sign-in (and may lock)."""
    _check_limits(user.email)
    used = totp.check(user, code)
    if used is None:
        _record_failure(user.email, user, "wrong code")
        return None
    db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.key == _limit_key("account", user.email)))
    db.session.commit()
    return used


def reconfirm(user: AdminUser, password: str) -> bool:
    """The password typed again by someone signed in, before a sensitive change. Wrong ones count as failed
    sign-ins, so a stolen session cannot be used to guess the password; raises AccountLocked on the fifth."""
    _check_limits(user.email)
    if password_matches(user, password):
        return True
    _record_failure(user.email, user, "wrong password, typed again while signed in")
    return False


# The step between the password and the code ----------------------------------------------------------------

def await_second_factor(user: AdminUser, next_url: str | None) -> None:
    session.clear()
    session.update(pending_user_id=user.id, pending_since=time.time(), pending_token=user.session_token,
                   pending_next=next_url)


def pending_user() -> AdminUser | None:
    user_id = session.get("pending_user_id")
    user = db.session.get(AdminUser, user_id) if user_id is not None else None
    timed_out = time.time() - session.get("pending_since", 0) > SECOND_STEP_SECONDS
    if (user is None or user.disabled_at is not None or timed_out
            or not hmac.compare_digest(session.get("pending_token", ""), user.session_token)):
        return None
    return user


def sign_in(user: AdminUser, two_factor: bool, how: str = "") -> None:
    sessions.start(user, two_factor)
    user.last_sign_in_at = utcnow()
    audit(user.email, "sign-in", note=how)
    db.session.commit()


# Who is signed in ------------------------------------------------------------------------------------------

def current_user() -> AdminUser | None:
    if "user" not in g:
        row = sessions.current()
        g.user = db.session.get(AdminUser, row.user_id) if row else None
    return g.user


def can(permission: str) -> bool:
    user = current_user()
    return user is not None and roles.can(user.role, permission)


def needs_two_factor_now() -> bool:
    """Signed in, in a role that needs a second factor, but this session has not passed one."""
    user, row = current_user(), sessions.current()
    return user is not None and roles.needs_two_factor(user.role) and not row.two_factor


# Pages the two-factor set-up needs before anything else.
BEFORE_TWO_FACTOR = {"admin.two_factor_setup", "admin.logout"}


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            if g.get("session_ended"):
                flash("Your session ended (after 30 minutes without activity, 8 hours in all, or a sign-out "
                      "elsewhere). Sign in again to carry on.", "error")
            return redirect(url_for("admin.login", next=request.full_path if request.method == "GET" else None))
        if needs_two_factor_now() and request.endpoint not in BEFORE_TWO_FACTOR:
            return redirect(url_for("admin.two_factor_setup"))
        return view(*args, **kwargs)
    return wrapped


def permission_required(permission: str, refusal: str):
    """After login_required: a clear 403 for people whose role does not allow this."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(permission):
                return render_template("admin/message.html", heading="Your role does not allow this",
                                       message=refusal, back=url_for("admin.dashboard")), 403
            return view(*args, **kwargs)
        return wrapped
    return decorator
