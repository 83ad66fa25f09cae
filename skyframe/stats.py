"""Site-wide counts for operators."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skyframe.models import Comment, Post, PostLike, User
from skyframe.visibility import listed_posts


def site_stats(session: Session, now: datetime) -> dict[str, int]:
    """Counts for ``stats``."""
    week_ago = now - timedelta(days=7)
    return {
        "users": session.scalar(select(func.count(User.id))) or 0,
        "active_users": session.scalar(select(func.count(User.id)).where(User.disabled.is_(False)))
        or 0,
        "signups_last_7_days": session.scalar(
            select(func.count(User.id)).where(User.created_at >= week_ago)
        )
        or 0,
        "posts": session.scalar(select(func.count(Post.id)).where(*listed_posts())) or 0,
        "likes": session.scalar(select(func.count()).select_from(PostLike)) or 0,
        "comments": session.scalar(select(func.count()).select_from(Comment)) or 0,
        "posts_last_7_days": session.scalar(
            select(func.count(Post.id)).where(*listed_posts(), Post.created_at >= week_ago)
        )
        or 0,
    }
