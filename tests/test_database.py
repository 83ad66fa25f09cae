"""Database helpers on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.pool import NullPool

from skyframe.database import reading_only
from skyframe.extensions import db
from skyframe.models import User
from tests.conftest import login


def autocommit(dbapi_connection) -> bool:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        return dbapi_connection.isolation_level is None
    return dbapi_connection.autocommit  # psycopg


def current_dbapi_connection():
    return db.session.connection().connection.dbapi_connection


def test_a_reading_session_runs_no_transaction_and_hands_back_a_normal_connection(app, make_user):
    make_user("someone")
    with app.app_context():
        reading_only(db.session)
        assert db.session.scalar(select(User.handle)) == "someone"
        connection = current_dbapi_connection()
        assert autocommit(connection)
        if hasattr(connection, "info"):  # psycopg: no BEGIN was sent
            from psycopg.pq import TransactionStatus

            assert connection.info.transaction_status == TransactionStatus.IDLE
        db.session.remove()
        # The next session on the pooled connection is transactional again.
        db.session.scalar(select(User.id))
        assert current_dbapi_connection() is connection
        assert not autocommit(connection)
        db.session.remove()


def test_every_statement_of_a_feed_page_runs_without_a_transaction(app, make_user, make_post):
    """The feed endpoint asks for it before its first statement; anything
    that starts using the session earlier in a request would undo that."""
    make_user("reader")
    for number in range(3):
        make_post(make_user(f"astro{number}"))
    client = app.test_client()
    login(client, "reader")
    modes = []

    def record(conn, cursor, statement, parameters, context, many):
        modes.append((autocommit(conn.connection.dbapi_connection), statement.split()[0]))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
    try:
        for _ in range(2):
            assert client.get("/api/v1/feed").status_code == 200
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", record)
    assert len(modes) >= 6
    assert all(unbracketed for unbracketed, _ in modes), modes
    assert {verb for _, verb in modes} <= {"SELECT", "WITH"}  # and it only reads


def counting_pings(monkeypatch, engine) -> list:
    pings = []
    real_ping = engine.dialect.do_ping

    def ping(dbapi_connection):
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    return pings


def one_request_of_queries(app) -> None:
    with app.app_context():
        assert db.session.scalar(select(1)) == 1
        db.session.remove()


def test_a_connection_used_moments_ago_is_handed_out_without_a_ping(app_factory, monkeypatch):
    app = app_factory(DATABASE_PING_IDLE_SECONDS=60.0)
    with app.app_context():
        pings = counting_pings(monkeypatch, db.engine)
    for _ in range(3):
        one_request_of_queries(app)
    assert pings == []


def test_a_connection_idle_longer_than_the_setting_is_pinged_first(app_factory, monkeypatch):
    app = app_factory(DATABASE_PING_IDLE_SECONDS=0.0)
    with app.app_context():
        pings = counting_pings(monkeypatch, db.engine)
    one_request_of_queries(app)
    pings.clear()
    one_request_of_queries(app)
    one_request_of_queries(app)
    assert len(pings) == 2


def test_a_connection_dropped_while_idle_is_replaced_before_a_request_sees_it(app_factory):
    app = app_factory(DATABASE_PING_IDLE_SECONDS=0.0)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a server that drops connections: PostgreSQL")
        backend = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()
        # The server ends the pooled connection (as a restart or an idle
        # timeout in a proxy would).
        other = create_engine(db.engine.url, poolclass=NullPool)
        with other.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        other.dispose()
        assert db.session.scalar(text("SELECT pg_backend_pid()")) not in (None, backend)
        db.session.remove()
