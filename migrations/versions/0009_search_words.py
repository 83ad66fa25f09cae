"""search words: one tokeniser for both databases

Search used to let each database read the text its own way, and they
disagreed (PostgreSQL's parser, porter against Snowball, ASCII-only lower()
in SQLite). Now the application folds and stems the words once
(skyframe.words) into ``search_title``, ``search_names`` and
``search_notes``, and both indexes read those: on PostgreSQL a generated
``search_vector`` with the ``simple`` configuration, on SQLite an FTS5 table
with the ``ascii`` tokenizer. The observer and object filters compare folded
keys (``observer_key``, ``object_key``) instead of lower().

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 14:00:00
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from skyframe.models.post import search_fields
from skyframe.search import schema

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

READY = sa.text("status = 'ready'")
WORD_COLUMNS = ("search_title", "search_names", "search_notes")
KEY_COLUMNS = ("observer_key", "object_key")
SOURCES = ("title", "object_name", "object_common_name", "tags_text", "notes", "observer")
KEY_INDEXES = {
    "ix_posts_ready_object_key_created": ["object_key", "created_at", "id"],
    "ix_posts_ready_observer_key_created": ["observer_key", "created_at", "id"],
}
LOWER_INDEXES = {
    "ix_posts_ready_object_name_created": [sa.text("lower(object_name)"), "created_at", "id"],
    "ix_posts_ready_observer_created": [sa.text("lower(observer)"), "created_at", "id"],
}
# The fields one after another, with "the" between them: a word no query
# holds (stop words are dropped from queries), so a phrase cannot run from
# the end of the title into the object names.
SEARCH_VECTOR = (
    "to_tsvector('simple'::regconfig, "
    "search_title || ' the ' || search_names || ' the ' || search_notes)"
)
BATCH = 5000


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    # The old index first: PostgreSQL would recompute it for every backfilled row.
    _execute(schema.postgresql_drop_search_vector() if postgresql else schema.sqlite_drop_fts())
    for name in (*WORD_COLUMNS, "observer_key"):
        op.add_column("posts", sa.Column(name, sa.Text(), server_default="", nullable=False))
    op.add_column("posts", sa.Column("object_key", sa.Text(), nullable=True))
    _backfill()
    _swap_indexes(LOWER_INDEXES, KEY_INDEXES)
    if postgresql:
        _execute(schema.postgresql_search_vector(SEARCH_VECTOR))
        # The planner knows nothing of the new columns until posts is analysed.
        op.execute("ANALYZE posts")
    else:
        _execute(schema.sqlite_fts(WORD_COLUMNS, "ascii"))


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    _execute(schema.postgresql_drop_search_vector() if postgresql else schema.sqlite_drop_fts())
    _swap_indexes(KEY_INDEXES, LOWER_INDEXES)
    # Plain ALTER TABLE (SQLite ≥ 3.35 drops columns natively): a batch
    # rebuild of posts would lose its triggers and partial indexes.
    for name in (*WORD_COLUMNS, *KEY_COLUMNS):
        op.drop_column("posts", name)
    previous = _previous_revision()
    if postgresql:
        _execute(schema.postgresql_search_vector(previous.SEARCH_VECTOR))
    else:
        _execute(schema.sqlite_fts(previous.FTS_COLUMNS, "porter unicode61 remove_diacritics 0"))


def _execute(statements):
    for statement in statements:
        op.execute(statement)


def _swap_indexes(old, new):
    for name in old:
        op.drop_index(name, table_name="posts")
    for name, columns in new.items():
        op.create_index(name, "posts", columns, postgresql_where=READY, sqlite_where=READY)


def _backfill():
    """Computes the columns in Python (the same code the application uses),
    a batch of posts at a time."""
    bind = op.get_bind()
    posts = sa.table("posts", *(sa.column(name) for name in ("id", *SOURCES)))
    write = _postgresql_writer(bind) if bind.dialect.name == "postgresql" else _sqlite_writer(bind)
    last = 0
    while True:
        query = sa.select(posts).where(posts.c.id > last).order_by(posts.c.id).limit(BATCH)
        rows = bind.execute(query).all()
        if not rows:
            break
        write([(row.id, *search_fields(*(row[1:])).values()) for row in rows])
        last = rows[-1].id
    write(None)


def _sqlite_writer(bind):
    names = (*WORD_COLUMNS, *KEY_COLUMNS)
    statement = sa.text(
        f"UPDATE posts SET {', '.join(f'{name} = :{name}' for name in names)} WHERE id = :id"  # noqa: S608
    )

    def write(rows):
        if rows:
            bind.execute(statement, [dict(zip(("id", *names), row, strict=True)) for row in rows])

    return write


def _postgresql_writer(bind):
    """COPY into a temporary table, then one UPDATE: row-by-row updates of a
    million posts take minutes."""
    names = (*WORD_COLUMNS, *KEY_COLUMNS)
    columns = ", ".join(f"{name} text" for name in names)
    assignments = ", ".join(f"{name} = b.{name}" for name in names)
    copy_rows = f"COPY search_backfill (id, {', '.join(names)}) FROM STDIN"
    update = f"UPDATE posts SET {assignments} FROM search_backfill b WHERE posts.id = b.id"  # noqa: S608
    bind.execute(
        sa.text(f"CREATE TEMPORARY TABLE search_backfill (id bigint, {columns}) ON COMMIT DROP")
    )
    raw = bind.connection.driver_connection

    def write(rows):
        if rows is None:
            bind.execute(sa.text("CREATE UNIQUE INDEX ON search_backfill (id)"))
            bind.execute(sa.text("ANALYZE search_backfill"))
            bind.execute(sa.text(update))
            return
        with raw.cursor() as cursor, cursor.copy(copy_rows) as copy:
            for row in rows:
                copy.write_row(row)

    return write


def _previous_revision():
    """Migration 0008's definitions, to put its index back on the way down."""
    path = Path(__file__).with_name("0008_search.py")
    spec = importlib.util.spec_from_file_location("skyframe_migration_0008", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
