"""Database helpers on both databases."""

from __future__ import annotations

from sqlalchemy import event, select

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
