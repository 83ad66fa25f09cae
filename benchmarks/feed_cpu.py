"""CPU time per feed page, in-process: what one GET /api/v1/feed costs the
app's own code, without the network, PostgreSQL's processes or the other
load on the machine getting in the way (time.process_time of this process).

Builds a small SQLite demo site once (kept under --folder), signs in, walks
the feed following next_cursor (a new pass every five pages) through the
Flask test client, and prints the mean CPU milliseconds per request. Run it
in two checkouts to compare them (each builds its own site); --encoding ''
asks for identity, so the cost of compressing the answer can be told apart.

    .venv/bin/python benchmarks/feed_cpu.py [--requests 300] [--encoding br] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "Stargazing-Demo-1"  # skyframe.demo.site.DEMO_PASSWORD


def settings(folder: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{folder / 'feed-cpu.db'}",
        "SKYFRAME_CONFIG": "production",
        "SECRET_KEY": "feed-cpu-" + "x" * 40,
        "TRUSTED_HOSTS": "localhost",
        "FORCE_HTTPS": "false",
        "HSTS_ENABLED": "false",
        "SESSION_COOKIE_SECURE": "false",
        "REMEMBER_COOKIE_SECURE": "false",
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "STATIC_BUILD_DIR": str(folder / "static-build"),
        "TASKS_SCHEDULER": "false",
        "FEED_CACHE_URL": "memory://",
    }


def ensure_site(folder: Path, posts: int) -> None:
    if (folder / "feed-cpu.db").exists():
        return
    env = {**os.environ, **settings(folder)}
    demo = ["--users", "200", "--posts", str(posts), "--likes", "20", "--seen", "20"]
    for command in (["db", "upgrade"], ["seed-demo", *demo, "--follows", "10", "--no-images"]):
        flask = [BIN / "flask", *command]
        subprocess.run(flask, env=env, check=True, cwd=ROOT, capture_output=True)


def walk(client, requests: int, encoding: str) -> float:
    """Walk the feed; returns the CPU seconds spent reading the answers (the
    client's share: decompressing and parsing), to leave out of the app's."""
    cursor = None
    reading = 0.0
    for i in range(requests):
        query = f"?cursor={cursor}" if cursor else ""
        response = client.get("/api/v1/feed" + query, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200, response.status_code
        started = time.process_time()
        body = response.get_data()
        if response.headers.get("Content-Encoding") == "br":
            body = brotli.decompress(body)
        cursor = None if i % 5 == 4 else json.loads(body)["next_cursor"]
        reading += time.process_time() - started
    return reading


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--encoding", default="br", help="Accept-Encoding ('' for none)")
    parser.add_argument("--folder", default=str(Path(tempfile.gettempdir()) / "skyframe-feed-cpu"))
    parser.add_argument("--profile", action="store_true", help="also print a cProfile summary")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    ensure_site(folder, args.posts)
    os.environ.update(settings(folder))
    from skyframe import create_app

    client = create_app("production").test_client()
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    signed_in = client.post(
        "/api/v1/auth/login",
        json={"login": "demo200", "password": PASSWORD},
        headers={"X-CSRFToken": token},
    )
    assert signed_in.status_code == 200, signed_in.get_json()
    walk(client, 50, args.encoding)  # warm the caches
    started = time.process_time()
    reading = walk(client, args.requests, args.encoding)
    spent = (time.process_time() - started - reading) / args.requests * 1000
    print(
        f"{spent:.2f} ms of the app's CPU per feed request ({args.requests} requests, "
        f"Accept-Encoding {args.encoding or 'identity'!r}, {args.posts:,} posts, SQLite)"
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        walk(client, 100, args.encoding)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
