"""posts, tags and media

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:17:24.228449

"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("object_name", sa.String(length=120), nullable=True),
        sa.Column("object_id", sa.String(length=32), nullable=True),
        sa.Column("object_common_name", sa.String(length=120), nullable=True),
        sa.Column("object_type", sa.String(length=60), nullable=True),
        sa.Column("object_constellation", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("observer", sa.String(length=80), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("telescope", sa.String(length=120), nullable=True),
        sa.Column("camera", sa.String(length=120), nullable=True),
        sa.Column("mount", sa.String(length=120), nullable=True),
        sa.Column("filters", sa.String(length=120), nullable=True),
        sa.Column("exposure_seconds", sa.Float(), nullable=True),
        sa.Column("exposure_count", sa.Integer(), nullable=True),
        sa.Column("integration_seconds", sa.Float(), nullable=True),
        sa.Column("gain", sa.String(length=40), nullable=True),
        sa.Column("bortle", sa.SmallInteger(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("media_key", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("placeholder_blurhash", sa.String(length=60), nullable=True),
        sa.Column("placeholder_color", sa.String(length=7), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('deep-sky', 'planetary', 'lunar', 'solar', 'nightscape', 'comet', 'meteor', 'aurora', 'other')",
            name=op.f("ck_posts_category_known"),
        ),
        sa.CheckConstraint(
            "status IN ('processing', 'ready', 'failed')", name=op.f("ck_posts_status_known")
        ),
        sa.CheckConstraint(
            "bortle IS NULL OR bortle BETWEEN 1 AND 9", name=op.f("ck_posts_bortle_range")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_posts_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("media_key", name=op.f("uq_posts_media_key")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_category", ["category"], unique=False)
        batch_op.create_index("ix_posts_object_id", ["object_id"], unique=False)
        batch_op.create_index("ix_posts_observed_at", ["observed_at"], unique=False)
        batch_op.create_index(
            "ix_posts_owner_created_id", ["owner_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_posts_status_created_id", ["status", "created_at", "id"], unique=False
        )

    op.create_table(
        "post_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_media_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_media")),
        sa.UniqueConstraint("key", name=op.f("uq_post_media_key")),
        sa.UniqueConstraint("post_id", "kind", "content_type", name="uq_post_media_variant"),
    )
    op.create_table(
        "post_tags",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=30), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_tags_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "tag", name=op.f("pk_post_tags")),
    )
    with op.batch_alter_table("post_tags", schema=None) as batch_op:
        batch_op.create_index("ix_post_tags_tag_post", ["tag", "post_id"], unique=False)


def downgrade():
    with op.batch_alter_table("post_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_post_tags_tag_post")

    op.drop_table("post_tags")
    op.drop_table("post_media")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_status_created_id")
        batch_op.drop_index("ix_posts_owner_created_id")
        batch_op.drop_index("ix_posts_observed_at")
        batch_op.drop_index("ix_posts_object_id")
        batch_op.drop_index("ix_posts_category")

    op.drop_table("posts")
