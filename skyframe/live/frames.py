"""Frames pushed to a live session: checked, stripped and rendered as post
uploads are, kept up to LIVE_FRAMES_KEPT per session, and turned into a post
on request.

A frame goes through the posts' pipeline (skyframe.media.pipeline): the
file is recognised from its bytes, its header checked against
UPLOAD_MAX_PIXELS and the decode budget, and re-encoded without any
embedded metadata (GPS, serial numbers). Its renditions are smaller than a
post's (display 1600, thumb 320 px) and made in the request: a frame is
wanted on the channel at once, and capture software sends one every few
seconds at most (LIVE_FRAME_LIMIT).

Files are removed only after the transaction that drops their rows
commits, and a frame whose transaction fails takes its files with it, so
neither rows without files nor files without rows are left.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from skyframe import policy, publish
from skyframe.exceptions import NotFound, PermissionDenied, ValidationFailed
from skyframe.live.sessions import SessionEnded, topic
from skyframe.media.errors import MediaError
from skyframe.media.pipeline import (
    MediaSettings,
    identify_file,
    remove_stored,
    render_file_to_storage,
)
from skyframe.models import AuditSource, Post, PostKind, PostMedia, PostStatus, User
from skyframe.models.live import LiveFrame, LiveSession, LiveStatus
from skyframe.models.moderation import REASON_MAX_LENGTH
from skyframe.moderation.audit import Action, record
from skyframe.moderation.takedowns import AlreadyTakenDown
from skyframe.posts.details import apply_details, validate_details
from skyframe.storage import Storage
from skyframe.text import too_long

log = logging.getLogger(__name__)

DISPLAY_EDGE = 1600
THUMB_EDGE = 320
# Every file a frame has, as (name, content type): what is served, copied
# into a post, and removed with the frame.
FRAME_FILES = (
    ("original.jpg", "image/jpeg"),
    ("display.webp", "image/webp"),
    ("display.jpg", "image/jpeg"),
    ("thumb.webp", "image/webp"),
    ("thumb.jpg", "image/jpeg"),
)
CONTENT_TYPES = dict(FRAME_FILES)
NOT_A_STILL = "A live frame is a still image: JPEG, PNG, TIFF or FITS."
MEMORY_FAILURE = "This frame needs more memory to process than SkyFrame allows; send it smaller."


def frame_settings(settings: MediaSettings) -> MediaSettings:
    """The posts' media settings with a frame's smaller sizes."""
    return replace(settings, display_edge=DISPLAY_EDGE, thumb_edge=THUMB_EDGE)


def file_key(media_key: str, name: str) -> str:
    return f"live/{media_key}/{name}"


def frame_keys(media_keys: list[str]) -> list[str]:
    return [file_key(key, name) for key in media_keys for name, _ in FRAME_FILES]


def frame_data(frame: LiveFrame) -> dict[str, Any]:
    """A frame's facts as a ``frame`` event carries them (the door adds its URLs)."""
    return {
        "id": frame.id,
        "session_id": frame.session_id,
        "media_key": frame.media_key,
        "width": frame.width,
        "height": frame.height,
        "placeholder_color": frame.placeholder_color,
        "created_at": frame.created_at.isoformat(),
    }


def _render(storage: Storage, media_key: str, path: Path, filename: str, declared, settings):
    try:
        fmt = identify_file(path, filename, declared)
        if fmt.is_video:
            raise MediaError(NOT_A_STILL)
        return render_file_to_storage(
            storage, f"live/{media_key}", path, fmt, frame_settings(settings)
        )
    except MediaError as exc:
        raise ValidationFailed(str(exc), fields={"file": str(exc)}) from exc
    except MemoryError as exc:
        raise ValidationFailed(MEMORY_FAILURE, fields={"file": MEMORY_FAILURE}) from exc


def push_frame(
    session: Session,
    storage: Storage,
    live: LiveSession,
    owner: User,
    *,
    upload_path: Path,
    filename: str,
    declared_type: str | None,
    settings: MediaSettings,
    frames_kept: int,
    now: datetime,
) -> LiveFrame:
    """Render and keep a frame of a running session, drop the session's
    frames beyond ``frames_kept`` (oldest first), commit, then remove the
    dropped frames' files. 409 ``session_ended`` once the session ended;
    422 (field ``file``) for a file SkyFrame does not take, nothing kept."""
    if not policy.can_push_frame(live, owner):
        raise PermissionDenied("Only the session's owner sends it frames.")
    policy.require_can_go_live(owner, now)
    if live.status != LiveStatus.LIVE:
        raise SessionEnded("This session has ended: go live again first.")
    media_key = uuid.uuid4().hex
    processed = _render(storage, media_key, upload_path, filename, declared_type, settings)
    written = [stored.key for stored in processed.stored]
    try:
        frame = LiveFrame(
            session_id=live.id,
            owner_id=owner.id,
            media_key=media_key,
            width=processed.width,
            height=processed.height,
            placeholder_color=processed.placeholder.color if processed.placeholder else None,
            created_at=now,
        )
        session.add(frame)
        moved = session.execute(
            update(LiveSession)
            .where(LiveSession.id == live.id, LiveSession.status == LiveStatus.LIVE)
            .values(frame_count=LiveSession.frame_count + 1, last_frame_at=now)
            .returning(LiveSession.id)
            .execution_options(synchronize_session=False)
        ).first()
        if moved is None:  # ended (by hand or the idle sweep) while rendering
            raise SessionEnded("This session has ended: go live again first.")
        session.flush()
        dropped = _drop_beyond(session, live.id, frames_kept)
        publish.after_commit(session, topic(live.id), "frame", frame_data(frame))
        session.commit()
    except BaseException:
        session.rollback()
        remove_stored(storage, written)
        raise
    session.refresh(live)
    remove_stored(storage, frame_keys(dropped))
    return frame


def _drop_beyond(session: Session, session_id: int, kept: int) -> list[str]:
    """Delete the session's frames older than its newest ``kept``; their media keys."""
    old = session.execute(
        select(LiveFrame.id, LiveFrame.media_key)
        .where(LiveFrame.session_id == session_id)
        .order_by(LiveFrame.id.desc())
        .offset(kept)
    ).all()
    if old:
        session.execute(
            delete(LiveFrame)
            .where(LiveFrame.id.in_([row.id for row in old]))
            .execution_options(synchronize_session=False)
        )
    return [row.media_key for row in old]


def frames_of(
    session: Session, live: LiveSession, viewer: User | None, *, after: int | None, limit: int
) -> list[LiveFrame]:
    """The session's frames the viewer may see, oldest first, after frame id
    ``after`` (polling: the newest ``limit`` when ``after`` is None)."""
    query = select(LiveFrame).where(LiveFrame.session_id == live.id)
    if not (viewer is not None and (viewer.id == live.owner_id or policy.is_staff(viewer))):
        query = query.where(LiveFrame.taken_down.is_(False))
    if after is not None:
        return list(
            session.scalars(query.where(LiveFrame.id > after).order_by(LiveFrame.id).limit(limit))
        )
    newest = list(session.scalars(query.order_by(LiveFrame.id.desc()).limit(limit)))
    return newest[::-1]


def latest_frame(session: Session, live: LiveSession, viewer: User | None) -> LiveFrame | None:
    found = frames_of(session, live, viewer, after=None, limit=1)
    return found[0] if found else None


def get_frame(session: Session, live: LiveSession, frame_id: int, viewer: User | None) -> LiveFrame:
    frame = session.get(LiveFrame, frame_id)
    if frame is None or frame.session_id != live.id or not policy.can_see_frame(frame, viewer):
        raise NotFound("No such frame.")
    return frame


def frame_by_media_key(session: Session, media_key: str) -> LiveFrame | None:
    return session.scalar(select(LiveFrame).where(LiveFrame.media_key == media_key))


def _scaled(width: int, height: int, edge: int) -> tuple[int, int]:
    longest = max(width, height)
    if longest <= edge:
        return width, height
    return max(1, round(width * edge / longest)), max(1, round(height * edge / longest))


def publish_frame(
    session: Session,
    storage: Storage,
    live: LiveSession,
    frame: LiveFrame,
    owner: User,
    raw_fields: dict[str, Any],
    now: datetime,
) -> Post:
    """Make a normal post of a frame (its owner), with the post fields as an
    upload takes them; title and object default to the session's. The
    frame's files are copied (the frame may be dropped later). The caller
    commits; if that fails it removes ``post.media`` keys (see output_keys)."""
    if not policy.can_push_frame(live, owner):
        raise PermissionDenied("Only the session's owner publishes its frames.")
    policy.require_in_good_standing(owner, now)
    fields = {"title": live.title, "object": live.object_name or "", **raw_fields}
    details = validate_details(fields, now, creating=True)
    media_key = uuid.uuid4().hex
    sizes = {
        "original": (frame.width, frame.height),
        "display": _scaled(frame.width, frame.height, DISPLAY_EDGE),
        "thumb": _scaled(frame.width, frame.height, THUMB_EDGE),
    }
    media: list[PostMedia] = []
    try:
        for name, content_type in FRAME_FILES:
            with storage.open(file_key(frame.media_key, name)) as source:
                saved = storage.save(f"posts/{media_key}/{name}", source, content_type)
            kind = name.split(".", 1)[0]
            width, height = sizes[kind]
            media.append(
                PostMedia(
                    kind=kind,
                    backend=storage.name,
                    key=saved.key,
                    content_type=content_type,
                    width=width,
                    height=height,
                    bytes=saved.size,
                    sha256=saved.sha256,
                )
            )
    except BaseException:
        remove_stored(storage, [m.key for m in media])
        raise
    post = Post(
        owner_id=owner.id,
        owner=owner,
        media_key=media_key,
        kind=PostKind.IMAGE,
        status=PostStatus.READY,
        owner_disabled=bool(owner.disabled),
        width=frame.width,
        height=frame.height,
        placeholder_color=frame.placeholder_color,
        created_at=now,
        updated_at=now,
    )
    apply_details(post, details)
    post.labels = " ".join(details.labels or ())
    post.observer = post.observer or owner.display_name
    post.media = media
    session.add(post)
    session.flush()
    return post


def take_down_frame(
    session: Session,
    actor: policy.Actor,
    frame: LiveFrame,
    reason: str,
    *,
    now: datetime,
    source: AuditSource,
) -> LiveFrame:
    """Take a frame down (staff, not their own): it leaves the channel, the
    listings of frames and its files' URLs for all but its owner and staff,
    as a taken-down post does; audited. Viewers' pages are told to drop it
    (a ``frame`` event with ``removed``). The caller commits."""
    policy.require(
        policy.can_take_down_frame(actor, frame), "Only staff take down frames, and not their own."
    )
    if frame.taken_down:
        raise AlreadyTakenDown("This frame is already taken down.")
    text = (reason or "").strip()
    if not text or too_long(reason or "", text, REASON_MAX_LENGTH):
        message = "Say why." if not text else f"At most {REASON_MAX_LENGTH} characters."
        raise ValidationFailed(message, fields={"reason": message})
    frame.taken_down = True
    record(
        session,
        actor=actor,
        action=Action.LIVE_FRAME_TAKE_DOWN,
        target_type="live_frame",
        target_id=frame.id,
        reason=text,
        source=source,
        now=now,
    )
    publish.after_commit(session, topic(frame.session_id), "frame", {"removed": frame.id})
    return frame
