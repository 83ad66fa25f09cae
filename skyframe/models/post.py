"""Posts: one capture with its acquisition details, and its stored renditions."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skyframe import words
from skyframe.models.base import Base, UTCDateTime, sql_in, utcnow

TITLE_MAX_LENGTH = 120
OBJECT_MAX_LENGTH = 120
OBSERVER_MAX_LENGTH = 80
EQUIPMENT_MAX_LENGTH = 120
GAIN_MAX_LENGTH = 40
NOTES_MAX_LENGTH = 5000
TAG_MAX_LENGTH = 30


class Category(enum.StrEnum):
    DEEP_SKY = "deep-sky"
    PLANETARY = "planetary"
    LUNAR = "lunar"
    SOLAR = "solar"
    NIGHTSCAPE = "nightscape"
    COMET = "comet"
    METEOR = "meteor"
    AURORA = "aurora"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.DEEP_SKY: "Deep sky",
    Category.PLANETARY: "Planetary",
    Category.LUNAR: "Lunar",
    Category.SOLAR: "Solar",
    Category.NIGHTSCAPE: "Nightscape / wide field",
    Category.COMET: "Comet",
    Category.METEOR: "Meteor",
    Category.AURORA: "Aurora",
    Category.OTHER: "Other",
}


class PostKind(enum.StrEnum):
    IMAGE = "image"
    VIDEO = "video"


class PostStatus(enum.StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


# What every listing shows (skyframe.policy): ready posts, not taken down,
# of accounts that are not disabled. Each partial index below is over exactly
# these posts, in the form each database's planner matches against the
# listings' conditions (``owner_disabled = false`` compiles to ``= 0`` on
# SQLite, and PostgreSQL reads it as NOT owner_disabled).
LISTED_POSTGRESQL = "status = 'ready' AND NOT owner_disabled AND NOT taken_down"
LISTED_SQLITE = "status = 'ready' AND owner_disabled = 0 AND taken_down = 0"

LABELS_MAX_LENGTH = 80


class Label(enum.StrEnum):
    """Warning labels: the post is shown behind a cover naming them."""

    FLASHING = "flashing"
    PROCESSED = "processed"
    SENSITIVE = "sensitive"
    AI_GENERATED = "ai_generated"

    @property
    def description(self) -> str:
        return LABEL_DESCRIPTIONS[self]


LABEL_DESCRIPTIONS = {
    Label.FLASHING: "Flashing light",
    Label.PROCESSED: "Composite or heavily processed",
    Label.SENSITIVE: "Sensitive",
    Label.AI_GENERATED: "AI-generated",
}


def _listed_index(name: str, *columns: str) -> Index:
    return Index(
        name,
        *columns,
        postgresql_where=text(LISTED_POSTGRESQL),
        sqlite_where=text(LISTED_SQLITE),
    )


class _Rendition(Protocol):
    kind: str
    content_type: str


M = TypeVar("M", bound=_Rendition)  # PostMedia, or posts.MediaView


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint(f"category IN ({sql_in(Category)})", name="category_known"),
        CheckConstraint(f"status IN ({sql_in(PostStatus)})", name="status_known"),
        CheckConstraint("bortle IS NULL OR bortle BETWEEN 1 AND 9", name="bortle_range"),
        # Newest-first listings, overall and per uploader (keyset pagination).
        Index("ix_posts_status_created_id", "status", "created_at", "id"),
        Index("ix_posts_owner_created_id", "owner_id", "created_at", "id"),
        # The feed walks listed posts only: partial indexes that answer its
        # candidate queries without reading the table.
        _listed_index("ix_posts_ready_created_id_owner", "created_at", "id", "owner_id"),
        _listed_index("ix_posts_ready_owner_created_id", "owner_id", "created_at", "id"),
        # Liked posts by id, answered without the table (migration 0011).
        _listed_index("ix_posts_ready_id_created_owner", "id", "created_at", "owner_id"),
        # Search filters, each answering newest-first from its own index.
        *(
            _listed_index(name, *columns)
            for name, columns in {
                "ix_posts_ready_object_created": ("object_id", "created_at", "id"),
                "ix_posts_ready_object_key_created": ("object_key", "created_at", "id"),
                "ix_posts_ready_observer_key_created": ("observer_key", "created_at", "id"),
                "ix_posts_ready_category_created": ("category", "created_at", "id"),
                "ix_posts_ready_category_observed": (
                    "category",
                    "observed_at",
                    "created_at",
                    "id",
                ),
                "ix_posts_ready_observed_created": ("observed_at", "created_at", "id"),
            }.items()
        ),
    )
    # Not mapped: the full-text index is the database's own (migration 0009),
    # a generated tsvector column on PostgreSQL and an FTS5 table on SQLite,
    # both over the search_* columns; skyframe.search queries it.

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    object_name: Mapped[str | None] = mapped_column(String(OBJECT_MAX_LENGTH))
    object_id: Mapped[str | None] = mapped_column(String(32))
    object_common_name: Mapped[str | None] = mapped_column(String(OBJECT_MAX_LENGTH))
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_constellation: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(20))
    observer: Mapped[str] = mapped_column(String(OBSERVER_MAX_LENGTH))
    observed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    telescope: Mapped[str | None] = mapped_column(String(EQUIPMENT_MAX_LENGTH))
    camera: Mapped[str | None] = mapped_column(String(EQUIPMENT_MAX_LENGTH))
    mount: Mapped[str | None] = mapped_column(String(EQUIPMENT_MAX_LENGTH))
    filters: Mapped[str | None] = mapped_column(String(EQUIPMENT_MAX_LENGTH))
    exposure_seconds: Mapped[float | None] = mapped_column(Float)
    exposure_count: Mapped[int | None] = mapped_column(Integer)
    integration_seconds: Mapped[float | None] = mapped_column(Float)
    gain: Mapped[str | None] = mapped_column(String(GAIN_MAX_LENGTH))
    bortle: Mapped[int | None] = mapped_column(SmallInteger)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The tags again, space-separated, in order (kept by set_tags).
    tags_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # What search compares (skyframe.words), kept by refresh_search_fields:
    # the words of the title, of object names and tags, and of the notes;
    # the observer and object names folded for the equality filters.
    search_title: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_names: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    observer_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    object_key: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=PostStatus.PROCESSING)
    # The uploader's account is disabled: kept by accounts.set_disabled in the
    # same transaction, so that listings leave these posts out through their
    # partial indexes instead of joining users (skyframe.policy).
    owner_disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Taken down by a moderator (moderation.takedowns, which keeps it in step
    # with take_downs): out of every listing through the partial indexes.
    taken_down: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Warning labels (Label values), space-separated in Label order.
    labels: Mapped[str] = mapped_column(String(LABELS_MAX_LENGTH), default="", server_default="")
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    # Storage prefix of the post's files: random, so file URLs reveal nothing.
    media_key: Mapped[str] = mapped_column(String(32), unique=True)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    placeholder_blurhash: Mapped[str | None] = mapped_column(String(60))
    placeholder_color: Mapped[str | None] = mapped_column(String(7))
    # image or video (a clip: migration 0019). A clip's files are post_media
    # rows like an image's: the transcoded MP4 (kind "video") and its poster
    # frame's renditions (original, display, thumb), so cards work unchanged.
    # width/height are the clip's as shown (rotation applied); the facts
    # below are null for images.
    kind: Mapped[str] = mapped_column(String(8), default=PostKind.IMAGE, server_default="image")
    duration_s: Mapped[float | None] = mapped_column(Float)
    frame_rate: Mapped[float | None] = mapped_column(Float)
    has_audio: Mapped[bool | None] = mapped_column(Boolean)
    # Kept in step with post_likes / post_favorites in the same transaction
    # (skyframe.interactions), so listings never count rows.
    like_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    favorite_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    comment_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Views counted once per viewer per 24 h, moved only by the periodic flush
    # of the view buffer (skyframe.viewcounts), never by a request.
    view_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner = relationship("User", lazy="joined", innerjoin=True)
    media: Mapped[list[PostMedia]] = relationship(
        back_populates="post",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="PostMedia.id",
    )
    tag_rows: Mapped[list[PostTag]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="PostTag.position",
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    def set_tags(self, tags: list[str]) -> None:
        self.tag_rows = [PostTag(tag=tag, position=i) for i, tag in enumerate(tags)]
        self.tags_text = " ".join(tags)

    def refresh_search_fields(self) -> None:
        fields = search_fields(
            self.title,
            self.object_name,
            self.object_common_name,
            self.tags_text,
            self.notes,
            self.observer,
        )
        for name, value in fields.items():
            setattr(self, name, value)

    @property
    def is_ready(self) -> bool:
        return self.status == PostStatus.READY

    @property
    def is_video(self) -> bool:
        return self.kind == PostKind.VIDEO

    def rendition(self, kind: str, content_type: str) -> PostMedia | None:
        return find_rendition(self.media, kind, content_type)


def find_rendition(media: Iterable[M], kind: str, content_type: str) -> M | None:
    """The rendition of ``kind`` in ``content_type`` among a post's media."""
    return next((m for m in media if m.kind == kind and m.content_type == content_type), None)


class PostTag(Base):
    __tablename__ = "post_tags"
    __table_args__ = (Index("ix_post_tags_tag_post", "tag", "post_id"),)

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(TAG_MAX_LENGTH), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class PostMedia(Base):
    """One stored file of a post: which backend holds it, where, and what it is."""

    __tablename__ = "post_media"
    __table_args__ = (
        UniqueConstraint("post_id", "kind", "content_type", name="uq_post_media_variant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # original | display | thumb | video
    backend: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(256), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[Post] = relationship(back_populates="media")


SEARCH_COLUMNS = ("search_title", "search_names", "search_notes", "observer_key", "object_key")


def search_fields(
    title: str | None,
    object_name: str | None,
    object_common_name: str | None,
    tags_text: str | None,
    notes: str | None,
    observer: str | None,
) -> dict[str, str | None]:
    """The search columns of a post with these fields (also used by migrations)."""
    return {
        "search_title": words.document(title),
        "search_names": words.document(object_name, object_common_name, tags_text),
        "search_notes": words.document(notes),
        "observer_key": words.key(observer or ""),
        "object_key": words.key(object_name) if object_name else None,
    }


SEARCHED_FIELDS = ("title", "object_name", "object_common_name", "tags_text", "notes", "observer")


@event.listens_for(Post, "before_insert")
def _index_new_post(mapper, connection, post: Post) -> None:
    post.refresh_search_fields()


@event.listens_for(Post, "before_update")
def _index_edited_post(mapper, connection, post: Post) -> None:
    state = inspect(post)
    if any(state.attrs[name].history.has_changes() for name in SEARCHED_FIELDS):
        post.refresh_search_fields()
