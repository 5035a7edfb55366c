"""`flask` commands: prepare the database and load the content pack."""
import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import content
from .extensions import db
from .wording import plural

content_cli = AppGroup("content", help="Check and load helplines and guidance.")


def _pack_dir(directory: str | None) -> str:
    return directory or current_app.config["CONTENT_DIR"]


def counts(pack: content.Pack) -> str:
    return ", ".join([plural(len(pack.areas), "area"), plural(len(pack.services), "service"),
                      plural(len(pack.guides), "guide")])


def _read(directory: str | None) -> content.Pack:
    try:
        return content.read_pack(_pack_dir(directory))
    except content.ContentError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(f"{plural(len(err.problems), 'problem')} in the content pack; nothing was loaded.")


@content_cli.command("check")
@click.option("--dir", "directory", help="Content pack folder (default: CONTENT_DIR).")
def check_command(directory):
    """Validate a content pack without loading it."""
    pack = _read(directory)
    click.echo(f"ok: {counts(pack)}")


@content_cli.command("load")
@click.option("--dir", "directory", help="Content pack folder (default: CONTENT_DIR).")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no content yet.")
def load_command(directory, if_empty):
    """Replace the published content with a content pack."""
    if if_empty and not content.is_empty():
        click.echo("Content already present; left as it is.")
        if changed := content.rerender_guides():
            click.echo(f"Rendered {plural(changed, 'guide')} again with the current rules for links.")
        return
    pack = _read(directory)
    content.load_pack(pack)
    click.echo(f"Loaded {counts(pack)} (version {content.bundle()['version']}).")


BASELINE = "0001"  # pwa/migrations/versions/0001_baseline.py: the schema as first deployed, before migrations


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database, or bring an existing one up to date (applies every migration)."""
    from flask_migrate import stamp, upgrade
    from sqlalchemy import inspect

    tables = set(inspect(db.engine).get_table_names())
    if tables and "alembic_version" not in tables:
        stamp(revision=BASELINE)  # made by create_all before migrations existed: it holds the baseline schema
        click.echo("An existing database from before migrations: marked as the baseline.")
    upgrade()
    click.echo("Database ready.")


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(content_cli)
