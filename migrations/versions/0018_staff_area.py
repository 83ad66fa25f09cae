"""staff area: accounts found by a prefix of their e-mail address

``email_key LIKE 'prefix%'`` (the staff user search) cannot use the unique
email_key index under a non-C collation; text_pattern_ops can, as
ix_users_handle_prefix does for handles. (SQLite gets a plain index, so
that one model serves both; its LIKE does not use it, and the users table
of the embedded default stays small.)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 13:40:00
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_users_email_prefix",
        "users",
        ["email_key"],
        postgresql_ops={"email_key": "text_pattern_ops"},
    )


def downgrade():
    op.drop_index("ix_users_email_prefix", table_name="users")
