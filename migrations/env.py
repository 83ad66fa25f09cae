"""Alembic environment for SkyFrame (SQLite and PostgreSQL).

Runs inside the Flask app when called through ``flask db`` and builds one when
called as plain ``alembic`` from the repository root.
"""

import logging
import sys
from contextlib import nullcontext
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from flask import current_app, has_app_context

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def _app_context():
    if has_app_context():
        return nullcontext()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from skyframe import create_app

    return create_app().app_context()


def _process_revision_directives(context_, revision, directives):
    # Do not write empty migrations when autogenerate finds nothing.
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")


def _render_item(type_, obj, autogen_context):
    # UTCDateTime only converts values in Python; the column is a plain
    # timezone-aware DateTime, so migrations need no SkyFrame import.
    from skyframe.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    from skyframe.search.schema import include_object

    migrate_ext = current_app.extensions["migrate"]
    db = migrate_ext.db
    conf_args = dict(migrate_ext.configure_args)
    conf_args.setdefault("process_revision_directives", _process_revision_directives)
    conf_args.setdefault("render_as_batch", True)
    conf_args.setdefault("compare_type", True)
    conf_args.setdefault("render_item", _render_item)
    conf_args.setdefault("include_object", include_object)

    if context.is_offline_mode():
        context.configure(
            url=db.engine.url.render_as_string(hide_password=False),
            target_metadata=db.metadata,
            literal_binds=True,
            **conf_args,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    connection = config.attributes.get("connection")
    with db.engine.connect() if connection is None else nullcontext(connection) as conn:
        context.configure(connection=conn, target_metadata=db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


with _app_context():
    run_migrations()
