"""What people type into the search box, read the way PostgreSQL's
``websearch_to_tsquery`` reads it — words are all required, "quoted words"
are a phrase, ``or`` between two parts accepts either, a leading ``-``
excludes — and written out as an SQLite FTS5 query with the same meaning.

PostgreSQL parses the text itself (never ``to_tsquery`` on user input); this
module exists so the embedded default answers the same search the same way.
Every word reaches FTS5 as a quoted string, so nothing a person types can be
read as FTS5 syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# PostgreSQL's english configuration drops these (the Snowball English stop
# list); FTS5 would otherwise require them, and "the orion nebula" would find
# less on SQLite than on PostgreSQL.
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than
    too very s t can will just don should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_PIECES = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    excluded: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    # Every group must match; a group matches when any of its terms does.
    required: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]

    @property
    def is_empty(self) -> bool:
        return not self.required and not self.excluded


def _words(text: str) -> tuple[str, ...]:
    return tuple(
        word for word in (w.casefold() for w in _WORDS.findall(text)) if word not in STOP_WORDS
    )


def _terms(text: str) -> list[Term | str]:
    """Terms in order, with the bare word ``or`` kept as a marker."""
    found: list[Term | str] = []
    for match in _PIECES.finditer(text):
        dash, quoted, bare = match.groups()
        if bare is not None:
            if bare.casefold() == "or":
                found.append("or")
                continue
            excluded = bare.startswith("-") and len(bare) > 1
            words = _words(bare[1:] if excluded else bare)
        else:
            excluded, words = bool(dash), _words(quoted)
        if words:
            found.append(Term(words, excluded))
    return found


def parse(text: str) -> ParsedQuery:
    required: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False
    for item in _terms(text):
        if item == "or":
            joining = bool(required) and not joining
            continue
        assert isinstance(item, Term)
        if item.excluded:
            excluded.append(item)
        elif joining:
            required[-1].append(item)
        else:
            required.append([item])
        joining = False
    return ParsedQuery(tuple(tuple(group) for group in required), tuple(excluded))


def _quoted(term: Term) -> str:
    return '"' + " ".join(term.words).replace('"', '""') + '"'


def _any_of(terms: tuple[Term, ...]) -> str:
    inner = " OR ".join(_quoted(term) for term in terms)
    return f"({inner})" if len(terms) > 1 else inner


def fts5_match(query: ParsedQuery) -> str | None:
    """The FTS5 expression of the required part (None when only exclusions)."""
    if not query.required:
        return None
    expression = " AND ".join(_any_of(group) for group in query.required)
    if query.excluded:
        expression = f"({expression}) NOT {_any_of(query.excluded)}"
    return expression


def fts5_excluded(query: ParsedQuery) -> str | None:
    """For a query of exclusions only: the FTS5 expression of what to leave out."""
    if query.required or not query.excluded:
        return None
    return _any_of(query.excluded)


def fts5_groups(query: ParsedQuery) -> list[str]:
    """Each required part of the query as an FTS5 expression (for ranking)."""
    return [_any_of(group) for group in query.required]


def term_count(text: str) -> int:
    """How many different words and phrases a search holds."""
    query = parse(text)
    terms = {term.words for group in query.required for term in group}
    return len(terms | {term.words for term in query.excluded})
