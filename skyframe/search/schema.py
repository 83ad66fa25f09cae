"""The full-text index belongs to the database (migration 0008): a generated
tsvector column with a GIN index on PostgreSQL, an FTS5 table kept by
triggers on SQLite. The models do not map it, so schema comparisons skip it."""

from __future__ import annotations

from typing import Any

SEARCH_VECTOR = "search_vector"
SEARCH_VECTOR_INDEX = "ix_posts_search_vector"
FTS_TABLE = "posts_fts"


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
