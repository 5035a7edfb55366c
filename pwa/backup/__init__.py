"""The end-to-end encrypted, append-only journal backup, with signed receipts (docs/backup.md).

The server keeps records it cannot read, under an id it cannot tie to anyone: everything is encrypted in the
browser under keys from a recovery code the server never sees. It checks only sizes, order and a token's hash,
and signs a receipt for each record it accepts.

    wire.py      the format (codes, keys, records, receipts): the reference for the browser's implementation
    models.py    the tables; storage.py the only code that touches them; limits.py request limits
    receipts.py  the agency's Ed25519 signing key; cli.py `flask backup keygen|public-key|purge`
    The JSON API is pwa/api/backups.py (/api/v1/backups/...).
"""
from flask import Blueprint, Flask

from . import models  # noqa: F401  (registers the tables with db.create_all)
from . import wire

RECEIPT_KEY_PATH = "/.well-known/backup-receipt-key"

bp = Blueprint("backup", __name__)


@bp.get(RECEIPT_KEY_PATH)
def receipt_key():
    """The public half of the receipt-signing key, to check receipts with."""
    from ..api.responses import cached_json
    from ..errors import json_error
    from . import receipts

    try:
        document = receipts.public_document()
    except receipts.KeyUnavailable:
        return json_error(404, "not_found", "This server has no receipt-signing key.")
    return cached_json(document, etag=document["fingerprint"])


def check_config(app: Flask) -> None:
    largest = app.config["BACKUP_MAX_RECORD_BYTES"]
    if not (wire.MIN_RECORD <= largest <= wire.MAX_RECORD and wire.is_bucket(largest)):
        raise RuntimeError(f"BACKUP_MAX_RECORD_BYTES={largest}: use one of the record sizes from {wire.MIN_RECORD} "
                           f"to {wire.MAX_RECORD} (e.g. 262144 or 1048576; see docs/backup.md).")
    for name in ("BACKUP_QUOTA_BYTES", "BACKUP_RATE_PER_BACKUP", "BACKUP_RATE_PER_ADDRESS",
                 "BACKUP_CREATES_PER_ADDRESS", "BACKUP_PAGE_BYTES"):
        if app.config[name] < 1:
            raise RuntimeError(f"{name}={app.config[name]}: use a number above 0.")
    for name in ("BACKUP_DELETION_WAIT_DAYS", "BACKUP_RETENTION_DAYS"):
        if app.config[name] < 0:
            raise RuntimeError(f"{name}={app.config[name]}: use 0 or more days.")


def init_app(app: Flask) -> None:
    from .cli import backup_cli

    check_config(app)
    app.cli.add_command(backup_cli)
    app.register_blueprint(bp)
