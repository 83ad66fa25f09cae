"""Shared fixtures.

Every test that uses ``app`` runs once per database backend: SQLite always,
PostgreSQL too when SKYFRAME_TEST_POSTGRES_URL names a server (CI sets it).
Each run gets its own throwaway database, migrated with Alembic, and every
test leaves its tables empty for the next.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from skyframe import create_app
from skyframe.accounts import users
from skyframe.extensions import db
from skyframe.models import Role, User
from skyframe.services import password_hashing

# No test reads the developer's instance/.env (`make run` writes one): every
# app built here, and every process a test starts, sees an empty env file.
os.environ["SKYFRAME_ENV_FILE"] = os.devnull

POSTGRES_ADMIN_URL = os.environ.get("SKYFRAME_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("SKYFRAME_TEST_REDIS_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_ADMIN_URL else [])

STRONG_PASSWORD = "Orion-Nebula-42"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests marked ``one_database`` run on SQLite only: the database is not
    what they are about (text rules, headers, pages, media, the browser), so
    a second run on PostgreSQL would only double their time."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec else None
        if backend not in (None, "sqlite") and item.get_closest_marker("one_database"):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@contextmanager
def throwaway_postgres_database(admin_url: str) -> Iterator[str]:
    """Create an empty database on the server and drop it afterwards."""
    import psycopg

    admin = make_url(admin_url).set(drivername="postgresql")
    name = f"skyframe_test_{uuid.uuid4().hex[:12]}"
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # A throwaway database need not survive a power cut: commits that do
        # not wait for the WAL flush make the PostgreSQL half of the suite
        # about a fifth faster and change nothing a test can observe.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def throwaway_database(backend: str, tmp_path_factory) -> Iterator[str]:
    if backend == "postgresql":
        with throwaway_postgres_database(POSTGRES_ADMIN_URL) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'skyframe.db'}"


def migrate_to_head(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    with throwaway_database(request.param, tmp_path_factory) as url:
        migrate_to_head(url)
        yield url


def empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


class CsrfClient(FlaskClient):
    """A test client that sends a valid X-CSRFToken on state-changing requests,
    as the PWA does. Pass ``csrf=False`` to send none."""

    def open(self, *args, csrf: bool = True, **kwargs):
        # Buffer bodies so file responses are read and closed at once.
        kwargs.setdefault("buffered", True)
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        return super().open("/api/v1/auth/csrf").get_json()["csrf_token"]


def build_app(database_url: str, **overrides) -> Flask:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    app.test_client_class = CsrfClient
    return app


@pytest.fixture
def app_factory(database_url: str, tmp_path):
    """Build apps with extra settings; their tables are emptied afterwards."""
    apps: list[Flask] = []

    def factory(**overrides) -> Flask:
        overrides.setdefault("UPLOAD_FOLDER", str(tmp_path / "uploads"))
        overrides.setdefault("MAIL_FILE_DIR", str(tmp_path / "mail"))
        app = build_app(database_url, **overrides)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            empty_all_tables()
            db.engine.dispose()


@pytest.fixture
def app(app_factory) -> Flask:
    return app_factory()


@pytest.fixture
def client(app) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Factory: a saved user (handle, e-mail and display name derived if omitted)."""
    counter = iter(range(1, 10_000))

    def make(
        handle: str | None = None,
        *,
        email: str | None = None,
        password: str = STRONG_PASSWORD,
        role: Role = Role.USER,
        disabled: bool = False,
    ) -> User:
        handle = handle or f"observer{next(counter)}"
        with app.app_context():
            user = users.register_user(
                db.session,
                password_hashing(),
                email=email or f"{handle.lower()}@example.org",
                handle=handle,
                display_name=handle.title(),
                password=password,
                role=role,
            )
            user.disabled = disabled
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def make_post(app):
    """Factory: a saved post of ``owner`` (a User or id), ready unless told,
    with no files — for listings, where the pipeline is not the subject."""
    import secrets
    from datetime import timedelta

    from skyframe.models import Post, PostStatus, utcnow
    from skyframe.posts import details as post_details

    def make(
        owner,
        *,
        age: timedelta = timedelta(0),
        status=PostStatus.READY,
        tags: list[str] = (),
        object: str | None = None,
        **fields,
    ) -> int:
        fields.setdefault("title", "A capture")
        fields.setdefault("category", "deep-sky")
        fields.setdefault("observer", "Someone")
        with app.app_context():
            created = utcnow() - age
            post = Post(
                owner_id=getattr(owner, "id", owner),
                status=status,
                media_key=secrets.token_hex(16),
                created_at=created,
                updated_at=created,
                **fields,
            )
            post.set_tags(list(tags))
            if object is not None:
                post_details.set_object(post, object)
            db.session.add(post)
            db.session.commit()
            return post.id

    return make


@pytest.fixture
def post_from_many(app, make_user):
    """POST ``url`` as six new users at once, three times each: the statuses."""
    from concurrent.futures import ThreadPoolExecutor

    def run(url: str) -> set[int]:
        handles = [f"fan{i}" for i in range(6)]
        for handle in handles:
            make_user(handle)

        def post_three_times(handle):
            client = app.test_client()
            login(client, handle)
            return [client.post(url).status_code for _ in range(3)]

        with ThreadPoolExecutor(max_workers=len(handles)) as pool:
            return {s for result in pool.map(post_three_times, handles) for s in result}

    return run


@pytest.fixture
def as_user(app):
    """A signed-in test client per handle, made once per test."""
    clients = {}

    def get(handle: str) -> CsrfClient:
        if handle not in clients:
            clients[handle] = app.test_client()
            assert login(clients[handle], handle).status_code == 200
        return clients[handle]

    return get


def login(client: CsrfClient, login_name: str, password: str = STRONG_PASSWORD):
    return client.post("/api/v1/auth/login", json={"login": login_name, "password": password})


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-protocol server (moto's) on a free local port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def make_clip_post(app, tmp_path):
    """Factory: a clip post of ``owner`` (a User or id) made from a clip
    generated now (tests/clip_samples.py: ``container``, ``audio``,
    ``seconds`` and the rest) through the real probe and transcode, run in
    the test's thread; ready unless the clip fails. Returns the post id."""
    from skyframe.models import utcnow
    from skyframe.posts import details as post_details
    from skyframe.posts import lifecycle
    from skyframe.services import current_storage, media_settings
    from tests import clip_samples

    counter = iter(range(1, 10_000))

    def make(owner, *, container: str = "mp4", title: str = "A meteor", **clip) -> int:
        extension = clip_samples.CONTAINERS[container][3]
        path = clip_samples.make_clip(
            tmp_path / f"clip-{next(counter)}{extension}", container, **clip
        )
        with app.app_context():
            user = db.session.get(User, getattr(owner, "id", owner))
            details = post_details.validate_details(
                {"title": title, "category": "meteor"}, utcnow(), creating=True
            )
            post = lifecycle.create_post(
                db.session,
                current_storage(),
                user,
                upload_path=path,
                filename=path.name,
                declared_type=None,
                details=details,
                settings=media_settings(),
                now=utcnow(),
            )
            db.session.commit()
            post_id = post.id
            lifecycle.process_clip(
                db.session, current_storage(), post_id, media_settings(), utcnow()
            )
            return post_id

    return make
