"""GET /api/v1/live/following: the Following page's live strip (seed 004)."""

from __future__ import annotations

from flask_login import current_user, login_required

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.live_presenters import sessions_out
from skyframe.api.schemas.live_following import LiveFollowingItem, LiveFollowingPage
from skyframe.extensions import db
from skyframe.live import following
from skyframe.models import utcnow

TAGS = ["live"]


@bp.get("/live/following")
@login_required
@operation(tags=TAGS, returns=LiveFollowingPage, signed_in=True)
def live_following():
    """The live sessions of the people I follow (newest first), then the
    sessions they host while offline (``hosted_by``), each channel once: one
    I follow directly never shows as hosted."""
    found = following.following_live(db.session, current_user, utcnow())
    sessions = sessions_out(
        [item.session for item in found.items],
        current_user,
        owners={item.channel.id: item.channel for item in found.items},
    )
    return LiveFollowingPage(
        items=[
            LiveFollowingItem(
                session=out,
                channel=item.channel.handle,
                hosted_by=item.hosted_by,
            )
            for item, out in zip(found.items, sessions, strict=True)
        ],
        live_count=found.live_count,
        hosted_count=found.hosted_count,
    )
