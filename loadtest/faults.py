"""Fault runs on `make prod`: a fault in the middle of a load run, then the
exactness check.

    make prod
    .venv/bin/python loadtest/faults.py [--only postgres,redis,worker,app-server]
        [--users 20] [--seconds 90] [--fault-at 30]

For each fault: Locust's phones (loadtest/locustfile.py) run for
``--seconds``; ``--fault-at`` seconds in, the fault begins; a probe (a
visitor's feed page and /readyz through nginx, every 0.25 s) times what a
user sees. Then loadtest/check.py compares the database and the bucket with
every client's ledger. Printed per fault: when it began and ended, the
errors during it by type, the recovery time (fault end → the first of the
probe's answers from which on all are good), the check.

- postgres: `pg_ctl restart -m fast` (every connection cut);
- redis: Redis stopped for 10 s, then started again (rate limits and the feed
  cache degrade, /readyz says so; jobs queued before are still there);
- worker: the RQ worker and its work-horse SIGKILLed while a job runs, started
  again 5 s later;
- app-server: one gunicorn (master and workers) SIGKILLed, started again
  10 s later (nginx sends everyone to the other).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import prod  # noqa: E402  (scripts/prod.py: the stack's pieces)

BIN = Path(sys.executable).parent
BASE = f"http://127.0.0.1:{prod.PROD_PORT}"
PROBE_EVERY = 0.25


class Probe(threading.Thread):
    """What one visitor sees while the fault runs: a feed page and /readyz."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.results: list[tuple[float, str, int]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        import requests

        session = requests.Session()
        while not self.stopping.is_set():
            for path in ("/api/v1/feed?limit=3", "/readyz"):
                started = time.monotonic()
                try:
                    status = session.get(BASE + path, timeout=5).status_code
                except requests.RequestException:
                    status = 0  # no answer at all
                self.results.append((started, path, status))
            time.sleep(PROBE_EVERY)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)

    def bad(self, path: str) -> list[tuple[float, int]]:
        return [(t, s) for t, p, s in self.results if p == path and s != 200]

    def recovered_after(self, moment: float) -> float | None:
        """Seconds from ``moment`` to the first feed answer after which every
        feed answer was good (None: never)."""
        feed = [(t, s) for t, p, s in self.results if p.startswith("/api/v1/feed")]
        last_bad = max((t for t, s in feed if s != 200), default=None)
        if last_bad is None or last_bad < moment:
            return 0.0
        after = [t for t, s in feed if t > last_bad and s == 200]
        return round(after[0] - moment, 2) if after else None


# The faults: each returns (began, ended) on the monotonic clock.


def restart_postgres() -> tuple[float, float]:
    data = prod.PROD_DIR / "postgres"
    began = time.monotonic()
    subprocess.run(
        prod.as_postgres(
            [prod.postgres_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "restart"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return began, time.monotonic()


def stop_redis() -> tuple[float, float]:
    began = time.monotonic()
    prod.stop("redis")
    time.sleep(10)
    prod.start_redis()
    return began, time.monotonic()


def kill_worker() -> tuple[float, float]:
    _wait_for_a_running_job()
    began = time.monotonic()
    prod.kill("worker")
    time.sleep(5)
    prod.start_worker()
    return began, time.monotonic()


def kill_app_server() -> tuple[float, float]:
    began = time.monotonic()
    prod.kill("app1")
    time.sleep(10)
    prod.start_app_server(1)
    prod.wait_until("app1", lambda: prod.http_ok(f"http://127.0.0.1:{prod.APP_PORTS[0]}/readyz"))
    return began, time.monotonic()


def _wait_for_a_running_job(seconds: float = 30) -> None:
    """Until the worker is in the middle of a job (an upload's renditions)."""
    from redis import Redis
    from rq import Queue

    queue = Queue("skyframe", connection=Redis.from_url(prod.redis_url()))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not queue.started_job_registry.get_job_ids():
        time.sleep(0.05)


FAULTS = {
    "postgres": restart_postgres,
    "redis": stop_redis,
    "worker": kill_worker,
    "app-server": kill_app_server,
}


def run_one(name: str, users: int, seconds: int, fault_at: int, work: Path) -> dict:
    ledger = work / f"{name}-ledger.json"
    locust = subprocess.Popen(
        [
            str(BIN / "locust"),
            *("--locustfile", str(ROOT / "loadtest" / "locustfile.py"), "--headless"),
            *("--host", BASE, "--users", str(users), "--spawn-rate", "5"),
            *("--run-time", f"{seconds}s", "--stop-timeout", "30"),
            *("--csv", str(work / name), "--only-summary", "--loglevel", "ERROR"),
        ],
        env={**os.environ, "LOAD_LEDGER": str(ledger)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe = Probe()
    probe.start()
    start = time.monotonic()
    time.sleep(fault_at)
    began, ended = FAULTS[name]()
    locust.wait()
    probe.stop()
    errors: Counter = Counter()
    failures = work / f"{name}_failures.csv"
    if failures.exists():
        with failures.open() as handle:
            for row in csv.DictReader(handle):
                errors[f"{row['Method']} {row['Name']}: {row['Error'][:120]}"] += int(
                    row["Occurrences"]
                )
    checked = subprocess.run(
        [str(BIN / "python"), str(ROOT / "loadtest" / "check.py"), str(ledger)],
        env=prod.app_environment(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(checked.stdout) if checked.stdout.strip().startswith("{") else {}
    probe_errors = Counter(status for _, status in probe.bad("/api/v1/feed?limit=3"))
    return {
        "fault": name,
        "began_s": round(began - start, 1),
        "ended_s": round(ended - start, 1),
        "client_errors": dict(errors),
        "probe_feed_errors_by_status": {str(k): v for k, v in probe_errors.items()},
        "probe_readyz_not_ok": len(probe.bad("/readyz")),
        "recovery_s": probe.recovered_after(ended),
        "check_ok": report.get("ok"),
        "check_problems": report.get("problems", [checked.stderr[-500:]]),
        "uploads": report.get("uploads_by_status"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(FAULTS))
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--fault-at", type=int, default=30)
    args = parser.parse_args()
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(names) - set(FAULTS)
    if unknown:
        raise SystemExit(f"unknown faults {sorted(unknown)}; choose from {sorted(FAULTS)}")
    if not prod.running("nginx"):
        raise SystemExit("start the stack first: make prod")
    results = []
    with tempfile.TemporaryDirectory(prefix="skyframe-faults-") as scratch:
        for name in names:
            print(f"== {name}: {args.users} users for {args.seconds} s, fault at {args.fault_at} s")
            result = run_one(name, args.users, args.seconds, args.fault_at, Path(scratch))
            print(json.dumps(result, indent=2))
            results.append(result)
            with contextlib.suppress(SystemExit):
                prod.wait_until("the stack", lambda: prod.http_ok(f"{BASE}/readyz"), 30)
    ok = all(result["check_ok"] for result in results)
    print("fault runs:", "every check passed" if ok else "a check FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
