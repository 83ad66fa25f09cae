"""Site-wide counts for operators: what ``stats`` prints (and ``stats --json``
hands to scripts)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skyframe.jobs import JobCounts
from skyframe.models import Comment, Post, PostLike, PostMedia, PostStatus, User

RECENT_DAYS = 7


class CountsJobs(Protocol):
    def counts(self) -> JobCounts: ...


def _count(session: Session, query) -> int:
    return session.scalar(query) or 0


def user_counts(session: Session, now: datetime) -> dict[str, int]:
    by_state = dict(
        session.execute(select(User.disabled, func.count(User.id)).group_by(User.disabled)).all()
    )
    active, disabled = by_state.get(False, 0), by_state.get(True, 0)
    return {
        "total": active + disabled,
        "active": active,
        "disabled": disabled,
        "signups_last_7_days": _count(
            session,
            select(func.count(User.id)).where(User.created_at >= now - timedelta(days=RECENT_DAYS)),
        ),
    }


def post_counts(session: Session, now: datetime) -> dict[str, int]:
    """Posts by status, and uploads (posts of any status) in the last 7 days."""
    by_status = dict(
        session.execute(select(Post.status, func.count(Post.id)).group_by(Post.status)).all()
    )
    statuses = (PostStatus.READY, PostStatus.PROCESSING, PostStatus.FAILED)
    return {
        "total": sum(by_status.values()),
        **{status.value: by_status.get(status.value, 0) for status in statuses},
        "uploads_last_7_days": _count(
            session,
            select(func.count(Post.id)).where(Post.created_at >= now - timedelta(days=RECENT_DAYS)),
        ),
    }


def storage_by_backend(session: Session) -> dict[str, dict[str, int]]:
    """Stored files and their bytes per storage backend, from the media rows
    (originals, display copies and thumbnails of every post)."""
    rows = session.execute(
        select(PostMedia.backend, func.count(PostMedia.id), func.sum(PostMedia.bytes))
        .group_by(PostMedia.backend)
        .order_by(PostMedia.backend)
    ).all()
    return {backend: {"files": files, "bytes": int(size or 0)} for backend, files, size in rows}


def site_stats(session: Session, now: datetime, jobs: CountsJobs | None = None) -> dict[str, Any]:
    """Counts for ``stats``: users, posts, interactions, storage and jobs.

    ``jobs`` is the configured job backend (its queue is read for waiting and
    failed jobs); without one the ``jobs`` entry is None."""
    return {
        "users": user_counts(session, now),
        "posts": post_counts(session, now),
        "likes": _count(session, select(func.count()).select_from(PostLike)),
        "comments": _count(session, select(func.count()).select_from(Comment)),
        "storage": storage_by_backend(session),
        "jobs": asdict(jobs.counts()) if jobs is not None else None,
    }
