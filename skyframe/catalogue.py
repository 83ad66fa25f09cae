"""Deep-sky objects from the OpenNGC catalogue (pyongc, offline).

"M31", "m 31", "NGC224", "NGC 224" and "Andromeda Galaxy" all resolve to one
object, ``NGC0224``, with its type, constellation and aliases. Names that
are not in the catalogue (planets, comets, "Milky Way over the lake") are not
an error: posts keep them as typed.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from skyframe.text import escape_like

QUERY_MAX_LENGTH = 60
SUGGESTIONS_MAX = 10


@dataclass(frozen=True)
class CatalogueObject:
    id: str  # OpenNGC name, e.g. NGC0224
    name: str  # how SkyFrame shows it, e.g. "M 31"
    common_name: str | None
    type: str
    constellation: str | None
    aliases: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.common_name})" if self.common_name else self.name


def _database() -> Path:
    from pyongc import ongc

    return Path(ongc.DBPATH)


@functools.cache
def _connection() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{_database()}?mode=ro", uri=True, check_same_thread=False)


@functools.cache
def _constellation_names() -> dict[str, str]:
    """IAU abbreviations to names, from astropy's data file (read without importing astropy)."""
    spec = importlib.util.find_spec("astropy")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(spec.submodule_search_locations[0]) / "coordinates/data/constellation_names.dat"
    names = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            abbreviation, _, name = line.strip().partition(" ")
            names[abbreviation] = name.strip()
    return names


@functools.cache
def _type_names() -> dict[str, str]:
    return dict(_connection().execute("SELECT type, typedesc FROM objTypes").fetchall())


def _strip_zeros(prefix: str, number: str) -> str:
    return f"{prefix} {int(number)}" if number.isdigit() else f"{prefix} {number.lstrip('0')}"


def _display_name(name: str, messier: str | None) -> str:
    if messier:
        return _strip_zeros("M", messier)
    match = re.fullmatch(r"(NGC|IC)(\d+)(.*)", name)
    if match:
        return f"{match.group(1)} {int(match.group(2))}{match.group(3)}"
    return name


def _from_row(row) -> CatalogueObject:
    name, kind, const, messier, ngc, ic, commonnames, identifiers = row
    common = [c.strip() for c in (commonnames or "").split(",") if c.strip()]
    aliases = [_display_name(name, None)]
    if messier:
        aliases.append(_strip_zeros("M", messier))
    for prefix, numbers in (("NGC", ngc), ("IC", ic)):
        aliases += [
            _strip_zeros(prefix, n.strip()) for n in (numbers or "").split(",") if n.strip()
        ]
    aliases += common
    aliases += [i.strip() for i in (identifiers or "").split(",") if i.strip()][:5]
    return CatalogueObject(
        id=name,
        name=_display_name(name, messier),
        common_name=common[0] if common else None,
        type=_type_names().get(kind, kind),
        constellation=_constellation_names().get(const, const) if const else None,
        aliases=tuple(dict.fromkeys(aliases)),
    )


_COLUMNS = "name, type, const, messier, ngc, ic, commonnames, identifiers"


@functools.lru_cache(maxsize=4096)
def by_id(object_id: str) -> CatalogueObject | None:
    row = (
        _connection()
        .execute(
            f"SELECT {_COLUMNS} FROM objects WHERE name = ?",  # noqa: S608 (constant columns)
            (object_id,),
        )
        .fetchone()
    )
    return _from_row(row) if row else None


def _by_designation(text: str) -> CatalogueObject | None:
    from pyongc import ongc

    try:
        found = ongc.get(text)
    except Exception:  # pyongc raises for designations it cannot parse
        return None
    return by_id(found.name) if found is not None else None


@functools.cache
def _common_names() -> dict[str, str]:
    """Every common name (case-folded) → its object's id, read once."""
    names: dict[str, str] = {}
    for name, commonnames in _connection().execute(
        "SELECT name, commonnames FROM objects WHERE commonnames IS NOT NULL"
    ):
        for common in commonnames.split(","):
            names.setdefault(common.strip().casefold(), name)
    return names


def _by_common_name(text: str) -> CatalogueObject | None:
    """Exact (case-insensitive) match of one of an object's common names."""
    object_id = _common_names().get(text.casefold())
    return by_id(object_id) if object_id else None


def resolve(text: str | None) -> CatalogueObject | None:
    """The catalogue object a free-text name means, or None."""
    text = " ".join((text or "").split())[:QUERY_MAX_LENGTH]
    return _resolve(text) if text else None


@functools.lru_cache(maxsize=4096)  # the catalogue never changes while running
def _resolve(text: str) -> CatalogueObject | None:
    return _by_common_name(text) or _by_designation(text) or _by_designation(text.replace(" ", ""))


def suggest(prefix: str, limit: int = SUGGESTIONS_MAX) -> list[CatalogueObject]:
    """Objects whose designation or common name starts with ``prefix``."""
    prefix = " ".join((prefix or "").split())[:QUERY_MAX_LENGTH]
    if not prefix:
        return []
    results: list[CatalogueObject] = []
    exact = resolve(prefix)
    if exact:
        results.append(exact)
    pattern = escape_like(prefix) + "%"
    rows = (
        _connection()
        .execute(
            f"""SELECT {_COLUMNS} FROM objects
            WHERE commonnames LIKE ? ESCAPE '\\' OR commonnames LIKE ? ESCAPE '\\'
               OR commonnames LIKE ? ESCAPE '\\'
            ORDER BY (messier IS NULL), name LIMIT ?""",  # noqa: S608
            (pattern, "%," + pattern, "%, " + pattern, limit * 2),
        )
        .fetchall()
    )
    for row in rows:
        item = _from_row(row)
        if all(item.id != r.id for r in results):
            results.append(item)
    return results[:limit]
