"""moderation: reports, take-downs, strikes, suspensions, labels, blocks, account deletion, audit log

Taken-down posts leave every listing the way disabled accounts' posts do:
``posts.taken_down`` joins the partial indexes' WHERE, so the feed's and
search's queries keep their index-only scans. Notifications gain links to
the report, strike and take-down they tell of.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# As skyframe.models.post writes them (each planner matches its own form).
LISTED_BEFORE = {
    "postgresql": "status = 'ready' AND NOT owner_disabled",
    "sqlite": "status = 'ready' AND owner_disabled = 0",
}
LISTED = {
    "postgresql": "status = 'ready' AND NOT owner_disabled AND NOT taken_down",
    "sqlite": "status = 'ready' AND owner_disabled = 0 AND taken_down = 0",
}
INDEXES = {
    "ix_posts_ready_created_id_owner": ["created_at", "id", "owner_id"],
    "ix_posts_ready_owner_created_id": ["owner_id", "created_at", "id"],
    "ix_posts_ready_id_created_owner": ["id", "created_at", "owner_id"],
    "ix_posts_ready_object_created": ["object_id", "created_at", "id"],
    "ix_posts_ready_object_key_created": ["object_key", "created_at", "id"],
    "ix_posts_ready_observer_key_created": ["observer_key", "created_at", "id"],
    "ix_posts_ready_category_created": ["category", "created_at", "id"],
    "ix_posts_ready_category_observed": ["category", "observed_at", "created_at", "id"],
    "ix_posts_ready_observed_created": ["observed_at", "created_at", "id"],
}
NOTIFICATION_LINKS = {"report_id": "reports", "strike_id": "strikes", "take_down_id": "take_downs"}


def _recreate_indexes(where: str) -> None:
    for name, columns in INDEXES.items():
        op.drop_index(name, table_name="posts")
        condition = sa.text(where)
        op.create_index(name, "posts", columns, postgresql_where=condition, sqlite_where=condition)


def _fk(column: str, table: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _when(column: str) -> sa.Column:
    return sa.Column(column, sa.DateTime(timezone=True), nullable=True)


def _text(column: str) -> sa.Column:
    return sa.Column(column, sa.Text(), server_default="", nullable=False)


def upgrade():
    dialect = op.get_bind().dialect.name
    # Plain ALTER TABLE on users and posts: a batch rebuild would lose the
    # expression and partial indexes and the full-text triggers SQLite cannot
    # reflect.
    op.add_column(
        "users",
        sa.Column("strike_suspended", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("users", _when("suspended_at"))
    op.add_column("users", _when("suspended_until"))
    op.add_column("users", _text("suspension_reason"))
    op.add_column("users", _when("deleted_at"))
    op.add_column(
        "posts", sa.Column("taken_down", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "posts", sa.Column("labels", sa.String(length=80), server_default="", nullable=False)
    )
    _recreate_indexes(LISTED[dialect])

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("target_owner_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        _text("details"),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _when("resolved_at"),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=12), nullable=True),
        _text("note"),
        sa.CheckConstraint(
            "target_type IN ('post', 'comment', 'user')", name=op.f("ck_reports_target_type_known")
        ),
        sa.CheckConstraint(
            "reason IN ('spam', 'harassment', 'off_topic', 'stolen', 'sensitive', "
            "'misleading', 'other')",
            name=op.f("ck_reports_reason_known"),
        ),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_reports_status_known")),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('dismiss', 'label', 'take_down', 'warn')",
            name=op.f("ck_reports_decision_known"),
        ),
        _fk("reporter_id", "reports", "users", "CASCADE"),
        _fk("target_owner_id", "reports", "users", "SET NULL"),
        _fk("resolved_by_id", "reports", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index("ix_reports_status_created_id", "reports", ["status", "created_at", "id"])
    op.create_index("ix_reports_target", "reports", ["target_type", "target_id", "status"])
    op.create_index("ix_reports_target_owner_id", "reports", ["target_owner_id"])
    open_only = sa.text("status = 'open'")
    op.create_index(
        "uq_reports_open_reporter_target",
        "reports",
        ["reporter_id", "target_type", "target_id"],
        unique=True,
        postgresql_where=open_only,
        sqlite_where=open_only,
    )

    op.create_table(
        "strikes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _text("reason"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _when("resolved_at"),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        _text("resolve_note"),
        _fk("user_id", "strikes", "users", "CASCADE"),
        _fk("resolved_by_id", "strikes", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strikes")),
    )
    op.create_index("ix_strikes_user_resolved", "strikes", ["user_id", "resolved_at"])

    op.create_table(
        "take_downs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        _text("post_title"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("strike_id", sa.Integer(), nullable=True),
        _when("restored_at"),
        sa.Column("restored_by_id", sa.Integer(), nullable=True),
        _text("restore_note"),
        _fk("post_id", "take_downs", "posts", "SET NULL"),
        _fk("owner_id", "take_downs", "users", "CASCADE"),
        _fk("moderator_id", "take_downs", "users", "SET NULL"),
        _fk("strike_id", "take_downs", "strikes", "SET NULL"),
        _fk("restored_by_id", "take_downs", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_take_downs")),
    )
    op.create_index("ix_take_downs_post_id", "take_downs", ["post_id"])
    op.create_index("ix_take_downs_owner_strike", "take_downs", ["owner_id", "strike_id"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        _text("reason"),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('web', 'api', 'cli', 'system')", name=op.f("ck_audit_log_source_known")
        ),
        _fk("actor_id", "audit_log", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_actor_id_id", "audit_log", ["actor_id", "id"])
    op.create_index("ix_audit_log_action_id", "audit_log", ["action", "id"])
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id"])
    op.create_index("ix_audit_log_target_type_id", "audit_log", ["target_type", "id"])

    op.create_table(
        "blocks",
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _when("until"),
        sa.CheckConstraint("blocker_id <> blocked_id", name=op.f("ck_blocks_not_self")),
        _fk("blocker_id", "blocks", "users", "CASCADE"),
        _fk("blocked_id", "blocks", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_blocks")),
    )
    op.create_index("ix_blocks_blocked_id", "blocks", ["blocked_id"])

    # notifications has no expression index or trigger: SQLite's batch
    # rebuild (needed to add foreign keys there) is safe.
    with op.batch_alter_table("notifications") as batch:
        for column, target in NOTIFICATION_LINKS.items():
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch.create_foreign_key(
                op.f(f"fk_notifications_{column}_{target}"),
                target,
                [column],
                ["id"],
                ondelete="CASCADE",
            )
            batch.create_index(f"ix_notifications_{column}", [column])


def downgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("notifications") as batch:
        for column, target in NOTIFICATION_LINKS.items():
            batch.drop_index(f"ix_notifications_{column}")
            batch.drop_constraint(op.f(f"fk_notifications_{column}_{target}"), type_="foreignkey")
            batch.drop_column(column)
    op.drop_table("blocks")
    op.drop_table("audit_log")
    op.drop_table("take_downs")
    op.drop_table("strikes")
    op.drop_table("reports")
    # Taken-down posts come back into the listings of the older schema,
    # which cannot tell them apart; say so rather than leak them silently.
    posts = sa.table("posts", sa.column("taken_down", sa.Boolean), sa.column("status"))
    op.execute(posts.update().where(posts.c.taken_down == sa.true()).values(status="failed"))
    _recreate_indexes(LISTED_BEFORE[dialect])
    # Deleted accounts stay unable to sign in.
    users = sa.table("users", sa.column("deleted_at"), sa.column("disabled", sa.Boolean))
    op.execute(users.update().where(users.c.deleted_at.is_not(None)).values(disabled=True))
    op.drop_column("posts", "labels")
    op.drop_column("posts", "taken_down")
    for column in (
        "deleted_at",
        "suspension_reason",
        "suspended_until",
        "suspended_at",
        "strike_suspended",
    ):
        op.drop_column("users", column)
