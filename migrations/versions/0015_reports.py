"""reports: the target index ends in (created_at, id)

The moderation queue keeps a report when no earlier open report on its
target exists; with (created_at, id) at the end of ix_reports_target that
probe reads one index entry instead of every open report on the target (a
post with a hundred reports made each probe a hundred rows).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 03:00:00
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_reports_target", table_name="reports")
    op.create_index(
        "ix_reports_target",
        "reports",
        ["target_type", "target_id", "status", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_reports_target", table_name="reports")
    op.create_index("ix_reports_target", "reports", ["target_type", "target_id", "status"])
