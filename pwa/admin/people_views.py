"""People: admins see every account and manage it (role, lock, sessions, two-factor, leavers)."""
from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for

from ..extensions import db
from ..wording import plural
from . import accounts, auth, roles, sessions, totp
from .models import AdminUser
from .views import bp

ONLY_ADMINS = "Only colleagues with the Admin role manage accounts."
# Row ids in addresses: PostgreSQL's integer column stops at 2**31 - 1, so a bigger one is a 404, not a 500.
ROW_ID = "int(max=2147483647)"


def manages_people(view):
    return auth.login_required(auth.permission_required("manage people", ONLY_ADMINS)(view))


def person_or_404(user_id: int) -> AdminUser:
    return db.session.get(AdminUser, user_id) or abort(404)


def not_yourself(view):
    """You cannot switch off, remove or change the role of your own account here (ask another admin)."""
    @wraps(view)
    def wrapped(user_id: int):
        if user_id == auth.current_user().id:
            flash("You cannot do that to your own account here: ask another admin.", "error")
            return redirect(url_for("admin.person", user_id=user_id))
        return view(user_id)
    return wrapped


def done(user: AdminUser, message: str):
    flash(message)
    return redirect(url_for("admin.person", user_id=user.id))


def refused(user: AdminUser, error: accounts.AccountError):
    flash(str(error), "error")
    return redirect(url_for("admin.person", user_id=user.id))


@bp.get("/people")
@manages_people
def people():
    everyone = accounts.everyone()
    return render_template("admin/people.html", people=everyone, locked={
        user.id: auth.locked_until(user.email) for user in everyone}, session_counts={
        user.id: len(sessions.of(user)) for user in everyone})


@bp.get(f"/people/<{ROW_ID}:user_id>")
@manages_people
def person(user_id: int):
    user = person_or_404(user_id)
    return render_template("admin/person.html", person=user, roles=roles, locked_until=auth.locked_until(user.email),
                           sessions=sessions.of(user), two_factor=totp.is_set_up(user),
                           yourself=user.id == auth.current_user().id)


@bp.post(f"/people/<{ROW_ID}:user_id>/role")
@manages_people
@not_yourself
def change_role(user_id: int):
    user = person_or_404(user_id)
    role = request.form.get("role", "")
    try:
        accounts.set_role(auth.current_user().email, user, role)
    except accounts.AccountError as error:
        return refused(user, error)
    note = " They will set up two-factor sign-in the next time they sign in." if (
        roles.needs_two_factor(role) and not totp.is_set_up(user)) else ""
    return done(user, f"{user.email} is now {'an' if role == roles.ADMIN else 'a'} {role}.{note}")


@bp.post(f"/people/<{ROW_ID}:user_id>/unlock")
@manages_people
def unlock(user_id: int):
    user = person_or_404(user_id)
    was_locked = accounts.unlock(auth.current_user().email, user)
    return done(user, f"{user.email} is unlocked." if was_locked else f"{user.email} was not locked.")


@bp.post(f"/people/<{ROW_ID}:user_id>/sign-out")
@manages_people
def sign_out(user_id: int):
    user = person_or_404(user_id)
    ended = accounts.sign_out_everywhere(auth.current_user().email, user)
    if user.id == auth.current_user().id:
        return redirect(url_for("admin.login"))
    return done(user, f"Signed {user.email} out of {plural(ended, 'session')}.")


@bp.post(f"/people/<{ROW_ID}:user_id>/reset-two-factor")
@manages_people
@not_yourself
def reset_two_factor(user_id: int):
    user = person_or_404(user_id)
    accounts.reset_two_factor(auth.current_user().email, user)
    return done(user, f"Two-factor sign-in for {user.email} is reset; they set it up again when they next sign in.")


@bp.post(f"/people/<{ROW_ID}:user_id>/disable")
@manages_people
@not_yourself
def disable(user_id: int):
    user = person_or_404(user_id)
    try:
        accounts.disable(auth.current_user().email, user)
    except accounts.AccountError as error:
        return refused(user, error)
    return done(user, f"{user.email} is switched off and signed out everywhere.")


@bp.post(f"/people/<{ROW_ID}:user_id>/enable")
@manages_people
def enable(user_id: int):
    user = person_or_404(user_id)
    accounts.enable(auth.current_user().email, user)
    return done(user, f"{user.email} is switched on again.")


@bp.post(f"/people/<{ROW_ID}:user_id>/remove")
@manages_people
@not_yourself
def remove(user_id: int):
    user = person_or_404(user_id)
    if request.form.get("confirm") != user.email:
        flash(f"To remove the account, type {user.email} in the box first.", "error")
        return redirect(url_for("admin.person", user_id=user.id))
    try:
        accounts.remove(auth.current_user().email, user)
    except accounts.AccountError as error:
        return refused(user, error)
    flash(f"{user.email} is removed. The audit log still shows what they did.")
    return redirect(url_for("admin.people"))
