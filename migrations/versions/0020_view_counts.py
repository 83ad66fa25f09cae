"""view counts: ``posts.view_count`` and ``users.view_count``

A post's views, and the total views of an account's posts (its profile
shows it). Both are moved only by the periodic flush of the view buffer
(skyframe.viewcounts.flush), in one transaction, so reading a profile's
total is one column instead of a sum over every post of the account.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 13:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (a batch rebuild of posts would lose its full-text
    # triggers and the partial indexes SQLite cannot reflect).
    op.add_column(
        "posts", sa.Column("view_count", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column(
        "users", sa.Column("view_count", sa.BigInteger(), server_default="0", nullable=False)
    )


def downgrade():
    op.drop_column("users", "view_count")
    op.drop_column("posts", "view_count")
