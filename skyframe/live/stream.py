"""A topic's events as a Server-Sent Events stream.

The stream first replays what the listener missed (events after its
``Last-Event-ID``, out of the broker's capped history), then waits for new
ones, writing a comment line as a heartbeat when nothing happened for
``heartbeat_seconds`` so proxies and phones keep the connection open.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

from skyframe.publish import Broker, Event


def format_event(event: Event) -> str:
    data = json.dumps(event.data, separators=(",", ":"), default=str)
    return f"id: {event.id}\nevent: {event.kind}\ndata: {data}\n\n"


HEARTBEAT = ": heartbeat\n\n"


def event_stream(
    broker: Broker,
    topic: str,
    last_event_id: int,
    *,
    heartbeat_seconds: float,
    retry_ms: int = 3000,
    keep_going: Callable[[], bool] = lambda: True,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[str]:
    """SSE text for ``topic`` after ``last_event_id``, until ``keep_going()``
    turns false (the caller ends the stream: session over, server stopping)."""
    yield f"retry: {retry_ms}\n\n"
    seen = last_event_id
    for missed in broker.history(topic, seen):
        seen = missed.id
        yield format_event(missed)
    quiet_since = clock()
    while keep_going():
        arrived = broker.wait(topic, seen, timeout=heartbeat_seconds)
        for fresh in arrived:
            seen = fresh.id
            yield format_event(fresh)
        if arrived:
            quiet_since = clock()
        elif clock() - quiet_since >= heartbeat_seconds:
            quiet_since = clock()
            yield HEARTBEAT
