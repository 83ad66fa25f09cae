"""Likes, saves and follows over JSON. Every call is idempotent."""

from __future__ import annotations

from flask import request
from flask_login import current_user, login_required

from skyframe import policy
from skyframe.accounts import users
from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.pages import saved_page
from skyframe.api.presenters import post_out
from skyframe.api.schemas.common import PageQuery
from skyframe.api.schemas.posts import PostPage
from skyframe.api.schemas.social import FavoriteState, FollowState, LikeState
from skyframe.exceptions import NotFound
from skyframe.extensions import db
from skyframe.models import utcnow
from skyframe.posts import views as post_views
from skyframe.social import interactions
from skyframe.web.ratelimit import per_user_limit

TAGS = ["interactions"]


def _visible_post(post_id: int):
    return post_views.get_post(db.session, post_id, current_user)


@bp.route("/posts/<int:post_id>/like", methods=["POST", "DELETE"])
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
@operation(tags=TAGS, returns=LikeState, signed_in=True, writes=True, errors=(404, 429))
def like(post_id: int):
    """Like (POST) or unlike (DELETE) a post; repeating either changes nothing."""
    post = _visible_post(post_id)
    liked = request.method == "POST"
    interactions.set_like(db.session, current_user, post, liked)
    db.session.commit()
    return LikeState(liked=liked, like_count=post.like_count)


@bp.route("/posts/<int:post_id>/favorite", methods=["POST", "DELETE"])
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
@operation(tags=TAGS, returns=FavoriteState, signed_in=True, writes=True, errors=(404, 429))
def favorite(post_id: int):
    """Save (POST) or unsave (DELETE) a post; repeating either changes nothing."""
    post = _visible_post(post_id)
    favorited = request.method == "POST"
    interactions.set_saved(db.session, current_user, post, favorited)
    db.session.commit()
    return FavoriteState(favorited=favorited, favorite_count=post.favorite_count)


@bp.route("/users/<handle>/follow", methods=["POST", "DELETE"])
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
@operation(tags=TAGS, returns=FollowState, signed_in=True, writes=True, errors=(404, 429))
def follow(handle: str):
    """Follow (POST) or unfollow (DELETE) a user; you cannot follow yourself
    (422), nor someone a block stands between you and (403 ``blocked``)."""
    followee = users.user_by_handle(db.session, handle)
    if followee is None or not policy.can_see_account(followee, None):
        raise NotFound("No such user.")
    following = request.method == "POST"
    interactions.set_follow(db.session, current_user, followee, following, utcnow())
    db.session.commit()
    followers, follows = interactions.follow_counts(db.session, followee)
    return FollowState(following=following, follower_count=followers, following_count=follows)


@bp.get("/me/favorites")
@login_required
@operation(tags=TAGS, returns=PostPage, query=PageQuery, signed_in=True, errors=(400,))
def saved(query: PageQuery):
    """The signed-in user's saved posts, most recently saved first (cursor-paginated)."""
    page = saved_page(query.cursor, query.limit)
    posts = [post for post, _ in page.items]
    flags = post_views.viewer_flags(db.session, current_user, posts)
    return PostPage(
        items=[post_out(post, current_user, flags) for post in posts],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )
