"""A live session's events as Server-Sent Events: GET /api/v1/live/<id>/events.

The stream sends ``event: frame|status|viewers`` with the broker's ids as
``id:`` lines; a browser reconnecting sends ``Last-Event-ID`` and gets what
it missed out of the broker's capped history (``skyframe.publish``). A first
connection may name the id it starts after (``?last_event_id=``, from the
page it was opened on); without either it starts at the newest event.

No database session is held while streaming: the session is read, the
request's connection goes back to the pool, and the stream then waits on
the broker alone (``wait`` with a timeout, a heartbeat comment each
LIVE_HEARTBEAT_SECONDS that nothing happens). A process serves at most
LIVE_STREAMS_PER_PROCESS streams (beyond: 503 with Retry-After), each for at
most LIVE_STREAM_MAX_SECONDS (the browser then reconnects where it was). A
session that ended answers 204 once its last events were sent, which tells
EventSource to stop reconnecting.

Each stream counts as a viewer (broker ``enter``/``leave``, so every app
server sees one count); a change is published as a ``viewers`` event at most
every two seconds per session and process (``ViewerNews``), and written to
``live_sessions.viewer_count`` at most every VIEWER_COUNT_WRITE_SECONDS, and
when the last viewer leaves, so listings read a count roughly in step without
a database write per viewer.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator

from flask import Flask, Response, current_app, request
from pydantic import BaseModel, Field
from sqlalchemy import update

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.live_presenters import frame_out, frame_url_prefix
from skyframe.exceptions import Busy
from skyframe.extensions import db
from skyframe.live import sessions
from skyframe.models.live import LiveSession, LiveStatus
from skyframe.publish import Broker, Event
from skyframe.services import broker
from skyframe.web.viewer import viewer

TAGS = ["live"]
RETRY_MS = 3000  # how soon a browser reconnects after a stream ends
VIEWER_COUNT_WRITE_SECONDS = 30.0


class TooManyStreams(Busy):
    retry_after = 10


class EventsQuery(BaseModel):
    last_event_id: int | None = Field(
        default=None,
        ge=0,
        le=2**53,
        description="Start after this event id (a page's first connection; a reconnection "
        "sends the Last-Event-ID header instead, which wins).",
    )


class StreamSlots:
    """How many streams this process serves now, against a cap."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.open = 0

    def take(self, cap: int) -> bool:
        with self._lock:
            if self.open >= cap:
                return False
            self.open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.open -= 1


def stream_slots(app: Flask) -> StreamSlots:
    """The app's slots: one app serves a process in production, and apps made
    side by side (tests) keep their counts apart."""
    return app.extensions.setdefault("skyframe.stream_slots", StreamSlots())


_count_written: dict[int, float] = {}
_count_lock = threading.Lock()


def _last_event_id(query: EventsQuery) -> int | None:
    header = request.headers.get("Last-Event-ID", "").strip()
    if header.isdigit() and len(header) < 16:
        return int(header)
    return query.last_event_id


def sse(event: Event, data: dict) -> str:
    """One event on the wire (JSON is one line: no newline inside ``data:``)."""
    body = json.dumps(data, separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.kind}\ndata: {body}\n\n"


def _wire(event: Event, prefix: str) -> str:
    data = event.data
    if event.kind == "frame" and "media_key" in data:
        data = frame_out(data, prefix=prefix).model_dump(mode="json")
    return sse(event, data)


def _ends(event: Event) -> bool:
    return event.kind == "status" and event.data.get("status") == LiveStatus.ENDED


def _write_count(app: Flask, session_id: int, count: int, *, force: bool = False) -> None:
    """Keep ``viewer_count`` roughly in step: a short transaction of its own,
    at most every VIEWER_COUNT_WRITE_SECONDS per session in this process."""
    now = time.monotonic()
    with _count_lock:
        if not force and now - _count_written.get(session_id, 0.0) < VIEWER_COUNT_WRITE_SECONDS:
            return
        _count_written[session_id] = now
    with app.app_context():
        try:
            db.session.execute(
                update(LiveSession).where(LiveSession.id == session_id).values(viewer_count=count)
            )
            db.session.commit()
        except Exception:  # a count is not worth failing a stream for
            db.session.rollback()
        finally:
            db.session.remove()


class ViewerNews:
    """When the number watching a topic changed, publish it, at most once per
    ``every`` seconds per topic in this process: five hundred viewers
    arriving at once make a few ``viewers`` events, not five hundred sent to
    five hundred streams. A change held back goes out with the next look
    (each stream looks after every wake-up: an event or a heartbeat)."""

    def __init__(self, every: float = 2.0) -> None:
        self.every = every
        self._lock = threading.Lock()
        self._sent: dict[str, tuple[float, int]] = {}
        self._pending: set[str] = set()

    def changed(self, topic: str) -> None:
        with self._lock:
            self._pending.add(topic)

    def due(self, hub: Broker, topic: str) -> int | None:
        """The count to publish now, or None (nothing new, or too soon)."""
        now = time.monotonic()
        with self._lock:
            if topic not in self._pending:
                return None
            sent_at, sent_count = self._sent.get(topic, (-self.every, -1))
            if now - sent_at < self.every:
                return None
            self._pending.discard(topic)
            count = hub.present(topic)
            if count == sent_count:
                return None
            self._sent[topic] = (now, count)
        return count


NEWS = ViewerNews()


def _tell_viewers(app: Flask, hub: Broker, topic: str, session_id: int) -> None:
    count = NEWS.due(hub, topic)
    if count is not None:
        hub.publish(topic, "viewers", {"count": count})
        _write_count(app, session_id, count)


def _stream(
    app: Flask,
    hub: Broker,
    session_id: int,
    after: int,
    *,
    prefix: str,
    heartbeat: float,
    lasts: float,
) -> Iterator[str]:
    topic = sessions.topic(session_id)
    key = uuid.uuid4().hex
    deadline = time.monotonic() + lasts
    try:
        yield f"retry: {RETRY_MS}\n\n"
        hub.enter(topic, key)
        NEWS.changed(topic)
        while True:
            _tell_viewers(app, hub, topic, session_id)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            events = hub.wait(topic, after, timeout=min(heartbeat, remaining))
            if not events:
                yield ": heartbeat\n\n"
                continue
            for event in events:
                after = event.id
                yield _wire(event, prefix)
                if _ends(event):
                    return
    finally:
        if hub.leave(topic, key) == 0:
            # Nobody left to pass the news on: the count goes to 0 now.
            hub.publish(topic, "viewers", {"count": 0})
            _write_count(app, session_id, 0, force=True)
        else:
            NEWS.changed(topic)


@bp.get("/live/<int:session_id>/events")
@operation(
    tags=TAGS,
    query=EventsQuery,
    streams="text/event-stream",
    also_codes=(204,),
    errors=(404, 503),
)
def live_events(session_id: int, query: EventsQuery):
    """The session's events as Server-Sent Events (``text/event-stream``):
    ``frame`` (a new frame, as in the frames listing; or ``{"removed": id}``
    when one is taken down), ``status`` (``{"id", "status", "ended_at"}``),
    ``viewers`` (``{"count"}``), each with an ``id:``; a comment line is a
    heartbeat. Reconnect with ``Last-Event-ID`` to get what was missed. 204
    once an ended session has nothing more to send; 503 with Retry-After when
    this server holds LIVE_STREAMS_PER_PROCESS streams already."""
    live = sessions.get_session(db.session, session_id, viewer())
    status = live.status
    db.session.remove()  # nothing from the database while streaming
    hub = broker()
    topic = sessions.topic(session_id)
    after = _last_event_id(query)
    if after is None:
        kept = hub.history(topic, 0)
        after = kept[-1].id if kept else 0
    # Made here, from the request the viewer sent: the stream has no request
    # context (and an app-made one would carry a Host TRUSTED_HOSTS refuses).
    prefix = frame_url_prefix()
    if status == LiveStatus.ENDED:
        # Viewer counts of an ended session are no news (the last streams
        # leaving publish some after its end).
        missed = [event for event in hub.history(topic, after) if event.kind != "viewers"]
        if not missed:
            return Response(status=204)
        return _response(["".join(_wire(event, prefix) for event in missed)])
    config = current_app.config
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    slots = stream_slots(app)
    if not slots.take(config["LIVE_STREAMS_PER_PROCESS"]):
        raise TooManyStreams("This server is streaming to as many viewers as it can; try again.")
    response = _response(
        _stream(
            app,
            hub,
            session_id,
            after,
            prefix=prefix,
            heartbeat=float(config["LIVE_HEARTBEAT_SECONDS"]),
            lasts=float(config["LIVE_STREAM_MAX_SECONDS"]),
        )
    )
    # The server closes the response however the stream ends, even before
    # its first chunk (a generator's own finally would not run then).
    response.call_on_close(_once(slots.give_back))
    return response


def _once(func):
    done = threading.Event()

    def call() -> None:
        if not done.is_set():
            done.set()
            func()

    return call


def _response(chunks) -> Response:
    response = Response(chunks, mimetype="text/event-stream")
    # Not cached, not compressed (COMPRESS_STREAMS is off), not held back by a proxy.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response
