"""A post's life: created from an upload, processed into renditions (a job),
failed when processing cannot finish, edited, deleted with its files.

Plain functions over a SQLAlchemy session and a storage backend; the HTML
upload page, the JSON API and the job worker all call them."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from skyframe import policy
from skyframe.exceptions import PermissionDenied, ValidationFailed
from skyframe.media.clips import CLIP_FILE, ProcessedClip, render_clip_to_storage
from skyframe.media.errors import MediaError
from skyframe.media.formats import FORMATS
from skyframe.media.pipeline import (
    MediaSettings,
    ProcessedUpload,
    accept_upload,
    render_to_storage,
)
from skyframe.models import AuditSource, Post, PostKind, PostMedia, PostStatus, User
from skyframe.moderation import labels
from skyframe.posts.details import TEXT_FIELDS, PostDetails, apply_details, validate_details
from skyframe.storage import Storage, StorageError

log = logging.getLogger(__name__)


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
    nothing is stored then, nor when the owner is suspended (Suspended, 403).
    A clip (MP4, MOV, WebM, Matroska) is probed here and becomes a post of
    kind ``video``. The caller commits and starts ``process_post`` (images)
    or ``process_clip`` (clips).
    """
    policy.require_in_good_standing(owner, now)
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
    if accepted.clip is not None:
        post.kind = PostKind.VIDEO
        post.duration_s = round(accepted.clip.duration_s, 3)
        post.frame_rate = round(accepted.clip.frame_rate, 3)
        post.has_audio = accepted.clip.has_audio
    else:
        post.kind = PostKind.IMAGE
    apply_details(post, details)
    post.labels = " ".join(details.labels or ())
    post.observer = post.observer or owner.display_name
    session.add(post)
    session.flush()
    return post


def incoming_key(post: Post, storage: Storage) -> str | None:
    for name in (f.name for f in FORMATS):
        key = f"incoming/{post.media_key}.{name}"
        if storage.exists(key):
            return key
    return None


INTERNAL_FAILURE = "Processing failed on our side. Please try uploading again."


MEMORY_FAILURE = (
    "This file needs more memory to process than SkyFrame allows. Save it as a baseline "
    "JPEG or an uncompressed or LZW TIFF, or make it smaller, and upload it again."
)


RENDITION_FILES = (
    "original.jpg",
    "display.jpg",
    "display.webp",
    "thumb.jpg",
    "thumb.webp",
    CLIP_FILE,
)


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
    post, key, fmt = _upload_of(session, storage, post_id)
    if key is None:
        return post
    prefix = f"posts/{post.media_key}"
    processed, failed = _render_or_fail(
        session,
        storage,
        post_id,
        key,
        lambda: render_to_storage(storage, prefix, key, fmt, settings),
        memory_reason=MEMORY_FAILURE,
        internal_reason=INTERNAL_FAILURE,
    )
    if processed is None:
        return failed
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


def _upload_of(session: Session, storage: Storage, post_id: int):
    """The post to process, its upload's key and format; the key is None when
    there is nothing to do (the post is gone or settled, or it was failed
    here because its upload is lost)."""
    post = session.get(Post, post_id)
    if post is None or post.status != PostStatus.PROCESSING:
        return post, None, None
    key = incoming_key(post, storage)
    if key is None:
        lost = "The uploaded file was lost before it could be processed."
        return _fail(session, post, lost), None, None
    return post, key, next(f for f in FORMATS if key.endswith("." + f.name))


def _render_or_fail(session, storage, post_id, key, render, *, memory_reason, internal_reason):
    """``render()``'s result and None; or, when it raises, None and the post
    failed with a reason its owner sees (its upload removed)."""
    try:
        return render(), None
    except MediaError as exc:
        reason = str(exc)
    except MemoryError:
        # The worker's memory limit (WORKER_MEMORY_LIMIT_MB) stopped the decode.
        log.warning("processing post %s ran out of memory", post_id, exc_info=True)
        reason = memory_reason
    except Exception:
        log.exception("processing post %s failed", post_id)
        reason = internal_reason
    _discard(storage, [key])
    return None, _fail_if_there(session, post_id, reason)


CLIP_FAILURE = (
    "This clip could not be processed on our side. Please try uploading it again, "
    "or export it as MP4 (H.264) first."
)


def process_clip(
    session: Session, storage: Storage, post_id: int, settings: MediaSettings, now: datetime
) -> Post | None:
    """The clip job: the web MP4, the poster's renditions and the clip's facts.

    As ``process_post``: on failure the post is ``failed`` with a reason its
    owner sees, and every file written for it, and the upload, is removed.
    """
    post, key, fmt = _upload_of(session, storage, post_id)
    if key is None:
        return post
    prefix = f"posts/{post.media_key}"
    session.commit()  # no transaction held open for the minutes a transcode takes
    processed, failed = _render_or_fail(
        session,
        storage,
        post_id,
        key,
        lambda: render_clip_to_storage(storage, prefix, key, fmt, settings),
        memory_reason=CLIP_FAILURE,
        internal_reason=CLIP_FAILURE,
    )
    if processed is None:
        return failed
    written = [s.key for s in processed.stored]
    try:
        post = session.get(Post, post_id)
        if post is None or post.status != PostStatus.PROCESSING:
            # Deleted (or failed by the sweep) while it was transcoding.
            _discard(storage, [*written, key])
            return post
        _store_clip(post, storage, processed)
        post.status = PostStatus.READY
        post.updated_at = now
        session.commit()
    except Exception:
        log.exception("saving the clip of post %s failed", post_id)
        session.rollback()
        _discard(storage, [*written, key])
        post = session.get(Post, post_id)
        return _fail(session, post, INTERNAL_FAILURE) if post is not None else None
    _discard(storage, [key])
    return post


def _store_clip(post: Post, storage: Storage, processed: ProcessedClip) -> None:
    _store_media(post, storage, processed.poster)
    done = processed.transcoded
    post.width, post.height = done.width, done.height
    post.duration_s = done.duration_s
    post.frame_rate = round(done.frame_rate, 3)
    post.has_audio = done.has_audio
    clip = processed.stored[0]
    post.media.append(
        PostMedia(
            kind=clip.kind,
            backend=storage.name,
            key=clip.key,
            content_type=clip.content_type,
            width=clip.width,
            height=clip.height,
            bytes=clip.size,
            sha256=clip.sha256,
        )
    )


def output_keys(post: Post) -> list[str]:
    """Every file name processing may write for the post (not its upload)."""
    return [f"posts/{post.media_key}/{name}" for name in RENDITION_FILES]


def reset_interrupted_clip(session: Session, storage: Storage, post_id: int) -> Post | None:
    """A transcode's process died: remove what it wrote, keep the upload and
    leave the post ``processing``, to be queued again. None unless the post
    is still processing and its upload is still there."""
    post = session.get(Post, post_id)
    if post is None or post.status != PostStatus.PROCESSING:
        return None
    if incoming_key(post, storage) is None:
        return None
    _discard(storage, output_keys(post))
    post.media = []
    session.commit()
    return post


def interrupted_clip_ids(session: Session, *, since: datetime) -> list[int]:
    """Clips still ``processing`` that were uploaded after ``since``: at the
    start of a process that runs clip jobs itself, those a stopped process
    was working on (older ones are the sweep's, which fails them)."""
    return list(
        session.scalars(
            select(Post.id)
            .where(
                Post.status == PostStatus.PROCESSING,
                Post.kind == PostKind.VIDEO,
                Post.created_at >= since,
            )
            .order_by(Post.id)
        )
    )


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


def _fail_if_there(session: Session, post_id: int, reason: str) -> Post | None:
    """Fail the post unless it was deleted (or settled) meanwhile."""
    post = session.get(Post, post_id)
    if post is None or post.status != PostStatus.PROCESSING:
        return post
    return _fail(session, post, reason)


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
        apply_details(post, validate_details(defaults, now, creating=False))


def discard_failed_upload(session: Session, storage: Storage, post: Post) -> str:
    """Remove a post whose processing failed (inline uploads): returns the reason."""
    reason = post.failure_reason or "The file could not be processed."
    delete_post(session, storage, post)
    return reason


def update_post(
    session: Session,
    post: Post,
    editor: User,
    details: PostDetails,
    now: datetime,
    source: AuditSource = AuditSource.WEB,
) -> Post:
    """Apply an edit (owner or staff); labels a moderator sets on someone
    else's post are audited (with ``source``)."""
    if not policy.can_edit_post(post, editor):
        raise PermissionDenied("Only the owner or a moderator can edit this post.")
    apply_details(post, details)
    if "labels" in details.given:
        labels.set_labels(session, editor, post, details.labels or (), now=now, source=source)
    if "observer" in details.given and not post.observer:
        post.observer = post.owner.display_name
    post.updated_at = now
    session.flush()
    return post


def delete_post(session: Session, storage: Storage, post: Post, editor: User | None = None) -> None:
    """Delete the post, commit, then remove its files. With ``editor``, check they may."""
    if editor is not None and not policy.can_edit_post(post, editor):
        raise PermissionDenied("Only the owner or a moderator can delete this post.")
    # Every name the post's files can have, not just the rows loaded now: a
    # job finishing at this moment may be writing renditions.
    keys = {m.key for m in post.media}
    keys |= {f"posts/{post.media_key}/{name}" for name in RENDITION_FILES}
    keys |= {f"incoming/{post.media_key}.{f.name}" for f in FORMATS}
    session.delete(post)
    session.commit()  # files go only once the row is gone for good
    _discard(storage, sorted(keys))
