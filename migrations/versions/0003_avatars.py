"""avatars: uploaded avatar key and the Gravatar opt-in

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 10:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: SQLite's batch mode rebuilds the table
# and loses the expression index on lower(handle) (it cannot reflect it).


def upgrade():
    op.add_column("users", sa.Column("avatar_key", sa.String(length=80), nullable=True))
    op.add_column(
        "users", sa.Column("gravatar", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade():
    op.drop_column("users", "gravatar")
    op.drop_column("users", "avatar_key")
