"""Cost of a login with the production Argon2id parameters.

Measures the password hash and verify on their own, then whole
POST /api/v1/auth/login requests (right and wrong password, unknown account)
through the app in-process on a throwaway SQLite database. The figures size
the login rate limits and show that failures for unknown and known accounts
cost the same. Last, N concurrent failed logins (threads, as gunicorn's
gthread workers serve them): the growth of the process's peak RSS and the
answers, with the default hashing bound (ARGON2_MAX_CONCURRENT=2,
ARGON2_MAX_WAITING=8) and with a queue long enough for all of them.

    .venv/bin/python benchmarks/auth_bench.py [--runs 30] [--concurrent 30]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import BaseConfig
from skyframe.accounts.passwords import PasswordHashing

PASSWORD = "Orion-Nebula-42"


def timed(func, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    print(f"{name:<34} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--concurrent", type=int, default=30)
    arguments = parser.parse_args()
    runs = arguments.runs

    hashing = PasswordHashing(
        BaseConfig.ARGON2_TIME_COST, BaseConfig.ARGON2_MEMORY_COST, BaseConfig.ARGON2_PARALLELISM
    )
    stored = hashing.hash(PASSWORD)
    print(
        f"Argon2id t={BaseConfig.ARGON2_TIME_COST} m={BaseConfig.ARGON2_MEMORY_COST} KiB "
        f"p={BaseConfig.ARGON2_PARALLELISM}, {runs} runs each"
    )
    report("hash", timed(lambda: hashing.hash(PASSWORD), runs))
    report("verify (right password)", timed(lambda: hashing.verify(stored, PASSWORD), runs))

    with app_with_vega() as app:
        client = app.test_client()

        def login(name: str, password: str, expected: int):
            def call():
                response = client.post(
                    "/api/v1/auth/login", json={"login": name, "password": password}
                )
                assert response.status_code == expected, response.status_code

            return call

        report("POST login, right password", timed(login("vega", PASSWORD, 200), runs))
        report("POST login, wrong password", timed(login("vega", "Wrong-pass-1", 401), runs))
        report("POST login, unknown account", timed(login("nobody", PASSWORD, 401), runs))

    for waiting in (BaseConfig.ARGON2_MAX_WAITING, arguments.concurrent):
        concurrent_failures(arguments.concurrent, max_waiting=waiting)


@contextmanager
def app_with_vega(**overrides):
    """An app on a throwaway SQLite database with one account, vega."""
    from flask_migrate import upgrade

    from skyframe import create_app
    from skyframe.accounts import users
    from skyframe.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            "development",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db",
            SECRET_KEY="benchmark-only-key",
            WTF_CSRF_ENABLED=False,
            RATELIMIT_ENABLED=False,
            TASKS_SCHEDULER=False,  # logins alone: no periodic task thread
            **overrides,
        )
        with app.app_context():
            upgrade()
            users.register_user(
                db.session,
                app.extensions["skyframe.accounts.passwords"],
                email="vega@example.org",
                handle="vega",
                display_name="Vega",
                password=PASSWORD,
            )
            db.session.commit()
        yield app


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class PeakRss:
    """The highest RSS of this process while the block runs (sampled every 2 ms)."""

    def __enter__(self):
        import threading

        self.baseline = self.peak = rss_mb()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._done.wait(0.002):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def concurrent_failures(count: int, *, max_waiting: int) -> None:
    """``count`` wrong-password logins at once; peak RSS growth and the answers."""
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    with app_with_vega(ARGON2_MAX_WAITING=max_waiting) as app:

        def fail(_):
            start = time.perf_counter()
            response = app.test_client().post(
                "/api/v1/auth/login", json={"login": "vega", "password": "Wrong-pass-1"}
            )
            return response.status_code, (time.perf_counter() - start) * 1000

        with ThreadPoolExecutor(max_workers=count) as pool:
            list(pool.map(lambda _: None, range(count)))  # threads started before measuring
            start = time.perf_counter()
            with PeakRss() as rss:
                results = list(pool.map(fail, range(count)))
            wall = time.perf_counter() - start
        statuses = Counter(status for status, _ in results)
        slowest = max(ms for _, ms in results)
        refused = [ms for status, ms in results if status == 503]
        refused_in = f", refused in ≤ {max(refused):.0f} ms" if refused else ""
        print(
            f"{count} concurrent failed logins, ARGON2_MAX_CONCURRENT="
            f"{app.config['ARGON2_MAX_CONCURRENT']} ARGON2_MAX_WAITING={max_waiting}: "
            f"peak RSS +{rss.peak - rss.baseline:.0f} MB, {wall:.1f} s in all, slowest "
            f"{slowest:.0f} ms, answers {dict(sorted(statuses.items()))}{refused_in}"
        )


if __name__ == "__main__":
    main()
