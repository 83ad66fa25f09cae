"""Posts: validating what an uploader says about a capture, creating the post
from an upload, processing it into renditions (a job), editing and deleting.

Plain functions over a SQLAlchemy session and a storage backend; the HTML
upload page, the JSON API and the job worker all call them.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Select, func, select, type_coerce
from sqlalchemy.orm import Session

from skyframe import catalogue, interactions, visibility
from skyframe.database import in_bound_ids
from skyframe.exceptions import NotFound, PermissionDenied, ValidationFailed
from skyframe.media.errors import MediaError
from skyframe.media.formats import FORMATS
from skyframe.media.pipeline import (
    MediaSettings,
    ProcessedUpload,
    accept_upload,
    render_to_storage,
)
from skyframe.models import Category, Post, PostMedia, PostStatus, PostTag, User
from skyframe.models.post import (
    EQUIPMENT_MAX_LENGTH,
    GAIN_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    OBJECT_MAX_LENGTH,
    OBSERVER_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    find_rendition,
)
from skyframe.storage import Storage, StorageError
from skyframe.text import one_line, text_problem

log = logging.getLogger(__name__)

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
        if name == "tags" and isinstance(value, list):
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
        if len(text) > TEXT_FIELDS[name]:
            errors[name] = f"At most {TEXT_FIELDS[name]} characters."
        else:
            setattr(details, name, text or None)
    elif name == "notes":
        text = unicodedata.normalize("NFC", value).strip()
        if len(text) > NOTES_MAX_LENGTH:
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
    from skyframe.motd import parse_iso_datetime

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


def _apply_details(post: Post, details: PostDetails) -> None:
    simple = [name for name in DETAIL_FIELDS if name not in ("object", "tags")]
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


def create_post(
    session: Session,
    storage: Storage,
    owner: User,
    *,
    upload_path: Path,
    filename: str,
    declared_type: str | None,
    details: PostDetails,
    settings: MediaSettings,
    now: datetime,
) -> Post:
    """Check the upload, keep it in storage and add the post as ``processing``.

    Raises ValidationFailed (field ``file``) for files SkyFrame does not take;
    nothing is stored then. The caller commits and starts ``process_post``.
    """
    media_key = uuid.uuid4().hex
    try:
        accepted = accept_upload(
            storage, f"incoming/{media_key}", upload_path, filename, declared_type, settings
        )
    except MediaError as exc:
        raise ValidationFailed(str(exc), fields={"file": str(exc)}) from exc
    post = Post(
        owner_id=owner.id,
        owner=owner,
        media_key=media_key,
        status=PostStatus.PROCESSING,
        owner_disabled=bool(owner.disabled),
        observer=owner.display_name,
        width=accepted.width,
        height=accepted.height,
        created_at=now,
        updated_at=now,
    )
    _apply_details(post, details)
    post.observer = post.observer or owner.display_name
    session.add(post)
    session.flush()
    return post


def incoming_key(post: Post, storage: Storage) -> str | None:
    for name in ("jpeg", "png", "webp", "tiff", "fits"):
        key = f"incoming/{post.media_key}.{name}"
        if storage.exists(key):
            return key
    return None


INTERNAL_FAILURE = "Processing failed on our side. Please try uploading again."
MEMORY_FAILURE = (
    "This file needs more memory to process than SkyFrame allows. Save it as a baseline "
    "JPEG or an uncompressed or LZW TIFF, or make it smaller, and upload it again."
)
RENDITION_FILES = ("original.jpg", "display.jpg", "display.webp", "thumb.jpg", "thumb.webp")


def _discard(storage: Storage, keys: list[str]) -> None:
    """Best-effort removal while something else is already failing."""
    for key in keys:
        try:
            storage.delete(key)
        except StorageError:
            log.warning("could not remove %s", key, exc_info=True)


def process_post(
    session: Session, storage: Storage, post_id: int, settings: MediaSettings, now: datetime
) -> Post | None:
    """The job: renditions, placeholder and capture-metadata defaults.

    On failure the post is marked ``failed`` with a reason its owner sees
    (INTERNAL_FAILURE when the fault is ours), and every file written for it,
    and the upload, is removed.
    """
    post = session.get(Post, post_id)
    if post is None or post.status != PostStatus.PROCESSING:
        return post
    key = incoming_key(post, storage)
    if key is None:
        return _fail(session, post, "The uploaded file was lost before it could be processed.")
    fmt = next(f for f in FORMATS if key.endswith("." + f.name))
    prefix = f"posts/{post.media_key}"
    try:
        processed = render_to_storage(storage, prefix, key, fmt, settings)
    except MediaError as exc:
        _discard(storage, [key])
        return _fail(session, post, str(exc))
    except MemoryError:
        # The worker's memory limit (WORKER_MEMORY_LIMIT_MB) stopped the decode.
        log.warning("processing post %s ran out of memory", post_id, exc_info=True)
        _discard(storage, [key])
        return _fail(session, post, MEMORY_FAILURE)
    except Exception:
        log.exception("processing post %s failed", post_id)
        _discard(storage, [key])
        return _fail(session, post, INTERNAL_FAILURE)
    try:
        _store_media(post, storage, processed)
        _apply_capture_defaults(post, processed, now)
        post.status = PostStatus.READY
        post.updated_at = now
        session.commit()
    except Exception:
        log.exception("saving the renditions of post %s failed", post_id)
        session.rollback()
        _discard(storage, [s.key for s in processed.stored] + [key])
        post = session.get(Post, post_id)
        return _fail(session, post, INTERNAL_FAILURE) if post is not None else None
    _discard(storage, [key])
    return post


STALE_REASON = "Processing did not finish (the worker stopped). Please upload the file again."


def fail_interrupted_post(
    session: Session, storage: Storage, post_id: int, reason: str = MEMORY_FAILURE
) -> Post | None:
    """The job's process died while processing the post (its memory limit, as
    a rule): mark the post failed with ``reason`` and remove its files."""
    post = session.get(Post, post_id)
    if post is None or post.status != PostStatus.PROCESSING:
        return post
    keys = [f"posts/{post.media_key}/{name}" for name in RENDITION_FILES]
    keys += [f"incoming/{post.media_key}.{f.name}" for f in FORMATS]
    _discard(storage, keys)
    post.media = []
    return _fail(session, post, reason)


def fail_stale_uploads(
    session: Session, storage: Storage, *, older_than: timedelta, now: datetime
) -> int:
    """Mark posts stuck in ``processing`` (a worker died) as failed and remove
    their files; returns how many. Run periodically (``flask posts sweep``)."""
    from sqlalchemy import select

    stale = session.scalars(
        select(Post).where(Post.status == PostStatus.PROCESSING, Post.created_at < now - older_than)
    ).all()
    for post in stale:
        keys = [f"posts/{post.media_key}/{name}" for name in RENDITION_FILES]
        keys += [f"incoming/{post.media_key}.{f.name}" for f in FORMATS]
        _discard(storage, keys)
        post.media = []
        _fail(session, post, STALE_REASON)
    return len(stale)


def _fail(session: Session, post: Post, reason: str) -> Post:
    post.status = PostStatus.FAILED
    post.failure_reason = reason[:300]
    session.commit()
    return post


def _store_media(post: Post, storage: Storage, processed: ProcessedUpload) -> None:
    post.width, post.height = processed.width, processed.height
    if processed.placeholder:
        post.placeholder_blurhash = processed.placeholder.blurhash
        post.placeholder_color = processed.placeholder.color
    post.media = [
        PostMedia(
            kind=s.kind,
            backend=storage.name,
            key=s.key,
            content_type=s.content_type,
            width=s.width,
            height=s.height,
            bytes=s.size,
            sha256=s.sha256,
        )
        for s in processed.stored
    ]


def _apply_capture_defaults(post: Post, processed: ProcessedUpload, now: datetime) -> None:
    """Fill what the uploader left empty from the file's own metadata, under
    the same rules as typed input: a value that would be refused is dropped."""
    meta = processed.metadata
    raw = {
        "observed_at": meta.captured_at.isoformat() if meta.captured_at else None,
        "camera": meta.camera,
        "telescope": meta.telescope,
        "filters": meta.filters,
        "gain": meta.gain,
        "exposure_seconds": repr(meta.exposure_seconds) if meta.exposure_seconds else None,
        "object": meta.object_name,
    }
    defaults: dict[str, str] = {}
    for name, value in raw.items():
        current = post.object_name if name == "object" else getattr(post, name)
        if value is None or current is not None:
            continue
        if name in TEXT_FIELDS:
            value = value[: TEXT_FIELDS[name]]
        try:
            validate_details({name: value}, now, creating=False)
        except ValidationFailed:
            continue  # e.g. a camera clock set in 2099
        defaults[name] = value
    if defaults:
        _apply_details(post, validate_details(defaults, now, creating=False))


def discard_failed_upload(session: Session, storage: Storage, post: Post) -> str:
    """Remove a post whose processing failed (inline uploads): returns the reason."""
    reason = post.failure_reason or "The file could not be processed."
    delete_post(session, storage, post)
    return reason


def get_post(session: Session, post_id: int, viewer: User | None) -> Post:
    """A post the viewer may see: ready posts for everyone, any state for the
    owner and staff, a disabled account's posts for staff only."""
    post = session.get(Post, post_id)
    if post is None or not can_view(post, viewer):
        raise NotFound("No such post.")
    return post


def load_posts(session: Session, post_ids: list[int]) -> list[Post]:
    """Posts in the order of ``post_ids``, with owners, renditions and tags
    (three queries for the lot)."""
    if not post_ids:
        return []
    found = {post.id: post for post in session.scalars(select(Post).where(Post.id.in_(post_ids)))}
    return [found[post_id] for post_id in post_ids if post_id in found]


@dataclass(frozen=True, slots=True)
class MediaView:
    """One rendition of a post, as listings show it."""

    kind: str
    key: str
    content_type: str
    width: int
    height: int
    bytes: int


@dataclass(frozen=True, slots=True)
class OwnerView:
    """A post's uploader, as listings show them."""

    id: int
    handle: str
    display_name: str
    email: str
    avatar_key: str | None
    gravatar: bool


@dataclass(frozen=True, slots=True)
class PostView:
    """A read-only post for listings: the attributes of Post that a post's
    JSON reads, loaded as plain rows (hydrating ORM objects with their
    relationships was most of a feed page's CPU). Equal views are equal
    content, so a view can key a cache of what is derived from it."""

    id: int
    owner_id: int
    title: str
    object_name: str | None
    object_id: str | None
    object_common_name: str | None
    object_type: str | None
    object_constellation: str | None
    category: str
    observer: str
    observed_at: datetime | None
    telescope: str | None
    camera: str | None
    mount: str | None
    filters: str | None
    exposure_seconds: float | None
    exposure_count: int | None
    integration_seconds: float | None
    gain: str | None
    bortle: int | None
    notes: str
    status: str
    owner_disabled: bool
    failure_reason: str | None
    width: int | None
    height: int | None
    placeholder_blurhash: str | None
    placeholder_color: str | None
    like_count: int
    favorite_count: int
    comment_count: int
    created_at: datetime
    updated_at: datetime
    owner: OwnerView
    media: tuple[MediaView, ...]
    tags: tuple[str, ...]

    @property
    def is_ready(self) -> bool:
        return self.status == PostStatus.READY

    @property
    def is_listed(self) -> bool:
        return visibility.is_listed(self)

    def rendition(self, kind: str, content_type: str) -> MediaView | None:
        return find_rendition(self.media, kind, content_type)


_POST_VIEW_COLUMNS = [f.name for f in fields(PostView)][:-3]  # all but owner, media, tags
_OWNER_VIEW_COLUMNS = [f.name for f in fields(OwnerView)]
_MEDIA_VIEW_COLUMNS = [f.name for f in fields(MediaView)]


@lru_cache(maxsize=8)
def _post_view_statement(dialect: str, with_flags: bool = False) -> Select:
    """The statement of load_post_views, built once (ids bound at run time).

    A post's renditions and tags come as JSON arrays of its row: one round
    trip for the lot. Each element carries its position, and Python sorts
    them (an ORDER BY inside the aggregate needs SQLite 3.44). With flags,
    the viewer's likes, saves and follows come in the same rows.
    """
    posts, users = Post.__table__, User.__table__
    media, tags = PostMedia.__table__, PostTag.__table__
    array, aggregate = (
        (func.json_build_array, func.json_agg)
        if dialect == "postgresql"
        else (func.json_array, func.json_group_array)
    )
    renditions = (
        select(aggregate(array(media.c.id, *(media.c[n] for n in _MEDIA_VIEW_COLUMNS))))
        .where(media.c.post_id == posts.c.id)
        .scalar_subquery()
    )
    post_tags = (
        select(aggregate(array(tags.c.position, tags.c.tag)))
        .where(tags.c.post_id == posts.c.id)
        .scalar_subquery()
    )
    return (
        select(
            *(posts.c[name] for name in _POST_VIEW_COLUMNS),
            *(users.c[name].label(f"owner_{name}") for name in _OWNER_VIEW_COLUMNS),
            type_coerce(renditions, JSON).label("renditions"),
            type_coerce(post_tags, JSON).label("tags"),
            *(interactions.viewer_flag_columns(posts.c.id, posts.c.owner_id) if with_flags else ()),
        )
        .join(users, users.c.id == posts.c.owner_id)
        .where(in_bound_ids(posts.c.id, "ids", dialect))
    )


def load_post_views(session: Session, post_ids: list[int]) -> list[PostView]:
    """PostViews in the order of ``post_ids`` (one query for the lot)."""
    return _load_post_views(session, post_ids, None)[0]


def load_post_views_for(
    session: Session, post_ids: list[int], viewer_id: int | None
) -> tuple[list[PostView], interactions.ViewerFlags | None]:
    """PostViews in the order of ``post_ids`` and the viewer's flags on them,
    in the same single query (no flags for an anonymous viewer: None)."""
    views, flags = _load_post_views(session, post_ids, viewer_id)
    return views, flags if viewer_id is not None else None


def _load_post_views(
    session: Session, post_ids: list[int], viewer_id: int | None
) -> tuple[list[PostView], interactions.ViewerFlags]:
    if not post_ids:
        return [], interactions.ViewerFlags()
    with_flags = viewer_id is not None
    statement = _post_view_statement(session.get_bind().dialect.name, with_flags)
    columns, owner_columns = len(_POST_VIEW_COLUMNS), len(_OWNER_VIEW_COLUMNS)
    media_at = columns + owner_columns
    found, flag_rows = {}, []
    params = {"ids": post_ids, "viewer_id": viewer_id} if with_flags else {"ids": post_ids}
    for row in session.execute(statement, params):
        renditions, tags = row[media_at : media_at + 2]
        view = found[row[0]] = PostView(
            *row[:columns],
            owner=OwnerView(*row[columns:media_at]),
            media=tuple(MediaView(*item[1:]) for item in sorted(renditions or ())),
            tags=tuple(tag for _, tag in sorted(tags or ())),
        )
        if with_flags:
            flag_rows.append((view.id, view.owner_id, *row[media_at + 2 :]))
    views = [found[post_id] for post_id in post_ids if post_id in found]
    return views, interactions.flags_from_rows(flag_rows)


def can_view(post: Post | PostView, viewer: User | None) -> bool:
    """Whether the viewer may open the post (skyframe.visibility)."""
    return visibility.can_see_post(post, viewer)


def can_edit(post: Post | PostView, user: User | None) -> bool:
    return user is not None and (user.id == post.owner_id or user.is_staff)


def update_post(
    session: Session, post: Post, editor: User, details: PostDetails, now: datetime
) -> Post:
    if not can_edit(post, editor):
        raise PermissionDenied("Only the owner or a moderator can edit this post.")
    _apply_details(post, details)
    if "observer" in details.given and not post.observer:
        post.observer = post.owner.display_name
    post.updated_at = now
    session.flush()
    return post


def delete_post(session: Session, storage: Storage, post: Post, editor: User | None = None) -> None:
    """Delete the post, commit, then remove its files. With ``editor``, check they may."""
    if editor is not None and not can_edit(post, editor):
        raise PermissionDenied("Only the owner or a moderator can delete this post.")
    # Every name the post's files can have, not just the rows loaded now: a
    # job finishing at this moment may be writing renditions.
    keys = {m.key for m in post.media}
    keys |= {f"posts/{post.media_key}/{name}" for name in RENDITION_FILES}
    keys |= {f"incoming/{post.media_key}.{f.name}" for f in FORMATS}
    session.delete(post)
    session.commit()  # files go only once the row is gone for good
    _discard(storage, sorted(keys))
