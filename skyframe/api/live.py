"""Live observing sessions over JSON: go live, end, push frames, poll them,
turn a frame into a post; staff take frames down. The events stream is
skyframe.api.live_events.

Start, end and push-frame are plain functions with the route decorator
right above the rest, so that another way of signing in (a personal access
token for capture software) can be stacked on them.
"""

from __future__ import annotations

import contextlib

from flask import current_app, request, url_for
from flask_login import current_user, login_required

from skyframe import policy
from skyframe.accounts import users
from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.live_presenters import frame_out, session_out
from skyframe.api.presenters import post_out
from skyframe.api.schemas.live import (
    FrameOut,
    FramePage,
    FramePublish,
    FrameQuery,
    FrameUpload,
    LiveStart,
    SessionEnvelope,
)
from skyframe.api.schemas.moderation import TakeDownIn
from skyframe.api.schemas.posts import PostOut
from skyframe.exceptions import NotFound
from skyframe.extensions import db
from skyframe.live import frames as live_frames
from skyframe.live import sessions
from skyframe.models import AuditSource, utcnow
from skyframe.models.live import LiveFrame, LiveStatus
from skyframe.posts import lifecycle as post_lifecycle
from skyframe.services import broker, current_storage
from skyframe.storage import StorageError
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.requests import accepts_uploads
from skyframe.web.uploads import receive_frame
from skyframe.web.viewer import viewer

TAGS = ["live"]


def settings() -> sessions.LiveSettings:
    return sessions.LiveSettings.from_config(current_app.config)


def _envelope(live, reader, *, exact_viewers: bool = False) -> SessionEnvelope:
    viewers = None
    if exact_viewers and live.status == LiveStatus.LIVE:
        viewers = broker().present(sessions.topic(live.id))
    return SessionEnvelope(session=session_out(live, viewer=reader, viewers=viewers))


@bp.post("/live")
@login_required
@operation(
    tags=TAGS,
    ok=201,
    returns=SessionEnvelope,
    json=LiveStart,
    signed_in=True,
    writes=True,
    errors=(409,),
)
def start_live(json: LiveStart):
    """Go live: a session with a title (up to 120 characters) and a target
    object. Your followers are told (at most once per
    LIVE_NOTIFY_COOLDOWN_MINUTES). 409 ``already_live`` while another of your
    sessions runs; 403 ``suspended`` for a suspended account."""
    live = sessions.start_session(
        db.session, current_user, json.title, json.object, settings=settings(), now=utcnow()
    )
    db.session.commit()
    location = url_for("api.get_live", session_id=live.id)
    return _envelope(live, current_user), 201, {"Location": location}


@bp.get("/live/<int:session_id>")
@operation(tags=TAGS, returns=SessionEnvelope, errors=(404,))
def get_live(session_id: int):
    """A session, running or ended, with its newest frame."""
    reader = viewer()
    live = sessions.get_session(db.session, session_id, reader)
    return _envelope(live, reader, exact_viewers=True)


@bp.post("/live/<int:session_id>/end")
@login_required
@operation(tags=TAGS, returns=SessionEnvelope, signed_in=True, writes=True, errors=(403, 404))
def end_live(session_id: int):
    """End a session (its owner; staff too). Ending an ended session changes nothing."""
    live = sessions.get_session(db.session, session_id, current_user)
    sessions.end_session(db.session, live, current_user, utcnow())
    db.session.commit()
    return _envelope(live, current_user)


@bp.get("/users/<handle>/live")
@operation(tags=TAGS, returns=SessionEnvelope, errors=(404,))
def user_live(handle: str):
    """The user's running session; 404 when they are offline."""
    reader = viewer()
    owner = users.user_by_handle(db.session, handle)
    if owner is None or not policy.can_see_channel(owner, reader):
        raise NotFound("No such user.")
    live = sessions.running_session(db.session, owner.id)
    if live is None:
        raise NotFound(f"@{owner.handle} is not live.")
    return _envelope(live, reader, exact_viewers=True)


@bp.get("/live/<int:session_id>/frames")
@operation(tags=TAGS, returns=FramePage, query=FrameQuery, errors=(404,))
def list_frames(session_id: int, query: FrameQuery):
    """A session's frames, oldest first: those after ``after`` (a frame id),
    or the newest ``limit``. Where Server-Sent Events are not available, a
    page polls this with the last id it has."""
    reader = viewer()
    live = sessions.get_session(db.session, session_id, reader)
    found = live_frames.frames_of(db.session, live, reader, after=query.after, limit=query.limit)
    return FramePage(
        items=[frame_out(frame) for frame in found],
        status=live.status,
        viewer_count=live.viewer_count,
    )


@bp.post("/live/<int:session_id>/frames")
@accepts_uploads
@login_required
@per_user_limit("LIVE_FRAME_LIMIT", scope="live-frames", methods=["POST"])
@operation(
    tags=TAGS,
    ok=201,
    returns=FrameOut,
    form=FrameUpload,
    signed_in=True,
    writes=True,
    errors=(404, 409, 413, 429, 507),
)
def push_frame(session_id: int, form: FrameUpload):
    """Send a frame to your running session (multipart ``file``): checked and
    stripped of embedded metadata as post uploads are, rendered small
    (display 1600 px, thumb 320 px) and shown on the channel at once. The
    session keeps its newest LIVE_FRAMES_KEPT frames. Refused files answer
    422 under ``fields.file``; 409 ``session_ended`` once it ended; at most
    LIVE_FRAME_LIMIT per user."""
    live = sessions.get_session(db.session, session_id, current_user)
    if not policy.can_push_frame(live, current_user):
        raise NotFound("No such live session.")
    frame = receive_frame(request.files.get("file"), live, current_user)
    return frame_out(frame), 201


@bp.post("/live/<int:session_id>/frames/<int:frame_id>/publish")
@login_required
@operation(
    tags=TAGS,
    ok=201,
    returns=PostOut,
    json=FramePublish,
    signed_in=True,
    writes=True,
    errors=(404, 507),
)
def publish_frame(session_id: int, frame_id: int, json: FramePublish):
    """Make a normal post of one of your frames, with the post fields (title
    and object default to the session's; category is needed)."""
    live = sessions.get_session(db.session, session_id, current_user)
    if not policy.can_push_frame(live, current_user):
        raise NotFound("No such live session.")
    frame = live_frames.get_frame(db.session, live, frame_id, current_user)
    if frame.taken_down:
        raise NotFound("No such frame.")
    storage = current_storage()
    post = live_frames.publish_frame(
        db.session,
        storage,
        live,
        frame,
        current_user,
        json.model_dump(exclude_unset=True),
        utcnow(),
    )
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for key in post_lifecycle.output_keys(post):
            with contextlib.suppress(StorageError):
                storage.delete(key)
        raise
    location = url_for("api.get_post", post_id=post.id)
    return post_out(post, current_user, with_original=True), 201, {"Location": location}


@bp.post("/admin/live/frames/<int:frame_id>/take-down")
@login_required
@operation(
    tags=["moderation"],
    returns=FrameOut,
    json=TakeDownIn,
    signed_in=True,
    writes=True,
    errors=(403, 404, 409),
)
def take_down_frame(frame_id: int, json: TakeDownIn):
    """Take a live frame down (staff; not their own): it disappears from the
    channel and its files answer 404 to all but its owner and staff, as a
    taken-down post's do; audited. 409 ``already_taken_down``."""
    policy.require(policy.can_moderate(current_user), "Only staff moderate frames.")
    frame = db.session.get(LiveFrame, frame_id)
    if frame is None:
        raise NotFound("No such frame.")
    live_frames.take_down_frame(
        db.session, current_user, frame, json.reason, now=utcnow(), source=AuditSource.API
    )
    db.session.commit()
    return frame_out(frame)
