"""Following live in the HTML pages: the Live strip of the Following page
and the bottom navigation's badge (red: followed channels live; blue, only
when none is: channels followed hosts are hosting)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from skyframe.extensions import db
from skyframe.live import following
from skyframe.main.blueprint import bp
from skyframe.models import utcnow


@dataclass(frozen=True)
class Badge:
    kind: str  # "live" (red) or "hosted" (blue)
    count: int

    @property
    def label(self) -> str:
        return f"{self.count} live" if self.kind == "live" else f"{self.count} hosted"


@bp.app_template_global()
def live_strip() -> following.FollowingLive | None:
    """The signed-in viewer's live strip, once per request (the page and
    its badge share it); None when signed out or the database fails."""
    if not current_user.is_authenticated:
        return None
    if "live_strip" not in g:
        try:
            g.live_strip = following.following_live(db.session, current_user, utcnow())
        except SQLAlchemyError:  # the badge never takes a page down with it
            db.session.rollback()
            g.live_strip = None
    return g.live_strip


@bp.app_template_global()
def following_badge() -> Badge | None:
    """The Following item's badge, or None: from the page's strip when it
    has one, otherwise from the counts alone (two queries of ids)."""
    if not current_user.is_authenticated:
        return None
    if g.get("live_strip") is not None:
        live, hosted = g.live_strip.live_count, g.live_strip.hosted_count
    else:
        try:
            live, hosted = following.following_counts(db.session, current_user, utcnow())
        except SQLAlchemyError:  # the badge never takes a page down with it
            db.session.rollback()
            return None
    if live:
        return Badge("live", live)
    if hosted:
        return Badge("hosted", hosted)
    return None
