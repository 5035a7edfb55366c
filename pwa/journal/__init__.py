"""The encrypted incident journal.

Entries are written and encrypted only in the browser (static/js/journal/); the server never receives them.
This package serves the journal page and holds the Python side of the crypto: the `flask journal`
verifier/decryptor for exported bundles, byte-compatible with the browser (see tests/vectors/).
"""
from flask import Flask


def init_app(app: Flask) -> None:
    from .cli import journal_cli
    from .views import bp

    app.register_blueprint(bp)
    app.cli.add_command(journal_cli)
