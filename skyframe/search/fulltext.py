"""Free text over title, object names, tags and notes: one interface, two
backends. PostgreSQL matches the generated ``search_vector`` column (GIN
index) against ``websearch_to_tsquery`` and ranks with ``ts_rank``; SQLite
matches the FTS5 table ``posts_fts`` and ranks by which fields hold each
part of the query, with ts_rank's weights. Both weight a title above object
names and tags, and those above notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, case, column, func, literal, literal_column, select, table
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR
from sqlalchemy.sql import ColumnElement

from skyframe.models import Post
from skyframe.search import websearch

LANGUAGE = "english"
_fts = table("posts_fts", column("rowid"))
_FTS = literal_column("posts_fts")
# ts_rank's default weights of the classes search_vector puts the fields in.
_WEIGHTED_COLUMNS = (
    ("title", 1.0),
    ("object_name object_common_name tags_text", 0.4),
    ("notes", 0.1),
)


@dataclass(frozen=True)
class TextMatch:
    """Joins and conditions to add to a posts query, and its relevance (higher
    is better)."""

    condition: ColumnElement[bool]
    rank: ColumnElement[float]


def matches(dialect: str, text: str) -> TextMatch | None:
    """How to find ``text``; None when the text has nothing searchable (only
    stop words or punctuation), which matches no post on either backend."""
    query = websearch.parse(text)
    if query.is_empty:
        return None
    if dialect == "postgresql":
        return _postgresql(text)
    return _sqlite(query)


def _postgresql(text: str) -> TextMatch:
    tsquery = func.websearch_to_tsquery(literal(LANGUAGE, REGCONFIG), literal(text))
    vector = literal_column("posts.search_vector", TSVECTOR)

    # float8, so the rank a cursor carries compares equal to itself.
    return TextMatch(vector.bool_op("@@")(tsquery), func.ts_rank(vector, tsquery).cast(Float(53)))


def _sqlite(query: websearch.ParsedQuery) -> TextMatch:
    required = websearch.fts5_match(query)
    if required is None:
        # Only exclusions ("-moon"): every post that does not match them.
        excluded = select(_fts.c.rowid).where(_matches(websearch.fts5_excluded(query)))
        return TextMatch(Post.id.not_in(excluded), literal(0.0))
    hits = select(_fts.c.rowid).where(_matches(required))
    return TextMatch(Post.id.in_(hits), _sqlite_rank(query))


def _matches(expression: str | None) -> ColumnElement[bool]:
    return _FTS.bool_op("MATCH")(literal(expression))


def _sqlite_rank(query: websearch.ParsedQuery) -> ColumnElement[float]:
    """ts_rank's weights for each part of the query found in each field.

    Not bm25: its scores move whenever any post is added or edited (they
    depend on the whole index), so a relevance cursor would skip or repeat
    posts; this score depends on the post alone, as ts_rank's does.
    """
    score: ColumnElement[float] = literal(0.0)
    for group in websearch.fts5_groups(query):
        for columns, weight in _WEIGHTED_COLUMNS:
            found = select(_fts.c.rowid).where(_matches(f"{{{columns}}} : {group}"))
            score = score + case((Post.id.in_(found), weight), else_=0.0)
    return score
