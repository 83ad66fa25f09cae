"""feed seen history

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feed_seen",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_feed_seen_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_feed_seen_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "post_id", name=op.f("pk_feed_seen")),
    )
    op.create_index("ix_feed_seen_user_seen_at", "feed_seen", ["user_id", "seen_at", "post_id"])
    op.create_index("ix_feed_seen_post_id", "feed_seen", ["post_id"])


def downgrade():
    op.drop_index("ix_feed_seen_post_id", table_name="feed_seen")
    op.drop_index("ix_feed_seen_user_seen_at", table_name="feed_seen")
    op.drop_table("feed_seen")
