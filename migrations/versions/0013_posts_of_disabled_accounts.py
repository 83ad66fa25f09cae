"""posts of disabled accounts: ``owner_disabled`` on posts, in every listing index

Disabling an account hides its posts from everyone but staff. Listings keep
their partial indexes of ready posts by leaving these posts out of them:
``posts.owner_disabled`` is kept by accounts.set_disabled in the same
transaction, and each index's WHERE adds it, so the feed's and search's
queries stay index-only scans and join no users. Their comments are hidden
too, and left out of ``posts.comment_count``. Accounts disabled before this
migration are brought in line here.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 17:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

READY = "status = 'ready'"
# As skyframe.models.post writes them (each planner matches its own form).
LISTED = {
    "postgresql": "status = 'ready' AND NOT owner_disabled",
    "sqlite": "status = 'ready' AND owner_disabled = 0",
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


# The comments of disabled accounts, per post, and the posts they are on.
_HIDDEN_COMMENTS = (
    "(SELECT count(*) FROM comments JOIN users ON users.id = comments.author_id "
    "WHERE comments.post_id = posts.id AND users.disabled)"
)
_WITH_HIDDEN_COMMENTS = (
    "id IN (SELECT comments.post_id FROM comments "
    "JOIN users ON users.id = comments.author_id WHERE users.disabled)"
)


def _move_comment_counts(sign: str) -> None:
    op.execute(
        f"UPDATE posts SET comment_count = comment_count {sign} {_HIDDEN_COMMENTS} "  # noqa: S608
        f"WHERE {_WITH_HIDDEN_COMMENTS}"
    )


def _recreate_indexes(where: str) -> None:
    for name, columns in INDEXES.items():
        op.drop_index(name, table_name="posts")
        condition = sa.text(where)
        op.create_index(name, "posts", columns, postgresql_where=condition, sqlite_where=condition)


def upgrade():
    # Plain ALTER TABLE: a batch rebuild of posts would lose the full-text
    # triggers and the partial indexes SQLite cannot reflect.
    op.add_column(
        "posts",
        sa.Column("owner_disabled", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # The indexes before the backfill: built over rows the backfill had
    # already updated (HOT chains on a column they read), PostgreSQL could not
    # use them until every transaction older than this one had ended.
    _recreate_indexes(LISTED[op.get_bind().dialect.name])
    posts = sa.table("posts", sa.column("owner_id"), sa.column("owner_disabled", sa.Boolean))
    users = sa.table("users", sa.column("id"), sa.column("disabled", sa.Boolean))
    disabled = sa.select(users.c.id).where(users.c.disabled)
    op.execute(posts.update().where(posts.c.owner_id.in_(disabled)).values(owner_disabled=True))
    _move_comment_counts("-")


def downgrade():
    _move_comment_counts("+")
    _recreate_indexes(READY)
    op.drop_column("posts", "owner_disabled")
