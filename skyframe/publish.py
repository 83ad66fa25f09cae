"""One publish interface: events fanned out after a transaction commits.

A domain action that changes something others watch (a live session's new
frame, its end) calls :func:`after_commit` with the session it writes
through; the event goes out only once that transaction commits, and is
dropped with a rollback. ``create_app`` binds a :class:`Broker` to the
database session (``bind``): :class:`MemoryBroker` in one process (the
embedded default), a Redis pub/sub broker where several app servers serve
the same viewers.

Every event has a topic (``live:<session id>``), a kind (``frame``,
``status``, ``viewers``), JSON data, and an id increasing per topic, so a
listener that reconnects with the last id it saw can be given what it
missed out of a short, capped history.

A broker also counts who is watching a topic (``enter``/``leave``/``present``):
each open stream enters with a key of its own and leaves when it closes, so
a viewer count is the same whichever app server the viewers reached.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

# Events kept per topic for listeners that reconnect.
HISTORY_LENGTH = 200
_PENDING = "skyframe.publish.pending"


@dataclass(frozen=True)
class Event:
    topic: str
    id: int
    kind: str
    data: dict[str, Any]


class Broker(Protocol):
    backend: str  # "memory" or "redis", for /readyz

    def publish(self, topic: str, kind: str, data: dict[str, Any]) -> Event: ...

    def history(self, topic: str, after_id: int) -> list[Event]:
        """The topic's kept events with an id above ``after_id``, oldest first."""
        ...

    def wait(self, topic: str, after_id: int, timeout: float) -> list[Event]:
        """Events after ``after_id``, waiting up to ``timeout`` seconds for one."""
        ...

    def enter(self, topic: str, key: str) -> int:
        """Count ``key`` as watching ``topic``; the number watching now."""
        ...

    def leave(self, topic: str, key: str) -> int:
        """``key`` stopped watching ``topic``; the number watching now."""
        ...

    def present(self, topic: str) -> int:
        """How many are watching ``topic``."""
        ...

    def state(self) -> str:
        """`ok`, or `unreachable` when its store does not answer (/readyz)."""
        ...


class MemoryBroker:
    """Topics in this process's memory, each with a capped history."""

    backend = "memory"

    def __init__(self, history_length: int = HISTORY_LENGTH) -> None:
        self._history_length = history_length
        self._topics: dict[str, deque[Event]] = {}
        self._last_ids: dict[str, int] = {}
        self._changed = threading.Condition()
        self._watching: dict[str, set[str]] = {}

    def publish(self, topic: str, kind: str, data: dict[str, Any]) -> Event:
        with self._changed:
            next_id = self._last_ids.get(topic, 0) + 1
            self._last_ids[topic] = next_id
            published = Event(topic, next_id, kind, data)
            kept = self._topics.setdefault(topic, deque(maxlen=self._history_length))
            kept.append(published)
            self._changed.notify_all()
        return published

    def history(self, topic: str, after_id: int) -> list[Event]:
        with self._changed:
            return [kept for kept in self._topics.get(topic, ()) if kept.id > after_id]

    def wait(self, topic: str, after_id: int, timeout: float) -> list[Event]:
        with self._changed:
            self._changed.wait_for(lambda: self._last_ids.get(topic, 0) > after_id, timeout=timeout)
            return [kept for kept in self._topics.get(topic, ()) if kept.id > after_id]

    def enter(self, topic: str, key: str) -> int:
        with self._changed:
            watching = self._watching.setdefault(topic, set())
            watching.add(key)
            return len(watching)

    def leave(self, topic: str, key: str) -> int:
        with self._changed:
            watching = self._watching.get(topic, set())
            watching.discard(key)
            if not watching:
                self._watching.pop(topic, None)
            return len(watching)

    def present(self, topic: str) -> int:
        with self._changed:
            return len(self._watching.get(topic, ()))

    def state(self) -> str:
        return "ok"


def after_commit(
    session: Session | scoped_session, topic: str, kind: str, data: dict[str, Any]
) -> None:
    """Publish ``kind`` on ``topic`` once ``session``'s transaction commits."""
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        session.begin()  # so that a rollback of it forgets the event too
    session.info.setdefault(_PENDING, []).append((topic, kind, data))


_bound: set[int] = set()


def bind(session_factory: Any, broker_for: Callable[[], Broker | None]) -> None:
    """Send pending events through ``broker_for()`` after each commit of
    sessions made by ``session_factory``; forget them on rollback. Binding
    the same factory again changes nothing (apps are made many times)."""
    if id(session_factory) in _bound:
        return
    _bound.add(id(session_factory))

    @event.listens_for(session_factory, "after_commit")
    def _send(session: Session) -> None:
        pending = session.info.pop(_PENDING, None)
        if not pending:
            return
        broker = broker_for()
        if broker is None:
            return
        for topic, kind, data in pending:
            broker.publish(topic, kind, data)

    @event.listens_for(session_factory, "after_soft_rollback")
    def _forget(session: Session, previous_transaction: Any) -> None:
        if not session.in_transaction():
            session.info.pop(_PENDING, None)
