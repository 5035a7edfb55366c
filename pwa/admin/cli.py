"""`flask admin ...`: staff accounts from the server's command line, under the same rules as the People pages.

The password is prompted for, or read from the ADMIN_PASSWORD environment variable or stdin
(`--password-stdin`) for scripts; it is never a command-line argument, which other users could see.
The audit log names these changes as made by "cli".
"""
import os
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from ..extensions import db
from ..wording import plural
from . import accounts, auth, roles, sessions, totp
from .models import AdminUser
from .times import uk_time

admin_cli = AppGroup("admin", help="Manage agency admin accounts.")
CLI = "cli"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get("ADMIN_PASSWORD"):
        password = os.environ["ADMIN_PASSWORD"]
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = auth.password_problem(password)
    if problem:
        raise click.ClickException(f"Password not accepted: {problem}")
    return password


def _email(email: str) -> str:
    email = auth.normalise_email(email)
    if "@" not in email or len(email) > 254 or any(c.isspace() or c == "\x00" for c in email):
        raise click.ClickException(f"{email!r} is not an email address.")
    return email


def _user(email: str) -> AdminUser:
    user = accounts.find(_email(email))
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    return user


def _status(user: AdminUser) -> str:
    if user.disabled_at is not None:
        return "switched off"
    until = auth.locked_until(user.email)
    return f"locked until {uk_time(until)}" if until else "active"


password_stdin = click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
role_choice = click.Choice(roles.ROLES)


@admin_cli.command("create-user")
@click.argument("email")
@password_stdin
@click.option("--role", type=role_choice, help="editor, publisher or admin. The first account is always an admin; "
                                               "later ones are editors unless given a role.")
def create_user(email, password_stdin, role):
    """Create a staff account."""
    db.create_all()
    email = _email(email)
    if accounts.find(email):
        raise click.ClickException(f"{email} already has an account; use `flask admin set-password`.")
    try:
        user = accounts.create(CLI, email, _password(password_stdin), role)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    later = " They set up two-factor sign-in the first time they sign in." if roles.needs_two_factor(user.role) else ""
    click.echo(f"Created {email} ({user.role}).{later}")


@admin_cli.command("set-password")
@click.argument("email")
@password_stdin
def set_password(email, password_stdin):
    """Set a new password; this also signs the account out everywhere and unlocks it."""
    user = _user(email)
    accounts.set_password(CLI, user, _password(password_stdin))
    click.echo(f"Password changed for {user.email}; signed out everywhere and unlocked.")


@admin_cli.command("list-users")
def list_users():
    """List staff accounts: role, two-factor sign-in, status."""
    for user in accounts.everyone():
        click.echo(f"{user.email}\t{user.role}\ttwo-factor {'on' if totp.is_set_up(user) else 'off'}\t"
                   f"{_status(user)}\tcreated {user.created_at:%Y-%m-%d}")


@admin_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=role_choice)
def set_role(email, role):
    """Give an account another role (editor, publisher or admin)."""
    user = _user(email)
    try:
        accounts.set_role(CLI, user, role)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{user.email} is now {role}.")


@admin_cli.command("disable")
@click.argument("email")
def disable(email):
    """Switch a leaver's account off and sign it out everywhere (it can be switched on again)."""
    user = _user(email)
    try:
        accounts.disable(CLI, user)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{user.email} is switched off.")


@admin_cli.command("enable")
@click.argument("email")
def enable(email):
    """Switch an account on again."""
    user = _user(email)
    accounts.enable(CLI, user)
    click.echo(f"{user.email} is switched on.")


@admin_cli.command("remove")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove(email, yes):
    """Delete an account for good (the audit log keeps its email on what it did)."""
    user = _user(email)
    if not yes:
        click.confirm(f"Remove {user.email} for good?", abort=True)
    try:
        accounts.remove(CLI, user)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Removed {email}.")


@admin_cli.command("unlock")
@click.argument("email")
def unlock(email):
    """Lift the lock that failed sign-ins put on an account."""
    user = _user(email)
    click.echo(f"{user.email} is unlocked." if accounts.unlock(CLI, user) else f"{user.email} was not locked.")


@admin_cli.command("reset-2fa")
@click.argument("email")
def reset_two_factor(email):
    """Remove an account's two-factor app and recovery codes (a lost phone); set up again at next sign-in."""
    user = _user(email)
    accounts.reset_two_factor(CLI, user)
    click.echo(f"Two-factor sign-in reset for {user.email}; signed out everywhere.")


@admin_cli.command("list-sessions")
@click.argument("email", required=False)
def list_sessions(email):
    """List signed-in sessions: everyone's, or one account's."""
    sessions.remove_expired()
    db.session.commit()
    for user in [_user(email)] if email else accounts.everyone():
        for row in sessions.of(user):
            click.echo(f"{user.email}\t{row.device}\tsigned in {uk_time(row.created_at)}\t"
                       f"last active {uk_time(row.last_seen_at)}")


@admin_cli.command("sign-out")
@click.argument("email")
def sign_out(email):
    """Sign an account out of every session."""
    user = _user(email)
    ended = accounts.sign_out_everywhere(CLI, user)
    click.echo(f"Signed {user.email} out of {plural(ended, 'session')}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(admin_cli)
