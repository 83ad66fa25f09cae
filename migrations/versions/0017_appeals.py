"""appeals: an owner appeals a take-down or a strike once; notices of decisions

One row per appealed decision (unique on its target), linked to the ticket
it opened; notifications gain a link to the appeal whose decision they tell.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 13:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _fk(column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_appeals_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appellant_id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(
            "target_type IN ('take_down', 'strike')", name=op.f("ck_appeals_target_type_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'upheld', 'overturned')", name=op.f("ck_appeals_status_known")
        ),
        _fk("appellant_id", "users", "CASCADE"),
        _fk("decided_by_id", "users", "SET NULL"),
        _fk("ticket_id", "tickets", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("target_type", "target_id", name="uq_appeals_target"),
    )
    op.create_index("ix_appeals_status_created_id", "appeals", ["status", "created_at", "id"])
    op.create_index("ix_appeals_appellant_id_id", "appeals", ["appellant_id", "id"])
    op.create_index("ix_appeals_ticket_id", "appeals", ["ticket_id"])
    # notifications has no expression index or trigger: SQLite's batch
    # rebuild (needed to add a foreign key there) is safe.
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("appeal_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_notifications_appeal_id_appeals"),
            "appeals",
            ["appeal_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_notifications_appeal_id", ["appeal_id"])


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index("ix_notifications_appeal_id")
        batch.drop_constraint(op.f("fk_notifications_appeal_id_appeals"), type_="foreignkey")
        batch.drop_column("appeal_id")
    op.drop_index("ix_appeals_ticket_id", table_name="appeals")
    op.drop_index("ix_appeals_appellant_id_id", table_name="appeals")
    op.drop_index("ix_appeals_status_created_id", table_name="appeals")
    op.drop_table("appeals")
