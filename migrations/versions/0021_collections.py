"""collections: a user's named, ordered lists of posts

Items keep their place as order keys (strings that sort between their
neighbours), compared byte by byte: the "C" collation on PostgreSQL, whose
default would sort by the server's locale; SQLite compares bytes already.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

POSITION = sa.String(length=120).with_variant(sa.String(length=120, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("public", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_collections_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collections")),
    )
    op.create_index(
        "ix_collections_owner_created_id", "collections", ["owner_id", "created_at", "id"]
    )
    op.create_table(
        "collection_items",
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("position", POSITION, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_collection_items_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_collection_items_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_id", "post_id", name=op.f("pk_collection_items")),
        sa.UniqueConstraint("collection_id", "position", name=op.f("uq_collection_items_position")),
    )
    op.create_index("ix_collection_items_post_id", "collection_items", ["post_id"])


def downgrade() -> None:
    op.drop_index("ix_collection_items_post_id", table_name="collection_items")
    op.drop_table("collection_items")
    op.drop_index("ix_collections_owner_created_id", table_name="collections")
    op.drop_table("collections")
