"""Your own account: the code step of signing in, two-factor set-up, recovery codes, password, sessions."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for

from ..extensions import db
from ..wording import plural
from . import auth, roles, sessions, totp
from .drafts import audit
from .models import AdminSession
from .people_views import ROW_ID
from .views import bp, safe_next

LOW_ON_RECOVERY_CODES = 3


def signed_out_by(refused: auth.SignInRefused):
    """Too many wrong passwords typed again: the account is locked, so this browser is signed out everywhere too."""
    user = auth.current_user()
    sessions.end_all(user)
    db.session.commit()
    session.clear()
    return render_template("admin/login.html", error=refused.message), refused.status


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    if auth.current_user() is not None:
        return redirect(url_for("admin.dashboard"))
    user = auth.pending_user()
    if user is None:
        session.clear()
        flash("Sign in again: the step for your code timed out or was not started.", "error")
        return redirect(url_for("admin.login"))
    error, status = None, 200
    if request.method == "POST":
        if totp.secret_of(user) is None:
            error, status = ("Your two-factor set-up cannot be read: the server's SECRET_KEY has changed since you "
                             "set it up. Ask a colleague with the Admin role to reset your two-factor sign-in."), 409
        else:
            try:
                used = auth.check_second_factor(user, request.form.get("code", ""))
            except auth.SignInRefused as refused:
                session.clear()
                return render_template("admin/login.html", error=refused.message), refused.status
            if used:
                next_url = session.get("pending_next")
                auth.sign_in(user, two_factor=True, how={"app": "with the authenticator app",
                                                         "recovery code": "with a recovery code"}[used])
                if used == "recovery code":
                    left = totp.recovery_codes_left(user)
                    flash(f"You signed in with a recovery code; {plural(left, 'code')} left. "
                          + ("Make new ones on Your account." if left <= LOW_ON_RECOVERY_CODES else ""))
                return redirect(safe_next(next_url))
            error, status = "That code is not right, or was already used. Try the newest code in your app.", 401
    return render_template("admin/login_code.html", error=error), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@auth.login_required
def two_factor_setup():
    user, row = auth.current_user(), sessions.current()
    replacing = totp.is_set_up(user)
    if replacing and not row.two_factor:
        # Set up from another session since this one signed in: sign in again with the code.
        sessions.end(row)
        db.session.commit()
        session.clear()
        flash("Sign in again with your code.")
        return redirect(url_for("admin.login"))
    error, status = None, 200
    secret = totp.unseal_pending(user, session.get("totp_pending"))
    if request.method == "POST" and not secret:
        error, status = "The set-up started again: add this new code to your app, then type its code.", 400
    elif request.method == "POST":
        step = totp.matching_step(secret, request.form.get("code", ""), None)
        try:
            password_wrong = replacing and not auth.reconfirm(user, request.form.get("password", ""))
        except auth.SignInRefused as refused:
            return signed_out_by(refused)
        if password_wrong:
            error, status = "Your current password is not right.", 400
        elif step is None:
            error, status = "That code is not right. Check the app shows this account, then type its newest code.", 400
        else:
            session.pop("totp_pending")
            codes = totp.enable(user, secret, step)
            row.two_factor = True
            audit(user.email, "two-factor-set-up", note="replaced the app" if replacing else "")
            db.session.commit()
            return render_template("admin/recovery_codes.html", codes=codes, first_time=not replacing)
    if secret is None:
        secret = totp.new_secret()
        session["totp_pending"] = totp.seal_pending(user, secret)
    uri = totp.provisioning_uri(secret, user.email)
    return render_template("admin/two_factor_setup.html", qr=totp.qr_code_svg(uri), secret=totp.grouped(secret),
                           replacing=replacing, required=roles.needs_two_factor(user.role), error=error), status


@bp.get("/account")
@auth.login_required
def account():
    user = auth.current_user()
    return render_template("admin/account.html", user=user, role=roles.DESCRIPTIONS[user.role],
                           sessions=sessions.of(user), this_session=sessions.current(),
                           two_factor=totp.is_set_up(user), codes_left=totp.recovery_codes_left(user))


@bp.route("/account/password", methods=["GET", "POST"])
@auth.login_required
def change_password():
    errors, status = {}, 200
    if request.method == "POST":
        user = auth.current_user()
        new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
        try:
            if not auth.reconfirm(user, request.form.get("current_password", "")):
                errors["current_password"] = "Your current password is not right."
        except auth.SignInRefused as refused:
            return signed_out_by(refused)
        problem = auth.password_problem(new)
        if problem:
            errors["new_password"] = problem
        elif new != again:
            errors["new_password_again"] = "The two new passwords are not the same."
        if not errors:
            auth.set_password(user, new)
            ended = sessions.end_all(user, keep=sessions.current())
            audit(user.email, "password-changed", note=f"{plural(ended, 'other session')} signed out")
            db.session.commit()
            flash(f"Your password is changed. {plural(ended, 'other session')} signed out.")
            return redirect(url_for("admin.account"))
        status = 400
    return render_template("admin/password.html", errors=errors), status


@bp.post("/account/recovery-codes")
@auth.login_required
def new_recovery_codes():
    user = auth.current_user()
    if not totp.is_set_up(user):
        return redirect(url_for("admin.two_factor_setup"))
    try:
        confirmed = auth.reconfirm(user, request.form.get("password", ""))
    except auth.SignInRefused as refused:
        return signed_out_by(refused)
    if not confirmed:
        flash("Your current password is not right: no new codes were made.", "error")
        return redirect(url_for("admin.account"))
    codes = totp.new_recovery_codes(user)
    audit(user.email, "recovery-codes-replaced")
    db.session.commit()
    return render_template("admin/recovery_codes.html", codes=codes, first_time=False)


@bp.post(f"/account/sessions/<{ROW_ID}:session_id>/end")
@auth.login_required
def end_session(session_id: int):
    user, this = auth.current_user(), sessions.current()
    row = db.session.get(AdminSession, session_id)
    if row is None or row.user_id != user.id:
        abort(404)
    sessions.end(row)
    audit(user.email, "signed-out", note=f"{user.email}: {row.device or 'a browser'}"
                                         + (" (this browser)" if row.id == this.id else ""))
    db.session.commit()
    if row.id == this.id:
        session.clear()
        return redirect(url_for("admin.login"))
    flash(f"Signed out {row.device or 'that browser'}.")
    return redirect(url_for("admin.account"))


@bp.post("/account/sessions/end-others")
@auth.login_required
def end_other_sessions():
    user = auth.current_user()
    ended = sessions.end_all(user, keep=sessions.current())
    audit(user.email, "signed-out", note=f"{user.email}: every other session ({ended})")
    db.session.commit()
    flash(f"{plural(ended, 'other session')} signed out.")
    return redirect(url_for("admin.account"))
