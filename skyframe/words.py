"""The words search compares, made in one place for both databases.

Documents and queries go through the same steps: Unicode compatibility
normalisation and case folding, splitting into runs of letters and digits,
dropping English stop words, Snowball English stemming. PostgreSQL and
SQLite then index and look up exactly these words and nothing of their own:
PostgreSQL's parser reads "12P/Pons-Brooks" or "SII/Ha/OIII" as file paths
and "NGC-7000" as a negative number, SQLite's porter stems differently from
Snowball, and SQLite's lower() folds ASCII only.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import Stemmer

# The Snowball English stop list, which PostgreSQL's english configuration
# also uses: words too common to tell posts apart.
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
# Longer runs (hashes, base64) are not words anyone searches for, and
# PostgreSQL refuses to index a word over 2047 bytes.
WORD_MAX_LENGTH = 60
_RUNS = re.compile(r"[^\W_]+")
_local = threading.local()  # a Stemmer object is not safe to share between threads


def fold(text: str) -> str:
    """Compatibility-normalised and case-folded: ``Ｍ３１`` and ``m31``, ``Straße``
    and ``STRASSE`` fold to the same text. Case folding turns Cherokee small
    letters into capitals; PostgreSQL lowercases them, so they end lowercase."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()).lower()


def key(text: str) -> str:
    """A name as equality filters compare it: folded, spaces collapsed."""
    return " ".join(fold(text).split())


def words(text: str) -> list[str]:
    """The searchable words of ``text``, in order."""
    runs = [run for run in _runs(fold(text)) if len(run) <= WORD_MAX_LENGTH]
    stems = _stemmer().stemWords([run for run in runs if run not in STOP_WORDS])
    return [stem for stem in stems if stem not in STOP_WORDS]


def _runs(text: str) -> list[str]:
    """Runs of letters and digits. Python counts "other numbers" (Unicode No,
    such as Siyaq numerals, that NFKC leaves alone) as alphanumeric, but
    PostgreSQL's parser splits words at them: they separate words here too."""
    runs = []
    for run in _RUNS.findall(text):
        if run.isascii():
            runs.append(run)
        else:
            runs += "".join(" " if unicodedata.category(c) == "No" else c for c in run).split()
    return runs


def document(*texts: str | None) -> str:
    """The words of ``texts``, space-separated: what a search column holds."""
    return " ".join(word for text in texts if text for word in words(text))


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer
