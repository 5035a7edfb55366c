"""`flask journal verify|decrypt BUNDLE`: check and open an exported journal away from the phone.

Exit status: 0 verified; 1 altered or damaged; 3 wrong export code; 4 not a readable export; 2 usage.
"""
from pathlib import Path

import click
from flask.cli import AppGroup

from ..wording import plural
from . import bundle as bundles
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


@journal_cli.command("verify", with_appcontext=False)
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(dir_okay=False))
@code_option
@click.pass_context
def verify_command(ctx, bundle_path, code):
    """Check the hash chain and, with the code, every authentication tag."""
    try:
        bundle = bundles.read(bundle_path)
        if not code:
            problems = bundles.check_chain(bundle)
            if problems:
                raise bundles.TamperedBundle(f"the hash chain is broken ({plural(len(problems), 'problem')})", problems)
            click.echo(f"Chain intact: {plural(len(bundle.revisions), 'revision')}, head {bundle.head}.")
            click.echo("Not checked without --code: the authentication tags, the photos and whether "
                       "revisions were cut off the end.")
            return
        bundles.open_bundle(bundle, code)
    except bundles.BundleError as error:
        _fail(ctx, error)
    click.echo(f"Verified: {plural(len(bundle.revisions), 'revision')}, {plural(len(bundle.photos), 'photo')}; "
               f"hash chain intact, every authentication tag valid, nothing cut off; head {bundle.head}.")


@journal_cli.command("decrypt", with_appcontext=False)
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(dir_okay=False))
@click.option("--code", envvar="JOURNAL_EXPORT_CODE", metavar="CODE", prompt="Export code", hide_input=True,
              help="The one-time export code (asked for when not given; or set JOURNAL_EXPORT_CODE).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the report.")
@click.option("--format", "fmt", type=click.Choice(["text", "html"]),
              help="Report format (default: html for a .html/.htm file name, else text).")
@click.pass_context
def decrypt_command(ctx, bundle_path, code, out_path, fmt):
    """Verify the bundle, decrypt it and write a chronological report. Nothing is written if any check fails."""
    try:
        bundle = bundles.open_bundle(bundles.read(bundle_path), code)
    except bundles.BundleError as error:
        _fail(ctx, error)
    fmt = fmt or ("html" if Path(out_path).suffix.lower() in (".html", ".htm") else "text")
    text = report.to_html(bundle) if fmt == "html" else report.to_text(bundle)
    try:
        Path(out_path).write_text(text, encoding="utf-8", errors="backslashreplace")
    except OSError as err:
        raise click.ClickException(f"cannot write {out_path}: {err.strerror}") from None
    click.echo(f"Verified and decrypted {plural(len(bundle.revisions), 'revision')}, "
               f"{plural(len(bundle.photos), 'photo')}; report written to {out_path}.")
