"""GET /api/v1/live/following for a viewer following 500 users, over real
HTTP (gunicorn, production settings), on PostgreSQL.

Builds a throwaway database on the server of SKYFRAME_TEST_POSTGRES_URL (or
--server): --users channels, a viewer following --follows of them, of whom
--live are live (a session and a frame each) and --hosting offline hosts
hosting live channels the viewer does not follow (some hosting the same
one, some hosting a channel the viewer follows: the de-duplication does
work), then asks for the strip --requests times, one request at a time,
and prints client-measured and server-measured (Server-Timing) latencies.
Target (issue #21): p99 ≤ 20 ms. The database is dropped afterwards.

    .venv/bin/python benchmarks/live_following.py [--follows 500] [--requests 500]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("SKYFRAME_ENV_FILE", os.devnull)
import feed_bench
import hosting_job

VIEWER = "stargazer"
TARGET_P99_MS = 20.0


def build(url: str, args, rng: random.Random) -> None:
    import psycopg

    from skyframe.accounts import users
    from skyframe.extensions import db
    from skyframe.services import password_hashing

    app = hosting_job.build_app(url)
    hosting_job.migrate(app)
    with app.app_context():
        viewer = users.register_user(
            db.session,
            password_hashing(),
            email=f"{VIEWER}@example.org",
            handle=VIEWER,
            display_name="Star Gazer",
            password=feed_bench.PASSWORD,
        )
        db.session.commit()
        viewer_id = viewer.id
        db.engine.dispose()
    now = datetime.now(UTC)
    first = viewer_id + 1
    ids = list(range(first, first + args.users))
    followed = ids[: args.follows]
    others = ids[args.follows :]
    live_followed = rng.sample(followed, args.live)
    hosts = rng.sample(sorted(set(followed) - set(live_followed)), args.hosting)
    hosted_targets = rng.sample(others, args.hosting // 2)
    live = set(live_followed) | set(hosted_targets)
    with psycopg.connect(url) as connection:
        with connection.cursor().copy(
            "COPY users (id, email, email_key, handle, display_name, password_hash,"
            " channel_status, live_seconds, allow_hosting, created_at) FROM STDIN"
        ) as copy:
            for i in ids:
                copy.write_row(
                    (
                        i,
                        f"u{i}@example.org",
                        f"u{i}@example.org",
                        f"observer{i}",
                        f"Observer {i}",
                        "x",
                        "live" if i in live else "offline",
                        20 * 3600,
                        True,
                        now - timedelta(days=30),
                    )
                )
        with connection.cursor().copy(
            "COPY follows (follower_id, followee_id, created_at) FROM STDIN"
        ) as copy:
            for i in followed:
                copy.write_row((viewer_id, i, now))
            for i in others:  # the rest of the site follows too
                for j in rng.sample(ids, 20):
                    if j != i:
                        copy.write_row((i, j, now))
        sessions = {}
        for owner in sorted(live):
            sessions[owner] = connection.execute(
                "INSERT INTO live_sessions (owner_id, title, status, started_at, last_frame_at,"
                " frame_count, viewer_count) VALUES (%s, 'Jupiter', 'live', %s, %s, 1, 3)"
                " RETURNING id",
                [owner, now - timedelta(minutes=rng.randrange(1, 300)), now],
            ).fetchone()[0]
        with connection.cursor().copy(
            "COPY live_frames (session_id, owner_id, media_key, width, height, created_at)"
            " FROM STDIN"
        ) as copy:
            for owner, session_id in sessions.items():
                for _ in range(5):
                    copy.write_row((session_id, owner, secrets.token_hex(16), 1600, 1067, now))
        with connection.cursor().copy(
            "COPY hosting_targets (host_id, target_id, status, last_hosted_at, created_at,"
            " updated_at) FROM STDIN"
        ) as copy:
            for index, host in enumerate(hosts):
                # Most host a channel the viewer does not follow; some one they do.
                target = (
                    rng.choice(live_followed) if index % 10 == 0 else hosted_targets[index // 2]
                )
                copy.write_row((host, target, "hosting", now, now, now))
                for extra in rng.sample(others, 3):
                    if extra != target:
                        copy.write_row((host, extra, "ready", None, now, now))
        connection.execute("SELECT setval('users_id_seq', %s)", [ids[-1]])
        connection.commit()
    hosting_job.vacuum(url)
    print(
        f"{VIEWER} follows {args.follows} of {args.users:,} channels: {args.live} live,"
        f" {args.hosting} offline hosts hosting {len(hosted_targets)} channels."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", help="a PostgreSQL server URL (default: the test server)")
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--follows", type=int, default=500)
    parser.add_argument("--live", type=int, default=40)
    parser.add_argument("--hosting", type=int, default=120)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8761)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()

    server = hosting_job.server_url(args)
    name = f"skyframe_following_bench_{uuid.uuid4().hex[:8]}"
    url = hosting_job.create_database(server, name)
    gunicorn = None
    try:
        build(url, args, random.Random(args.seed))
        env = feed_bench.bench_env(url.replace("postgresql://", "postgresql+psycopg://", 1))
        gunicorn = feed_bench.start_gunicorn(url, args.port, args.workers, env=env)
        client = feed_bench.Client(args.port, VIEWER)
        status, body = client.request("GET", "/api/v1/live/following")
        assert status == 200, (status, body)
        print(
            f"the strip: {len(body['items'])} items, live_count {body['live_count']},"
            f" hosted_count {body['hosted_count']}"
        )
        for _ in range(20):  # warm the workers
            client.request("GET", "/api/v1/live/following")
        samples, server_ms = [], []
        cpu_before = feed_bench.cpu_seconds(gunicorn.pid, url)
        for _ in range(args.requests):
            started = time.perf_counter()
            status, _ = client.request("GET", "/api/v1/live/following")
            samples.append((time.perf_counter() - started) * 1000)
            server_ms.append(client.server_ms)
            assert status == 200
        cpu_after = feed_bench.cpu_seconds(gunicorn.pid, url)
        cpu_ms = {
            name: (cpu_after[name] - cpu_before[name]) * 1000 / args.requests for name in cpu_after
        }
        p99 = feed_bench.percentile(samples, 99)
        print(
            f"GET /api/v1/live/following: p50 {statistics.median(samples):.1f} ms,"
            f" p95 {feed_bench.percentile(samples, 95):.1f} ms, p99 {p99:.1f} ms"
            f" (server time p50 {statistics.median(server_ms):.1f} ms,"
            f" p99 {feed_bench.percentile(server_ms, 99):.1f} ms; {len(samples)} requests,"
            f" {args.workers} workers); target p99 ≤ {TARGET_P99_MS:.0f} ms:"
            f" {'ok' if p99 <= TARGET_P99_MS else 'MISSED'}"
        )
        floor = []
        for _ in range(args.requests // 2):  # the same path for a trivial signed-in answer
            started = time.perf_counter()
            client.request("GET", "/api/v1/me/hosting")
            floor.append((time.perf_counter() - started) * 1000)
        print(
            f"for comparison, GET /api/v1/me/hosting: p50 {statistics.median(floor):.1f} ms,"
            f" p99 {feed_bench.percentile(floor, 99):.1f} ms"
        )
        # Latency grows while other processes hold the cores; CPU time does not.
        print(
            "CPU per request: "
            + ", ".join(f"{name} {value:.1f} ms" for name, value in cpu_ms.items())
            + f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(10)
        hosting_job.drop_database(server, name)


if __name__ == "__main__":
    main()
