"""`flask backup keygen|public-key|purge`: the receipt-signing key, and housekeeping agencies schedule."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..wording import plural
from . import limits, receipts, storage, wire

backup_cli = AppGroup("backup", help="The journal backup: the receipt-signing key, and removing old backups.")


def _show(public_key, path: Path) -> None:
    fingerprint = wire.fingerprint(public_key)
    click.echo(f"Receipt-signing key: {path}")
    click.echo(f"Fingerprint: {wire.show_fingerprint(fingerprint)}")
    click.echo("Public key (publish it; it is also served at /.well-known/backup-receipt-key):")
    click.echo(receipts.public_pem(public_key).rstrip())


@backup_cli.command("keygen")
@click.option("--force", is_flag=True, help="Replace an existing key (its public half is kept beside it).")
@click.option("--if-missing", is_flag=True, help="Only make one if there is none (what `make run` does).")
def keygen_command(force, if_missing):
    """Make the agency's Ed25519 key that signs backup receipts (at BACKUP_SIGNING_KEY)."""
    path = receipts.key_path()
    if if_missing and path.exists():
        try:
            key = receipts.signing_key()
        except receipts.KeyUnavailable as err:
            raise click.ClickException(str(err)) from None
        click.echo(f"A receipt-signing key is already there; left as it is (fingerprint "
                   f"{wire.show_fingerprint(wire.fingerprint(key.public_key()))}).")
        return
    try:
        key, retired = receipts.generate(path, force=force)
    except FileExistsError:
        raise click.ClickException(
            f"{path} already holds a receipt-signing key; nothing was changed. Receipts already given were signed "
            "with it, so replace it only if it was lost or exposed: add --force (its public half is kept beside "
            "it, to check those receipts).") from None
    except (OSError, receipts.KeyUnavailable) as err:
        raise click.ClickException(f"could not write {path}: {getattr(err, 'strerror', None) or err}") from None
    _show(key.public_key(), path)
    if retired:
        click.echo(f"The replaced key's public half is in {retired}: keep publishing it beside the new one, since "
                   "receipts it signed are checked with it.")


@backup_cli.command("public-key")
def public_key_command():
    """Print the public half of the receipt-signing key and its fingerprint."""
    try:
        key = receipts.signing_key()
    except receipts.KeyUnavailable as err:
        raise click.ClickException(str(err)) from None
    _show(key.public_key(), receipts.key_path())


@backup_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Say what would be removed, and remove nothing.")
def purge_command(dry_run):
    """Remove backups whose deletion is due, and backups untouched for BACKUP_RETENTION_DAYS."""
    purged = storage.purge()
    expired = limits.forget_expired()
    days = current_app.config["BACKUP_RETENTION_DAYS"]
    summary = (f"{plural(purged.deleted, 'backup')} past {'its' if purged.deleted == 1 else 'their'} deletion "
               f"waiting period, {plural(purged.untouched, 'backup')} untouched for {days:g} days "
               f"({plural(purged.records, 'record')} in all)")
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: would remove {summary}. Nothing was removed.")
        return
    db.session.commit()
    click.echo(f"Removed {summary}; {plural(expired, 'expired rate-limit counter')} cleared.")
