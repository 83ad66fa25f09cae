"""The feed at a million posts, on PostgreSQL, through gunicorn.

Builds (once; reused while its shape matches) a database with 1,000,000
posts, ~10,000,000 likes, ~10,000,000 seen rows and ~50 follows per user
with `flask seed-demo`, then:

1. latency: GET /api/v1/feed, first page and the next four, over and over,
   for a typical user (~50 follows, ~500 seen) and for a heavy user (500
   follows, 30,000 seen), one request at a time, measured by the client on
   localhost and by the app (its Server-Timing header: server time);
2. throughput: gunicorn with 5 sync workers (2 × cores + 1), client processes
   hammering the feed as different signed-in users;
3. depth: each of the two users follows next_cursor for --depth pages (100),
   reporting each page seen as the PWA does; every page must answer 200, and
   the longest cursor is reported (the API takes at most cursors.MAX_LENGTH);
4. EXPLAIN (ANALYZE, BUFFERS) of the feed's hot queries for both users.

    .venv/bin/python benchmarks/feed_bench.py [--rebuild] [--posts 1000000] ...

Needs a PostgreSQL server (default postgresql://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the clients send as Accept-Encoding (--encoding); answers are decoded
# as a browser would, so compressing them is part of what is measured.
ACCEPT_ENCODING = {"value": "br"}
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "Stargazing-Demo-1"  # skyframe.demo.site.DEMO_PASSWORD


def database_url(server: str, name: str) -> str:
    return f"{server.rstrip('/')}/{name}"


def ensure_dataset(args) -> str:
    import psycopg

    url = database_url(args.server, args.database)
    admin = psycopg.connect(database_url(args.server, "postgres"), autocommit=True)
    exists = admin.execute(
        "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
    ).fetchone()
    if exists and not args.rebuild:
        with psycopg.connect(url) as connection:
            posts = connection.execute("SELECT count(*) FROM posts").fetchone()[0]
        if posts == args.posts:
            print(f"Reusing database {args.database} ({posts:,} posts); --rebuild to start over.")
            _migrate(url)  # a dataset built before a new migration gets it
            # A migration that rewrote a table leaves its visibility map empty,
            # and index-only scans would fetch every row; vacuum skips the rest.
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("VACUUM ANALYZE")
            return url
    admin.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
    admin.execute(f'CREATE DATABASE "{args.database}"')
    admin.close()
    env = bench_env(url)
    _migrate(url)
    started = time.perf_counter()
    subprocess.run(
        [
            BIN / "flask",
            "seed-demo",
            "--users",
            str(args.users),
            "--posts",
            str(args.posts),
            "--follows",
            str(args.follows),
            "--likes",
            str(args.likes),
            "--seen",
            str(args.seen),
            "--heavy-users",
            "1",
            "--days",
            "365",
            "--no-images",
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    print(f"Dataset built in {time.perf_counter() - started:.0f} s.")
    return url


def _migrate(url: str) -> None:
    subprocess.run(
        [BIN / "flask", "db", "upgrade"],
        env=bench_env(url),
        check=True,
        cwd=ROOT,
        capture_output=True,
    )


def bench_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SKYFRAME_CONFIG": "production",
        "SECRET_KEY": "feed-bench-" + "x" * 40,
        "TRUSTED_HOSTS": "127.0.0.1",  # the clients call gunicorn by its address
        "FORCE_HTTPS": "false",
        "HSTS_ENABLED": "false",
        "SESSION_COOKIE_SECURE": "false",
        "REMEMBER_COOKIE_SECURE": "false",
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "UPLOAD_FOLDER": "/tmp/skyframe-feed-bench-uploads",  # noqa: S108
        # As deployed with several workers: kept feed candidates in Redis.
        "FEED_CACHE_URL": os.environ.get("FEED_CACHE_URL", "redis://127.0.0.1:6379/0"),
        "CACHE_KEY_PREFIX": "skyframe-bench",
        "SERVER_TIMING": "true",
        # Requests alone: no periodic task (a purge of the seen history) in between.
        "TASKS_SCHEDULER": "false",
    }


def describe(url: str) -> tuple[dict, str, list[str]]:
    import psycopg

    with psycopg.connect(url) as connection:
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("users", "posts", "post_likes", "feed_seen", "follows")
        }
        heavy = connection.execute(
            "SELECT follower_id FROM follows GROUP BY follower_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        typical = [
            f"demo{row[0]}"
            for row in connection.execute(
                "SELECT id FROM users WHERE id <> %s ORDER BY id DESC LIMIT 16", [heavy]
            )
        ]
    return counts, f"demo{heavy}", typical


class Client:
    """One signed-in user over plain http.client (a new connection per
    request: gunicorn's sync workers close them)."""

    def __init__(self, port: int, handle: str) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        token = self.request("GET", "/api/v1/auth/csrf")[1]["csrf_token"]
        status, _ = self.request(
            "POST",
            "/api/v1/auth/login",
            {"login": handle, "password": PASSWORD},
            {"X-CSRFToken": token},
        )
        assert status == 200, f"login of {handle} failed: {status}"

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        if ACCEPT_ENCODING["value"]:
            headers["Accept-Encoding"] = ACCEPT_ENCODING["value"]
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        data = decode(response.read(), response.getheader("Content-Encoding", ""))
        connection.close()
        timing = response.getheader("Server-Timing", "")
        self.server_ms = float(timing.partition("dur=")[2] or "nan")
        return response.status, json.loads(data) if data else None

    def feed(self, cursor: str | None):
        query = "?" + urllib.parse.urlencode({"cursor": cursor}) if cursor else ""
        status, body = self.request("GET", "/api/v1/feed" + query)
        assert status == 200, (status, body)
        return body


def decode(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        import brotli

        return brotli.decompress(data)
    if encoding == "gzip":
        import gzip

        return gzip.decompress(data)
    return data


def add_moderation_load(url: str, taken_down_pct: float, blocks: int) -> None:
    """Moderation's weight on the dataset (idempotent): ``taken_down_pct`` %
    of posts taken down (every post whose id falls in that share, with its
    take-down row), and ``blocks`` blocks between random users, 20 of them by
    each benchmarked user so their feeds take the filtering path."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        columns = {
            row[0]
            for row in connection.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'posts'"
            )
        }
        if "taken_down" not in columns:
            print("This tree's schema has no take-downs: moderation load not added.")
            return
        every = max(1, round(100 / taken_down_pct)) if taken_down_pct else 0
        if every:
            connection.execute(
                "INSERT INTO take_downs (post_id, owner_id, reason, post_title, created_at) "
                "SELECT id, owner_id, 'benchmark', title, now() FROM posts "
                "WHERE id %% %s = 0 AND NOT taken_down",
                [every],
            )
            connection.execute(
                "UPDATE posts SET taken_down = true WHERE id %% %s = 0 AND NOT taken_down",
                [every],
            )
        have = connection.execute("SELECT count(*) FROM blocks").fetchone()[0]
        if have < blocks:
            _, heavy, typical = describe(url)
            ids = [int(handle.removeprefix("demo")) for handle in [heavy, *typical]]
            connection.execute(
                "INSERT INTO blocks (blocker_id, blocked_id, created_at) "
                "SELECT b, (b + 1 + (random() * 19997)::int) %% 20000 + 1, now() "
                "FROM unnest(%s::int[]) AS b, generate_series(1, 20) "
                "ON CONFLICT DO NOTHING",
                [ids],
            )
            connection.execute(
                "INSERT INTO blocks (blocker_id, blocked_id, created_at) "
                "SELECT a, b, now() FROM ("
                "  SELECT 1 + (random() * 19999)::int AS a, 1 + (random() * 19999)::int AS b "
                "  FROM generate_series(1, %s)) pairs "
                "WHERE a <> b ON CONFLICT DO NOTHING",
                [blocks - have],
            )
        connection.execute("VACUUM ANALYZE")
        taken = connection.execute("SELECT count(*) FROM posts WHERE taken_down").fetchone()[0]
        blocked = connection.execute("SELECT count(*) FROM blocks").fetchone()[0]
        print(f"Moderation load: {taken:,} posts taken down, {blocked:,} blocks.")


def walk(client: Client, requests: int) -> tuple[list[float], list[float]]:
    """First page and the next four, again and again; milliseconds each,
    measured by the client and by the app (its Server-Timing header)."""
    samples, server, cursor = [], [], None
    for index in range(requests):
        if index % 5 == 0:
            cursor = None
        start = time.perf_counter()
        cursor = client.feed(cursor)["next_cursor"]
        samples.append((time.perf_counter() - start) * 1000)
        server.append(client.server_ms)
    return samples, server


def depth(client: Client, pages: int) -> tuple[int, int, float]:
    """Follow the cursor for ``pages`` pages, reporting each page seen; the
    posts shown, the longest cursor and the p99 of the page times (ms)."""
    cursor, shown, longest, samples = None, 0, 0, []
    token = client.request("GET", "/api/v1/auth/csrf")[1]["csrf_token"]
    for _ in range(pages):
        start = time.perf_counter()
        body = client.feed(cursor)
        samples.append((time.perf_counter() - start) * 1000)
        ids = [item["id"] for item in body["items"]]
        status, _ = client.request(
            "POST", "/api/v1/feed/seen", {"post_ids": ids}, {"X-CSRFToken": token}
        )
        assert status == 200, status
        shown += len(ids)
        cursor = body["next_cursor"]
        assert cursor, "the feed ended"
        longest = max(longest, len(cursor))
    return shown, longest, percentile(samples, 99)


class KeptSeen:
    """A user's seen history put back as it was afterwards, so the depth walk
    leaves the dataset as the next run expects it."""

    def __init__(self, url: str, handle: str) -> None:
        self.url, self.handle = url, handle

    def __enter__(self) -> KeptSeen:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("DROP TABLE IF EXISTS bench_kept_seen")
            connection.execute(
                "CREATE TABLE bench_kept_seen AS SELECT feed_seen.* FROM feed_seen "
                "JOIN users ON users.id = feed_seen.user_id WHERE users.handle = %s",
                [self.handle],
            )
        return self

    def __exit__(self, *exc) -> None:
        import psycopg

        with psycopg.connect(self.url) as connection:
            connection.execute(
                "DELETE FROM feed_seen WHERE user_id = (SELECT id FROM users WHERE handle = %s)",
                [self.handle],
            )
            connection.execute("INSERT INTO feed_seen SELECT * FROM bench_kept_seen")
            connection.execute("DROP TABLE bench_kept_seen")
        # And the impressions the feed noted beside its kept candidates.
        env = bench_env(self.url)
        if env["FEED_CACHE_URL"].startswith("redis"):
            import redis

            client = redis.Redis.from_url(env["FEED_CACHE_URL"])
            for key in client.scan_iter(f"{env['CACHE_KEY_PREFIX']}:feed-*"):
                client.delete(key)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(len(ordered) * pct / 100 + 0.5) - 1)]


def report(name: str, measured: tuple[list[float], list[float]]) -> None:
    client, server = measured
    print(
        f"  {name:<30} p50 {statistics.median(client):6.1f} ms   p99 "
        f"{percentile(client, 99):6.1f} ms   (server time: p50 "
        f"{statistics.median(server):5.1f} ms, p99 {percentile(server, 99):5.1f} ms; "
        f"{len(client)} requests)"
    )


NEXT_CURSOR = re.compile(rb'"next_cursor":\s*(?:"([^"]+)"|null)')


def raw_feed(port: int, cookie: str, cursor: bytes | None) -> bytes | None:
    """One feed page over a bare socket; its next cursor. The load clients
    share the two cores with the server, so they do as little as they can:
    no HTTP library, no JSON parsing (cursors are URL-safe as they come)."""
    path = b"/api/v1/feed" + (b"?cursor=" + cursor if cursor else b"")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            b"GET "
            + path
            + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: "
            + cookie.encode()
            + b"\r\nConnection: close\r\n\r\n"
        )
        chunks = []
        while chunk := connection.recv(262144):
            chunks.append(chunk)
    response = b"".join(chunks)
    assert response.startswith(b"HTTP/1.1 200"), response[:200]
    return NEXT_CURSOR.search(response).group(1)


def hammer(port: int, handle: str, seconds: float, results) -> None:
    client = Client(port, handle)
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    done, cursor, deadline = 0, None, time.perf_counter() + seconds
    cpu = time.process_time()
    while time.perf_counter() < deadline:
        cursor = raw_feed(port, cookie, None if done % 5 == 0 else cursor)
        done += 1
    results.put((done, time.process_time() - cpu))


def cpu_seconds(gunicorn_pid: int, url: str) -> dict[str, float]:
    """CPU time used so far by gunicorn's workers and by the PostgreSQL
    backends serving this database (Linux /proc)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        backends = [
            row[0]
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ]
    children = Path(f"/proc/{gunicorn_pid}/task/{gunicorn_pid}/children").read_text().split()
    return {
        "gunicorn workers": sum(_process_cpu(int(pid)) for pid in children),
        "PostgreSQL": sum(_process_cpu(pid) for pid in backends),
    }


def _process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_gunicorn(
    url: str, port: int, workers: int, *, env: dict | None = None, cwd: Path = ROOT
) -> subprocess.Popen:
    """gunicorn serving the app of ``cwd`` (this checkout by default)."""
    process = subprocess.Popen(
        [
            BIN / "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env or bench_env(url),
        cwd=cwd,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def explain(url: str, handles: dict[str, str]) -> None:
    """EXPLAIN ANALYZE the queries one feed page runs, for each user (the
    user's own row aside)."""
    os.environ.update(bench_env(url))
    from sqlalchemy import event, select

    from skyframe import create_app
    from skyframe.extensions import db
    from skyframe.feed import selector
    from skyframe.models import User, utcnow
    from skyframe.posts.views import load_post_views_for
    from skyframe.services import feed_settings

    app = create_app("production")
    with app.app_context():
        for label, handle in handles.items():
            user = db.session.scalar(select(User).where(User.handle == handle))
            captured = []

            def capture(conn, cursor, statement, parameters, context, many, captured=captured):
                captured.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", capture)
            chosen = selector.viewer_page(db.session, user.id, feed_settings(), None, 10, utcnow())
            load_post_views_for(db.session, chosen.post_ids, user.id)
            event.remove(db.engine, "before_cursor_execute", capture)
            for statement, parameters in captured:
                if "FROM posts" not in statement:
                    continue
                what = "both pools" if "global_page" in statement else "posts and flags"
                print_plan(f"{label} user ({handle}), {what}", statement, parameters)
            db.session.rollback()


def print_plan(title: str, statement: str, parameters) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured statement, indented under a title."""
    from skyframe.extensions import db

    plan = db.session.connection().exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters
    )
    print(f"\n--- {title}")
    for (line,) in plan:
        print("   ", line)


def add_dataset_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the 1M-post dataset (shared with the search benchmark)."""
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="skyframe_feed_bench")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--follows", type=int, default=50)
    parser.add_argument("--likes", type=int, default=500)
    parser.add_argument("--seen", type=int, default=500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dataset_arguments(parser)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=5)  # 2 × cores + 1
    parser.add_argument("--depth", type=int, default=100, help="pages followed per user")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument(
        "--encoding", default="br", help="Accept-Encoding the clients send ('' for none)"
    )
    parser.add_argument("--taken-down-pct", type=float, default=1.0)
    parser.add_argument("--blocks", type=int, default=10_000)
    args = parser.parse_args()
    ACCEPT_ENCODING["value"] = args.encoding

    url = ensure_dataset(args)
    add_moderation_load(url, args.taken_down_pct, args.blocks)
    counts, heavy, typical = describe(url)
    print("Dataset: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    port = 20000 + secrets.randbelow(20000)
    server = start_gunicorn(url, port, args.workers)
    try:
        print(f"\nLatency, one request at a time ({args.workers} gunicorn sync workers):")
        # Warm every worker's connection, statement caches and post JSON cache.
        walk(Client(port, typical[0]), 50)
        walk(Client(port, heavy), 50)
        report(f"typical user ({typical[0]})", walk(Client(port, typical[0]), args.requests))
        report(f"heavy user ({heavy})", walk(Client(port, heavy), args.requests))
        print(f"\nThroughput: {args.clients} client processes, {args.seconds:.0f} s:")
        results = multiprocessing.Queue()
        handles = [*typical[: args.clients - 1], heavy]
        processes = [
            multiprocessing.Process(target=hammer, args=(port, h, args.seconds, results))
            for h in handles
        ]
        busy_before = cpu_seconds(server.pid, url)
        for process in processes:
            process.start()
        counts = [results.get() for _ in processes]
        for process in processes:
            process.join()
        busy = {k: v - busy_before.get(k, 0) for k, v in cpu_seconds(server.pid, url).items()}
        total = sum(done for done, _ in counts)
        client_cpu = sum(cpu for _, cpu in counts)
        print(
            f"  {total / args.seconds:.0f} feed requests/s (the clients share the "
            f"{os.cpu_count()} cores with gunicorn and PostgreSQL: they used "
            f"{client_cpu / args.seconds:.2f} cores)"
        )
        print(
            "  CPU per request: "
            + ", ".join(f"{name} {1000 * spent / total:.2f} ms" for name, spent in busy.items())
        )
        from skyframe.cursors import MAX_LENGTH

        print(f"\nDepth: {args.depth} pages following next_cursor, each reported seen:")
        for label, handle in (("typical", typical[-1]), ("heavy", heavy)):
            with KeptSeen(url, handle):
                shown, longest, p99 = depth(Client(port, handle), args.depth)
            print(
                f"  {label} user ({handle}): {shown} posts, every page 200, longest cursor "
                f"{longest} characters (the API takes {MAX_LENGTH}), page p99 {p99:.1f} ms"
            )
    finally:
        server.terminate()
        server.wait()
    if not args.no_explain:
        explain(url, {"typical": typical[0], "heavy": heavy})


if __name__ == "__main__":
    main()
