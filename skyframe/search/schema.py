"""The full-text index belongs to the database: a generated tsvector column
with a GIN index on PostgreSQL, an FTS5 table kept by triggers on SQLite
(migrations 0008 and 0009 make them). The models do not map it, so schema
comparisons skip it; the statements here build it for the migrations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SEARCH_VECTOR = "search_vector"
SEARCH_VECTOR_INDEX = "ix_posts_search_vector"
FTS_TABLE = "posts_fts"
_FTS_TRIGGERS = ("insert", "delete", "update")


def is_search_index(name: str | None, type_: str) -> bool:
    if type_ == "column":
        return name == SEARCH_VECTOR
    if type_ == "index":
        return name == SEARCH_VECTOR_INDEX
    if type_ == "table":
        return bool(name) and (name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_"))
    return False


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's include_object hook: everything but the full-text index."""
    return not (reflected and is_search_index(name, type_))


def postgresql_search_vector(expression: str) -> list[str]:
    """Statements adding ``search_vector`` generated from ``expression``, and its index."""
    return [
        f"ALTER TABLE posts ADD COLUMN {SEARCH_VECTOR} tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED",
        f"CREATE INDEX {SEARCH_VECTOR_INDEX} ON posts USING gin ({SEARCH_VECTOR})",
    ]


def postgresql_drop_search_vector() -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {SEARCH_VECTOR_INDEX}",
        f"ALTER TABLE posts DROP COLUMN IF EXISTS {SEARCH_VECTOR}",
    ]


def sqlite_fts(columns: Sequence[str], tokenize: str) -> list[str]:
    """Statements creating the FTS5 table over ``columns`` of posts (external
    content), the triggers keeping it, and filling it."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    remove = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {names}) VALUES ('delete', old.id, {old});"  # noqa: S608
    )
    add = f"INSERT INTO {FTS_TABLE}(rowid, {names}) VALUES (new.id, {new});"  # noqa: S608
    return [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({names}, "
        f"content='posts', content_rowid='id', tokenize='{tokenize}')",
        f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON posts BEGIN {add} END",
        f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON posts BEGIN {remove} END",
        f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF {names} ON posts "
        f"BEGIN {remove} {add} END",
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",  # noqa: S608
    ]


def sqlite_drop_fts() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{name}" for name in _FTS_TRIGGERS] + [
        f"DROP TABLE IF EXISTS {FTS_TABLE}"
    ]
