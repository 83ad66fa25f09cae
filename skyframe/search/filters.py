"""A search as people ask it: text, observer, object, category, tag and an
observed date range — checked once, for the page, the API and the tests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from skyframe import catalogue
from skyframe.exceptions import ValidationFailed
from skyframe.models import Category
from skyframe.models.post import TAG_MAX_LENGTH
from skyframe.search import websearch
from skyframe.text import has_control, one_line, too_long

TEXT_MAX_LENGTH = 200
TERMS_MAX = 16
NAME_MAX_LENGTH = 120


class Sort(StrEnum):
    RELEVANCE = "relevance"  # best match first (needs words)
    NEWEST = "newest"  # newest upload first
    OBSERVED = "observed"  # most recent observation first (posts with a date)


@dataclass(frozen=True)
class SearchFilters:
    text: str | None = None
    observer: str | None = None  # a handle (with or without @) or an observer name
    object: str | None = None  # any name the catalogue knows, or a name as typed
    category: Category | None = None
    tag: str | None = None
    observed_from: datetime | None = None  # inclusive
    observed_before: datetime | None = None  # exclusive
    sort: Sort = Sort.NEWEST

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.text,
                self.observer,
                self.object,
                self.category,
                self.tag,
                self.observed_from,
                self.observed_before,
            )
        )

    @property
    def catalogue_object(self) -> catalogue.CatalogueObject | None:
        return catalogue.resolve(self.object) if self.object else None

    def fingerprint(self) -> str:
        """Identifies the search, so a cursor only continues the search it came from."""
        described = json.dumps(asdict(self), default=str, sort_keys=True)
        return hashlib.blake2s(described.encode(), digest_size=8).hexdigest()


def build(
    *,
    text: str | None = None,
    observer: str | None = None,
    object: str | None = None,
    category: str | None = None,
    tag: str | None = None,
    observed_from: str | None = None,
    observed_to: str | None = None,
    sort: str | None = None,
) -> SearchFilters:
    """Filters from what was typed; ValidationFailed names each bad field."""
    errors: dict[str, str] = {}
    values = {
        "text": _clean(text, TEXT_MAX_LENGTH, "q", errors),
        "observer": _clean(observer, NAME_MAX_LENGTH, "observer", errors),
        "object": _clean(object, NAME_MAX_LENGTH, "object", errors),
        "tag": _tag(tag, errors),
        "category": _category(category, errors),
    }
    if values["text"] and websearch.term_count(values["text"]) > TERMS_MAX:
        errors["q"] = f"Use at most {TERMS_MAX} words."
    start = _bound(observed_from, "from", errors, end=False)
    end = _bound(observed_to, "to", errors, end=True)
    if start and end and start >= end:
        errors["to"] = "The end of the date range must not be before its start."
    chosen = _sort(sort, errors)
    if errors:
        raise ValidationFailed("Some search fields need another look.", fields=errors)
    if values["observer"]:
        values["observer"] = values["observer"].removeprefix("@") or None
    if chosen is None:
        chosen = _default_sort(values["text"], start or end)
    # Relevance needs words to weigh.
    if chosen is Sort.RELEVANCE and not values["text"]:
        chosen = _default_sort(None, start or end)
    return SearchFilters(**values, observed_from=start, observed_before=end, sort=chosen)


PARAMETERS = ("q", "observer", "object", "category", "tag", "from", "to", "sort")


def from_params(params: Mapping[str, str | None]) -> SearchFilters:
    """Filters from a search's query parameters (the page's and the API's)."""
    return build(
        text=params.get("q"),
        observer=params.get("observer"),
        object=params.get("object"),
        category=params.get("category"),
        tag=params.get("tag"),
        observed_from=params.get("from"),
        observed_to=params.get("to"),
        sort=params.get("sort"),
    )


def _default_sort(text: str | None, observed_range: datetime | None) -> Sort:
    """Best match for words; for a range of observation dates, the latest
    observations; else the newest uploads."""
    if text:
        return Sort.RELEVANCE
    return Sort.OBSERVED if observed_range else Sort.NEWEST


def _clean(value: str | None, limit: int, field: str, errors: dict) -> str | None:
    if value is None:
        return None
    if has_control(value, allowed=""):
        errors[field] = "Remove the control characters."
        return None
    cleaned = one_line(value)
    if too_long(value, cleaned, limit):
        errors[field] = f"At most {limit} characters."
        return None
    return cleaned or None


def _tag(value: str | None, errors: dict) -> str | None:
    cleaned = _clean(value, TAG_MAX_LENGTH + 1, "tag", errors)
    return cleaned.removeprefix("#").casefold() or None if cleaned else None


def _category(value: str | None, errors: dict) -> Category | None:
    if not value:
        return None
    try:
        return Category(value)
    except ValueError:
        errors["category"] = "Choose one of: " + ", ".join(c.value for c in Category) + "."
        return None


def _sort(value: str | None, errors: dict) -> Sort | None:
    if not value:
        return None
    try:
        return Sort(value)
    except ValueError:
        errors["sort"] = "Sort by relevance, newest or observed."
        return None


def _bound(value: str | None, field: str, errors: dict, *, end: bool) -> datetime | None:
    """A date (the whole day counts) or a date and time; UTC unless it says."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        # A date and time "to" includes that very moment.
        return (moment + timedelta(microseconds=1) if end else moment).astimezone(UTC)
    except (ValueError, OverflowError):
        errors[field] = "Give a date as YYYY-MM-DD (or a date and time in ISO 8601)."
        return None
