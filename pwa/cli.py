"""`flask` commands: prepare the database, check, load and export content packs.

One source of truth: a content pack sets up a new server (`load --if-empty`, as `make run` does) and imports
content; once staff publish a record in the admin, the admin is that record's source of truth. A load that
would change or remove such a record is refused unless forced, and says which records and who published
them. Every load shows what it changes and is recorded in the admin's audit log with who ran it.
"""
import getpass
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import content
from .extensions import db
from .schemas import uk_today
from .wording import plural

content_cli = AppGroup("content", help="Check, load and export helplines and guidance.")


def _pack_dir(directory: str | None) -> str:
    return directory or current_app.config["CONTENT_DIR"]


def counts(pack: content.Pack) -> str:
    return ", ".join([plural(len(pack.areas), "area"), plural(len(pack.services), "service"),
                      plural(len(pack.guides), "guide"), plural(len(pack.questions), "plan question"),
                      plural(len(pack.steps), "tech-check step"),
                      plural(len(pack.translations), "translation")])


def _read(directory: str | None) -> content.Pack:
    try:
        return content.read_pack(_pack_dir(directory))
    except content.ContentError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(f"{plural(len(err.problems), 'problem')} in the content pack; nothing was loaded.")


def _actor(actor: str | None) -> str:
    """Who ran the command, for the audit log: --actor, else the operating system's user name."""
    if actor:
        return actor.strip()[:200]
    try:
        return f"{getpass.getuser()} (OS user)"
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown (OS user)"


@content_cli.command("check")
@click.option("--dir", "directory", help="Content pack folder (default: CONTENT_DIR).")
def check_command(directory):
    """Validate a content pack without loading it.

    Missing and out-of-date translations are warnings (pages show English, or the older words, and say so);
    a translation whose numbers differ from the English is an error."""
    pack = _read(directory)
    for warning in content.translation_warnings(pack):
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"ok: {counts(pack)}")


@content_cli.command("load")
@click.option("--dir", "directory", help="Content pack folder (default: CONTENT_DIR).")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no content yet (first set-up).")
@click.option("--dry-run", is_flag=True, help="Show what loading would change, and change nothing.")
@click.option("--force", is_flag=True, help="Load even over records that staff published in the admin.")
@click.option("--actor", help="Your name or email for the audit log (default: the OS user name).")
def load_command(directory, if_empty, dry_run, force, actor):
    """Replace the published content with a content pack, showing what changes.

    Refused, unless --force, when it would change or remove records that staff published in the admin
    since the last load: export those first (`flask content export`) and merge them into the pack."""
    from .admin import drafts  # the audit log and the draft live with the admin

    if if_empty and not content.is_empty():
        click.echo("Content already present; left as it is.")
        if changed := content.rerender_guides():
            click.echo(f"Rendered {plural(changed, 'guide')} again with the current rules for links.")
        for kind in LATER_KINDS:
            _first_of(kind, directory, actor)
        _first_translations(directory, actor)
        return
    pack = _read(directory)
    source = str(Path(_pack_dir(directory)).resolve())
    record_changes = content.differences(content.published_records(), content.pack_records(pack)) \
        + content.translation_differences(content.translation_records(), content.pack_translation_records(pack))
    if not record_changes:
        click.echo(f"The published content is already the same as the pack ({counts(pack)}); nothing to load.")
        return
    edited = drafts.edited_in_admin_since_last_load()
    overwritten = [c for c in record_changes if (c["kind"], c["slug"]) in edited]
    click.echo(f"Loading {source} would make {plural(len(record_changes), 'change')}:")
    for change in record_changes:
        entry = edited.get((change["kind"], change["slug"]))
        published = f"  <- published in the admin by {entry.actor} on {entry.at:%Y-%m-%d %H:%M} UTC" if entry else ""
        click.echo(f"  {content.describe_difference(change)}{published}")
    draft = drafts.current()
    in_draft = {(c["kind"], c["slug"]) for c in drafts.changes(draft)} if draft else set()
    touched = [c for c in record_changes if (c["kind"], c["slug"]) in in_draft]
    if touched:
        click.echo(f"The admin's draft also changes {plural(len(touched), 'record')} this load changes; whoever "
                   "publishes the draft is asked to compare them first.")
    if dry_run:
        click.echo("Dry run: nothing was loaded.")
        return
    if overwritten and not force:
        raise click.ClickException(
            f"{plural(len(overwritten), 'record')} marked above {'was' if len(overwritten) == 1 else 'were'} "
            "published in the admin since the last load: the admin is now the source of truth for "
            f"{'it' if len(overwritten) == 1 else 'them'}, and loading would undo that work. Nothing was loaded. "
            "Export the published content (`flask content export DIR`, or Download in the admin), bring the "
            "changes into your pack, and load again; or add --force to replace them anyway.")
    before = content.bundle()["version"]
    content.load_pack(pack, commit=False)
    after = content.bundle()["version"]
    drafts.record_load(_actor(actor), source, record_changes, before, after, forced=bool(overwritten))
    db.session.commit()  # the content and its audit entries in one transaction
    click.echo(f"Loaded {counts(pack)} (version {after}).")


# Kinds of content added after servers were set up: (the record's name, its loader). A server that has none of a
# kind and never had any gets the pack's records of that kind, once; an agency that removed them all keeps it so.
LATER_KINDS = {"questions": ("safety plan question", "load_questions"), "steps": ("tech-check step", "load_steps")}


def _first_of(kind: str, directory: str | None, actor: str | None) -> None:
    """The pack's records of one later kind (LATER_KINDS) for a server that never had any: only those, everything
    else stays as published."""
    from .admin import drafts

    name, loader = LATER_KINDS[kind]
    if content.published_records((kind,))[kind] or drafts.ever_published(kind):
        return
    try:
        pack = content.read_pack(_pack_dir(directory))
    except content.ContentError as err:  # the server runs on as it is, without them
        click.echo(f"No {name}s were added: the content pack has {plural(len(err.problems), 'problem')} "
                   "(`flask content check` lists them).")
        return
    records = getattr(pack, kind)
    if not records:
        return
    published = content.published_records()
    record_changes = content.differences(published, published | {kind: content.pack_records(pack)[kind]})
    before = content.bundle()["version"]
    getattr(content, loader)(records)
    after = content.bundle()["version"]
    drafts.record_load(_actor(actor), str(Path(_pack_dir(directory)).resolve()), record_changes, before, after,
                       forced=False)
    db.session.commit()
    click.echo(f"Added the pack's {plural(len(records), name)}: this server had none (version {after}).")


def _first_translations(directory: str | None, actor: str | None) -> None:
    """A server set up before translations existed gets the pack's translations, once.

    Only when it has none and never had any (loaded or reviewed), and only translations of records it publishes
    whose numbers are the published English ones; everything else stays as published."""
    from .admin import drafts

    if content.translation_records() or drafts.ever_had_translations():
        return
    try:
        pack = content.read_pack(_pack_dir(directory))
    except content.ContentError as err:
        click.echo(f"No translations were added: the content pack has {plural(len(err.problems), 'problem')} "
                   "(`flask content check` lists them).")
        return
    published = content.published_records(("guides", "services"))
    english = {"guide": {g["slug"]: g for g in published["guides"]},
               "service": {s["slug"]: s for s in published["services"]}}
    usable = []
    for record in pack.translations:
        if problem := content.translation_problem(record, english[record["kind"]].get(record["slug"])):
            click.echo(f"Left out {content.translation_place(record)}: {problem}")
        else:
            usable.append(record)
    if not usable:
        return
    record_changes = content.translation_differences([], [content.translation_record(r) for r in usable])
    before = content.bundle()["version"]
    content.load_translations(usable)
    after = content.bundle()["version"]
    drafts.record_load(_actor(actor), str(Path(_pack_dir(directory)).resolve()), record_changes, before, after,
                       forced=False)
    db.session.commit()
    click.echo(f"Added the pack's {plural(len(usable), 'translation')}: this server had none (version {after}).")


@content_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the pack already in DIRECTORY.")
def export_command(directory: Path, force):
    """Write the published content to DIRECTORY as a content pack."""
    if any((directory / name).exists() for name in ("areas.toml", "services.toml", "guides", "plan.toml",
                                                     content.TECH_CHECK_FILE, "translations")) \
            and not force:
        raise click.ClickException(f"{directory} already holds a content pack; add --force to replace it "
                                   "(its areas.toml, services.toml, guides/*.md, plan.toml and tech_check.toml).")
    records = content.published_records()
    version = content.bundle()["version"]
    header = content.EXPORT_HEADER.format(app=current_app.config["APP_NAME"], day=uk_today().isoformat(),
                                          version=version)
    translations = content.translation_records()
    content.write_pack(directory, content.export_files(records, header, translations))
    click.echo(f"Exported {plural(len(records['areas']), 'area')}, {plural(len(records['services']), 'service')}, "
               f"{plural(len(records['guides']), 'guide')}, {plural(len(records['questions']), 'plan question')}, "
               f"{plural(len(records['steps']), 'tech-check step')}, "
               f"{plural(len(translations), 'translation')} (version {version}) to {directory}.")


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
