"""Search at a million posts, on PostgreSQL, through gunicorn.

Uses the feed benchmark's dataset (1,000,000 posts; built once with
`flask seed-demo`, reused, migrated to head) and measures the five most
common searches, anonymous, first pages of 20 over GET /api/v1/search, one
request at a time (client-measured on localhost: an upper bound of server
time), each search type with varied values so no single plan or cache
flatters it:

1. object only (any spelling: M31, NGC 224, Orion Nebula, Jupiter, ...)
2. text only (relevance over the newest SEARCH_RANK_WINDOW matches)
3. category + observed date range (a random month)
4. observer (a handle: prolific uploaders and occasional ones)
5. text + category

then prints EXPLAIN (ANALYZE, BUFFERS) of one query of each type.

    .venv/bin/python benchmarks/search_bench.py [--requests 300] [--rebuild]

Needs a PostgreSQL server (default postgresql://postgres@127.0.0.1:5432).
Target: p99 ≤ 50 ms for each search.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import feed_bench

OBJECTS = ["M31", "NGC 224", "Andromeda Galaxy", "M 42", "Orion Nebula", "NGC 7000",
           "Horsehead Nebula", "M51", "Pleiades", "Jupiter", "Saturn", "Moon", "Milky Way",
           "IC 1805", "M 101", "Perseids", "NGC 891", "M27"]  # fmt: skip
WORDS = ["andromeda", "nebula", "pixinsight", "narrowband", '"veil nebula"', "siril dew",
         "first light", "galaxy -andromeda", "whirlpool or pinwheel", "horsehead",
         "comet", "jupiter moons", "hydrogen alpha", "backyard", "mosaic"]  # fmt: skip
TEXT_AND_CATEGORY = [("nebula", "deep-sky"), ("galaxy", "deep-sky"), ("moon", "lunar"),
                     ("saturn", "planetary"), ("milky way", "nightscape"), ("siril", "deep-sky"),
                     ("first light", "planetary"), ("perseids", "meteor")]  # fmt: skip
CATEGORIES = ["deep-sky", "planetary", "lunar", "solar", "nightscape", "comet", "meteor", "aurora"]


def searches(observers: list[str], today: date, rng: random.Random) -> dict[str, Callable]:
    def month() -> dict[str, str]:
        start = today - timedelta(days=rng.randrange(20, 380))
        return {"from": start.isoformat(), "to": (start + timedelta(days=30)).isoformat()}

    return {
        "object only": lambda: {"object": rng.choice(OBJECTS)},
        "text only": lambda: {"q": rng.choice(WORDS)},
        "category + date range": lambda: {"category": rng.choice(CATEGORIES), **month()},
        "observer": lambda: {"observer": rng.choice(observers)},
        "text + category": lambda: dict(
            zip(("q", "category"), rng.choice(TEXT_AND_CATEGORY), strict=True)
        ),
    }


def get(port: int, params: dict[str, str]) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    # As a browser asks, so compressing the answer is part of what is measured.
    headers = {"Accept-Encoding": feed_bench.ACCEPT_ENCODING["value"]}
    connection.request("GET", "/api/v1/search?" + urllib.parse.urlencode(params), headers=headers)
    response = connection.getresponse()
    data = feed_bench.decode(response.read(), response.getheader("Content-Encoding", ""))
    body = json.loads(data)
    connection.close()
    return response.status, body


def observers(url: str) -> list[str]:
    """The most prolific uploaders and a sample of everyone else."""
    import psycopg

    with psycopg.connect(url) as connection:
        top = connection.execute(
            "SELECT u.handle FROM posts p JOIN users u ON u.id = p.owner_id "
            "GROUP BY u.handle ORDER BY count(*) DESC LIMIT 5"
        ).fetchall()
        sample = connection.execute(
            "SELECT handle FROM users ORDER BY random() LIMIT 45"
        ).fetchall()
    return [row[0] for row in top + sample]


def explain(url: str, examples: dict[str, dict[str, str]]) -> None:
    """EXPLAIN ANALYZE the query each search type runs."""
    os.environ.update(feed_bench.bench_env(url))
    from sqlalchemy import event

    from skyframe import create_app, search
    from skyframe.extensions import db
    from skyframe.models import utcnow
    from skyframe.search import filters

    app = create_app("production")
    with app.app_context():
        statements = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            if "FROM posts" in statement and "LIMIT" in statement:
                statements.append((statement, parameters))

        engine = db.engine
        for label, params in examples.items():
            event.listen(engine, "before_cursor_execute", keep)
            search.find(
                db.session,
                filters.from_params(params),
                limit=20,
                now=utcnow(),
                rank_window=app.config["SEARCH_RANK_WINDOW"],
            )
            event.remove(engine, "before_cursor_execute", keep)
            feed_bench.print_plan(f"{label}: {params}", *statements[-1])
            db.session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    feed_bench.add_dataset_arguments(parser)
    parser.add_argument("--requests", type=int, default=300, help="per search type")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()
    url = feed_bench.ensure_dataset(args)
    rng = random.Random(args.seed)
    kinds = searches(observers(url), date.today(), rng)
    port = 20000 + secrets.randbelow(20000)
    server = feed_bench.start_gunicorn(url, port, args.workers)
    examples: dict[str, dict[str, str]] = {}
    try:
        for make in kinds.values():  # warm both workers: connections, catalogue, plans
            for _ in range(20):
                get(port, make())
        print(f"Search latency, one request at a time ({args.workers} gunicorn workers):")
        for label, make in kinds.items():
            samples, results = [], []
            for _ in range(args.requests):
                params = make()
                start = time.perf_counter()
                status, body = get(port, params)
                samples.append((time.perf_counter() - start) * 1000)
                assert status == 200, (status, body)
                results.append(len(body["items"]))
            examples[label] = params
            print(
                f"  {label:<24} p50 {statistics.median(samples):6.1f} ms   "
                f"p99 {feed_bench.percentile(samples, 99):6.1f} ms   "
                f"({len(samples)} requests, {statistics.mean(results):.1f} results/page)"
            )
    finally:
        server.terminate()
        server.wait()
    if not args.no_explain:
        explain(url, examples)


if __name__ == "__main__":
    main()
