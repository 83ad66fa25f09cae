"""accounts: login sessions shown to their owner (public id, last use, address,
browser) and single-use password-reset tokens

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("login_sessions", sa.Column("public_id", sa.String(length=16), nullable=True))
    op.add_column(
        "login_sessions", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "login_sessions", sa.Column("client_address", sa.String(length=64), nullable=True)
    )
    op.add_column("login_sessions", sa.Column("user_agent", sa.String(length=256), nullable=True))
    # Sessions already signed in get a random public id and "last used" = created.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE login_sessions SET last_used_at = created_at, "
            "public_id = substr(md5(random()::text || token_hash), 1, 16)"
        )
    else:
        op.execute(
            "UPDATE login_sessions SET last_used_at = created_at, "
            "public_id = lower(hex(randomblob(8)))"
        )
    # login_sessions has no expression index, so SQLite's batch rebuild is safe here.
    with op.batch_alter_table("login_sessions") as batch:
        batch.alter_column("public_id", existing_type=sa.String(length=16), nullable=False)
        batch.create_unique_constraint(op.f("uq_login_sessions_public_id"), ["public_id"])

    op.create_table(
        "password_reset_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_reset_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_password_reset_tokens")),
    )
    op.create_index(
        "ix_password_reset_tokens_user_id", "password_reset_tokens", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_password_reset_tokens_user_id", table_name="password_reset_tokens")
    op.drop_table("password_reset_tokens")
    with op.batch_alter_table("login_sessions") as batch:
        batch.drop_constraint(op.f("uq_login_sessions_public_id"), type_="unique")
        batch.drop_column("user_agent")
        batch.drop_column("client_address")
        batch.drop_column("last_used_at")
        batch.drop_column("public_id")
