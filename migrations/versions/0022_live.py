"""live: observing sessions and their frames, channel hosting, access tokens

- ``live_sessions``: one per going live; a partial unique index keeps at
  most one running (``status = 'live'``) session per user, and another
  serves the idle sweep (running sessions by ``last_frame_at``).
- ``live_frames``: the frames pushed to a session (renditions in storage).
- ``hosting_targets``: a host's list of channels it may promote (seed 004);
  a partial unique index allows one ``hosting`` row per host.
- ``access_tokens``: personal access tokens, kept as SHA-256 of the secret.
- ``users`` gains ``channel_status`` (indexed, ``live``/``offline``),
  ``live_seconds`` (ended sessions' total), ``allow_hosting`` and
  ``live_notified_at`` — plain ADD COLUMNs: a batch rebuild on SQLite would
  lose the expression indexes SQLite cannot reflect (as in 0014).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

LIVE = sa.text("status = 'live'")
HOSTING = sa.text("status = 'hosting'")


def _when(column: str, nullable: bool = True) -> sa.Column:
    return sa.Column(column, sa.DateTime(timezone=True), nullable=nullable)


def _user(column: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{name}_{column}_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("channel_status", sa.String(length=8), server_default="offline", nullable=False),
    )
    op.add_column(
        "users", sa.Column("live_seconds", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column(
        "users",
        sa.Column("allow_hosting", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("users", _when("live_notified_at"))
    op.create_index("ix_users_channel_status", "users", ["channel_status"])

    op.create_table(
        "live_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("object_name", sa.String(length=80), nullable=True),
        sa.Column("object_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        _when("started_at", nullable=False),
        _when("ended_at"),
        _when("last_frame_at", nullable=False),
        sa.Column("frame_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("viewer_count", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "status IN ('live', 'ended')", name=op.f("ck_live_sessions_status_known")
        ),
        _user("owner_id", "live_sessions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_sessions")),
    )
    op.create_index(
        "uq_live_sessions_one_live",
        "live_sessions",
        ["owner_id"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_index("ix_live_sessions_owner_started", "live_sessions", ["owner_id", "started_at"])
    op.create_index(
        "ix_live_sessions_live_last_frame",
        "live_sessions",
        ["last_frame_at"],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )

    op.create_table(
        "live_frames",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("media_key", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("placeholder_color", sa.String(length=7), nullable=True),
        sa.Column("taken_down", sa.Boolean(), server_default=sa.false(), nullable=False),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_frames_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        _user("owner_id", "live_frames"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_frames")),
        sa.UniqueConstraint("media_key", name=op.f("uq_live_frames_media_key")),
    )
    op.create_index("ix_live_frames_session_id", "live_frames", ["session_id", "id"])

    op.create_table(
        "hosting_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        _when("last_hosted_at"),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        sa.CheckConstraint(
            "status IN ('ready', 'hosting', 'error')",
            name=op.f("ck_hosting_targets_status_known"),
        ),
        sa.CheckConstraint("host_id <> target_id", name=op.f("ck_hosting_targets_not_self")),
        _user("host_id", "hosting_targets"),
        _user("target_id", "hosting_targets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosting_targets")),
        sa.UniqueConstraint("host_id", "target_id", name="uq_hosting_targets_pair"),
    )
    op.create_index(
        "uq_hosting_targets_one_hosting",
        "hosting_targets",
        ["host_id"],
        unique=True,
        sqlite_where=HOSTING,
        postgresql_where=HOSTING,
    )
    op.create_index("ix_hosting_targets_target_id", "hosting_targets", ["target_id"])
    op.create_index("ix_hosting_targets_status", "hosting_targets", ["status"])

    op.create_table(
        "access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        _when("created_at", nullable=False),
        _when("last_used_at"),
        _when("revoked_at"),
        _user("user_id", "access_tokens"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_tokens")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_access_tokens_secret_hash")),
    )
    op.create_index("ix_access_tokens_user_created", "access_tokens", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_table("access_tokens")
    op.drop_table("hosting_targets")
    op.drop_table("live_frames")
    op.drop_table("live_sessions")
    op.drop_index("ix_users_channel_status", table_name="users")
    for column in ("live_notified_at", "allow_hosting", "live_seconds", "channel_status"):
        op.drop_column("users", column)
