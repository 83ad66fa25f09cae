"""Demo data: a realistic site, fast — for trying SkyFrame and for benchmarks.

A few prolific uploaders and many occasional ones (a power law), follows
that favour popular uploaders, likes and impressions that favour recent
posts, and a handful of heavy users (many follows, a long seen history).
Rows are generated with numpy and written in bulk: COPY on PostgreSQL, batched
inserts on SQLite. Counters on posts match the generated likes.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from skyframe import catalogue
from skyframe.media.pipeline import MediaSettings, process_upload
from skyframe.models import FeedSeen, Follow, Post, PostLike, PostMedia, PostTag, User
from skyframe.models.post import SEARCH_COLUMNS, search_fields
from skyframe.storage import Storage

# What people shoot, by how they name it; the catalogue resolves the names
# exactly as it does for uploads.
TARGETS = [
    ("M31", "deep-sky"),
    ("M33", "deep-sky"),
    ("M42", "deep-sky"),
    ("M45", "deep-sky"),
    ("M51", "deep-sky"),
    ("M81", "deep-sky"),
    ("M101", "deep-sky"),
    ("M27", "deep-sky"),
    ("M57", "deep-sky"),
    ("M13", "deep-sky"),
    ("M8", "deep-sky"),
    ("M16", "deep-sky"),
    ("M20", "deep-sky"),
    ("M1", "deep-sky"),
    ("NGC 7000", "deep-sky"),
    ("NGC 6960", "deep-sky"),
    ("NGC 2237", "deep-sky"),
    ("IC 1805", "deep-sky"),
    ("IC 1396", "deep-sky"),
    ("IC 434", "deep-sky"),
    ("NGC 891", "deep-sky"),
    ("NGC 4565", "deep-sky"),
    ("Jupiter", "planetary"),
    ("Saturn", "planetary"),
    ("Mars", "planetary"),
    ("Venus", "planetary"),
    ("Moon", "lunar"),
    ("Sun", "solar"),
    ("Milky Way", "nightscape"),
    ("Orion rising over the hills", "nightscape"),
    ("Comet 12P/Pons-Brooks", "comet"),
    ("Perseids", "meteor"),
    ("Geminids", "meteor"),
    ("Aurora", "aurora"),
]
TAGS = [
    "narrowband",
    "lrgb",
    "widefield",
    "osc",
    "hoo",
    "sho",
    "mosaic",
    "firstlight",
    "bortle4",
    "bortle7",
    "dslr",
    "refractor",
    "newtonian",
    "sct",
    "eaa",
    "luckyimaging",
    "starless",
    "drizzle",
    "halpha",
    "oiii",
    "backyard",
    "darksite",
    "starparty",
    "moonless",
]
TITLE_SHAPES = [
    "{label}",
    "{label} {place}",
    "{label} in {palette}",
    "First light: {label}",
    "{label}, {hours} hours of data",
    "{label} on a {night} night",
    "Another go at {label}",
]
PLACES = ["from my backyard", "from a dark site", "from the city", "at the star party"]
PALETTES = ["narrowband", "HOO", "SHO", "LRGB", "natural colour", "hydrogen alpha"]
NIGHTS = ["clear", "cold", "windy", "moonlit", "humid", "perfect"]
TELESCOPES = [
    "an 80mm refractor",
    "a RedCat 51",
    "a Celestron C8",
    "an 8-inch Newtonian",
    "an Esprit 100",
    "a 150mm Maksutov",
    "a 300mm telephoto lens",
]
CAMERAS = [
    "an ASI2600MC",
    "an ASI533MC",
    "an ASI294MM",
    "a Canon 6D",
    "a Nikon Z6",
    "an ASI183MM",
    "a QHY268M",
]
SOFTWARE = [
    "Siril",
    "PixInsight",
    "DeepSkyStacker",
    "Astro Pixel Processor",
    "AutoStakkert",
    "GraXpert and Photoshop",
]
CONDITIONS = [
    "Seeing was excellent.",
    "Some high clouds came through.",
    "The Moon was up, so I used filters.",
    "Transparency was superb.",
    "Dew was a problem all night.",
    "Guiding at 0.6 arcseconds RMS.",
]

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
    media = _DemoImages(storage) if shape.images and shape.posts else None
    post_rows, media_rows, tag_rows = [], [], []
    # Text from its own generator: the graph stays what it was for a seed.
    captions = np.random.default_rng(shape.seed + 1)
    media_id = _next_id(session, PostMedia)
    for post_id, owner, age, likes in zip(
        ids.tolist(), owners.tolist(), ages.tolist(), like_counts.tolist(), strict=True
    ):
        name, object_id, common, category = _targets()[int(rng.integers(len(TARGETS)))]
        title, notes, tags = _caption(name, common, captions)
        created = now - timedelta(seconds=age)
        key = f"demo{post_id:08x}{int(rng.integers(1 << 62)):016x}"
        image = media.next_image() if media else _DemoImages.plain()
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


@functools.cache
def _targets() -> list[tuple[str, str | None, str | None, str]]:
    resolved = [(name, catalogue.resolve(name), category) for name, category in TARGETS]
    return [
        (name, found.id if found else None, found.common_name if found else None, category)
        for name, found, category in resolved
    ]


def _pick(options: list[str], rng) -> str:
    return options[int(rng.integers(len(options)))]


def _caption(name: str, common: str | None, rng) -> tuple[str, str, list[str]]:
    """A title, notes and tags as astrophotographers write them: popular tags
    far more often than rare ones."""
    label = common or name
    if common and rng.random() < 0.3:
        label = f"{name}, the {common}" if rng.random() < 0.5 else name
    title = _pick(TITLE_SHAPES, rng).format(
        label=label,
        place=_pick(PLACES, rng),
        palette=_pick(PALETTES, rng),
        hours=int(rng.integers(1, 30)),
        night=_pick(NIGHTS, rng),
    )
    notes = (
        f"Shot with {_pick(TELESCOPES, rng)} and {_pick(CAMERAS, rng)}, "
        f"stacked in {_pick(SOFTWARE, rng)}. {_pick(CONDITIONS, rng)}"
    )
    count = int(rng.integers(0, 4))
    picks = np.minimum(rng.zipf(1.6, size=count), len(TAGS)) - 1
    tags = list(dict.fromkeys(TAGS[int(i)] for i in picks))
    return title, notes, tags


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


@dataclass(frozen=True)
class _Image:
    width: int
    height: int
    blurhash: str | None
    color: str | None
    renditions: list[tuple[str, str, str, int, int, int]]  # kind, type, ext, w, h, bytes


class _DemoImages:
    """A few generated sky images, rendered once by the real pipeline; each
    post gets its own keys (linked, not copied, on local disk)."""

    COUNT = 8

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.folder = tempfile.TemporaryDirectory(prefix="skyframe-demo-")
        self.sources: list[tuple[_Image, dict[tuple[str, str], str]]] = []
        settings = MediaSettings(display_edge=1080)
        for number in range(self.COUNT):
            path = Path(self.folder.name) / f"sky{number}.jpg"
            _render_sky(path, number)
            processed = process_upload(
                storage, f"demo-source/{number}", path, path.name, "image/jpeg", settings
            )
            keys = {}
            renditions = []
            for s in processed.stored:
                extension = s.key.rsplit(".", 1)[-1]
                keys[(s.kind, extension)] = s.key
                renditions.append((s.kind, s.content_type, extension, s.width, s.height, s.size))
            placeholder = processed.placeholder
            self.sources.append(
                (
                    _Image(
                        processed.width,
                        processed.height,
                        placeholder.blurhash if placeholder else None,
                        placeholder.color if placeholder else None,
                        renditions,
                    ),
                    keys,
                )
            )
        self.turn = -1

    @staticmethod
    def plain() -> _Image:
        """Rendition rows without files (benchmarks: the rows cost what real ones do)."""
        return _Image(
            1080,
            1350,
            "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
            "#1b2333",
            [
                ("original", "image/jpeg", "jpg", 4000, 5000, 2_500_000),
                ("display", "image/webp", "webp", 1080, 1350, 180_000),
                ("display", "image/jpeg", "jpg", 1080, 1350, 260_000),
                ("thumb", "image/webp", "webp", 480, 600, 30_000),
                ("thumb", "image/jpeg", "jpg", 480, 600, 45_000),
            ],
        )

    def next_image(self) -> _Image:
        self.turn = (self.turn + 1) % self.COUNT
        return self.sources[self.turn][0]

    def store(self, key: str, kind: str, extension: str) -> None:
        source = self.sources[self.turn][1][(kind, extension)]
        with self.storage.local_copy(source) as path:
            self.storage.save_file(key, path, "application/octet-stream")

    def close(self) -> None:
        for _, keys in self.sources:
            for key in keys.values():
                self.storage.delete(key)
        self.folder.cleanup()


def _render_sky(path: Path, number: int) -> None:
    """A star field with a soft nebula, different for each ``number``."""
    import pyvips

    rng = np.random.default_rng(1000 + number)
    height, width = 1350, 1080
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    glow = np.exp(-(((x - cx) / (width * 0.25)) ** 2 + ((y - cy) / (height * 0.2)) ** 2))
    hue = rng.uniform(0.2, 1.0, size=3)
    image = np.empty((height, width, 3), dtype=np.float32)
    for channel in range(3):
        image[..., channel] = 12 + 150 * glow * hue[channel]
    stars = rng.integers(0, height * width, size=2500)
    image.reshape(-1, 3)[stars] = 255
    pyvips.Image.new_from_array(np.clip(image, 0, 255).astype(np.uint8)).jpegsave(str(path), Q=90)
