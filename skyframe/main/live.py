"""Channel pages: /live/<handle>, a user's running session full-screen or,
offline, their last session's latest frame; and the owner's "Go live" and
"End" forms, which work without JavaScript (static/js/live.js enhances the
page with Server-Sent Events, or polling where those fail).

The channel view gathers what it shows (``channel_context``), then asks
``channel_redirect`` whether to send the viewer elsewhere before rendering:
the hosting part (seed 004) answers there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from skyframe import policy
from skyframe.accounts import users
from skyframe.api.live_presenters import frame_out
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.live import frames as live_frames
from skyframe.live import sessions
from skyframe.main.blueprint import bp
from skyframe.main.forms import ConfirmForm
from skyframe.models import User, utcnow
from skyframe.models.live import LiveSession, LiveStatus
from skyframe.services import broker
from skyframe.web.viewer import viewer

STRIP_FRAMES = 60  # thumbnails on the page; the script keeps adding


def channel_owner(handle: str, reader: User | None) -> User:
    owner = users.user_by_handle(db.session, handle)
    if owner is None or not policy.can_see_channel(owner, reader):
        abort(404)
    return owner


def channel_context(owner: User, reader: User | None, now: datetime) -> dict[str, Any]:
    """What the channel page shows: the running (or last) session, its
    latest frame, the strip of frames so far, and where the script listens."""
    live = sessions.last_session(db.session, owner.id)
    is_live = live is not None and live.status == LiveStatus.LIVE
    strip = (
        live_frames.frames_of(db.session, live, reader, after=None, limit=STRIP_FRAMES)
        if live is not None
        else []
    )
    hub = broker()
    last_event_id, viewers = 0, 0
    if live is not None:
        kept = hub.history(sessions.topic(live.id), 0)
        last_event_id = kept[-1].id if kept else 0
        viewers = hub.present(sessions.topic(live.id)) if is_live else 0
    frames = [frame_out(frame).model_dump(mode="json") for frame in strip]
    return {
        "owner": owner,
        "live": live,
        "is_live": is_live,
        "is_owner": reader is not None and reader.id == owner.id,
        "frames": frames,
        "latest": frames[-1] if frames else None,
        "elapsed": sessions.elapsed_seconds(live, now) if live is not None else 0,
        "viewers": viewers,
        "last_event_id": last_event_id,
        "form": ConfirmForm(),
        "banner": None,  # a hosting banner ("… is hosting …"), set by channel_redirect's part
    }


def channel_redirect(owner: User, reader: User | None, context: dict[str, Any]) -> Response | None:
    """HOSTING HOOK: where a viewer opening ``owner``'s channel is sent
    instead (an offline host's channel redirects to the hosted session, seed
    004), or None to render it. It may also set ``context["banner"]``.
    The owner is never redirected. Nothing here yet: the hosting part fills it."""
    return None


@bp.get("/live/<handle>")
def live_channel(handle: str):
    """A user's channel: live, the newest frame full-screen with the title,
    target, elapsed time, viewer count and the frames so far; offline, the
    last session's latest frame."""
    reader = viewer()
    owner = channel_owner(handle, reader)
    context = channel_context(owner, reader, utcnow())
    # -- hosting redirect: before anything is rendered --------------------------
    sent_elsewhere = channel_redirect(owner, reader, context)
    if sent_elsewhere is not None:
        return sent_elsewhere
    return render_template("live/channel.html", **context)


@bp.post("/live")
@login_required
def go_live_form():
    """Go live from the channel page without JavaScript."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sessions.start_session(
            db.session,
            current_user,
            request.form.get("title", ""),
            request.form.get("object", ""),
            settings=sessions.LiveSettings.from_config(current_app.config),
            now=utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(next(iter(exc.fields.values()), exc.message), "error")
    else:
        db.session.commit()
        flash("You are live.", "info")
    return redirect(url_for("main.live_channel", handle=current_user.handle))


@bp.post("/live/sessions/<int:session_id>/end")
@login_required
def end_live_form(session_id: int):
    """End a session from the channel page without JavaScript."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    live = db.session.get(LiveSession, session_id)
    if live is None or not policy.can_end_live(live, current_user):
        abort(404)
    sessions.end_session(db.session, live, current_user, utcnow())
    db.session.commit()
    flash("Your session has ended.", "info")
    owner = db.session.get(User, live.owner_id)
    return redirect(url_for("main.live_channel", handle=owner.handle))
