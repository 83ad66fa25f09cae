"""Moderation over JSON: staff take posts down (and managers restore them),
label posts, resolve strikes and suspend accounts; a user reads their own
standing. Who may do each is skyframe.policy's rule, checked by the domain
action (skyframe.moderation)."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user, login_required

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.schemas.moderation import (
    AccountStanding,
    LabelsIn,
    MyStrikes,
    NoteIn,
    PostLabels,
    Standing,
    StrikeOut,
    SuspendIn,
    TakeDownIn,
    TakeDownOut,
)
from skyframe.extensions import db
from skyframe.models import AuditSource, Strike, TakeDown, User, utcnow
from skyframe.moderation import labels, strikes, suspensions, takedowns

TAGS = ["moderation"]
API = AuditSource.API
STAFF_ERRORS = (403, 404, 409)


def rules() -> strikes.StrikeRules:
    return strikes.StrikeRules.from_config(current_app.config)


def take_down_out(take_down: TakeDown, *, for_staff: bool) -> TakeDownOut:
    return TakeDownOut(
        id=take_down.id,
        post_id=take_down.post_id,
        post_title=take_down.post_title,
        reason=take_down.reason,
        created_at=take_down.created_at,
        restored=take_down.restored_at is not None,
        restored_at=take_down.restored_at,
        restore_note=take_down.restore_note if for_staff else None,
        strike_id=take_down.strike_id,
    )


def strike_out(strike: Strike) -> StrikeOut:
    return StrikeOut(
        id=strike.id,
        reason=strike.reason,
        created_at=strike.created_at,
        active=strike.active,
        resolved_at=strike.resolved_at,
        resolve_note=strike.resolve_note or None,
    )


def standing_out(user: User) -> Standing:
    found = suspensions.standing(db.session, user, rules(), utcnow())
    return Standing(
        suspended=found.suspended,
        suspended_by=found.suspended_by,
        until=found.until,
        reason=found.reason,
        active_strikes=found.active_strikes,
        suspend_at=found.suspend_at,
        take_downs_per_strike=found.take_downs_per_strike,
    )


@bp.post("/admin/posts/<int:post_id>/take-down")
@login_required
@operation(
    tags=TAGS,
    returns=TakeDownOut,
    json=TakeDownIn,
    signed_in=True,
    writes=True,
    errors=STAFF_ERRORS,
)
def take_down_post(post_id: int, json: TakeDownIn):
    """Take a post down (staff; not their own): it leaves every listing and
    its URLs answer 404 to all but its owner and staff; the owner is told the
    reason, and every STRIKE_TAKEDOWNS_PER_STRIKE take-downs issue a strike.
    409 ``already_taken_down``."""
    post = takedowns.post_for_staff(db.session, current_user, post_id)
    removal = takedowns.take_down(
        db.session, current_user, post, json.reason, rules(), now=utcnow(), source=API
    )
    db.session.commit()
    return take_down_out(removal, for_staff=True)


@bp.post("/admin/posts/<int:post_id>/restore")
@login_required
@operation(
    tags=TAGS, returns=TakeDownOut, json=NoteIn, signed_in=True, writes=True, errors=STAFF_ERRORS
)
def restore_post(post_id: int, json: NoteIn):
    """Undo a take-down (managers only): the post is listed again and no strike
    stays counted for it. 409 ``not_taken_down``."""
    post = takedowns.post_for_staff(db.session, current_user, post_id)
    removal = takedowns.restore(
        db.session, current_user, post, json.note, rules(), now=utcnow(), source=API
    )
    db.session.commit()
    return take_down_out(removal, for_staff=True)


@bp.put("/admin/posts/<int:post_id>/labels")
@login_required
@operation(
    tags=TAGS, returns=PostLabels, json=LabelsIn, signed_in=True, writes=True, errors=(403, 404)
)
def label_post(post_id: int, json: LabelsIn):
    """Replace a post's warning labels (staff): the cover viewers tap through."""
    post = takedowns.post_for_staff(db.session, current_user, post_id)
    found = labels.set_labels(db.session, current_user, post, json.labels, now=utcnow(), source=API)
    db.session.commit()
    return PostLabels(post_id=post.id, labels=found)


@bp.post("/admin/strikes/<int:strike_id>/resolve")
@login_required
@operation(
    tags=TAGS, returns=StrikeOut, json=NoteIn, signed_in=True, writes=True, errors=STAFF_ERRORS
)
def resolve_strike(strike_id: int, json: NoteIn):
    """Make a strike inactive (staff, not on their own account); a strike
    suspension lifts below STRIKE_SUSPEND_AT. 409 ``strike_resolved``."""
    strike = strikes.get_strike(db.session, current_user, strike_id)
    strikes.resolve(db.session, current_user, strike, json.note, rules(), now=utcnow(), source=API)
    db.session.commit()
    return strike_out(strike)


@bp.post("/admin/users/<handle>/suspend")
@login_required
@operation(
    tags=TAGS,
    returns=AccountStanding,
    json=SuspendIn,
    signed_in=True,
    writes=True,
    errors=(403, 404),
)
def suspend_user(handle: str, json: SuspendIn):
    """Suspend an account from posting and commenting, until ``until`` or
    until lifted (staff; only managers suspend staff). It can still sign in,
    read and delete its own content."""
    user = suspensions.account_for_staff(db.session, current_user, handle)
    suspensions.suspend(
        db.session,
        current_user,
        user,
        until=json.until,
        reason=json.reason,
        now=utcnow(),
        source=API,
    )
    db.session.commit()
    return AccountStanding(handle=user.handle, standing=standing_out(user))


@bp.post("/admin/users/<handle>/unsuspend")
@login_required
@operation(tags=TAGS, returns=AccountStanding, signed_in=True, writes=True, errors=STAFF_ERRORS)
def unsuspend_user(handle: str):
    """Lift a staff suspension (a suspension by strikes lifts when strikes are
    resolved). 409 ``not_suspended``."""
    user = suspensions.account_for_staff(db.session, current_user, handle)
    suspensions.unsuspend(db.session, current_user, user, now=utcnow(), source=API)
    db.session.commit()
    return AccountStanding(handle=user.handle, standing=standing_out(user))


@bp.get("/me/strikes")
@login_required
@operation(tags=TAGS, returns=MyStrikes, signed_in=True)
def my_strikes():
    """The signed-in user's strikes, take-downs (with reasons) and standing."""
    user = current_user._get_current_object()
    return MyStrikes(
        strikes=[strike_out(s) for s in strikes.of_user(db.session, user.id)],
        take_downs=[
            take_down_out(t, for_staff=False) for t in takedowns.of_user(db.session, user.id)
        ],
        standing=standing_out(user),
    )
