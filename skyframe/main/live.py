"""Channel pages: /live/<handle>, a user's live session or, offline, their last one."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from skyframe import policy
from skyframe.accounts import users
from skyframe.extensions import db
from skyframe.live import sessions
from skyframe.live.hosting import redirects
from skyframe.main.blueprint import bp
from skyframe.web.viewer import viewer


@bp.get("/live/<handle>")
def live_channel(handle: str):
    """A user's channel."""
    reader = viewer()
    owner = users.user_by_handle(db.session, handle)
    if owner is None or not policy.can_see_channel(owner, reader):
        abort(404)
    # Hosting (seed 004): an offline host's viewers go to the channel it hosts.
    follow = request.args.get("follow_host", "true") != "false"
    target = redirects.where_to(db.session, reader, owner, follow)
    if target is not None:
        return redirect(url_for("main.live_channel", handle=target.handle, host=owner.handle))
    banner = redirects.banner(
        db.session, reader, owner, host_handle=request.args.get("host"), follow_host=follow
    )
    live = sessions.last_session(db.session, owner.id)
    return render_template(
        "live/channel.html",
        owner=owner,
        live=live,
        hosting_banner=banner,
        uses_bootstrap_js=banner is not None,  # the banner's close button
    )
