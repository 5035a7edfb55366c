"""`flask journal verify|decrypt BUNDLE`: check and open an exported journal away from the phone.

Exit status: 0 verified; 1 altered or damaged (a receipt that does not check out included); 2 usage (a
--receipts-key that is not a key too); 3 wrong export code; 4 not a readable export; 5 a file could not be
read or written.
"""
from pathlib import Path

import click
from flask.cli import AppGroup

from ..wording import plural
from . import bundle as bundles
from . import receipts as receipt_checks
from . import report

journal_cli = AppGroup("journal", help="Verify and decrypt journal export files.")

code_option = click.option(
    "--code", envvar="JOURNAL_EXPORT_CODE", metavar="CODE",
    help="The one-time export code shown when the file was made (or set JOURNAL_EXPORT_CODE).")


def _fail(ctx: click.Context, error: bundles.BundleError):
    click.echo(f"FAILED: {error}", err=True)
    for problem in error.problems:
        click.echo(f"  - {problem}", err=True)
    ctx.exit(error.exit_code)


def _explain(bundle: bundles.Bundle) -> None:
    click.echo("This proves that:")
    for line in bundles.PROVES:
        click.echo(f"  - {line}")
    click.echo("It cannot prove:")
    for line in bundles.CANNOT_PROVE:
        click.echo(f"  - {line}")
    if bundle.chain_key is None:
        click.echo(bundles.LEGACY_CAVEAT)


def _check_receipts(ctx: click.Context, bundle: bundles.Bundle, key_paths) -> None:
    """Receipts against the given keys: one line per saved change they cover; any that fails fails the check."""
    if not key_paths:
        if bundle.receipts:
            click.echo(f"This export holds {plural(len(bundle.receipts), 'receipt')} from a backup server, not "
                       "checked: add --receipts-key FILE (the server's public key) to check them.")
        return
    try:
        keys = receipt_checks.load_keys(key_paths)
    except receipt_checks.ReceiptKeyError as err:
        click.echo(f"FAILED: {err}", err=True)
        ctx.exit(5 if err.unreadable else 2)
    if not bundle.receipts:
        click.echo("No receipts in this export (it was made without a backup, or before the copy was made).")
        return
    hashes = {}
    for revision in bundle.revisions:
        hashes.setdefault(revision.seq, revision.hash)
    confirmed, problems = receipt_checks.check(bundle.receipts, hashes, keys)
    if confirmed:
        click.echo(receipt_checks.summary(confirmed))
        for line in receipt_checks.lines(confirmed):
            click.echo(f"  - {line}")
        click.echo(receipt_checks.MEANING)
    if problems:
        _fail(ctx, bundles.TamperedBundle(f"{plural(len(problems), 'receipt')} of {len(bundle.receipts)} "
                                          "did not check out", problems))


receipts_key_option = click.option(
    "--receipts-key", "receipt_keys", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
    help="The backup server's public key (PEM, or the JSON at /.well-known/backup-receipt-key) to check the "
         "export's receipts with; give it again for a key the server used before.")


@journal_cli.command("verify", with_appcontext=False)
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(dir_okay=False))
@code_option
@receipts_key_option
@click.pass_context
def verify_command(ctx, bundle_path, code, receipt_keys):
    """Check the links and, with the code, every authentication tag, keyed link and photo; with
    --receipts-key, the backup server's receipts too."""
    try:
        bundle = bundles.read(bundle_path)
        if not code:
            problems = bundles.check_chain(bundle)
            if problems:
                raise bundles.TamperedBundle(f"the links are broken ({plural(len(problems), 'problem')})", problems)
            click.echo(f"Checked the links only: {plural(len(bundle.revisions), 'revision')} link up in order, "
                       f"ending at {bundle.head}.")
            click.echo("Without --code this cannot show whether anything was changed, removed or added: anyone "
                       "can recompute these links. Run it again with --code to check the contents, the keyed "
                       "links, the photos and whether revisions were cut off the end.")
            _check_receipts(ctx, bundle, receipt_keys)
            return
        bundles.open_bundle(bundle, code)
    except bundles.BundleError as error:
        _fail(ctx, error)
    click.echo(f"Verified: {plural(len(bundle.revisions), 'revision')}, {plural(len(bundle.photos), 'photo')}, ending at {bundle.head}.")
    _explain(bundle)
    _check_receipts(ctx, bundle, receipt_keys)


@journal_cli.command("decrypt", with_appcontext=False)
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(dir_okay=False))
@click.option("--code", envvar="JOURNAL_EXPORT_CODE", metavar="CODE", prompt="Export code", hide_input=True,
              help="The one-time export code (asked for when not given; or set JOURNAL_EXPORT_CODE).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the report.")
@click.option("--format", "fmt", type=click.Choice(["text", "html"]),
              help="Report format (default: html for a .html/.htm file name, else text).")
@click.option("--partial", is_flag=True,
              help="If the file was altered or damaged, still write what can be read, with every damaged or "
                   "missing item marked (exit status 1).")
@click.pass_context
def decrypt_command(ctx, bundle_path, code, out_path, fmt, partial):
    """Verify the bundle, decrypt it and write a chronological report.

    Nothing is written if any check fails, unless --partial is given."""
    try:
        bundle = bundles.read(bundle_path)
        code_key = bundles.code_key_for(bundle, code)
        if partial:
            bundles.inspect(bundle, code_key)
        else:
            bundles.open_with_code_key(bundle, code_key)
    except bundles.BundleError as error:
        _fail(ctx, error)
    fmt = fmt or ("html" if Path(out_path).suffix.lower() in (".html", ".htm") else "text")
    text = report.to_html(bundle) if fmt == "html" else report.to_text(bundle)
    try:
        Path(out_path).write_text(text, encoding="utf-8", errors="backslashreplace")
    except OSError as err:
        _fail(ctx, bundles.UnreadableFile(f"cannot write {out_path}: {err.strerror}"))
    if bundle.problems:
        _fail(ctx, bundles.TamperedBundle(
            f"the bundle has been altered or damaged ({plural(len(bundle.problems), 'problem')}); a partial report, with "
            f"every damaged or missing item marked, was written to {out_path}", bundle.problems))
    click.echo(f"Verified and decrypted {plural(len(bundle.revisions), 'revision')}, {plural(len(bundle.photos), 'photo')}; "
               f"report written to {out_path}.")
