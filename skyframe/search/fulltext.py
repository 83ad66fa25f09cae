"""Free text over title, object names, tags and notes: one interface, two
backends, the same answers.

Both index the same folded and stemmed words (skyframe.words), kept by the
ORM in ``posts.search_title``, ``search_names`` and ``search_notes``.
PostgreSQL matches a generated ``search_vector`` (GIN index) against
``websearch_to_tsquery('simple', …)`` of the parsed query; SQLite matches the
FTS5 table ``posts_fts`` with the ``ascii`` tokenizer, which splits those
columns on spaces and nothing else. Relevance is computed from the same
columns by the same Python on both: for each word or phrase asked for, 1.0 if
the title holds it, 0.4 for object names and tags, 0.1 for notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import column, func, literal, literal_column, or_, select, table
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR
from sqlalchemy.sql import ColumnElement

from skyframe.models import Post
from skyframe.search import websearch

# A configuration without stop words or stemming: the words arrive ready.
CONFIGURATION = "simple"
_fts = table("posts_fts", column("rowid"))
_FTS = literal_column("posts_fts")
WEIGHTS = {"search_title": 1.0, "search_names": 0.4, "search_notes": 0.1}
# Unmapped (the database keeps it); only PostgreSQL has it.
SEARCH_VECTOR = literal_column("posts.search_vector", TSVECTOR)


@dataclass(frozen=True)
class TextMatch:
    """A condition to add to a posts query, and the query it came from."""

    condition: ColumnElement[bool]
    query: websearch.ParsedQuery

    def score(self, fields: Mapping[str, str]) -> float:
        return score(self.query, fields)

    @cached_property
    def _needles(self) -> tuple[str, ...]:
        return _needles(self.query)

    def score_fields(self, title: str, names: str, notes: str) -> float:
        """score() of a post's folded words (search_title, _names, _notes)."""
        return _score(self._needles, (f" {title} ", f" {names} ", f" {notes} "))


def matches(dialect: str, text: str) -> TextMatch | None:
    """How to find ``text``; None when the text has nothing searchable (only
    stop words or punctuation), which matches no post on either backend."""
    query = websearch.parse(text)
    if query.is_empty:
        return None
    condition = _postgresql(query) if dialect == "postgresql" else _sqlite(query)
    return TextMatch(condition, query)


def _postgresql(query: websearch.ParsedQuery) -> ColumnElement[bool]:
    tsquery = func.websearch_to_tsquery(
        literal(CONFIGURATION, REGCONFIG), literal(websearch.websearch_text(query))
    )
    return SEARCH_VECTOR.bool_op("@@")(tsquery)


def _sqlite(query: websearch.ParsedQuery) -> ColumnElement[bool]:
    conditions = []
    asking = [part for part in query.parts if part.included]
    if asking:
        expression = " OR ".join(websearch.fts5_part(part) for part in asking)
        conditions.append(Post.id.in_(_rows_matching(expression)))
    for part in query.parts:
        if not part.included:  # only exclusions ("-moon"): every post without them
            excluded = _rows_matching(websearch.fts5_any(part.excluded))
            conditions.append(Post.id.not_in(excluded))
    return or_(*conditions)


def _rows_matching(expression: str):
    return select(_fts.c.rowid).where(_FTS.bool_op("MATCH")(literal(expression)))


def score(query: websearch.ParsedQuery, fields: dict[str, str]) -> float:
    """Relevance: for each word or phrase asked for, the weights of the
    fields (their folded words, by column name) that hold it.

    Not bm25 or ts_rank: a score that depends on the post alone keeps a
    relevance cursor exact while other posts come and go, and computing it
    here gives both databases the same order."""
    return _score(_needles(query), tuple(f" {fields[name]} " for name in WEIGHTS))


_WEIGHT_VALUES = tuple(WEIGHTS.values())


def _needles(query: websearch.ParsedQuery) -> tuple[str, ...]:
    return tuple(f" {' '.join(phrase)} " for phrase in query.wanted)


def _score(needles: tuple[str, ...], padded: tuple[str, ...]) -> float:
    """The weights of the padded fields (in WEIGHTS' order) holding each needle."""
    total = 0.0
    for needle in needles:
        total += sum(
            weight for weight, text in zip(_WEIGHT_VALUES, padded, strict=True) if needle in text
        )
    return total
