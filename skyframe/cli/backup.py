"""``flask backup create|restore``: the database and every stored file in one
archive, and back (skyframe/backups.py says what an archive holds)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from skyframe import backups
from skyframe.cli.common import print_json
from skyframe.extensions import db
from skyframe.models import utcnow
from skyframe.services import current_storage


@click.group("backup")
def backup_cli() -> None:
    """Back the site up (database + files) and restore it."""


@backup_cli.command("create")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the archive (default: instance/backups/skyframe-<UTC time>.tar).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@with_appcontext
def create(output: Path | None, as_json: bool) -> None:
    """Write a backup: a consistent dump of the database (pg_dump's custom format,
    or SQLite's online copy) and every file in the storage backend."""
    now = utcnow()
    if output is None:
        folder = Path(current_app.instance_path) / "backups"
        output = folder / f"skyframe-{now:%Y%m%dT%H%M%SZ}.tar"
    db.session.remove()
    try:
        manifest = backups.create(db.engine, current_storage(), output, now)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    _report(manifest, f"Backed up to {output}", as_json)


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite a database that is not empty (the default refuses to).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@with_appcontext
def restore(archive: Path, replace: bool, as_json: bool) -> None:
    """Restore a backup into this site's database (DATABASE_URL: empty, unless
    --replace) and storage, then check every table's rows and every file."""
    db.session.remove()
    try:
        manifest = backups.restore(archive, db.engine, current_storage(), replace=replace)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    _report(manifest, f"Restored {archive} (rows and files checked)", as_json)


def _report(manifest: backups.Manifest, headline: str, as_json: bool) -> None:
    if as_json:
        print_json(manifest.__dict__)
        return
    click.echo(headline)
    click.echo(f"  database   {manifest.database} at revision {manifest.revision}")
    click.echo(f"  taken      {manifest.created_at}")
    click.echo(f"  rows       {sum(manifest.rows.values())} in {len(manifest.rows)} tables")
    click.echo(f"  files      {manifest.files} ({manifest.file_bytes} bytes)")
