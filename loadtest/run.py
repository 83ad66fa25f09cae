"""The load run (`make load`): simulated phone users on `make prod`, then the exactness check.

    make prod
    .venv/bin/python loadtest/run.py [--users 50] [--minutes 5] [--seed-posts 200]

Seeds a small demo site the first time (`flask seed-demo` with images, so the
feed has something to scroll), runs Locust headless (loadtest/locustfile.py:
sign-up, feed with seen reports, post pages, likes, saves, follows, comments,
searches, uploads) against nginx on PROD_PORT, loopback only and stopping by
itself after the given minutes; prints requests per second and p50/p95/p99
per endpoint with the errors, then runs loadtest/check.py, which compares
the database and the bucket with what the clients did.

Exit status: 0 when there were no errors and the check passed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROD_DIR = Path(os.environ.get("PROD_DIR") or ROOT / "instance" / "prod").resolve()
PROD_PORT = int(os.environ.get("PROD_PORT") or 8080)


def app_environment() -> dict[str, str]:
    env_file = PROD_DIR / "prod.env"
    if not env_file.exists():
        raise SystemExit(f"no {env_file}: start the stack first with `make prod`")
    environment = {**os.environ, "SKYFRAME_ENV_FILE": str(env_file)}
    environment.pop("DATABASE_URL", None)
    return environment


def seed(posts: int) -> None:
    """A demo site once (users demo1…, generated images in the bucket)."""
    marker = PROD_DIR / "run" / "load-seeded"
    if marker.exists():
        return
    users = max(10, posts // 10)
    print(f"seeding the demo site: {users} users, {posts} posts with images")
    subprocess.run(
        [
            *(BIN / "flask", "--app", "wsgi", "seed-demo"),
            *("--users", str(users), "--posts", str(posts), "--images"),
        ],
        env=app_environment(),
        cwd=ROOT,
        check=True,
    )
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def run_locust(users: int, minutes: float, spawn_rate: float, work: Path) -> Path:
    ledger = work / "ledger.json"
    command = [
        BIN / "locust",
        "--locustfile", ROOT / "loadtest" / "locustfile.py",
        "--headless",
        "--host", f"http://127.0.0.1:{PROD_PORT}",
        "--users", str(users),
        "--spawn-rate", str(spawn_rate),
        "--run-time", f"{int(minutes * 60)}s",
        "--stop-timeout", "30",
        "--csv", work / "load",
        "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    print(f"locust: {users} users for {minutes:g} min against http://127.0.0.1:{PROD_PORT}")
    subprocess.run(
        [str(part) for part in command],
        env={**os.environ, "LOAD_LEDGER": str(ledger)},
        cwd=ROOT,
        check=False,
    )
    return ledger


def print_stats(work: Path) -> int:
    """The per-endpoint table; returns the number of failed requests."""
    with (work / "load_stats.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    print("\n| endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    failures = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        label = f"{row['Type']} {name}" if row["Type"] else name
        print(
            f"| {label} | {row['Request Count']} | {row['Failure Count']} "
            f"| {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
        if row["Name"] == "Aggregated":
            failures = int(row["Failure Count"])
    failures_file = work / "load_failures.csv"
    if failures_file.exists():
        with failures_file.open() as handle:
            for row in csv.DictReader(handle):
                print(
                    f"  error: {row['Method']} {row['Name']}: {row['Error']} ×{row['Occurrences']}"
                )
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--spawn-rate", type=float, default=5.0)
    parser.add_argument("--seed-posts", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="Keep the CSVs and the ledger in this folder.")
    args = parser.parse_args()
    seed(args.seed_posts)
    with tempfile.TemporaryDirectory(prefix="skyframe-load-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        ledger = run_locust(args.users, args.minutes, args.spawn_rate, work)
        failures = print_stats(work)
        print("\nexactness check (loadtest/check.py):")
        checked = subprocess.run(
            [BIN / "python", ROOT / "loadtest" / "check.py", ledger],
            env=app_environment(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        print(checked.stdout or checked.stderr)
        report = json.loads(checked.stdout) if checked.stdout.strip().startswith("{") else {}
    ok = failures == 0 and report.get("ok") is True
    print("load run:", "passed" if ok else "FAILED", f"({failures} failed requests)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
