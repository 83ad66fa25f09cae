"""Blending two candidate pools into one page: pure functions, no database.

The prioritised pool (followed uploaders, liked posts) gets
``prioritized_pct`` per cent of the page and the global pool the rest,
interleaved evenly; when one pool runs dry or its candidates break a cap, the
other fills in. Caps: at most ``max_per_uploader`` posts of one uploader per
page and at most ``max_consecutive`` in a row (0 = no cap).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    post_id: int
    uploader_id: int
    created_at: datetime
    prioritized: bool = False

    @property
    def position(self) -> tuple[datetime, int]:
        return self.created_at, self.post_id


@dataclass(frozen=True)
class Caps:
    max_per_uploader: int = 0
    max_consecutive: int = 0


def prioritized_slots(size: int, prioritized_pct: int) -> int:
    return round(size * prioritized_pct / 100)


def fits(page: Sequence[Candidate], candidate: Candidate, caps: Caps) -> bool:
    """Whether ``candidate`` may come next on ``page``."""
    if any(c.post_id == candidate.post_id for c in page):
        return False
    uploader = candidate.uploader_id
    if caps.max_per_uploader and (
        sum(c.uploader_id == uploader for c in page) >= caps.max_per_uploader
    ):
        return False
    if caps.max_consecutive and len(page) >= caps.max_consecutive:
        tail = page[-caps.max_consecutive :]
        if all(c.uploader_id == uploader for c in tail):
            return False
    return True


def _take_first_fitting(
    pool: list[Candidate], page: Sequence[Candidate], caps: Caps
) -> Candidate | None:
    for index, candidate in enumerate(pool):
        if fits(page, candidate, caps):
            return pool.pop(index)
    return None


def _prefers_prioritized(page: Sequence[Candidate], size: int, slots: int) -> bool:
    """Spread the prioritised share evenly down the page."""
    taken = sum(c.prioritized for c in page)
    if taken >= slots:
        return False
    others = len(page) - taken
    if others >= size - slots:
        return True
    # Behind schedule (taken/slots <= others/other_slots): a prioritised turn.
    return taken * (size - slots) <= others * slots


def blend(
    prioritized: Sequence[Candidate],
    global_: Sequence[Candidate],
    *,
    size: int,
    prioritized_pct: int,
    caps: Caps,
    page: Sequence[Candidate] = (),
) -> list[Candidate]:
    """Choose up to ``size`` candidates (in page order) to follow ``page``.

    ``page`` is what the page already holds (from an earlier phase): caps
    and duplicates count it, and the prioritised share applies to the whole.
    Within each pool, candidates keep their order (newest first).
    """
    pools = {True: list(prioritized), False: list(global_)}
    chosen: list[Candidate] = list(page)
    total = len(page) + size
    slots = prioritized_slots(total, prioritized_pct)
    while len(chosen) < total:
        first = _prefers_prioritized(chosen, total, slots)
        candidate = _take_first_fitting(pools[first], chosen, caps) or _take_first_fitting(
            pools[not first], chosen, caps
        )
        if candidate is None:
            break
        chosen.append(candidate)
    return chosen[len(page) :]


MAX_SERVED_AHEAD = 100


@dataclass(frozen=True)
class PoolWalk:
    """How far one pool has been walked, newest first.

    Everything at or newer than ``after`` has been dealt with; ``served`` are
    older candidates already shown (taken out of order when a newer one broke
    a cap): they are excluded until the walk passes them. Keeping the skipped
    candidate in play instead of jumping past it means no post is lost to a
    cap, so the seen history really does exhaust every unseen post.
    """

    after: tuple[datetime, int] | None = None
    served: tuple[tuple[datetime, int], ...] = ()

    @property
    def served_ids(self) -> list[int]:
        return [post_id for _, post_id in self.served]


def advance(
    walk: PoolWalk,
    candidates: Sequence[Candidate],
    chosen: Sequence[Candidate],
    skipped: frozenset[int] = frozenset(),
) -> PoolWalk:
    """The walk after ``chosen`` were taken from ``candidates`` (newest first).
    Candidates by ``skipped`` uploaders (a block) are passed over like taken
    ones, but not remembered as served: they are never to be shown."""
    taken = {c.post_id for c in chosen}
    after = walk.after
    for candidate in candidates:
        if candidate.post_id not in taken and candidate.uploader_id not in skipped:
            break
        after = candidate.position
    served = {p for p in walk.served if after is None or p < after}
    served.update(c.position for c in chosen if after is None or c.position < after)
    if len(served) > MAX_SERVED_AHEAD:
        # Pathological caps: jump past them rather than grow the cursor.
        return PoolWalk(min(served))
    return PoolWalk(after, tuple(sorted(served, reverse=True)))
