"""reports: the target index ends in (created_at, id)

The moderation queue keeps a report when no earlier open report on its
target exists; with (created_at, id) at the end of ix_reports_target that
probe reads one index entry instead of every open report on the target (a
post with a hundred reports made each probe a hundred rows). On PostgreSQL
it also carries each report's reason and resolution time, so the queue's
per-reason counts of a page's targets are an index-only scan instead of a
heap fetch per report (a popular target has thousands).

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
        postgresql_include=["reason", "resolved_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_reports_target", table_name="reports")
    op.create_index("ix_reports_target", "reports", ["target_type", "target_id", "status"])
