"""Live sessions and their frames as the API, the events stream and the
channel page's script see them.

``session_out(live, ...)`` is the one shape of a session (POST /live, GET
/live/<id>, GET /users/<handle>/live, the Following live strip); for a
list, ``sessions_out`` loads the owners and latest frames in two queries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import func, select

from skyframe import catalogue, policy
from skyframe.api.presenters import user_ref
from skyframe.api.schemas.live import FrameOut, FrameRendition, SessionOut
from skyframe.api.schemas.posts import CatalogueRef
from skyframe.extensions import db
from skyframe.live import frames as live_frames
from skyframe.models import User
from skyframe.models.live import LiveFrame, LiveSession

_UNSET: Any = object()


def frame_url_prefix() -> str:
    """The start of every frame file's URL (``<prefix><media key>/<name>``):
    made once, so the events stream can build URLs without a request context."""
    return url_for("main.live_frame_file", media_key="k", name="n")[: -len("k/n")]


def frame_out(
    frame: LiveFrame | Mapping[str, Any], *, prefix: str | None = None, taken_down: bool = False
) -> FrameOut:
    """A frame (a row, or a ``frame`` event's data: live.frames.frame_data)."""
    facts = live_frames.frame_data(frame) if isinstance(frame, LiveFrame) else dict(frame)
    if isinstance(frame, LiveFrame):
        taken_down = frame.taken_down
    base = (prefix if prefix is not None else frame_url_prefix()) + facts["media_key"] + "/"

    def files(kind: str) -> list[FrameRendition]:
        return [
            FrameRendition(url=base + f"{kind}.{ext}", content_type=content_type)
            for ext, content_type in (("webp", "image/webp"), ("jpg", "image/jpeg"))
        ]

    created = facts["created_at"]
    return FrameOut(
        id=facts["id"],
        session_id=facts["session_id"],
        created_at=datetime.fromisoformat(created) if isinstance(created, str) else created,
        width=facts["width"],
        height=facts["height"],
        placeholder_color=facts.get("placeholder_color"),
        display=files("display"),
        thumb=files("thumb"),
        taken_down=taken_down,
    )


def _object(live: LiveSession) -> CatalogueRef | None:
    if not live.object_name:
        return None
    found = catalogue.by_id(live.object_id) if live.object_id else None
    return CatalogueRef(
        id=found.id if found else None,
        name=live.object_name,
        common_name=found.common_name if found else None,
        type=found.type if found else None,
        constellation=found.constellation if found else None,
    )


def session_out(
    live: LiveSession,
    *,
    owner: User | None = None,
    latest: LiveFrame | None = _UNSET,
    viewer: User | None = None,
    viewers: int | None = None,
) -> SessionOut:
    """One session as JSON.

    ``owner``: its owner (loaded when not given); ``latest``: its newest frame
    the viewer may see, or None (looked up when not given: a query);
    ``viewer``: who asks (their own and staff see taken-down frames);
    ``viewers``: an exact count of watching pages (the broker's), else the
    session's ``viewer_count`` column, which the events streams keep roughly
    in step.
    """
    owner = owner if owner is not None else db.session.get(User, live.owner_id)
    if latest is _UNSET:
        latest = live_frames.latest_frame(db.session, live, viewer)
    return SessionOut(
        id=live.id,
        owner=user_ref(owner),
        title=live.title,
        object=_object(live),
        status=live.status,
        started_at=live.started_at,
        ended_at=live.ended_at,
        frame_count=live.frame_count,
        viewer_count=viewers if viewers is not None else live.viewer_count,
        latest_frame=frame_out(latest) if latest is not None else None,
    )


def sessions_out(
    lives: Sequence[LiveSession],
    viewer: User | None = None,
    owners: Mapping[int, User] | None = None,
) -> list[SessionOut]:
    """Many sessions (a listing): owners in one query (unless the caller has
    them, by id), each one's newest frame shown to everyone in another."""
    if not lives:
        return []
    ids = [live.id for live in lives]
    if owners is None:
        owners = {
            user.id: user
            for user in db.session.scalars(
                select(User).where(User.id.in_({live.owner_id for live in lives}))
            )
        }
    newest = (
        select(func.max(LiveFrame.id))
        .where(LiveFrame.session_id.in_(ids), LiveFrame.taken_down.is_(False))
        .group_by(LiveFrame.session_id)
    )
    latest = {
        frame.session_id: frame
        for frame in db.session.scalars(select(LiveFrame).where(LiveFrame.id.in_(newest)))
    }
    prefix = frame_url_prefix()
    out = []
    for live in lives:
        frame = latest.get(live.id)
        item = session_out(live, owner=owners[live.owner_id], latest=None, viewer=viewer)
        if frame is not None and policy.can_see_frame(frame, viewer):
            item.latest_frame = frame_out(frame, prefix=prefix)
        out.append(item)
    return out
