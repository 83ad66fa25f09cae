"""comments, comment likes, notifications; comment counter on posts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE"):
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade():
    # Plain ADD COLUMN (no batch mode): see 0003 about SQLite's table rebuilds.
    op.add_column(
        "posts", sa.Column("comment_count", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("like_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        _fk("comments", "post_id", "posts"),
        _fk("comments", "author_id", "users"),
        _fk("comments", "parent_id", "comments", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index("ix_comments_post_created_id", "comments", ["post_id", "created_at", "id"])
    op.create_index("ix_comments_author_id", "comments", ["author_id"])
    op.create_index("ix_comments_parent_id", "comments", ["parent_id"])
    op.create_table(
        "comment_likes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("comment_likes", "user_id", "users"),
        _fk("comment_likes", "comment_id", "comments"),
        sa.PrimaryKeyConstraint("user_id", "comment_id", name=op.f("pk_comment_likes")),
    )
    op.create_index("ix_comment_likes_comment_id", "comment_likes", ["comment_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        _fk("notifications", "recipient_id", "users"),
        _fk("notifications", "actor_id", "users"),
        _fk("notifications", "post_id", "posts"),
        _fk("notifications", "comment_id", "comments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    op.create_index("ix_notifications_recipient_id_id", "notifications", ["recipient_id", "id"])
    for column in ("actor_id", "post_id", "comment_id"):
        op.create_index(f"ix_notifications_{column}", "notifications", [column])


def downgrade():
    for column in ("comment_id", "post_id", "actor_id"):
        op.drop_index(f"ix_notifications_{column}", table_name="notifications")
    op.drop_index("ix_notifications_recipient_id_id", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_comment_likes_comment_id", table_name="comment_likes")
    op.drop_table("comment_likes")
    for name in ("ix_comments_parent_id", "ix_comments_author_id", "ix_comments_post_created_id"):
        op.drop_index(name, table_name="comments")
    op.drop_table("comments")
    op.drop_column("posts", "comment_count")
