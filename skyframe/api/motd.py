"""Messages of the day for the signed-in user."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user, login_required

from skyframe import motd as motd_service
from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.schemas.motd import MotdItem, MotdList
from skyframe.extensions import db
from skyframe.models import utcnow

TAGS = ["motd"]


@bp.get("/motd")
@login_required
@operation(tags=TAGS, returns=MotdList, signed_in=True)
def pending_motd():
    """Published messages inside their window that this user has not dismissed."""
    if not current_app.config["MOTD_ENABLED"]:
        return MotdList(items=[])
    messages = motd_service.pending_for_user(db.session, current_user.id, utcnow())
    return MotdList(items=[MotdItem.model_validate(m, from_attributes=True) for m in messages])


@bp.post("/motd/<int:motd_id>/ack")
@login_required
@operation(tags=TAGS, ok=204, signed_in=True, writes=True, errors=(404,))
def acknowledge_motd(motd_id: int):
    """Dismiss a message so it is not shown to this user again."""
    motd_service.acknowledge(db.session, current_user.id, motd_id, utcnow())
    db.session.commit()
    return "", 204
