"""Server-Timing: how long the app took over each response (W3C Server
Timing; browsers' network panels show it, and the benchmarks read it)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any


class ServerTiming:
    """WSGI middleware adding ``Server-Timing: app;dur=<ms>``: from the
    request reaching the app to its response starting."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()

        def timed(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            spent = (time.perf_counter() - started) * 1000
            headers.append(("Server-Timing", f"app;dur={spent:.2f}"))
            return start_response(status, headers, exc_info)

        return self.app(environ, timed)
