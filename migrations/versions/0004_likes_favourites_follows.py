"""likes, favourites and follows, with like/favourite counters on posts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 10:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _user_post_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{name}_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f(f"fk_{name}_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "post_id", name=op.f(f"pk_{name}")),
    )
    op.create_index(f"ix_{name}_post_id", name, ["post_id"])


def upgrade():
    # Plain ADD COLUMN (no batch mode): see 0003 about SQLite's table rebuilds.
    op.add_column(
        "posts", sa.Column("like_count", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "posts", sa.Column("favorite_count", sa.Integer(), server_default="0", nullable=False)
    )
    _user_post_table("post_likes")
    _user_post_table("post_favorites")
    op.create_index("ix_post_favorites_user_created", "post_favorites", ["user_id", "created_at"])
    op.create_table(
        "follows",
        sa.Column("follower_id", sa.Integer(), nullable=False),
        sa.Column("followee_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("follower_id <> followee_id", name=op.f("ck_follows_not_self")),
        sa.ForeignKeyConstraint(
            ["follower_id"],
            ["users.id"],
            name=op.f("fk_follows_follower_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["followee_id"],
            ["users.id"],
            name=op.f("fk_follows_followee_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("follower_id", "followee_id", name=op.f("pk_follows")),
    )
    op.create_index("ix_follows_followee_id", "follows", ["followee_id"])


def downgrade():
    op.drop_index("ix_follows_followee_id", table_name="follows")
    op.drop_table("follows")
    op.drop_index("ix_post_favorites_user_created", table_name="post_favorites")
    for name in ("post_favorites", "post_likes"):
        op.drop_index(f"ix_{name}_post_id", table_name=name)
        op.drop_table(name)
    op.drop_column("posts", "favorite_count")
    op.drop_column("posts", "like_count")
