"""search: full-text index kept by the database, indexes for every filter

PostgreSQL: a generated ``search_vector`` tsvector column (title, object
names, tags, notes, weighted in that order) with a GIN index. SQLite: an FTS5
table over the same columns (external content: posts), kept by triggers.
Tags live in post_tags; ``posts.tags_text`` carries them on the row so that
both indexes can read them.

Careful in later migrations on SQLite: a batch operation that recreates the
posts table drops these triggers; recreate them (skyframe.search.schema).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 18:00:00
"""

import sqlalchemy as sa
from alembic import op

from skyframe.search import schema

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

READY = sa.text("status = 'ready'")
OLD_INDEXES = {
    "ix_posts_category": ["category"],
    "ix_posts_object_id": ["object_id"],
    "ix_posts_observed_at": ["observed_at"],
}
# Each filter alone answers newest-first from its index (keyset on created_at, id).
NEW_INDEXES = {
    "ix_posts_ready_object_created": ["object_id", "created_at", "id"],
    "ix_posts_ready_object_name_created": [sa.text("lower(object_name)"), "created_at", "id"],
    "ix_posts_ready_observer_created": [sa.text("lower(observer)"), "created_at", "id"],
    "ix_posts_ready_category_created": ["category", "created_at", "id"],
    "ix_posts_ready_category_observed": ["category", "observed_at", "created_at", "id"],
    "ix_posts_ready_observed_created": ["observed_at", "created_at", "id"],
}
# Weights: A title, B object names and tags, D notes (ts_rank's defaults
# 1.0 / 0.4 / 0.2 / 0.1). The configuration is named so the expression is
# immutable, as generated columns require.
SEARCH_VECTOR = """
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
 || setweight(to_tsvector('english'::regconfig,
        coalesce(object_name, '') || ' ' || coalesce(object_common_name, '')
        || ' ' || coalesce(tags_text, '')), 'B')
 || setweight(to_tsvector('english'::regconfig, coalesce(notes, '')), 'D')
"""
FTS_COLUMNS = ("title", "object_name", "object_common_name", "tags_text", "notes")


def upgrade():
    op.add_column("posts", sa.Column("tags_text", sa.Text(), server_default="", nullable=False))
    _backfill_tags_text()
    for name in OLD_INDEXES:
        op.drop_index(name, table_name="posts")
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, "posts", columns, postgresql_where=READY, sqlite_where=READY)
    if op.get_bind().dialect.name == "postgresql":
        statements = schema.postgresql_search_vector(SEARCH_VECTOR)
    else:
        statements = schema.sqlite_fts(FTS_COLUMNS, "porter unicode61 remove_diacritics 0")
    for statement in statements:
        op.execute(statement)


def _backfill_tags_text():
    if op.get_bind().dialect.name == "postgresql":
        tags = "string_agg(tag, ' ' ORDER BY position)"
    else:
        tags = "group_concat(tag, ' ')"
    # Tags in their order, as Post.set_tags writes them (phrases span tags).
    op.execute(
        f"UPDATE posts SET tags_text = (SELECT {tags} FROM (SELECT tag, position FROM post_tags "  # noqa: S608
        "WHERE post_tags.post_id = posts.id ORDER BY position) AS ordered) "
        "WHERE EXISTS (SELECT 1 FROM post_tags WHERE post_tags.post_id = posts.id)"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        statements = schema.postgresql_drop_search_vector()
    else:
        statements = schema.sqlite_drop_fts()
    for statement in statements:
        op.execute(statement)
    for name in NEW_INDEXES:
        op.drop_index(name, table_name="posts")
    for name, columns in OLD_INDEXES.items():
        op.create_index(name, "posts", columns)
    # Plain ALTER TABLE (SQLite ≥ 3.35 drops columns natively): a batch
    # rebuild of posts would lose indexes SQLite cannot reflect.
    op.drop_column("posts", "tags_text")
