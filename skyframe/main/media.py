"""Serving stored files: renditions shown in pages, and downloads.

Files are never a static folder: each request finds the file's record,
checks the post may be seen, and answers with the recorded type, nosniff and
an ETag. On object storage the answer is a redirect to a short-lived URL.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, request, send_file
from sqlalchemy import select

from skyframe import policy
from skyframe.exceptions import NotFound, ValidationFailed
from skyframe.extensions import db, limiter
from skyframe.live import frames as live_frames
from skyframe.main.blueprint import bp
from skyframe.models import PostMedia, User
from skyframe.posts import views as post_views
from skyframe.services import current_storage
from skyframe.web.downloads import content_disposition, safe_filename
from skyframe.web.viewer import viewer

# Keys hold a random per-post prefix, so a URL's file never changes.
IMMUTABLE = 365 * 24 * 3600
DOWNLOAD_SIZES = {"original": "original", "display": "display", "thumb": "thumb"}


def send_stored(
    key: str,
    content_type: str,
    *,
    etag: str | None = None,
    download_name: str | None = None,
    cache_seconds: int = IMMUTABLE,
):
    """A stored file as a response: streamed from local disk, or a redirect to
    a short-lived signed URL on object storage (never cached longer than it lives)."""
    storage = current_storage()
    path = storage.local_path(key)
    if path is None:
        url = storage.download_url(
            key, filename=download_name or key.rsplit("/", 1)[1], content_type=content_type
        )
        response = redirect(url, code=302)
        lifetime = max(0, current_app.config["S3_PRESIGN_SECONDS"] - 60)
        response.headers["Cache-Control"] = f"private, max-age={lifetime}"
        return response
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=content_type,
        conditional=True,
        etag=etag or True,
        max_age=cache_seconds,
        download_name=download_name,
        as_attachment=bool(download_name),
    )
    if download_name:
        response.headers["Content-Disposition"] = content_disposition(download_name)
    elif cache_seconds == IMMUTABLE:
        response.headers["Cache-Control"] = f"public, max-age={IMMUTABLE}, immutable"
    return response


def _is_original(key: str) -> bool:
    """Whether ``key`` names a full-size original: renditions are stored as
    ``posts/<media key>/<kind>.<extension>`` (media.pipeline)."""
    return key.rsplit("/", 1)[-1].split(".", 1)[0] == "original"


def _requested_key() -> str:
    return (request.view_args or {}).get("key", "")


# Originals are what downloads are (DOWNLOAD_LIMIT covers /p/<id>/download):
# without their own limit here, /media served them without any. Renditions
# get a looser one: a fast swipe through the feed, or a grid of thumbnails,
# loads a few per second, and browsers cache every file for a year.
_ORIGINAL_LIMIT = limiter.shared_limit(
    lambda: current_app.config["MEDIA_ORIGINAL_LIMIT"],
    scope="media-original",
    exempt_when=lambda: not _is_original(_requested_key()),
)
_RENDITION_LIMIT = limiter.shared_limit(
    lambda: current_app.config["MEDIA_RENDITION_LIMIT"],
    scope="media-rendition",
    exempt_when=lambda: _is_original(_requested_key()),
)


@bp.get("/media/<path:key>")
@_ORIGINAL_LIMIT
@_RENDITION_LIMIT
def media_file(key: str):
    """A stored file of a post, counted per client (MEDIA_ORIGINAL_LIMIT for
    originals, MEDIA_RENDITION_LIMIT for the rest) on local storage and S3 alike."""
    media = db.session.scalar(select(PostMedia).where(PostMedia.key == key))
    if media is None or not policy.can_see_post(media.post, viewer()):
        abort(404)
    # Only what everyone sees is cached publicly: an unfinished post, or a
    # disabled account's post shown to staff, is not.
    public = policy.is_listed(media.post)
    return send_stored(
        media.key, media.content_type, etag=media.sha256, cache_seconds=IMMUTABLE if public else 0
    )


@bp.get("/live-media/<media_key>/<name>")
@_RENDITION_LIMIT
def live_frame_file(media_key: str, name: str):
    """A file of a live frame (skyframe.live.frames.FRAME_FILES): for whoever
    may see the channel, and a taken-down frame's for its owner and staff.
    Counted as renditions (MEDIA_RENDITION_LIMIT)."""
    content_type = live_frames.CONTENT_TYPES.get(name)
    frame = live_frames.frame_by_media_key(db.session, media_key) if content_type else None
    reader = viewer()
    if frame is None or not policy.can_see_frame(frame, reader):
        abort(404)
    owner = db.session.get(User, frame.owner_id)
    if owner is None or not policy.can_see_channel(owner, reader):
        abort(404)
    public = not frame.taken_down and not (owner.disabled or owner.deleted_at is not None)
    return send_stored(
        live_frames.file_key(media_key, name),
        content_type,
        etag=f"{media_key}-{name}",
        cache_seconds=IMMUTABLE if public else 0,
    )


def _download_limit() -> str:
    return current_app.config["DOWNLOAD_LIMIT"]


@bp.get("/p/<int:post_id>/download")
@limiter.limit(_download_limit)
def download(post_id: int):
    """The post's image as an attachment: ?size=original (default), display or
    thumb. For a clip, original is the MP4 (served with byte ranges) and the
    other sizes its poster frame."""
    size = request.args.get("size", "original")
    if size not in DOWNLOAD_SIZES:
        raise ValidationFailed(
            "size must be original, display or thumb.",
            fields={"size": "original, display or thumb"},
        )
    post = post_views.get_post(db.session, post_id, viewer())
    if post.is_video and size == "original":
        # A clip's download is its MP4; display and thumb are its poster's.
        media, extension = post.rendition("video", "video/mp4"), "mp4"
    else:
        media, extension = post.rendition(DOWNLOAD_SIZES[size], "image/jpeg"), "jpg"
    if media is None:
        raise NotFound("This post has no image yet." if extension == "jpg" else "Not ready yet.")
    suffix = "" if size == "original" else f"-{size}"
    name = safe_filename(post.title + suffix, extension)
    return send_stored(
        media.key, media.content_type, etag=media.sha256, download_name=name, cache_seconds=3600
    )
