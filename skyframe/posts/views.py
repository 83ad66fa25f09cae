"""Posts as listings read them: one post the viewer may open, pages of posts
with owner, renditions and tags in one statement (PostView), and what the
viewer has done to them (ViewerFlags)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache

from sqlalchemy import JSON, Select, bindparam, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import Session

from skyframe import policy
from skyframe.database import in_bound_ids
from skyframe.exceptions import NotFound
from skyframe.models import (
    Follow,
    Post,
    PostKind,
    PostLike,
    PostMedia,
    PostSave,
    PostStatus,
    PostTag,
    User,
)
from skyframe.models.post import (
    find_rendition,
)

log = logging.getLogger(__name__)


def get_post(session: Session, post_id: int, viewer: User | None) -> Post:
    """A post the viewer may see: ready posts for everyone, any state for the
    owner and staff, a disabled account's posts for staff only."""
    post = session.get(Post, post_id)
    if post is None or not policy.can_see_post(post, viewer):
        raise NotFound("No such post.")
    return post


def load_posts(session: Session, post_ids: list[int]) -> list[Post]:
    """Posts in the order of ``post_ids``, with owners, renditions and tags
    (three queries for the lot)."""
    if not post_ids:
        return []
    found = {post.id: post for post in session.scalars(select(Post).where(Post.id.in_(post_ids)))}
    return [found[post_id] for post_id in post_ids if post_id in found]


@dataclass(frozen=True, slots=True)
class MediaView:
    """One rendition of a post, as listings show it."""

    kind: str
    key: str
    content_type: str
    width: int
    height: int
    bytes: int


@dataclass(frozen=True, slots=True)
class OwnerView:
    """A post's uploader, as listings show them."""

    id: int
    handle: str
    display_name: str
    email: str
    avatar_key: str | None
    gravatar: bool


@dataclass(frozen=True, slots=True)
class PostView:
    """A read-only post for listings: the attributes of Post that a post's
    JSON reads, loaded as plain rows (hydrating ORM objects with their
    relationships was most of a feed page's CPU). Equal views are equal
    content, so a view can key a cache of what is derived from it."""

    id: int
    owner_id: int
    title: str
    object_name: str | None
    object_id: str | None
    object_common_name: str | None
    object_type: str | None
    object_constellation: str | None
    category: str
    observer: str
    observed_at: datetime | None
    telescope: str | None
    camera: str | None
    mount: str | None
    filters: str | None
    exposure_seconds: float | None
    exposure_count: int | None
    integration_seconds: float | None
    gain: str | None
    bortle: int | None
    notes: str
    status: str
    owner_disabled: bool
    taken_down: bool
    labels: str
    failure_reason: str | None
    width: int | None
    height: int | None
    placeholder_blurhash: str | None
    placeholder_color: str | None
    kind: str
    duration_s: float | None
    frame_rate: float | None
    has_audio: bool | None
    like_count: int
    favorite_count: int
    comment_count: int
    view_count: int
    created_at: datetime
    updated_at: datetime
    owner: OwnerView
    media: tuple[MediaView, ...]
    tags: tuple[str, ...]

    @property
    def is_ready(self) -> bool:
        return self.status == PostStatus.READY

    @property
    def is_listed(self) -> bool:
        return policy.is_listed(self)

    @property
    def is_video(self) -> bool:
        return self.kind == PostKind.VIDEO

    def rendition(self, kind: str, content_type: str) -> MediaView | None:
        return find_rendition(self.media, kind, content_type)


_POST_VIEW_COLUMNS = [f.name for f in fields(PostView)][:-3]  # all but owner, media, tags


_OWNER_VIEW_COLUMNS = [f.name for f in fields(OwnerView)]


_MEDIA_VIEW_COLUMNS = [f.name for f in fields(MediaView)]


@lru_cache(maxsize=8)
def _post_view_statement(dialect: str, with_flags: bool = False) -> Select:
    """The statement of load_post_views, built once (ids bound at run time).

    A post's renditions and tags come as JSON arrays of its row: one round
    trip for the lot. Each element carries its position, and Python sorts
    them (an ORDER BY inside the aggregate needs SQLite 3.44). With flags,
    the viewer's likes, saves and follows come in the same rows.
    """
    posts, users = Post.__table__, User.__table__
    media, tags = PostMedia.__table__, PostTag.__table__
    array, aggregate = (
        (func.json_build_array, func.json_agg)
        if dialect == "postgresql"
        else (func.json_array, func.json_group_array)
    )
    renditions = (
        select(aggregate(array(media.c.id, *(media.c[n] for n in _MEDIA_VIEW_COLUMNS))))
        .where(media.c.post_id == posts.c.id)
        .scalar_subquery()
    )
    post_tags = (
        select(aggregate(array(tags.c.position, tags.c.tag)))
        .where(tags.c.post_id == posts.c.id)
        .scalar_subquery()
    )
    return (
        select(
            *(posts.c[name] for name in _POST_VIEW_COLUMNS),
            *(users.c[name].label(f"owner_{name}") for name in _OWNER_VIEW_COLUMNS),
            type_coerce(renditions, JSON).label("renditions"),
            type_coerce(post_tags, JSON).label("tags"),
            *(viewer_flag_columns(posts.c.id, posts.c.owner_id) if with_flags else ()),
        )
        .join(users, users.c.id == posts.c.owner_id)
        .where(in_bound_ids(posts.c.id, "ids", dialect))
    )


def load_post_views(session: Session, post_ids: list[int]) -> list[PostView]:
    """PostViews in the order of ``post_ids`` (one query for the lot)."""
    return _load_post_views(session, post_ids, None)[0]


def load_post_views_for(
    session: Session, post_ids: list[int], viewer_id: int | None
) -> tuple[list[PostView], ViewerFlags | None]:
    """PostViews in the order of ``post_ids`` and the viewer's flags on them,
    in the same single query (no flags for an anonymous viewer: None)."""
    views, flags = _load_post_views(session, post_ids, viewer_id)
    return views, flags if viewer_id is not None else None


def _load_post_views(
    session: Session, post_ids: list[int], viewer_id: int | None
) -> tuple[list[PostView], ViewerFlags]:
    if not post_ids:
        return [], ViewerFlags()
    with_flags = viewer_id is not None
    statement = _post_view_statement(session.get_bind().dialect.name, with_flags)
    columns, owner_columns = len(_POST_VIEW_COLUMNS), len(_OWNER_VIEW_COLUMNS)
    media_at = columns + owner_columns
    found, flag_rows = {}, []
    params = {"ids": post_ids, "viewer_id": viewer_id} if with_flags else {"ids": post_ids}
    for row in session.execute(statement, params):
        renditions, tags = row[media_at : media_at + 2]
        view = found[row[0]] = PostView(
            *row[:columns],
            owner=OwnerView(*row[columns:media_at]),
            media=tuple(MediaView(*item[1:]) for item in sorted(renditions or ())),
            tags=tuple(tag for _, tag in sorted(tags or ())),
        )
        if with_flags:
            flag_rows.append((view.id, view.owner_id, *row[media_at + 2 :]))
    views = [found[post_id] for post_id in post_ids if post_id in found]
    return views, flags_from_rows(flag_rows)


@dataclass(frozen=True)
class ViewerFlags:
    """What one viewer has done to a page of posts."""

    liked: frozenset[int] = frozenset()  # post ids
    saved: frozenset[int] = frozenset()  # post ids
    following: frozenset[int] = frozenset()  # uploader ids


def viewer_flags(session: Session, user: User, posts: Sequence[Post | PostView]) -> ViewerFlags:
    """The viewer's likes, saves and follows among ``posts``: one query of
    three indexed parts for a whole page, however long."""
    if not posts:
        return ViewerFlags()
    params = {
        "user_id": user.id,
        "post_ids": [post.id for post in posts],
        "owner_ids": list({post.owner_id for post in posts}),
    }
    found: dict[str, set[int]] = {"liked": set(), "saved": set(), "followed": set()}
    statement = _viewer_flags_statement(session.get_bind().dialect.name)
    for kind, item_id in session.execute(statement, params):
        found[kind].add(item_id)
    return ViewerFlags(
        frozenset(found["liked"]), frozenset(found["saved"]), frozenset(found["followed"])
    )


def viewer_flag_columns(post_id, owner_id) -> list:
    """Whether the viewer bound as ``viewer_id`` liked, saved and follows the
    uploader of the post in ``post_id``/``owner_id``: three columns for a
    statement that lists posts (read back with flags_from_rows).

    Each is a primary-key probe per post. (As EXISTS, PostgreSQL may instead
    hash every like or follow of the viewer's, for each page: cheap for most
    people, not for someone with a hundred thousand likes.)
    """
    user_id = bindparam("viewer_id")

    def probe(column, *conditions):
        return select(column).where(*conditions).limit(1).scalar_subquery().is_not(None)

    liked = probe(PostLike.post_id, PostLike.user_id == user_id, PostLike.post_id == post_id)
    saved = probe(PostSave.post_id, PostSave.user_id == user_id, PostSave.post_id == post_id)
    following = probe(
        Follow.followee_id, Follow.follower_id == user_id, Follow.followee_id == owner_id
    )
    return [
        liked.label("viewer_liked"),
        saved.label("viewer_saved"),
        following.label("viewer_following"),
    ]


def flags_from_rows(rows: Sequence[tuple[int, int, bool, bool, bool]]) -> ViewerFlags:
    """ViewerFlags from (post id, owner id, liked, saved, following) rows."""
    return ViewerFlags(
        frozenset(post_id for post_id, _, liked, _, _ in rows if liked),
        frozenset(post_id for post_id, _, _, saved, _ in rows if saved),
        frozenset(owner_id for _, owner_id, _, _, following in rows if following),
    )


@lru_cache(maxsize=4)
def _viewer_flags_statement(dialect: str):
    # Built once: every listing page runs it, and building it cost more CPU
    # than running it.
    user_id = bindparam("user_id")
    liked = select(literal("liked"), PostLike.post_id).where(
        PostLike.user_id == user_id, in_bound_ids(PostLike.post_id, "post_ids", dialect)
    )
    saved = select(literal("saved"), PostSave.post_id).where(
        PostSave.user_id == user_id, in_bound_ids(PostSave.post_id, "post_ids", dialect)
    )
    followed = select(literal("followed"), Follow.followee_id).where(
        Follow.follower_id == user_id, in_bound_ids(Follow.followee_id, "owner_ids", dialect)
    )
    return union_all(liked, saved, followed)
