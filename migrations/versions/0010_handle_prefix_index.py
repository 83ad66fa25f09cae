"""handle prefix index: typeahead answered from an index on PostgreSQL

``lower(handle) LIKE 'prefix%'`` cannot use the unique lower(handle) index
under a non-C collation (C.UTF-8 included); text_pattern_ops can. SQLite's
users table stays small enough for the embedded default.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 15:00:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_users_handle_prefix ON users (lower(handle) text_pattern_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_users_handle_prefix")
