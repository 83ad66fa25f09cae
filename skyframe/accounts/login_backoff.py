"""The loose, global per-account login cap: it slows attempts down instead
of blocking them.

Failed logins to an account from browsers without its device cookie are
counted across every address (a fixed window of ``window`` seconds). Past
``after`` of them, such attempts are let through one at a time: each takes a
slot that stays taken 1, 2, 4 … seconds (up to ``max_delay``) as failures go
on, and attempts meanwhile are told to retry when it frees. A guesser
spreading over many addresses gets one try per ``max_delay``; the owner,
from a new browser, waits at most that long, and from a known browser not at
all (skyframe.login_devices).

The counters live in the rate-limit storage (memory or Redis) through its
``incr``/``get``/``get_expiry``; if that storage fails, attempts go through
(the per-address limits still hold) and a warning is logged.
"""

from __future__ import annotations

import logging
import math
import time

log = logging.getLogger(__name__)


class AccountBackoff:
    def __init__(
        self, storage, *, after: int, window: int, max_delay: int, prefix: str = "login-backoff"
    ) -> None:
        self._storage = storage
        self._after = after
        self._window = window
        self._max_delay = max_delay
        self._prefix = prefix

    def wait(self, account: str) -> int:
        """Seconds until this account takes another attempt from an unknown
        browser; 0 means go ahead (the attempt has taken the slot)."""
        try:
            failures = self._storage.get(f"{self._prefix}:failures:{account}")
            if failures < self._after:
                return 0
            delay = min(self._max_delay, 2 ** min(failures - self._after, 30))
            slot = f"{self._prefix}:slot:{account}"
            if self._storage.incr(slot, delay) == 1:
                return 0
            return max(1, math.ceil(self._storage.get_expiry(slot) - time.time()))
        except Exception:
            log.warning("login back-off unavailable (rate-limit storage failed)", exc_info=True)
            return 0

    def failed(self, account: str) -> None:
        try:
            self._storage.incr(f"{self._prefix}:failures:{account}", self._window)
        except Exception:
            log.warning("login back-off unavailable (rate-limit storage failed)", exc_info=True)
