"""Demo data: a realistic site, fast — for trying SkyFrame and for benchmarks.

A few prolific uploaders and many occasional ones (a power law), follows
that favour popular uploaders, likes and impressions that favour recent
posts, and a handful of heavy users (many follows, a long seen history).
Rows are generated with numpy and written in bulk: COPY on PostgreSQL, batched
inserts on SQLite. Counters on posts match the generated likes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from skyframe.demo.captions import TARGETS, caption, catalogue_targets
from skyframe.demo.images import DemoImages
from skyframe.models import FeedSeen, Follow, Post, PostLike, PostMedia, PostTag, User
from skyframe.models.post import SEARCH_COLUMNS, search_fields
from skyframe.storage import Storage

DEMO_PASSWORD = "Stargazing-Demo-1"  # noqa: S105 - printed for people trying the demo


@dataclass(frozen=True)
class DemoShape:
    users: int = 50
    posts: int = 200
    follows_per_user: int = 10
    likes_per_user: int = 20
    seen_per_user: int = 20
    heavy_users: int = 0
    heavy_follows: int = 500
    heavy_seen: int = 30_000
    days: int = 60
    images: bool = True
    seed: int = 7


@dataclass(frozen=True)
class DemoReport:
    users: int
    posts: int
    follows: int
    likes: int
    seen: int
    first_user: str
    heavy_user: str | None


def seed_demo(
    session: Session, storage: Storage, shape: DemoShape, now: datetime, password_hash: str
) -> DemoReport:
    """Add a demo site to the database (and its images to ``storage``)."""
    rng = np.random.default_rng(shape.seed)
    user_ids = _add_users(session, shape, now, password_hash)
    weights = _popularity(len(user_ids), rng)
    owners = user_ids[rng.choice(len(user_ids), size=shape.posts, p=weights)]
    ages = np.sort(rng.uniform(0, shape.days * 86_400, size=shape.posts))[::-1]
    first_post = _next_id(session, Post)
    post_ids = np.arange(first_post, first_post + shape.posts)

    follows_per = np.full(len(user_ids), shape.follows_per_user)
    seen_per = np.full(len(user_ids), shape.seen_per_user)
    follows_per[: shape.heavy_users] = shape.heavy_follows
    seen_per[: shape.heavy_users] = shape.heavy_seen
    followers, followees = _pairs(user_ids, follows_per, user_ids, weights, rng, no_self=True)
    recency = _recency(shape.posts)
    likers, liked = _pairs(
        user_ids, np.full(len(user_ids), shape.likes_per_user), post_ids, recency, rng
    )
    viewers, viewed = _pairs(user_ids, seen_per, post_ids, recency, rng)
    like_counts = np.bincount(liked - first_post, minlength=shape.posts)

    _add_posts(session, storage, shape, post_ids, owners, ages, like_counts, now, rng)
    everyone = np.full(len(followers), shape.days * 86_400.0)
    # Likes and impressions come after the upload (and impressions within
    # the feed's default 30-day retention).
    liked_ages = ages[liked - first_post]
    viewed_ages = np.minimum(ages[viewed - first_post], 30 * 86_400.0)
    for table, columns, pairs, oldest in (
        (
            Follow.__table__,
            ("follower_id", "followee_id", "created_at"),
            (followers, followees),
            everyone,
        ),
        (PostLike.__table__, ("user_id", "post_id", "created_at"), (likers, liked), liked_ages),
        (FeedSeen.__table__, ("user_id", "post_id", "seen_at"), (viewers, viewed), viewed_ages),
    ):
        _bulk(session, table, columns, _with_times(*pairs, oldest, now, rng))
    return DemoReport(
        users=len(user_ids),
        posts=len(post_ids),
        follows=len(followers),
        likes=len(likers),
        seen=len(viewers),
        first_user=_handle(int(user_ids[-1])),
        heavy_user=_handle(int(user_ids[0])) if shape.heavy_users else None,
    )


def _handle(user_id: int) -> str:
    return f"demo{user_id}"


def _next_id(session: Session, model) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def _add_users(session: Session, shape: DemoShape, now: datetime, password_hash: str) -> np.ndarray:
    start = _next_id(session, User)
    ids = np.arange(start, start + shape.users)
    rows = (
        (
            int(i),
            f"{_handle(int(i))}@example.org",
            f"{_handle(int(i))}@example.org",
            _handle(int(i)),
            f"Demo observer {int(i)}",
            password_hash,
            "user",
            False,
            now - timedelta(days=shape.days + 1),
        )
        for i in ids
    )
    _bulk(
        session,
        User.__table__,
        (
            "id",
            "email",
            "email_key",
            "handle",
            "display_name",
            "password_hash",
            "role",
            "disabled",
            "created_at",
        ),
        rows,
    )
    return ids


def _popularity(count: int, rng: np.random.Generator) -> np.ndarray:
    """Power-law weights: a few popular uploaders, a long tail."""
    weights = 1.0 / np.arange(1, count + 1) ** 0.9
    rng.shuffle(weights)
    return weights / weights.sum()


def _recency(count: int) -> np.ndarray:
    """Recent posts (the end of the id range) are seen and liked more."""
    weights = np.exp(np.linspace(-3, 0, count)) if count else np.array([])
    return weights / weights.sum() if count else weights


def _pairs(sources, per_source, targets, weights, rng, no_self: bool = False):
    """Unique (source, target) pairs: ``per_source`` distinct targets each
    (fewer only when there are not enough), drawn by ``weights``."""
    if not len(targets):
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    quota = np.minimum(per_source, len(targets) - (1 if no_self else 0))
    # Draw extra so that popular targets picked twice still leave a full quota.
    src = np.repeat(sources, (quota * 1.5 + 2).astype(np.int64))
    dst = targets[rng.choice(len(targets), size=len(src), p=weights)]
    if no_self:
        src, dst = src[src != dst], dst[src != dst]
    keys = src.astype(np.int64) * (1 << 32) + dst
    order = rng.permutation(len(keys))
    unique_keys, first = np.unique(keys[order], return_index=True)
    # Keep each source's first ``quota`` picks, in the random order drawn.
    by_draw = unique_keys[np.lexsort((first, unique_keys >> 32))]
    owner = by_draw >> 32
    starts = np.searchsorted(owner, owner, side="left")
    rank = np.arange(len(by_draw)) - starts
    kept = by_draw[rank < quota[np.searchsorted(sources, owner)]]  # sources are sorted
    # Heavy quotas (a large share of all targets) collide too often: top
    # those sources up by drawing without replacement.
    have = np.bincount(np.searchsorted(sources, kept >> 32), minlength=len(sources))
    extra = []
    for index in np.nonzero(have < quota)[0].tolist():
        source = int(sources[index])
        picks = targets[
            rng.choice(
                len(targets), size=min(len(targets), quota[index] + 1), replace=False, p=weights
            )
        ]
        picks = picks[picks != source][: quota[index]] if no_self else picks[: quota[index]]
        extra.append(np.int64(source) * (1 << 32) + picks.astype(np.int64))
    if extra:
        mine = np.isin(kept >> 32, sources[have < quota])
        kept = np.concatenate([kept[~mine], *extra])
    return kept >> 32, kept & 0xFFFFFFFF


def _with_times(a, b, oldest: np.ndarray, now: datetime, rng) -> Iterator[tuple]:
    """Each pair with a time between ``oldest`` seconds ago and now."""
    offsets = rng.uniform(0, 1, size=len(a)) * oldest
    for x, y, offset in zip(a.tolist(), b.tolist(), offsets.tolist(), strict=True):
        yield x, y, now - timedelta(seconds=offset)


def _add_posts(session, storage, shape, ids, owners, ages, like_counts, now, rng) -> None:
    media = DemoImages(storage) if shape.images and shape.posts else None
    post_rows, media_rows, tag_rows = [], [], []
    # Text from its own generator: the graph stays what it was for a seed.
    captions = np.random.default_rng(shape.seed + 1)
    media_id = _next_id(session, PostMedia)
    for post_id, owner, age, likes in zip(
        ids.tolist(), owners.tolist(), ages.tolist(), like_counts.tolist(), strict=True
    ):
        name, object_id, common, category = catalogue_targets()[int(rng.integers(len(TARGETS)))]
        title, notes, tags = caption(name, common, captions)
        created = now - timedelta(seconds=age)
        key = f"demo{post_id:08x}{int(rng.integers(1 << 62)):016x}"
        image = media.next_image() if media else DemoImages.plain()
        observer = f"Demo observer {owner}"
        tags_text = " ".join(tags)
        searched = search_fields(title, name, common, tags_text, notes, observer)
        post_rows.append(
            (
                post_id,
                owner,
                title,
                name,
                object_id,
                common,
                category,
                observer,
                created - timedelta(hours=float(captions.integers(2, 24 * 20))),
                "ready",
                key,
                image.width,
                image.height,
                image.blurhash,
                image.color,
                likes,
                created,
                created,
                notes,
                tags_text,
                *searched.values(),
            )
        )
        for kind, content_type, extension, width, height, size in image.renditions:
            file_key = f"{key}/{kind}.{extension}"
            if media:
                media.store(file_key, kind, extension)
            media_rows.append(
                (
                    media_id,
                    post_id,
                    kind,
                    storage.name,
                    file_key,
                    content_type,
                    width,
                    height,
                    size,
                    "0" * 64,
                    created,
                )
            )
            media_id += 1
        for position, tag in enumerate(tags):
            tag_rows.append((post_id, tag, position))
    _bulk(
        session,
        Post.__table__,
        (
            "id",
            "owner_id",
            "title",
            "object_name",
            "object_id",
            "object_common_name",
            "category",
            "observer",
            "observed_at",
            "status",
            "media_key",
            "width",
            "height",
            "placeholder_blurhash",
            "placeholder_color",
            "like_count",
            "created_at",
            "updated_at",
            "notes",
            "tags_text",
            *SEARCH_COLUMNS,
        ),
        post_rows,
    )
    _bulk(
        session,
        PostMedia.__table__,
        (
            "id",
            "post_id",
            "kind",
            "backend",
            "key",
            "content_type",
            "width",
            "height",
            "bytes",
            "sha256",
            "created_at",
        ),
        media_rows,
    )
    _bulk(session, PostTag.__table__, ("post_id", "tag", "position"), tag_rows)
    if media:
        media.close()


def _bulk(session: Session, table: Table, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Write many rows: COPY on PostgreSQL, executemany elsewhere."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        if "id" in columns:
            connection.execute(
                select(
                    func.setval(
                        func.pg_get_serial_sequence(table.name, "id"),
                        select(func.max(table.c.id)).scalar_subquery(),
                    )
                )
            )
        return
    batch: list[dict] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) == 5000:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
