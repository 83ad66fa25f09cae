"""What an uploader says about a capture: the fields of a post, checked and
normalised (object, tags, exposure, equipment, times, notes)."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from skyframe import catalogue
from skyframe.exceptions import ValidationFailed
from skyframe.models import Category, Post
from skyframe.models.post import (
    EQUIPMENT_MAX_LENGTH,
    GAIN_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    OBJECT_MAX_LENGTH,
    OBSERVER_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from skyframe.moderation import labels
from skyframe.motd import parse_iso_datetime
from skyframe.text import one_line, text_problem, too_long

# A capture may be stamped a little ahead by a camera clock in another zone.
FUTURE_TOLERANCE = timedelta(days=1)


MAX_TAGS = 15


MAX_EXPOSURE_SECONDS = 24 * 3600


MAX_EXPOSURE_COUNT = 100_000


MAX_INTEGRATION_SECONDS = 1_000 * 3600


TAG_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")


TEXT_FIELDS = {
    "title": TITLE_MAX_LENGTH,
    "object": OBJECT_MAX_LENGTH,
    "observer": OBSERVER_MAX_LENGTH,
    "telescope": EQUIPMENT_MAX_LENGTH,
    "camera": EQUIPMENT_MAX_LENGTH,
    "mount": EQUIPMENT_MAX_LENGTH,
    "filters": EQUIPMENT_MAX_LENGTH,
    "gain": GAIN_MAX_LENGTH,
}


# What an uploader can say about a capture, in the order forms show it.
DETAIL_FIELDS = (
    "title",
    "object",
    "category",
    "observer",
    "observed_at",
    "telescope",
    "camera",
    "mount",
    "filters",
    "exposure_seconds",
    "exposure_count",
    "integration_seconds",
    "gain",
    "bortle",
    "notes",
    "tags",
    "labels",
)


@dataclass
class PostDetails:
    """What the uploader says about a capture, validated. ``None`` = not given."""

    title: str | None = None
    object: str | None = None
    category: str | None = None
    observer: str | None = None
    observed_at: datetime | None = None
    telescope: str | None = None
    camera: str | None = None
    mount: str | None = None
    filters: str | None = None
    exposure_seconds: float | None = None
    exposure_count: int | None = None
    integration_seconds: float | None = None
    gain: str | None = None
    bortle: int | None = None
    notes: str | None = None
    tags: list[str] | None = None
    labels: list[str] | None = None  # warning labels (moderation.labels)
    given: set[str] = field(default_factory=set)  # fields present in the request


def parse_tags(raw: str) -> list[str]:
    """Comma- or space-separated tags, lower-cased, '#' dropped, de-duplicated."""
    tags: list[str] = []
    for part in re.split(r"[,\s]+", raw or ""):
        tag = unicodedata.normalize("NFKC", part).strip().lstrip("#").lower()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _number(value: str, kind, name: str, low: float, high: float, errors: dict) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        errors[name] = "Enter a number." if kind is float else "Enter a whole number."
        return None
    if (isinstance(number, float) and not math.isfinite(number)) or not low <= number <= high:
        errors[name] = f"Enter a value from {low:g} to {high:g}."
        return None
    return number


def validate_details(raw: dict[str, Any], now: datetime, *, creating: bool) -> PostDetails:
    """Check every field at once; raise ValidationFailed naming each bad one.

    ``raw`` holds strings (form fields) or JSON values. Empty strings mean
    "clear this field" when editing and "not given" when creating.
    """
    errors: dict[str, str] = {}
    details = PostDetails()
    for name, value in raw.items():
        if name not in {f.name for f in fields(PostDetails)} - {"given"}:
            continue
        if value is None:
            value = ""
        if name in ("tags", "labels") and isinstance(value, list):
            value = ",".join(str(v) for v in value)
        if not isinstance(value, str):
            value = str(value)
        # Notes keep their line breaks; the other fields become one line.
        if problem := text_problem(value, allowed_controls="\n\t\r" if name == "notes" else "\n\t"):
            errors[name] = problem
            continue
        details.given.add(name)
        _validate_field(details, name, value, now, errors)

    if creating:
        if not details.title:
            errors.setdefault("title", "Give your capture a title.")
        if not details.category:
            errors.setdefault("category", "Choose a category.")
    elif "title" in details.given and not details.title:
        errors.setdefault("title", "A title cannot be empty.")
    elif "category" in details.given and not details.category:
        errors.setdefault("category", "Choose a category.")
    if errors:
        raise ValidationFailed("Some fields need attention.", fields=errors)
    return details


def _validate_field(details: PostDetails, name: str, value: str, now: datetime, errors) -> None:
    if name in TEXT_FIELDS:
        text = one_line(value)
        if too_long(value, text, TEXT_FIELDS[name]):
            errors[name] = f"At most {TEXT_FIELDS[name]} characters."
        else:
            setattr(details, name, text or None)
    elif name == "notes":
        text = unicodedata.normalize("NFC", value).strip()
        if too_long(value, text, NOTES_MAX_LENGTH):
            errors[name] = f"At most {NOTES_MAX_LENGTH} characters."
        else:
            details.notes = text
    elif name == "category":
        if value.strip() and value.strip() not in {c.value for c in Category}:
            errors[name] = "Choose one of: " + ", ".join(c.value for c in Category) + "."
        else:
            details.category = value.strip() or None
    elif name == "observed_at":
        details.observed_at = _observed_at(value, now, errors)
    elif name == "exposure_seconds" and value.strip():
        details.exposure_seconds = _number(value, float, name, 1e-6, MAX_EXPOSURE_SECONDS, errors)
    elif name == "exposure_count" and value.strip():
        details.exposure_count = _number(value, int, name, 1, MAX_EXPOSURE_COUNT, errors)
    elif name == "integration_seconds" and value.strip():
        details.integration_seconds = _number(
            value, float, name, 1e-6, MAX_INTEGRATION_SECONDS, errors
        )
    elif name == "bortle" and value.strip():
        details.bortle = _number(value, int, name, 1, 9, errors)
    elif name == "labels":
        try:
            details.labels = [label.value for label in labels.parse(re.split(r"[,\s]+", value))]
        except ValidationFailed as exc:
            errors.update(exc.fields)
    elif name == "tags":
        tags = parse_tags(value)
        bad = [t for t in tags if len(t) > TAG_MAX_LENGTH or not TAG_PATTERN.fullmatch(t)]
        if bad:
            errors[name] = (
                f"Tags use letters a–z, digits, - and _ (at most {TAG_MAX_LENGTH} each): "
                + ", ".join(bad[:3])
            )
        elif len(tags) > MAX_TAGS:
            errors[name] = f"At most {MAX_TAGS} tags."
        else:
            details.tags = tags


def _observed_at(value: str, now: datetime, errors: dict) -> datetime | None:
    if not value.strip():
        return None
    try:
        moment = parse_iso_datetime(value, "observed_at")
    except ValidationFailed:
        errors["observed_at"] = "Use an ISO 8601 date and time, e.g. 2026-08-12T22:30:00Z."
        return None
    if moment > now + FUTURE_TOLERANCE:
        errors["observed_at"] = "The observation date cannot be in the future."
        return None
    return moment


def set_object(post: Post, text: str | None) -> None:
    """The object as typed, and what the catalogue knows of it."""
    post.object_name = text
    found = catalogue.resolve(text) if text else None
    post.object_id = found.id if found else None
    post.object_common_name = found.common_name if found else None
    post.object_type = found.type if found else None
    post.object_constellation = found.constellation if found else None


def apply_details(post: Post, details: PostDetails) -> None:
    """Set what ``details`` gives, but labels: create_post and update_post
    set those (a label set by staff is audited)."""
    simple = [name for name in DETAIL_FIELDS if name not in ("object", "tags", "labels")]
    for name in simple:
        if name in details.given:
            setattr(post, name, getattr(details, name) if name != "notes" else details.notes or "")
    if "object" in details.given:
        set_object(post, details.object)
    if "tags" in details.given:
        post.set_tags(details.tags or [])
    # Total integration follows the subs unless the uploader gave it.
    subs_changed = {"exposure_seconds", "exposure_count"} & details.given
    if subs_changed and "integration_seconds" not in details.given:
        post.integration_seconds = None
        if post.exposure_seconds and post.exposure_count:
            total = post.exposure_seconds * post.exposure_count
            post.integration_seconds = total if total <= MAX_INTEGRATION_SECONDS else None
