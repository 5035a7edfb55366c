"""Staff accounts through their life: created, given a role, locked and unlocked, switched off, removed.

Shared by the admin's People pages and `flask admin ...`, so both apply the same rules and write the same
audit entries. Each function commits. The agency is never left without an admin who can sign in.
"""
from __future__ import annotations

from ..extensions import db
from ..wording import plural
from . import auth, roles, sessions, totp
from .drafts import audit
from .models import AdminUser, utcnow


class AccountError(Exception):
    """A change that would break a rule; the message says why, for people."""


def find(email: str) -> AdminUser | None:
    return db.session.scalar(db.select(AdminUser).filter_by(email=auth.normalise_email(email)))


def everyone() -> list[AdminUser]:
    return list(db.session.scalars(db.select(AdminUser).order_by(AdminUser.email)))


def _active_admins() -> int:
    return db.session.scalar(db.select(db.func.count(AdminUser.id)).where(
        AdminUser.role == roles.ADMIN, AdminUser.disabled_at.is_(None)))


def _keep_an_admin(user: AdminUser, doing: str) -> None:
    if user.role == roles.ADMIN and user.disabled_at is None and _active_admins() <= 1:
        raise AccountError(f"{user.email} is the only admin who can sign in, so you cannot {doing}. "
                           "Give someone else the Admin role first.")


def create(actor: str, email: str, password: str, role: str | None) -> AdminUser:
    """The first account is an admin, so a fresh deployment can do everything; later ones default to editor."""
    first = db.session.scalar(db.select(db.func.count(AdminUser.id))) == 0
    if first and role not in (None, roles.ADMIN):
        raise AccountError("The first account must be an admin, or nobody could publish or manage accounts. "
                           "Leave out --role, or use --role admin.")
    role = role or (roles.ADMIN if first else roles.EDITOR)
    if role not in roles.ROLES:
        raise AccountError(f"{role!r} is not a role: use {', '.join(roles.ROLES)}.")
    if find(email):
        raise AccountError(f"{email} already has an account; use `flask admin set-password`.")
    user = AdminUser(email=email, role=role)
    auth.set_password(user, password)
    db.session.add(user)
    audit(actor, "account-created", note=f"{email}, {role}")
    db.session.commit()
    return user


def set_role(actor: str, user: AdminUser, role: str) -> None:
    if role not in roles.ROLES:
        raise AccountError(f"{role!r} is not a role: use {', '.join(roles.ROLES)}.")
    if role == user.role:
        return
    if role != roles.ADMIN:
        _keep_an_admin(user, "take the Admin role away")
    audit(actor, "role-changed", note=f"{user.email}: {user.role} -> {role}")
    user.role = role
    db.session.commit()


def disable(actor: str, user: AdminUser) -> None:
    """Switch a leaver's account off: it cannot sign in, and every session of it ends now."""
    if user.disabled_at is not None:
        return
    _keep_an_admin(user, "switch that account off")
    user.disabled_at = utcnow()
    ended = sessions.end_all(user)
    audit(actor, "account-disabled", note=f"{user.email} ({plural(ended, 'session')} signed out)")
    db.session.commit()


def enable(actor: str, user: AdminUser) -> None:
    if user.disabled_at is None:
        return
    user.disabled_at = None
    audit(actor, "account-enabled", note=user.email)
    db.session.commit()


def remove(actor: str, user: AdminUser) -> None:
    """Delete the account. The audit log keeps its email on what it did."""
    _keep_an_admin(user, "remove that account")
    sessions.end_all(user)
    totp.reset(user)
    audit(actor, "account-removed", note=f"{user.email} ({user.role})")
    db.session.delete(user)
    db.session.commit()


def unlock(actor: str, user: AdminUser) -> bool:
    """Lift a lock after failed sign-ins. Returns whether it was locked."""
    was_locked = auth.clear_failures(user.email)
    audit(actor, "account-unlocked", note=user.email if was_locked else f"{user.email} (was not locked)")
    db.session.commit()
    return was_locked


def set_password(actor: str, user: AdminUser, password: str) -> None:
    """A new password: signs the account out everywhere and lifts a lock."""
    auth.set_password(user, password)
    sessions.end_all(user)
    audit(actor, "password-set", note=user.email)
    db.session.commit()


def reset_two_factor(actor: str, user: AdminUser) -> None:
    """For a lost phone: removes the app and recovery codes, signs out everywhere; set up again at next sign-in."""
    totp.reset(user)
    ended = sessions.end_all(user)
    audit(actor, "two-factor-reset", note=f"{user.email} ({plural(ended, 'session')} signed out)")
    db.session.commit()


def sign_out_everywhere(actor: str, user: AdminUser) -> int:
    ended = sessions.end_all(user)
    audit(actor, "signed-out", note=f"{user.email}: everywhere ({plural(ended, 'session')})")
    db.session.commit()
    return ended
