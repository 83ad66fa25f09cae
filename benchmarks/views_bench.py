"""The feed's throughput with view counting off and on (docs/views.md).

The feed benchmark's throughput run (benchmarks/feed_bench.py: gunicorn,
sync workers, client processes hammering GET /api/v1/feed as different
signed-in users) in two modes, run back to back in turns (A B A B …) so a
busy machine weighs on both alike:

- ``feed``: feed pages only (the feed benchmark as it is);
- ``views``: after every page the client also reports a view of each of its
  cards (POST /api/v1/views, as a browser would: Fetch Metadata and a
  browser's User-Agent), ten views a page, a heavier load than the PWA's one
  batch every five seconds; Redis buffers the views and every worker's
  flush-views task runs every --flush-seconds seconds.

It prints feed requests per second in each run, the view reports answered,
and the views in the database after a last flush (their exact sum: every
report counted once per viewer and post).

    .venv/bin/python benchmarks/views_bench.py --posts 20000 --users 2000 \\
        --likes 20 --seen 20 --follows 20 --rounds 3 --seconds 15

Needs PostgreSQL (default postgresql://postgres@127.0.0.1:5432) and Redis
(REDIS_URL, default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import feed_bench  # noqa: E402

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = "skyframe-views-bench"
BROWSER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)


def env_for(url: str, flush_seconds: int) -> dict[str, str]:
    return {
        **feed_bench.bench_env(url),
        "VIEW_BUFFER_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": PREFIX,
        # Only the view flush runs on its own (the others would scan tables).
        "TASKS_SCHEDULER": "true",
        "VIEW_FLUSH_SECONDS": str(flush_seconds),
        "TASK_PURGE_SEEN_SECONDS": "0",
        "TASK_SWEEP_UPLOADS_SECONDS": "0",
    }


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(262144):
            chunks.append(chunk)
    return b"".join(chunks)


def raw_feed_ids(port: int, cookie: str, cursor: bytes | None) -> tuple[bytes | None, list[int]]:
    """A feed page and its post ids (the browser reads them too)."""
    path = b"/api/v1/feed" + (b"?cursor=" + cursor if cursor else b"")
    response = _exchange(
        port,
        b"GET "
        + path
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: "
        + cookie.encode()
        + b"\r\nConnection: close\r\n\r\n",
    )
    assert response.startswith(b"HTTP/1.1 200"), response[:200]
    body = json.loads(response.split(b"\r\n\r\n", 1)[1])
    next_cursor = body["next_cursor"].encode() if body["next_cursor"] else None
    return next_cursor, [item["id"] for item in body["items"]]


def raw_views(port: int, cookie: str, token: str, ids: list[int]) -> None:
    body = json.dumps({"views": [{"post_id": i, "seconds": 2.5} for i in ids]}).encode()
    response = _exchange(
        port,
        b"POST /api/v1/views HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: "
        + cookie.encode()
        + b"\r\nX-CSRFToken: "
        + token.encode()
        + b"\r\nContent-Type: application/json\r\nSec-Fetch-Site: same-origin"
        + b"\r\nUser-Agent: "
        + BROWSER_AGENT.encode()
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + body,
    )
    assert response.startswith(b"HTTP/1.1 200"), response[:300]


def hammer(port: int, handle: str, seconds: float, with_views: bool, results) -> None:
    client = feed_bench.Client(port, handle)
    token = client.request("GET", "/api/v1/auth/csrf")[1]["csrf_token"]
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    pages = reports = 0
    cursor, deadline = None, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        cursor, ids = raw_feed_ids(port, cookie, None if pages % 5 == 0 else cursor)
        pages += 1
        if with_views and ids:
            raw_views(port, cookie, token, ids)
            reports += 1
    results.put((pages, reports))


def run(port: int, handles: list[str], seconds: float, with_views: bool) -> tuple[float, float]:
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=hammer, args=(port, h, seconds, with_views, results))
        for h in handles
    ]
    for process in processes:
        process.start()
    counts = [results.get() for _ in processes]
    for process in processes:
        process.join()
    return sum(p for p, _ in counts) / seconds, sum(r for _, r in counts) / seconds


def measured_run(args, url, env, tree, handles, warm_handle, with_views):
    """One run on a fresh gunicorn: feed pages/s, view reports/s, and the
    server's CPU (gunicorn workers + PostgreSQL) per request, in ms."""
    port = 20000 + secrets.randbelow(20000)
    server = feed_bench.start_gunicorn("", port, args.workers, env=env, cwd=tree)
    try:
        feed_bench.walk(feed_bench.Client(port, warm_handle), 50)  # warm the workers
        before = feed_bench.cpu_seconds(server.pid, url)
        pages, reports = run(port, handles, args.seconds, with_views)
        after = feed_bench.cpu_seconds(server.pid, url)
    finally:
        server.terminate()
        server.wait()
    cpu = sum(after.values()) - sum(before.values())
    requests = (pages + reports) * args.seconds
    return pages, reports, 1000 * cpu / max(requests, 1)


def reset_views(url: str) -> None:
    import psycopg
    import redis

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("UPDATE posts SET view_count = 0 WHERE view_count <> 0")
        connection.execute("UPDATE users SET view_count = 0 WHERE view_count <> 0")
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{PREFIX}:views:*"):
        client.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    feed_bench.add_dataset_arguments(parser)
    parser.set_defaults(database="skyframe_views_bench")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3, help="turns of the runs, back to back")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--flush-seconds", type=int, default=5)
    parser.add_argument(
        "--base-tree",
        default="",
        help="also run the feed alone from this checkout (e.g. `git archive main` unpacked): "
        "the code before view counts, on the same database",
    )
    args = parser.parse_args()
    feed_bench.ACCEPT_ENCODING["value"] = "br"

    url = feed_bench.ensure_dataset(args)
    counts, heavy, typical = feed_bench.describe(url)
    print("Dataset: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    reset_views(url)
    env = env_for(url, args.flush_seconds)
    handles = [*typical[: args.clients - 1], heavy]
    modes = {"feed": (ROOT, False), "views": (ROOT, True)}
    if args.base_tree:
        modes = {"base": (Path(args.base_tree), False), **modes}
    measured: dict[str, list[float]] = {mode: [] for mode in modes}
    print(
        f"\nThroughput, {args.clients} client processes, {args.seconds:.0f} s a run, "
        f"{args.workers} gunicorn workers, runs back to back in turns:"
    )
    for round_ in range(args.rounds):
        for mode, (tree, with_views) in modes.items():
            pages, reports, cpu_ms = measured_run(
                args, url, env, tree, handles, typical[0], with_views
            )
            measured[mode].append(pages)
            extra = f" + {reports:5.1f} view reports/s" if with_views else ""
            print(
                f"  round {round_ + 1} {mode:<5}: {pages:6.1f} feed requests/s{extra}; "
                f"server CPU {cpu_ms:.1f} ms a request"
            )
    # Every server is stopped: a flush lock one left behind (a worker stopped
    # in the middle of its flush) is nobody's now.
    import redis

    redis.Redis.from_url(REDIS_URL).delete(f"{PREFIX}:views:flush-lock")
    subprocess.run([feed_bench.BIN / "flask", "views", "flush"], env=env, cwd=ROOT, check=True)
    import psycopg

    with psycopg.connect(url) as connection:
        views = connection.execute("SELECT coalesce(sum(view_count), 0) FROM posts").fetchone()[0]
        owners = connection.execute("SELECT coalesce(sum(view_count), 0) FROM users").fetchone()[0]
    for mode, values in measured.items():
        print(
            f"{mode:<5}: median {statistics.median(values):.1f} feed requests/s "
            f"(runs: {', '.join(f'{v:.1f}' for v in values)})"
        )
    print(f"Views in the database after the last flush: posts {views:,}, owners {owners:,}.")


if __name__ == "__main__":
    main()
