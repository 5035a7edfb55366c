"""`flask admin create-user EMAIL` and `flask admin set-password EMAIL`.

The password is prompted for, or read from the ADMIN_PASSWORD environment variable or stdin
(`--password-stdin`) for scripts; it is never a command-line argument, which other users could see.
"""
import os
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from ..extensions import db
from . import auth
from .drafts import audit
from .models import AdminUser

admin_cli = AppGroup("admin", help="Manage agency admin accounts.")


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


password_stdin = click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")


@admin_cli.command("create-user")
@click.argument("email")
@password_stdin
def create_user(email, password_stdin):
    """Create a staff account that can edit and publish content."""
    db.create_all()
    email = _email(email)
    if db.session.scalar(db.select(AdminUser).filter_by(email=email)):
        raise click.ClickException(f"{email} already has an account; use `flask admin set-password`.")
    user = AdminUser(email=email)
    auth.set_password(user, _password(password_stdin))
    db.session.add(user)
    audit("cli", "create-user", note=email)
    db.session.commit()
    click.echo(f"Created {email}.")


@admin_cli.command("set-password")
@click.argument("email")
@password_stdin
def set_password(email, password_stdin):
    """Set a new password; this also signs the account out everywhere."""
    user = db.session.scalar(db.select(AdminUser).filter_by(email=_email(email)))
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    auth.set_password(user, _password(password_stdin))
    audit("cli", "set-password", note=user.email)
    db.session.commit()
    click.echo(f"Password changed for {user.email}.")


@admin_cli.command("list-users")
def list_users():
    """List staff accounts."""
    for user in db.session.scalars(db.select(AdminUser).order_by(AdminUser.email)):
        click.echo(f"{user.email}\tcreated {user.created_at:%Y-%m-%d}")


def init_app(app: Flask) -> None:
    app.cli.add_command(admin_cli)
