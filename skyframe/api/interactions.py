"""Likes, favourites and follows over JSON. Every call is idempotent."""

from __future__ import annotations

from flask import request
from flask_login import current_user, login_required

from skyframe import accounts, interactions, posts
from skyframe.api import bp
from skyframe.api.contract import operation
from skyframe.api.schemas import FavoriteState, FollowState, LikeState
from skyframe.exceptions import NotFound
from skyframe.extensions import db

TAGS = ["interactions"]


def _visible_post(post_id: int):
    return posts.get_post(db.session, post_id, current_user)


@bp.route("/posts/<int:post_id>/like", methods=["POST", "DELETE"])
@login_required
@operation(tags=TAGS, returns=LikeState, signed_in=True, writes=True, errors=(404,))
def like(post_id: int):
    """Like (POST) or unlike (DELETE) a post; repeating either changes nothing."""
    post = _visible_post(post_id)
    liked = request.method == "POST"
    interactions.set_like(db.session, current_user, post, liked)
    db.session.commit()
    return LikeState(liked=liked, like_count=post.like_count)


@bp.route("/posts/<int:post_id>/favorite", methods=["POST", "DELETE"])
@login_required
@operation(tags=TAGS, returns=FavoriteState, signed_in=True, writes=True, errors=(404,))
def favorite(post_id: int):
    """Save (POST) or unsave (DELETE) a post; repeating either changes nothing."""
    post = _visible_post(post_id)
    favorited = request.method == "POST"
    interactions.set_favorite(db.session, current_user, post, favorited)
    db.session.commit()
    return FavoriteState(favorited=favorited, favorite_count=post.favorite_count)


@bp.route("/users/<handle>/follow", methods=["POST", "DELETE"])
@login_required
@operation(tags=TAGS, returns=FollowState, signed_in=True, writes=True, errors=(404,))
def follow(handle: str):
    """Follow (POST) or unfollow (DELETE) a user; you cannot follow yourself (422)."""
    followee = accounts.user_by_handle(db.session, handle)
    if followee is None or followee.disabled:
        raise NotFound("No such user.")
    following = request.method == "POST"
    interactions.set_follow(db.session, current_user, followee, following)
    db.session.commit()
    followers, follows = interactions.follow_counts(db.session, followee)
    return FollowState(following=following, follower_count=followers, following_count=follows)
