"""Backups of a whole site in one file: the database and every stored file.

A backup is an uncompressed tar archive (what it holds is compressed
already: images, and PostgreSQL's custom dump format):

- ``manifest.json``: when, of which database kind and migration revision, the
  row count of every table and the number and bytes of the files;
- ``database.pgdump`` (``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite's online backup: a consistent copy while the site runs);
- ``files/<key>``: every file in the storage backend (local ``uploads/`` or
  the S3 bucket).

The row counts are taken in the very snapshot the dump is (PostgreSQL: an
exported snapshot that ``pg_dump --snapshot`` then reads; SQLite: the copy),
so a restore can prove it is complete: ``restore`` compares every table's
rows and every file with the manifest and fails loudly when one differs.
The files are listed after the snapshot: on a live site, an upload that lands
in between is in the archive without its row (the upload sweep removes such
files after a restore); a post deleted in between loses its files from it.
"""

from __future__ import annotations

import json
import mimetypes
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from skyframe.models import Base
from skyframe.storage import Storage

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
FILES_PREFIX = "files/"


class BackupError(Exception):
    """A backup that cannot be made, read or restored; the message says why."""


@dataclass(frozen=True)
class Manifest:
    format: int
    created_at: str
    database: str
    revision: str | None
    rows: dict[str, int]
    files: int
    file_bytes: int

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            values = json.loads(raw)
            manifest = cls(**values)
        except (ValueError, TypeError) as exc:
            raise BackupError(f"not a SkyFrame backup: its manifest is unreadable ({exc})") from exc
        if manifest.format != FORMAT_VERSION:
            raise BackupError(f"backup format {manifest.format} is not one this version reads")
        return manifest


def create(engine: Engine, storage: Storage, destination: Path, now: datetime) -> Manifest:
    """Write a backup of the database behind ``engine`` and of ``storage``
    to ``destination`` (written beside it and renamed: never half a file)."""
    kind = _kind(engine)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="skyframe-backup-") as work:
            dump = Path(work) / DATABASE_MEMBERS[kind]
            rows, revision = _dump(engine, dump)
            with tarfile.open(partial, "w") as archive:
                archive.add(dump, arcname=dump.name)
                files, total = _add_files(archive, storage)
                manifest = Manifest(
                    FORMAT_VERSION, now.isoformat(), kind, revision, rows, files, total
                )
                _add_bytes(archive, MANIFEST, json.dumps(asdict(manifest), indent=2).encode())
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def read_manifest(source: Path) -> Manifest:
    with _open_archive(source) as archive:
        return _manifest_of(archive)


def restore(source: Path, engine: Engine, storage: Storage, *, replace: bool = False) -> Manifest:
    """Restore the backup at ``source`` into the (empty, unless ``replace``)
    database behind ``engine`` and into ``storage``, then check that every
    table has the rows and every file the bytes the manifest counted."""
    kind = _kind(engine)
    with _open_archive(source) as archive:
        manifest = _manifest_of(archive)
        if manifest.database != kind:
            raise BackupError(
                f"the backup holds a {manifest.database} database; this site's is {kind}"
            )
        if not replace and inspect(engine).get_table_names():
            raise BackupError(
                "the database is not empty; restore into a fresh one, or pass --replace "
                "to overwrite what it holds"
            )
        with tempfile.TemporaryDirectory(prefix="skyframe-restore-") as work:
            dump = Path(work) / DATABASE_MEMBERS[kind]
            _extract(archive, DATABASE_MEMBERS[kind], dump)
            _load(engine, dump, replace=replace)
        restored = _restore_files(archive, storage)
    _check(engine, storage, manifest, restored)
    return manifest


# The database


def _kind(engine: Engine) -> str:
    kind = engine.dialect.name
    if kind not in DATABASE_MEMBERS:
        raise BackupError(f"backups cover PostgreSQL and SQLite, not {kind}")
    return kind


def _dump(engine: Engine, target: Path) -> tuple[dict[str, int], str | None]:
    if engine.dialect.name == "postgresql":
        return _dump_postgres(engine, target)
    _copy_sqlite(_sqlite_path(engine), target)
    copy = sqlite3.connect(target)
    try:
        return _rows(copy.execute), _revision(copy.execute)
    finally:
        copy.close()


def _dump_postgres(engine: Engine, target: Path) -> tuple[dict[str, int], str | None]:
    snapshot_reader = engine.execution_options(
        isolation_level="REPEATABLE READ", postgresql_readonly=True
    )
    with snapshot_reader.connect() as connection:
        # Counted in the snapshot pg_dump reads, which this transaction keeps
        # alive until the dump is done.
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        rows = _rows(_executor(connection))
        revision = _revision(_executor(connection))
        _run(
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={target}",
            engine=engine,
        )
        connection.rollback()
    return rows, revision


def _load(engine: Engine, dump: Path, *, replace: bool) -> None:
    engine.dispose()
    if engine.dialect.name == "postgresql":
        cleaning = ["--clean", "--if-exists"] if replace else []
        _run(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *cleaning,
            str(dump),
            engine=engine,
        )
    else:
        _copy_sqlite(dump, _sqlite_path(engine))


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while others write."""
    target.parent.mkdir(parents=True, exist_ok=True)
    origin, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        copy.close()
        origin.close()


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _run(program: str, *arguments: str, engine: Engine) -> None:
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (Debian: apt install postgresql-client)")
    url = engine.url.set(drivername="postgresql")
    environment = {**os.environ, "PGPASSWORD": url.password or ""}
    dbname = url.set(password=None).render_as_string(hide_password=False)
    result = subprocess.run(  # noqa: S603 (a fixed program, arguments we built)
        [program, f"--dbname={dbname}", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")


def _executor(connection: Connection):
    return lambda statement: connection.execute(text(statement))


def _rows(execute) -> dict[str, int]:
    return {
        table.name: execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]  # noqa: S608
        for table in Base.metadata.sorted_tables
    }


def _revision(execute) -> str | None:
    row = execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


# The files


def _add_files(archive: tarfile.TarFile, storage: Storage) -> tuple[int, int]:
    count = total = 0
    for key, size in storage.files():
        member = tarfile.TarInfo(FILES_PREFIX + key)
        member.size = size
        with storage.open(key) as stream:
            archive.addfile(member, stream)
        count, total = count + 1, total + size
    return count, total


def _restore_files(archive: tarfile.TarFile, storage: Storage) -> dict[str, int]:
    restored = {}
    for member in archive:
        if not (member.isfile() and member.name.startswith(FILES_PREFIX)):
            continue
        key = member.name[len(FILES_PREFIX) :]
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        with archive.extractfile(member) as stream:
            storage.save(key, stream, content_type)
        restored[key] = member.size
    return restored


def _check(engine: Engine, storage: Storage, manifest: Manifest, restored: dict[str, int]) -> None:
    with engine.connect() as connection:
        rows = _rows(_executor(connection))
    differ = {
        name: (count, rows.get(name))
        for name, count in manifest.rows.items()
        if rows.get(name) != count
    }
    if differ:
        raise BackupError(f"restored rows differ from the backup's (backup, restored): {differ}")
    if (len(restored), sum(restored.values())) != (manifest.files, manifest.file_bytes):
        raise BackupError(
            f"the backup is incomplete: it holds {len(restored)} files of "
            f"{sum(restored.values())} bytes, its manifest counted {manifest.files} of "
            f"{manifest.file_bytes}"
        )
    stored = dict(storage.files())
    missing = sorted(key for key, size in restored.items() if stored.get(key) != size)
    if missing:
        raise BackupError(f"{len(missing)} file(s) did not reach the storage, e.g. {missing[:3]}")


# The archive


@contextmanager
def _open_archive(source: Path) -> Iterator[tarfile.TarFile]:
    try:
        archive = tarfile.open(source, "r")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read the backup {source}: {exc}") from exc
    with archive:
        yield archive


def _manifest_of(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.getmember(MANIFEST)
    except KeyError as exc:
        raise BackupError("not a SkyFrame backup: it has no manifest.json") from exc
    with archive.extractfile(member) as stream:
        return Manifest.from_json(stream.read())


def _extract(archive: tarfile.TarFile, name: str, target: Path) -> None:
    try:
        member = archive.getmember(name)
    except KeyError as exc:
        raise BackupError(f"the backup has no {name}") from exc
    with archive.extractfile(member) as stream, target.open("wb") as handle:
        shutil.copyfileobj(stream, handle)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    member = tarfile.TarInfo(name)
    member.size = len(data)
    archive.addfile(member, io.BytesIO(data))
