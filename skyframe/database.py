"""Database helpers: SQLite connection settings, pooled connection checks,
dialect-aware inserts."""

from __future__ import annotations

import time

from sqlalchemy import Integer, any_, bindparam, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from skyframe.models import utcnow


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # WAL lets readers carry on while a writer commits; in-memory databases
    # ignore it.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection with a round trip before handing it out, as
    ``pool_pre_ping`` does, but only when it has been idle for more than
    ``idle_seconds``.

    Connections dropped while idle (a database restart, a proxy's or
    firewall's idle timeout) are still found and replaced before a request
    sees them. A busy worker reuses its connection within milliseconds; a
    server that went away in that time is still down when the request's own
    statement runs, so the ping would not have saved that request, and it
    cost one round trip in five of every feed page.
    """

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since <= idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out another.
            raise DisconnectionError(f"pooled connection failed its ping: {error}") from error


def dialect_insert(session: Session):
    """The insert() of the session's dialect: both have ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def insert_ignoring_duplicates(session: Session, model, **values) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row was new."""
    values.setdefault("created_at", utcnow())
    statement = (
        dialect_insert(session)(model)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*model.__table__.primary_key.columns)
    )
    # RETURNING rather than rowcount: psycopg reports -1 for this statement.
    return session.execute(statement).first() is not None


def in_bound_ids(column, name: str, dialect: str) -> ColumnElement[bool]:
    """``column`` IN the integer list bound as ``name`` at execution.

    PostgreSQL gets one array parameter (= ANY): the SQL text does not change
    with the list's length, and SQLAlchemy need not rewrite the statement for
    each execution as it does for an expanding IN (about 0.3 ms a query).
    """
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


def reading_only(session: Session) -> None:
    """Run the session's statements each on its own (autocommit) until it
    ends: for requests that only read, this saves the BEGIN and ROLLBACK
    round trips around them. Call it before the session's first statement
    (afterwards it changes nothing); nothing it runs may write."""
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
