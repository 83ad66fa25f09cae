"""Schema changes go through Alembic, up and down, on every backend."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from skyframe import create_app
from skyframe.extensions import db
from skyframe.search.schema import include_object
from tests.conftest import BACKENDS, throwaway_database

APP_TABLES = {
    "users",
    "login_sessions",
    "motd_messages",
    "motd_acks",
    "posts",
    "post_tags",
    "post_media",
    "password_reset_tokens",
}


@pytest.fixture(params=BACKENDS)
def fresh_app(request, tmp_path_factory):
    with throwaway_database(request.param, tmp_path_factory) as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        yield app
        with app.app_context():
            db.engine.dispose()


def tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_upgrade_downgrade_base_upgrade(fresh_app):
    with fresh_app.app_context():
        upgrade()
        assert tables(fresh_app) >= APP_TABLES
        downgrade(revision="base")
        assert tables(fresh_app) & APP_TABLES == set()
        upgrade()
        downgrade(revision="-1")
        upgrade()
        assert tables(fresh_app) >= APP_TABLES


def test_migrations_match_the_models(fresh_app):
    """Autogenerate finds nothing to add: models and migrations agree."""
    with fresh_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    "include_object": include_object,
                },
            )
            differences = compare_metadata(context, db.metadata)
    # SQLite cannot reflect expression indexes, so they are only compared on PostgreSQL.
    assert differences == []


def test_case_insensitive_handle_index_survives_the_migrations(fresh_app):
    """SQLite's batch mode silently drops expression indexes it cannot reflect."""
    from sqlalchemy.exc import IntegrityError

    from skyframe.models import User

    with fresh_app.app_context():
        upgrade()
        downgrade(revision="0001")
        upgrade()
        for handle in ("Vega", "VEGA"):
            db.session.add(
                User(
                    email=f"{handle}@x.org",
                    email_key=f"{handle.lower()}{len(handle)}@x.org"
                    if handle == "Vega"
                    else "other@x.org",
                    handle=handle,
                    display_name="V",
                    password_hash="x",
                )
            )
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                break
        else:
            pytest.fail("two handles differing only in case were stored")


def test_full_text_index_is_whole_after_going_down_and_up(fresh_app):
    """The index must follow inserts, edits and deletes at head, however the
    database got there (SQLite batch operations drop triggers silently)."""
    from datetime import timedelta

    from sqlalchemy import text

    from skyframe import search
    from skyframe.accounts import users
    from skyframe.models import Post, PostStatus, utcnow
    from skyframe.search.filters import build
    from skyframe.services import password_hashing

    def found(words: str) -> list[int]:
        filters = build(text=words)
        return search.find(db.session, filters, limit=10, now=utcnow() + timedelta(1)).post_ids

    with fresh_app.app_context():
        upgrade()
        downgrade(revision="0001")
        upgrade()
        owner = users.register_user(
            db.session,
            password_hashing(),
            email="vega@example.org",
            handle="vega",
            display_name="Vega",
            password="Orion-Nebula-42",
        )
        post = Post(
            owner=owner,
            status=PostStatus.READY,
            media_key="m",
            title="Rosette nebula",
            category="deep-sky",
            observer="Vega",
        )
        db.session.add(post)
        db.session.commit()
        assert found("rosette") == [post.id]
        post.title = "Heart nebula"
        db.session.commit()
        assert found("rosette") == []
        assert found("heart") == [post.id]
        if db.engine.dialect.name == "sqlite":
            db.session.execute(
                text("INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)")
            )
        db.session.delete(post)
        db.session.commit()
        assert found("heart") == []


def test_accounts_disabled_before_0013_have_their_posts_and_comments_hidden(fresh_app):
    """0013 marks the posts of accounts already disabled and takes their
    comments out of the counts; going down puts the counts back."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    now = datetime(2026, 12, 1, tzinfo=UTC)

    def table(name, *columns):
        return sa.table(name, *(sa.column(c) for c in columns))

    users = table("users", "id", "email", "email_key", "handle", "display_name", "password_hash")
    users.append_column(sa.column("disabled", sa.Boolean))
    users.append_column(sa.column("created_at", sa.DateTime))
    posts = table("posts", "id", "owner_id", "title", "category", "observer", "status")
    for name in ("media_key", "comment_count"):
        posts.append_column(sa.column(name))
    for name in ("created_at", "updated_at"):
        posts.append_column(sa.column(name, sa.DateTime))
    comments = table("comments", "id", "post_id", "author_id", "body")
    comments.append_column(sa.column("created_at", sa.DateTime))

    def counts():
        found = db.session.execute(sa.text("SELECT id, comment_count FROM posts ORDER BY id"))
        return dict(found.all())

    with fresh_app.app_context():
        upgrade(revision="0012")
        for user_id, handle, disabled in ((1, "active", False), (2, "gone", True)):
            db.session.execute(
                users.insert().values(
                    id=user_id,
                    email=f"{handle}@x.org",
                    email_key=f"{handle}@x.org",
                    handle=handle,
                    display_name=handle,
                    password_hash="x",
                    disabled=disabled,
                    created_at=now,
                )
            )
        for post_id, owner_id, count in ((1, 1, 2), (2, 2, 0)):
            db.session.execute(
                posts.insert().values(
                    id=post_id,
                    owner_id=owner_id,
                    title="A capture",
                    category="deep-sky",
                    observer="Someone",
                    status="ready",
                    media_key=f"k{post_id}",
                    comment_count=count,
                    created_at=now,
                    updated_at=now,
                )
            )
        for comment_id, author_id in ((1, 1), (2, 2)):
            db.session.execute(
                comments.insert().values(
                    id=comment_id, post_id=1, author_id=author_id, body="Hi", created_at=now
                )
            )
        db.session.commit()
        upgrade()
        hidden = db.session.execute(sa.text("SELECT id FROM posts WHERE owner_disabled"))
        assert [post_id for (post_id,) in hidden] == [2]
        assert counts() == {1: 1, 2: 0}
        db.session.commit()
        downgrade(revision="0011")
        assert counts() == {1: 2, 2: 0}
        db.session.commit()
