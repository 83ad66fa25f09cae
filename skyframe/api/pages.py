"""Listings that both doors render: the JSON API answers them, the HTML pages
draw them (the feed, Following, a post's comments, Saved, notifications).
Every keyset listing pages through cursors.keyset_page and ``?cursor=``."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from skyframe import cursors, feed
from skyframe.api.presenters import post_out
from skyframe.api.schemas.posts import PostPage
from skyframe.extensions import db
from skyframe.feed import following
from skyframe.models import Post, User, utcnow
from skyframe.services import feed_cache, feed_settings
from skyframe.social import comments, interactions, notifications
from skyframe.web.viewer import viewer


def for_you_page(cursor: str | None, limit: int | None) -> PostPage:
    """A page of the viewer's feed (the API and the feed page)."""
    reader = viewer()
    page = feed.next_page(
        db.session,
        reader,
        feed_settings(),
        secret=current_app.config["SECRET_KEY"],
        cursor=cursor,
        limit=limit,
        now=utcnow(),
        cache=feed_cache(),
    )
    return PostPage(
        items=[post_out(post, reader, page.flags) for post in page.posts],
        next_cursor=page.next_cursor,
        has_more=page.next_cursor is not None,
    )


def following_page(cursor: str | None, limit: int) -> PostPage:
    """A page of the Following feed for the signed-in user (the API and the page)."""
    flags = None

    def fetch(after):
        nonlocal flags
        rows, flags = following.followed_posts(
            db.session, current_user, limit=limit + 1, before=after
        )
        return rows

    page = cursors.keyset_page(current_app.config["SECRET_KEY"], "following", cursor, limit, fetch)
    return PostPage(
        items=[post_out(post, current_user, flags) for post in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


def comments_page(post: Post, reader: User | None, cursor: str | None, limit: int):
    """A page of a post's conversation, oldest first."""
    return cursors.keyset_page(
        current_app.config["SECRET_KEY"],
        f"comments:{post.id}",
        cursor,
        limit,
        lambda after: comments.conversation(db.session, post, reader, limit=limit, after=after),
    )


def saved_page(cursor: str | None, limit: int):
    """A page of (post, saved at) rows of the signed-in user, latest save first."""
    return cursors.keyset_page(
        current_app.config["SECRET_KEY"],
        "saved",
        cursor,
        limit,
        lambda after: interactions.saved_posts(db.session, current_user, limit=limit, after=after),
        position=lambda row: (row[1], row[0].id),
    )


def notifications_page(cursor: str | None, limit: int):
    """A page of the signed-in user's notifications, newest first."""
    return cursors.keyset_page(
        current_app.config["SECRET_KEY"],
        "notifications",
        cursor,
        limit,
        lambda after: notifications.listing(
            db.session, current_user, limit=limit, before_id=after[1] if after else None
        ),
    )
