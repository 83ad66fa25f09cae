"""Channel pages: /live/<handle>, a user's live session or, offline, their last one."""

from __future__ import annotations

from flask import abort, render_template

from skyframe import policy
from skyframe.accounts import users
from skyframe.extensions import db
from skyframe.live import sessions
from skyframe.main.blueprint import bp
from skyframe.web.viewer import viewer


@bp.get("/live/<handle>")
def live_channel(handle: str):
    """A user's channel."""
    reader = viewer()
    owner = users.user_by_handle(db.session, handle)
    if owner is None or not policy.can_see_channel(owner, reader):
        abort(404)
    live = sessions.last_session(db.session, owner.id)
    return render_template("live/channel.html", owner=owner, live=live)
