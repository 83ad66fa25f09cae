"""Events a process could not publish because Redis was unreachable.

Publishing happens after the transaction that made the event committed, so
failing the request for it would only lie to the client (its frame *is*
stored). The event waits here instead, in order and bounded (the oldest are
dropped past ``UNSENT_MAX``), and goes out once Redis answers: a thread of
its own tries every ``RESEND_SECONDS`` (an app server may not publish again
for a while, and runs no subscriber), and the broker sends what is kept
before each new event, so a topic's events keep their order.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from redis import RedisError

UNSENT_MAX = 1000
RESEND_SECONDS = 1.0

Send = Callable[[str, str, dict[str, Any]], int]


class Outbox:
    def __init__(self, send: Send, stopping: threading.Event) -> None:
        self._send = send
        self._stopping = stopping
        self._kept: deque[tuple[str, str, dict[str, Any]]] = deque(maxlen=UNSENT_MAX)
        self._lock = threading.Lock()
        self._sending = threading.Lock()
        self._resender: threading.Thread | None = None

    def __len__(self) -> int:
        return len(self._kept)

    def keep(self, topic: str, kind: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._kept.append((topic, kind, data))
            if self._resender is None or not self._resender.is_alive():
                self._resender = threading.Thread(
                    target=self._resend, name="skyframe-publish-resend", daemon=True
                )
                self._resender.start()

    def _resend(self) -> None:
        while self._kept and not self._stopping.wait(RESEND_SECONDS):
            self.send()

    def send(self) -> None:
        """Send what is kept, oldest first, until Redis fails again."""
        if not self._kept or not self._sending.acquire(blocking=False):
            return  # nothing kept, or another thread is sending it
        try:
            while True:
                with self._lock:
                    if not self._kept:
                        return
                    topic, kind, data = self._kept[0]
                try:
                    self._send(topic, kind, data)
                except RedisError:
                    return
                with self._lock:
                    self._kept.popleft()
        finally:
            self._sending.release()
