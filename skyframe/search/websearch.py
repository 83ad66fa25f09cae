"""What people type into the search box, parsed once for both databases.

The syntax is PostgreSQL's ``websearch_to_tsquery``: words are all required,
"quoted words" are a phrase, ``or`` between two parts accepts either, and a
leading ``-`` excludes a word or phrase. As there, ``or`` binds loosest:
``eastern veil or nebula`` is (eastern and veil) or nebula, and an exclusion
belongs to the part it sits in.

Words go through skyframe.words, as the indexed text did. A word that folds
to several (``NGC-7000``, ``SII/Ha/OIII``, ``12P/Pons-Brooks``) is a phrase
of them, so it finds the same name however it was punctuated. The parsed
query is then written out for each backend: for PostgreSQL as a websearch
string of the already-normalised words (it parses that exactly as parsed
here), for SQLite as FTS5 expressions whose every word is a quoted string,
so nothing a person types is read as either database's syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from skyframe import words

_PIECES = re.compile(r'(-*)"([^"]*)"?|(-*)([^\s"]+)')
_OR = "or"


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    excluded: bool = False


@dataclass(frozen=True)
class Part:
    """Terms that must all hold (the excluded ones by being absent)."""

    terms: tuple[Term, ...]

    @property
    def included(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.excluded)

    @property
    def excluded(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.excluded)


@dataclass(frozen=True)
class ParsedQuery:
    parts: tuple[Part, ...]  # a post matches when any part holds

    @property
    def is_empty(self) -> bool:
        return not self.parts

    @property
    def wanted(self) -> tuple[tuple[str, ...], ...]:
        """Each word or phrase asked for (not excluded), once, in order."""
        found = (term.words for part in self.parts for term in part.included)
        return tuple(dict.fromkeys(found))


def _terms(text: str) -> list[Term | str]:
    """Terms in order, with each bare ``or`` kept as a marker."""
    found: list[Term | str] = []
    for match in _PIECES.finditer(text):
        phrase_dashes, phrase, word_dashes, word = match.groups()
        if word is not None and not word_dashes and word.casefold() == _OR:
            found.append(_OR)
            continue
        dashes, typed = (word_dashes, word) if word is not None else (phrase_dashes, phrase)
        folded = tuple(words.words(typed))
        if folded:
            found.append(Term(folded, excluded=bool(dashes)))
    return found


def parse(text: str) -> ParsedQuery:
    parts: list[list[Term]] = [[]]
    for item in _terms(text):
        if item == _OR:
            # Only between two terms; a leading, trailing or doubled "or" is ignored.
            if parts[-1]:
                parts.append([])
            continue
        assert isinstance(item, Term)
        parts[-1].append(item)
    return ParsedQuery(tuple(Part(tuple(terms)) for terms in parts if terms))


def term_count(text: str) -> int:
    """How many different words and phrases a search holds."""
    query = parse(text)
    return len({term.words for part in query.parts for term in part.terms})


def websearch_text(query: ParsedQuery) -> str:
    """The query for PostgreSQL's ``websearch_to_tsquery('simple', …)``: its
    words are already folded and stemmed, and only letters and digits."""
    return " or ".join(
        " ".join(_websearch_term(term) for term in part.terms) for part in query.parts
    )


def _websearch_term(term: Term) -> str:
    text = term.words[0] if len(term.words) == 1 else '"' + " ".join(term.words) + '"'
    return "-" + text if term.excluded else text


def fts5_all(terms: tuple[Term, ...]) -> str:
    """An FTS5 expression matching rows holding every one of ``terms``."""
    return " AND ".join(_fts5_phrase(term) for term in terms)


def fts5_any(terms: tuple[Term, ...]) -> str:
    """An FTS5 expression matching rows holding any of ``terms``."""
    return " OR ".join(_fts5_phrase(term) for term in terms)


def fts5_part(part: Part) -> str:
    """The FTS5 expression of a part that asks for at least one term."""
    expression = f"({fts5_all(part.included)})"
    if part.excluded:
        expression += f" NOT ({fts5_any(part.excluded)})"
    return expression


def _fts5_phrase(term: Term) -> str:
    # Folded words are letters and digits only; doubling quotes keeps that
    # a guarantee of this function rather than of its callers.
    return '"' + " ".join(term.words).replace('"', '""') + '"'
