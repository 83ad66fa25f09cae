"""Appeals over JSON: the owner appeals a take-down or a strike once (a
suspended account too); managers list them and decide."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user, login_required

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import user_ref
from skyframe.api.schemas.appeals import (
    AppealDecision,
    AppealFiled,
    AppealIn,
    AppealList,
    AppealOut,
    AppealQueue,
    AppealQueueQuery,
    AppealTargetOut,
    DecisionIn,
    StaffAppealOut,
)
from skyframe.extensions import db
from skyframe.models import Appeal, AuditSource, TakeDown, utcnow
from skyframe.moderation.strikes import StrikeRules
from skyframe.support import appeals

TAGS = ["appeals"]
ADMIN_TAGS = ["moderation"]


def appeal_out(appeal: Appeal, about: str) -> AppealOut:
    return AppealOut(
        id=appeal.id,
        target_type=appeal.target_type,
        target_id=appeal.target_id,
        about=about,
        text=appeal.text,
        status=appeal.status,
        created_at=appeal.created_at,
        decided_at=appeal.decided_at,
        decision_note=appeal.decision_note,
        ticket_id=appeal.ticket_id,
    )


def _mine(appeal: Appeal) -> AppealOut:
    return appeal_out(appeal, appeals.about(appeals.target_of(db.session, appeal), appeal))


def staff_appeal_out(appeal: Appeal) -> StaffAppealOut:
    target = appeals.target_of(db.session, appeal)
    is_take_down = isinstance(target, TakeDown)
    return StaffAppealOut(
        **appeal_out(appeal, appeals.about(target, appeal)).model_dump(),
        appellant=user_ref(appeal.appellant),
        decided_by=user_ref(appeal.decided_by) if appeal.decided_by is not None else None,
        target=AppealTargetOut(
            exists=target is not None,
            stands=target is not None and appeals.stands(target),
            reason=target.reason if target is not None else "",
            post_id=target.post_id if is_take_down else None,
            created_at=target.created_at if target is not None else None,
        ),
    )


@bp.post("/appeals")
@login_required
@operation(
    tags=TAGS,
    ok=201,
    returns=AppealFiled,
    json=AppealIn,
    signed_in=True,
    writes=True,
    errors=(404, 409),
)
def file_appeal(json: AppealIn):
    """Appeal a take-down of your post or a strike on your account (201), once
    and while it stands; suspended accounts may appeal. It opens a ticket to
    the managers with your text. Another's or none: 404; appealed already:
    409 ``already_appealed``; restored or resolved: 409 ``decision_not_standing``."""
    filed = appeals.appeal(
        db.session, current_user, json.target_type, json.target_id, json.text, utcnow()
    )
    db.session.commit()
    return AppealFiled(appeal=_mine(filed)), 201


@bp.get("/appeals")
@login_required
@operation(tags=TAGS, returns=AppealList, signed_in=True)
def my_appeals():
    """Your appeals and their decisions, newest first."""
    return AppealList(items=[_mine(a) for a in appeals.of_user(db.session, current_user.id)])


@bp.get("/admin/appeals")
@login_required
@operation(
    tags=ADMIN_TAGS, returns=AppealQueue, query=AppealQueueQuery, signed_in=True, errors=(400, 403)
)
def appeal_queue(query: AppealQueueQuery):
    """Appeals of one status (managers): pending ones oldest first, decided
    ones newest first (cursor-paginated)."""
    page = appeals.queue(
        db.session,
        current_user,
        secret=current_app.config["SECRET_KEY"],
        status=query.status,
        cursor=query.cursor,
        limit=query.limit,
    )
    return AppealQueue(
        items=[staff_appeal_out(a) for a in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@bp.post("/admin/appeals/<int:appeal_id>/decision")
@login_required
@operation(
    tags=ADMIN_TAGS,
    returns=AppealDecision,
    json=DecisionIn,
    signed_in=True,
    writes=True,
    errors=(404, 409),
)
def decide_appeal(appeal_id: int, json: DecisionIn):
    """Decide an appeal (managers, never their own), once: ``overturn``
    restores the post or resolves the strike (lifting a strike suspension
    below STRIKE_SUSPEND_AT), ``uphold`` keeps it; the appellant is told with
    the note. 409 ``appeal_decided``; uphold of a decision undone meanwhile:
    409 ``decision_not_standing``."""
    appeal = appeals.get_appeal(db.session, current_user, appeal_id)
    appeals.decide(
        db.session,
        current_user,
        appeal,
        json.decision,
        json.note,
        StrikeRules.from_config(current_app.config),
        now=utcnow(),
        source=AuditSource.API,
    )
    db.session.commit()
    return AppealDecision(appeal=staff_appeal_out(appeal))
