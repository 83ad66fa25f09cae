"""feed indexes: partial indexes of ready posts, likes by user and time

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

READY = sa.text("status = 'ready'")
INDEXES = {
    "ix_posts_ready_created_id_owner": ["created_at", "id", "owner_id"],
    "ix_posts_ready_owner_created_id": ["owner_id", "created_at", "id"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "posts", columns, postgresql_where=READY, sqlite_where=READY)
    op.create_index("ix_post_likes_user_created", "post_likes", ["user_id", "created_at"])


def downgrade():
    op.drop_index("ix_post_likes_user_created", table_name="post_likes")
    for name in INDEXES:
        op.drop_index(name, table_name="posts")
