"""clips: posts gain a kind (image or video) and a clip's facts

A clip is a post like an image, so everything that lists, likes, labels,
reports or deletes posts keeps working on it. Columns on ``posts`` rather
than a one-to-one table: the feed's listing statement reads posts' columns
without joins (skyframe.posts.views), and the facts are four small values.

- ``kind``: ``image`` (every existing post) or ``video``.
- ``duration_s``, ``frame_rate``, ``has_audio``: the transcoded clip's,
  null for images. ``width``/``height`` stay the post's as shown (for a clip,
  its display size with rotation applied).

A clip's files are ``post_media`` rows as an image's are: the transcoded
MP4 is the row of kind ``video`` (content type video/mp4, with its own
width, height, size and hash), and its poster frame's renditions are the
usual ``original``/``display``/``thumb`` JPEG and WebP rows, so cards and
thumbnails show the poster with no change. No new table, no new index:
listings do not filter on kind.

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-02 13:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no batch copy): on SQLite a table rebuild would drop
    # the full-text triggers over posts (migration 0009).
    op.add_column(
        "posts", sa.Column("kind", sa.String(length=8), server_default="image", nullable=False)
    )
    op.add_column("posts", sa.Column("duration_s", sa.Float(), nullable=True))
    op.add_column("posts", sa.Column("frame_rate", sa.Float(), nullable=True))
    op.add_column("posts", sa.Column("has_audio", sa.Boolean(), nullable=True))


def downgrade() -> None:
    # A clip cannot be shown as an image: clip posts go with their rows
    # (post_media, tags and the rest cascade). Their stored files are left.
    op.execute("DELETE FROM posts WHERE kind = 'video'")
    for column in ("has_audio", "frame_rate", "duration_s", "kind"):
        op.drop_column("posts", column)
