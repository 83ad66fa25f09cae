"""tickets: support tickets, their messages, and notifications that link one

A user's ticket to staff (skyframe.support): its status, assignee,
escalation to managers and the report it follows up; its thread of
messages. The staff views (unassigned, mine, all, each by status) and the
owner's list are keyset walks of their own index on (…, updated_at, id).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 13:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TICKET_INDEXES = {
    "ix_tickets_owner_updated_id": ["owner_id", "updated_at", "id"],
    "ix_tickets_assignee_status_updated_id": ["assignee_id", "status", "updated_at", "id"],
    "ix_tickets_assignee_updated_id": ["assignee_id", "updated_at", "id"],
    "ix_tickets_status_updated_id": ["status", "updated_at", "id"],
    "ix_tickets_updated_id": ["updated_at", "id"],
    "ix_tickets_report_id": ["report_id"],
}


def _fk(column: str, table: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _when(column: str, nullable: bool = True) -> sa.Column:
    return sa.Column(column, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("managers_only", sa.Boolean(), server_default=sa.false(), nullable=False),
        _when("escalated_at"),
        sa.Column("escalated_by_id", sa.Integer(), nullable=True),
        sa.Column("escalation_note", sa.Text(), server_default="", nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        _when("closed_at"),
        sa.CheckConstraint(
            "status IN ('open', 'pending', 'solved', 'closed')",
            name=op.f("ck_tickets_status_known"),
        ),
        _fk("owner_id", "tickets", "users", "CASCADE"),
        _fk("assignee_id", "tickets", "users", "SET NULL"),
        _fk("escalated_by_id", "tickets", "users", "SET NULL"),
        _fk("report_id", "tickets", "reports", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    for name, columns in TICKET_INDEXES.items():
        op.create_index(name, "tickets", columns)

    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("from_staff", sa.Boolean(), server_default=sa.false(), nullable=False),
        _when("created_at", nullable=False),
        _fk("ticket_id", "ticket_messages", "tickets", "CASCADE"),
        _fk("author_id", "ticket_messages", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_messages")),
    )
    op.create_index("ix_ticket_messages_ticket_id_id", "ticket_messages", ["ticket_id", "id"])
    op.create_index("ix_ticket_messages_author_id", "ticket_messages", ["author_id"])

    # As in 0014: notifications has no expression index or trigger, so
    # SQLite's batch rebuild (needed for the foreign key) is safe.
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_notifications_ticket_id_tickets"),
            "tickets",
            ["ticket_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_notifications_ticket_id", ["ticket_id"])


def downgrade() -> None:
    # Ticket notices tell of nothing the older schema has: they go too.
    notifications = sa.table("notifications", sa.column("ticket_id"))
    op.execute(notifications.delete().where(notifications.c.ticket_id.is_not(None)))
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index("ix_notifications_ticket_id")
        batch.drop_constraint(op.f("fk_notifications_ticket_id_tickets"), type_="foreignkey")
        batch.drop_column("ticket_id")
    op.drop_table("ticket_messages")
    op.drop_table("tickets")
