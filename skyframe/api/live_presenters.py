"""Live sessions and frames as the API, the pages' scripts and the event
stream see them: one shape everywhere."""

from __future__ import annotations

from flask import url_for

from skyframe.api.presenters import user_ref
from skyframe.api.schemas.live import LiveFrameOut, LiveSessionOut
from skyframe.models import LiveFrame, LiveSession, User


def frame_out(frame: LiveFrame) -> LiveFrameOut:
    def url(rendition: str, suffix: str) -> str:
        # Served by main.live_frame_file (/live/frames/<media_key>/<rendition>.<suffix>),
        # which checks the frame is still shown.
        return url_for(
            "main.live_frame_file", media_key=frame.media_key, name=f"{rendition}.{suffix}"
        )

    return LiveFrameOut(
        id=frame.id,
        session_id=frame.session_id,
        created_at=frame.created_at,
        width=frame.width,
        height=frame.height,
        placeholder_color=frame.placeholder_color,
        url=url("display", "jpg"),
        webp_url=url("display", "webp"),
        thumb_url=url("thumb", "jpg"),
        thumb_webp_url=url("thumb", "webp"),
    )


def session_out(
    live_session: LiveSession, owner: User, latest_frame: LiveFrame | None
) -> LiveSessionOut:
    return LiveSessionOut(
        id=live_session.id,
        owner=user_ref(owner),
        title=live_session.title,
        object=live_session.object_name,
        status=live_session.status,
        started_at=live_session.started_at,
        ended_at=live_session.ended_at,
        frame_count=live_session.frame_count,
        viewer_count=live_session.viewer_count,
        latest_frame=frame_out(latest_frame) if latest_frame is not None else None,
    )
