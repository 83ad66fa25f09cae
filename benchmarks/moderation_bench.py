"""The moderation queue at 100,000 reports, on PostgreSQL, through gunicorn.

Builds (once; reused while its size matches) a database of its own with
5,000 users, 20,000 posts, 10,000 comments and --reports reports (bulk
INSERT … SELECT; about 60 % open, the rest resolved; most targets reported
once, a few hundred many times, as on a real site), then measures staff
pages over real HTTP, one request at a time, client-measured on localhost
(an upper bound of server time):

- GET /api/v1/admin/reports: the first page of open reports, pages deeper in
  by cursor, filtered by reason and by target type, and resolved ones;

then prints EXPLAIN (ANALYZE, BUFFERS) of the queue's query (the walk of
ix_reports_status_created_id with a probe of ix_reports_target per report).

    .venv/bin/python benchmarks/moderation_bench.py [--reports 100000] [--requests 200] [--rebuild]

Needs a PostgreSQL server (default postgresql://postgres@127.0.0.1:5432) and
Redis (as feed_bench.bench_env configures it). Target: p99 ≤ 20 ms per page.

Other staff pages join the run through PAGE_SETS (who signs in, and the
pages measured as them): the audit log adds its own set, signed in as the
manager MANAGER, and its rows to seed_extra().
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import feed_bench

MODERATOR, MANAGER = "benchmod", "benchboss"
USERS, POSTS, COMMENTS = 5_000, 20_000, 10_000
REASONS = ["spam", "harassment", "off_topic", "stolen", "sensitive", "misleading", "other"]

# Each page maker returns the path (with its query) of one request.
PageMaker = Callable[[random.Random, dict], str]


def queue_path(**query) -> str:
    return "/api/v1/admin/reports?" + urllib.parse.urlencode({"limit": 20, **query})


def report_pages() -> dict[str, PageMaker]:
    return {
        # What any signed-in request costs here (session, user, JSON): the floor.
        "baseline: GET /api/v1/me": lambda rng, state: "/api/v1/me",
        "open, first page": lambda rng, state: queue_path(),
        "open, by cursor (pages 2-10)": lambda rng, state: queue_path(
            cursor=rng.choice(state["open_cursors"])
        ),
        "open, reason=": lambda rng, state: queue_path(reason=rng.choice(REASONS)),
        "open, target_type=": lambda rng, state: queue_path(
            target_type=rng.choice(["post", "comment", "user"])
        ),
        "resolved, first page": lambda rng, state: queue_path(status="resolved"),
    }


# (who signs in, the pages measured as them). The audit page adds
# (MANAGER, audit_pages()) here.
PAGE_SETS: list[tuple[str, Callable[[], dict[str, PageMaker]]]] = [(MODERATOR, report_pages)]


def seed_extra(connection) -> None:
    """Rows other staff pages need (the audit log's go here)."""


def _create_staff(url: str) -> None:
    """The signed-in staff accounts, through the app (a real password hash)."""
    os.environ.update(feed_bench.bench_env(url))
    from skyframe import create_app
    from skyframe.accounts import users
    from skyframe.extensions import db
    from skyframe.models import Role
    from skyframe.services import password_hashing

    app = create_app("production")
    with app.app_context():
        for handle, role in ((MODERATOR, Role.MODERATOR), (MANAGER, Role.MANAGER)):
            users.register_user(
                db.session,
                password_hashing(),
                email=f"{handle}@example.org",
                handle=handle,
                display_name=handle.title(),
                password=feed_bench.PASSWORD,
                role=role,
            )
        db.session.commit()
        db.engine.dispose()


SEED = [
    """INSERT INTO users (email, email_key, handle, display_name, password_hash, role, created_at)
       SELECT 'u' || i || '@example.org', 'u' || i || '@example.org', 'u' || i, 'User ' || i,
              'x', 'user', now() - interval '400 days'
       FROM generate_series(1, %(users)s) AS i""",
    """INSERT INTO posts (owner_id, title, category, observer, status, media_key, created_at,
                          updated_at)
       SELECT 3 + (i * 7919) %% %(users)s, 'Capture ' || i, 'deep-sky', 'Someone', 'ready',
              md5(i::text), now() - (i || ' minutes')::interval, now()
       FROM generate_series(1, %(posts)s) AS i""",
    """INSERT INTO comments (post_id, author_id, body, created_at)
       SELECT 1 + (i * 31) %% %(posts)s, 3 + (i * 104729) %% %(users)s,
              'A comment, number ' || i || ', with some words in it.', now() - interval '1 day'
       FROM generate_series(1, %(comments)s) AS i""",
    # Targets: mostly posts; a few hundred popular ones get many reports.
    """INSERT INTO reports (reporter_id, target_type, target_id, target_owner_id, reason, details,
                            status, created_at, resolved_at, decision)
       SELECT reporter, kind, target, NULL, reason, '', status, at,
              CASE WHEN status = 'resolved' THEN at + interval '1 day' END,
              CASE WHEN status = 'resolved' THEN 'dismiss' END
       FROM (
         SELECT 3 + (i * 7 + i / %(users)s) %% %(users)s AS reporter,
                CASE WHEN i %% 10 < 7 THEN 'post' WHEN i %% 10 < 9 THEN 'comment' ELSE 'user' END
                  AS kind,
                CASE WHEN i %% 5 = 0 THEN 1 + i %% 300
                     WHEN i %% 10 < 7 THEN 1 + (i * 13) %% %(posts)s
                     WHEN i %% 10 < 9 THEN 1 + (i * 17) %% %(comments)s
                     ELSE 3 + (i * 19) %% %(users)s END AS target,
                (ARRAY['spam','harassment','off_topic','stolen','sensitive','misleading','other'])
                  [1 + (i * 3) %% 7] AS reason,
                CASE WHEN i %% 5 < 3 THEN 'open' ELSE 'resolved' END AS status,
                now() - ((%(reports)s - i) || ' minutes')::interval AS at
         FROM generate_series(1, %(attempts)s) AS i
       ) AS made
       ON CONFLICT DO NOTHING""",
    """UPDATE reports SET target_owner_id = CASE target_type
         WHEN 'post' THEN (SELECT owner_id FROM posts WHERE posts.id = target_id)
         WHEN 'comment' THEN (SELECT author_id FROM comments WHERE comments.id = target_id)
         ELSE target_id END""",
]


def ensure_dataset(args) -> str:
    import psycopg

    url = feed_bench.database_url(args.server, args.database)
    admin = psycopg.connect(feed_bench.database_url(args.server, "postgres"), autocommit=True)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
    if exists.fetchone() and not args.rebuild:
        feed_bench._migrate(url)
        with psycopg.connect(url) as connection:
            reports = connection.execute("SELECT count(*) FROM reports").fetchone()[0]
        if reports >= args.reports:
            print(
                f"Reusing database {args.database} ({reports:,} reports); --rebuild to start over."
            )
            return url
    admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{args.database}"')
    admin.close()
    started = time.perf_counter()
    feed_bench._migrate(url)
    _create_staff(url)
    sizes = {"users": USERS, "posts": POSTS, "comments": COMMENTS, "reports": args.reports}
    with psycopg.connect(url) as connection:
        for statement in SEED:
            # Some report rows collide with an open one (same reporter and
            # target): ON CONFLICT skips them; a few more attempts make up.
            connection.execute(statement, {**sizes, "attempts": int(args.reports * 1.1)})
        connection.execute(
            "DELETE FROM reports WHERE id IN (SELECT id FROM reports ORDER BY id OFFSET %s)",
            [args.reports],
        )
        seed_extra(connection)
        made = connection.execute("SELECT count(*) FROM reports").fetchone()[0]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    print(f"Dataset built in {time.perf_counter() - started:.0f} s: {made:,} reports.")
    return url


def open_cursors(client: feed_bench.Client, pages: int = 10) -> list[str]:
    """next_cursor of the first ``pages`` pages of the open queue."""
    found, cursor = [], None
    for _ in range(pages):
        status, body = client.request("GET", queue_path(**({"cursor": cursor} if cursor else {})))
        assert status == 200, (status, body)
        cursor = body["next_cursor"]
        if cursor is None:
            break
        found.append(cursor)
    return found


def measure(client, pages: dict[str, PageMaker], state, requests: int, rng) -> None:
    for make in pages.values():  # warm both workers: connections, plans
        for _ in range(10):
            client.request("GET", make(rng, state))
    for label, make in pages.items():
        samples, sizes = [], []
        for _ in range(requests):
            path = make(rng, state)
            start = time.perf_counter()
            status, body = client.request("GET", path)
            samples.append((time.perf_counter() - start) * 1000)
            assert status == 200, (status, path, body)
            sizes.append(len(body.get("items", [None])))
        print(
            f"  {label:<30} p50 {statistics.median(samples):6.1f} ms   "
            f"p99 {feed_bench.percentile(samples, 99):6.1f} ms   "
            f"({len(samples)} requests, {statistics.mean(sizes):.1f} items/page)"
        )


def explain(url: str) -> None:
    """EXPLAIN ANALYZE the queue's page query: first page, and with a reason."""
    os.environ.update(feed_bench.bench_env(url))
    from sqlalchemy import event

    from skyframe import create_app
    from skyframe.extensions import db
    from skyframe.moderation import report_queue
    from skyframe.policy import OPERATOR

    app = create_app("production")
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "NOT (EXISTS" in statement or "count(*)" in statement:
            statements.append((statement, parameters))

    with app.app_context():
        for label, filters in (
            ("open, first page", {}),
            ("open, reason=stolen", {"reason": "stolen"}),
        ):
            statements.clear()
            event.listen(db.engine, "before_cursor_execute", keep)
            report_queue.queue(db.session, OPERATOR, secret="x", limit=20, **filters)
            event.remove(db.engine, "before_cursor_execute", keep)
            feed_bench.print_plan(f"the queue, {label}", *statements[0])
            feed_bench.print_plan(f"its counts, {label}", *statements[1])
            db.session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="skyframe_moderation_bench")
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="per page type")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()
    url = ensure_dataset(args)
    rng = random.Random(args.seed)
    port = 20000 + secrets.randbelow(20000)
    server = feed_bench.start_gunicorn(url, port, args.workers)
    try:
        print(f"Staff pages, one request at a time ({args.workers} gunicorn workers):")
        for handle, pages in PAGE_SETS:
            client = feed_bench.Client(port, handle)
            state = {"open_cursors": open_cursors(client)}
            measure(client, pages(), state, args.requests, rng)
    finally:
        server.terminate()
        server.wait()
    if not args.no_explain:
        explain(url)


if __name__ == "__main__":
    main()
