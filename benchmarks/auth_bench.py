"""Cost of a login with the production Argon2id parameters.

Measures the password hash and verify on their own, then whole
POST /api/v1/auth/login requests (right and wrong password, unknown account)
through the app in-process on a throwaway SQLite database. The figures size
the login rate limits and show that failures for unknown and known accounts
cost the same.

    .venv/bin/python benchmarks/auth_bench.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import BaseConfig
from skyframe.passwords import PasswordHashing

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
    runs = parser.parse_args().runs

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

    from flask_migrate import upgrade

    from skyframe import accounts, create_app
    from skyframe.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            "development",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db",
            SECRET_KEY="benchmark-only-key",
            WTF_CSRF_ENABLED=False,
            RATELIMIT_ENABLED=False,
        )
        with app.app_context():
            upgrade()
            accounts.register_user(
                db.session,
                app.extensions["skyframe.passwords"],
                email="vega@example.org",
                handle="vega",
                display_name="Vega",
                password=PASSWORD,
            )
            db.session.commit()
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


if __name__ == "__main__":
    main()
