"""Hosting over JSON (seed 004): whether others may host my channel, my
hosting list, and the typeahead that fills it. The auto-host job does the
hosting itself (skyframe.live.hosting.job); nothing here notifies anyone."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user, login_required

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import user_ref
from skyframe.api.schemas.hosting import (
    HostingSettingsIn,
    HostingSettingsOut,
    HostingTargetIn,
    HostingTargetList,
    HostingTargetOut,
    SuggestPage,
    SuggestQuery,
)
from skyframe.extensions import db, limiter
from skyframe.live.hosting import targets
from skyframe.live.hosting.rules import HostingSettings
from skyframe.models import HostingTarget, User, utcnow
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.urls import avatar_url

TAGS = ["hosting"]


def target_out(row: HostingTarget, user: User) -> HostingTargetOut:
    return HostingTargetOut(
        handle=user.handle,
        display_name=user.display_name,
        avatar_url=avatar_url(user),
        status=row.status,
        last_hosted_at=row.last_hosted_at,
    )


@bp.get("/me/hosting")
@login_required
@operation(tags=TAGS, returns=HostingSettingsOut, signed_in=True)
def my_hosting():
    """Whether other observers may host my channel (off until turned on)."""
    return HostingSettingsOut(allow_hosting=current_user.allow_hosting)


@bp.patch("/me/hosting")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
@operation(
    tags=TAGS,
    returns=HostingSettingsOut,
    json=HostingSettingsIn,
    signed_in=True,
    writes=True,
    errors=(429,),
)
def set_my_hosting(json: HostingSettingsIn):
    """Allow (or stop allowing) other observers to host my channel; those
    hosting it now stop at the job's next run."""
    targets.set_allow_hosting(db.session, current_user, json.allow_hosting)
    db.session.commit()
    return HostingSettingsOut(allow_hosting=current_user.allow_hosting)


@bp.get("/me/hosting/targets")
@login_required
@operation(tags=TAGS, returns=HostingTargetList, signed_in=True)
def my_hosting_targets():
    """My hosting list in the order added, each with its status and when I
    last hosted it."""
    rows = targets.targets_of(db.session, current_user)
    return HostingTargetList(items=[target_out(row, user) for row, user in rows])


@bp.post("/me/hosting/targets")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
@operation(
    tags=TAGS,
    ok=201,
    returns=HostingTargetOut,
    json=HostingTargetIn,
    signed_in=True,
    writes=True,
    errors=(403, 404, 429),
    also_returns={200: HostingTargetOut},
)
def add_hosting_target(json: HostingTargetIn):
    """Add an observer to my hosting list (201, ``ready``); one already on it
    answers 200 with its row. A suspended account: 403 ``suspended``; 422
    ``host_not_qualified`` when I may not host (too few hours live, too new
    an account); 422
    ``target_not_qualified`` naming the failed rule in ``fields.handle``
    (they do not allow hosting, their account is not active, they blocked
    me); myself: 422; no such user: 404."""
    settings = HostingSettings.from_config(current_app.config)
    row, created = targets.add_target(db.session, current_user, json.handle, utcnow(), settings)
    db.session.commit()
    user = db.session.get(User, row.target_id)
    return target_out(row, user), 201 if created else 200


@bp.delete("/me/hosting/targets/<handle>")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
@operation(tags=TAGS, ok=204, signed_in=True, writes=True, errors=(404, 429))
def remove_hosting_target(handle: str):
    """Take an observer off my hosting list (not on it: nothing changes);
    if I was hosting them, I stop at once. No such user: 404."""
    targets.remove_target(db.session, current_user, handle)
    db.session.commit()
    return "", 204


def _search_limit() -> str:
    return current_app.config["SEARCH_LIMIT"]


@bp.get("/me/hosting/suggest")
@login_required
@limiter.shared_limit(_search_limit, scope="search")
@operation(tags=TAGS, returns=SuggestPage, query=SuggestQuery, signed_in=True, errors=(429,))
def suggest_hosting_targets(query: SuggestQuery):
    """Up to 10 observers whose handle starts with q (any case; % _ and \\
    literal) whom I may host and who are not on my list yet; more than 24
    characters finds nothing."""
    found = targets.suggest(db.session, current_user, query.q, utcnow())
    return SuggestPage(items=[user_ref(user) for user in found])
