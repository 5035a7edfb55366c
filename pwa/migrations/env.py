"""Alembic's environment for the app's database (run through Flask-Migrate: `flask init-db`, `flask db ...`)."""
import logging

from alembic import context
from flask import current_app

logger = logging.getLogger("alembic.env")
config = context.config
database = current_app.extensions["migrate"].db
config.set_main_option("sqlalchemy.url", database.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def skip_empty_revisions(context, revision, directives):
    """`flask db migrate` with nothing to migrate writes no file."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=database.metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("process_revision_directives", skip_empty_revisions)
    with database.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=database.metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
