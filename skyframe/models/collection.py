"""Collections: a user's named, ordered lists of posts (FilmFlask's playlists).

An item's place is an order key (``position``), a string that sorts between
its neighbours: moving or inserting one item writes that one row, and no
other item is renumbered (docs/collections.md). Keys compare byte by byte on
both databases: SQLite's default BINARY collation, and the "C" collation on
PostgreSQL (whose default, a locale's, would put "a" before "B").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skyframe.models.base import Base, UTCDateTime, utcnow

COLLECTION_TITLE_MAX_LENGTH = 80
COLLECTION_DESCRIPTION_MAX_LENGTH = 1000
# Order keys grow by about one character for every six inserts at the same
# spot; past this length a collection's keys are written afresh (rare).
POSITION_MAX_LENGTH = 120

# Byte order on PostgreSQL as on SQLite.
PositionKey = String(POSITION_MAX_LENGTH).with_variant(
    String(POSITION_MAX_LENGTH, collation="C"), "postgresql"
)


class Collection(Base):
    __tablename__ = "collections"
    __table_args__ = (
        # A user's collections, newest first (their profile's tab).
        Index("ix_collections_owner_created_id", "owner_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(COLLECTION_TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner = relationship("User", lazy="joined", innerjoin=True)


class CollectionItem(Base):
    __tablename__ = "collection_items"
    __table_args__ = (
        # The collection's order; unique, so two writers can never tie.
        UniqueConstraint("collection_id", "position", name="uq_collection_items_position"),
        # Which collections hold a post (the "Add to collection" sheet).
        Index("ix_collection_items_post_id", "post_id"),
    )

    # The primary key is the rule "a post at most once per collection".
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[str] = mapped_column(PositionKey)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
