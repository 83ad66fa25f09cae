"""Glue between web requests and the post domain: taking an upload out of a
request, starting its processing job, and the job itself."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge, ServiceUnavailable

from skyframe.exceptions import ValidationFailed
from skyframe.extensions import db
from skyframe.jobs import QueueFull, current_jobs
from skyframe.live import frames as live_frames
from skyframe.models import Post, PostStatus, User, utcnow
from skyframe.models.live import LiveFrame, LiveSession
from skyframe.posts import details as post_details
from skyframe.posts import lifecycle as post_lifecycle
from skyframe.services import current_storage, media_settings

PROCESS_POST = "process_post"
PROCESS_CLIP = "process_clip"
# Times a clip's transcode is started when its process dies under it (the
# worker killed or restarted); the last death fails the post.
CLIP_ATTEMPTS = 2
log = logging.getLogger(__name__)


def uploaded_file(upload: object) -> FileStorage:
    """The request's spooled file, checked as every upload is (a post's, a
    live frame's): one was chosen, and it is within UPLOAD_MAX_BYTES."""
    if not isinstance(upload, FileStorage) or not upload.filename:
        raise ValidationFailed(
            "Choose a file to upload.", fields={"file": "Choose a file to upload."}
        )
    upload.stream.flush()
    # The request limit includes the form fields; the file has its own.
    if os.fstat(upload.stream.fileno()).st_size > current_app.config["UPLOAD_MAX_BYTES"]:
        raise RequestEntityTooLarge()
    return upload


def receive_frame(upload: object, live: LiveSession, owner: User) -> LiveFrame:
    """Validate, render and keep a frame pushed to a live session (in the
    request: a frame is small and wanted now); see live.frames.push_frame."""
    upload = uploaded_file(upload)
    return live_frames.push_frame(
        db.session,
        current_storage(),
        live,
        owner,
        upload_path=Path(upload.stream.name),
        filename=upload.filename or "",
        declared_type=upload.mimetype,
        settings=media_settings(),
        frames_kept=current_app.config["LIVE_FRAMES_KEPT"],
        now=utcnow(),
    )


def receive_upload(upload: object, raw_fields: dict, owner: User) -> Post:
    """Validate, store and start processing an upload; returns the post.

    With inline jobs an image comes back ``ready``, or the upload is refused
    with ValidationFailed and leaves nothing behind; with a worker it comes
    back ``processing``. A clip always comes back ``processing``: its
    transcode is a job (a background thread with inline jobs).
    """
    details = post_details.validate_details(raw_fields, utcnow(), creating=True)
    upload = uploaded_file(upload)
    storage = current_storage()
    post = post_lifecycle.create_post(
        db.session,
        storage,
        owner,
        upload_path=Path(upload.stream.name),
        filename=upload.filename,
        declared_type=upload.mimetype,
        details=details,
        settings=media_settings(),
        now=utcnow(),
    )
    db.session.commit()
    try:
        if post.is_video:
            current_jobs().enqueue(PROCESS_CLIP, post.id, 1)
            return post
        current_jobs().enqueue(PROCESS_POST, post.id)
    except Exception as exc:  # the queue (Redis) is unreachable, or full
        log.exception("could not queue post %s", post.id)
        post_lifecycle.delete_post(db.session, storage, post)
        raise ServiceUnavailable("Uploads cannot be processed right now; try again soon.") from exc
    db.session.refresh(post)
    if post.status == PostStatus.FAILED:
        reason = post_lifecycle.discard_failed_upload(db.session, storage, post)
        if reason == post_lifecycle.INTERNAL_FAILURE:
            raise ServiceUnavailable(reason)
        raise ValidationFailed(reason, fields={"file": reason})
    return post


def process_post_killed(post_id: int) -> None:
    """The work-horse died processing the post (e.g. WORKER_MEMORY_LIMIT_MB)."""
    post_lifecycle.fail_interrupted_post(db.session, current_storage(), post_id)


def process_post_job(post_id: int) -> None:
    post_lifecycle.process_post(db.session, current_storage(), post_id, media_settings(), utcnow())


def process_clip_job(post_id: int, attempt: int = 1) -> None:
    post_lifecycle.process_clip(db.session, current_storage(), post_id, media_settings(), utcnow())


def resume_interrupted_clips(now: datetime) -> int:
    """Queue again the clips the previous serving process left transcoding
    (inline jobs: its background thread died with it). Each gets its last
    attempt, so a clip that brings the process down is not retried forever;
    clips older than STALE_UPLOAD_MINUTES are left to the sweep."""
    since = now - timedelta(minutes=current_app.config["STALE_UPLOAD_MINUTES"])
    storage = current_storage()
    resumed = 0
    for post_id in post_lifecycle.interrupted_clip_ids(db.session, since=since):
        if post_lifecycle.reset_interrupted_clip(db.session, storage, post_id) is None:
            continue
        try:
            current_jobs().enqueue(PROCESS_CLIP, post_id, CLIP_ATTEMPTS)
        except QueueFull:
            break  # the sweep fails what is left after STALE_UPLOAD_MINUTES
        resumed += 1
    return resumed


def process_clip_killed(post_id: int, attempt: int = 1) -> None:
    """The process transcoding the clip died: start again (the upload is
    kept) up to CLIP_ATTEMPTS times, then fail the post with a reason."""
    storage = current_storage()
    if attempt < CLIP_ATTEMPTS:
        post = post_lifecycle.reset_interrupted_clip(db.session, storage, post_id)
        if post is not None:
            try:
                current_jobs().enqueue(PROCESS_CLIP, post_id, attempt + 1)
                return
            except Exception:
                log.exception("could not queue clip %s again", post_id)
    post_lifecycle.fail_interrupted_post(
        db.session, storage, post_id, reason=post_lifecycle.CLIP_FAILURE
    )
