"""Login and registration are rate limited per IP and per account, on the
configured storage (memory, and Redis when SKYFRAME_TEST_REDIS_URL is set)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import REDIS_URL, STRONG_PASSWORD

pytestmark = pytest.mark.one_database

STORAGES = ["memory"] + (["redis"] if REDIS_URL else [])


@pytest.fixture(params=STORAGES)
def limited_app(request, app_factory):
    """An app with small limits, on memory or on a Redis key prefix of its own."""
    prefix = f"skyframe-test-{uuid.uuid4().hex[:10]}"
    storage = REDIS_URL if request.param == "redis" else "memory://"

    def build(**overrides):
        settings = {
            "RATELIMIT_STORAGE_URI": storage,
            # A storage-level prefix per test (Flask-Limiter's own prefix is
            # fixed by the first app a process builds).
            "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix} if request.param == "redis" else {},
            "LOGIN_LIMIT_PER_IP": "5 per minute",
            "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
            "REGISTER_LIMIT_PER_IP": "3 per hour",
            **overrides,
        }
        return app_factory(**settings)

    yield build
    if request.param == "redis":
        import redis

        connection = redis.Redis.from_url(REDIS_URL)
        keys = list(connection.scan_iter(f"{prefix}*"))
        assert keys, "the Redis storage was not used"
        connection.delete(*keys)


def attempt(client, login_name, password="Wrong-password-1", ip="203.0.113.7", headers=None):
    return client.post(
        "/api/v1/auth/login",
        json={"login": login_name, "password": password},
        environ_base={"REMOTE_ADDR": ip},
        headers=headers or {},
    )


def test_login_is_429_after_the_configured_attempts_per_ip(limited_app):
    client = limited_app().test_client()
    statuses = [attempt(client, f"user{i}").status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]
    response = attempt(client, "someone-else")
    assert response.status_code == 429
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_forged_x_forwarded_for_does_not_reset_the_counter(limited_app):
    client = limited_app().test_client()
    for i in range(5):
        attempt(client, f"user{i}", headers={"X-Forwarded-For": f"198.51.100.{i}"})
    response = attempt(client, "user9", headers={"X-Forwarded-For": "192.0.2.200"})
    assert response.status_code == 429


def test_behind_one_proxy_the_limit_keys_on_the_address_the_proxy_saw(limited_app):
    """With PROXY_FIX_X_FOR=1 only the right-most X-Forwarded-For entry counts:
    the client-supplied entries to its left cannot spread the attempts."""
    client = limited_app(PROXY_FIX_X_FOR=1).test_client()
    for i in range(5):
        forged_chain = f"10.0.0.{i}, 203.0.113.50"
        attempt(client, f"user{i}", ip="127.0.0.1", headers={"X-Forwarded-For": forged_chain})
    blocked = attempt(
        client, "user9", ip="127.0.0.1", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.50"}
    )
    assert blocked.status_code == 429
    other_client = attempt(
        client, "user9", ip="127.0.0.1", headers={"X-Forwarded-For": "203.0.113.51"}
    )
    assert other_client.status_code == 401


def test_failed_logins_are_limited_per_account_from_one_address(limited_app, make_user):
    app = limited_app()
    make_user("vega")
    client = app.test_client()
    for _ in range(3):
        assert attempt(client, "vega", ip="198.51.100.7").status_code == 401
    assert attempt(client, "VEGA", ip="198.51.100.7").status_code == 429
    # The account from other addresses, and other accounts from this one, are unaffected.
    assert attempt(client, "vega", ip="198.51.100.99").status_code == 401
    assert attempt(client, "mira", ip="198.51.100.7").status_code == 401


def test_handle_and_email_of_one_account_share_a_counter(limited_app, make_user):
    app = limited_app()
    make_user("vega")
    client = app.test_client()
    for login_name in ["vega", "VEGA@example.org", "Vega"]:
        assert attempt(client, login_name, ip="198.51.100.1").status_code == 401
    assert attempt(client, "vega@EXAMPLE.org", ip="198.51.100.1").status_code == 429


def test_concurrent_guesses_cannot_slip_past_the_account_limit(limited_app, make_user):
    app = limited_app(LOGIN_LIMIT_PER_IP="1000 per minute")
    make_user("vega")

    def guess(i):
        return attempt(app.test_client(), "vega", ip="198.51.100.1").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(guess, range(20)))
    assert statuses.count(401) == 3
    assert statuses.count(429) == 17


def test_ipv6_clients_are_counted_per_64_block(limited_app):
    client = limited_app().test_client()
    for i in range(5):
        attempt(client, f"user{i}", ip=f"2001:db8:1:2::{i + 1}")
    assert attempt(client, "user9", ip="2001:db8:1:2:ffff::9").status_code == 429
    assert attempt(client, "user9", ip="2001:db8:1:3::1").status_code == 401


def test_html_and_json_logins_share_the_counters(limited_app):
    client = limited_app().test_client()
    for i in range(3):
        client.post(
            "/login",
            data={"login": f"u{i}", "password": "x"},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )
    for i in range(2):
        attempt(client, f"v{i}", ip="203.0.113.9")
    page = client.post(
        "/login", data={"login": "w", "password": "x"}, environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert page.status_code == 429
    assert "text/html" in page.content_type
    assert "Too many attempts" in page.get_data(as_text=True)


def test_registration_is_limited_per_ip(limited_app):
    client = limited_app().test_client()
    statuses = []
    for i in range(4):
        response = client.post(
            "/api/v1/auth/register",
            json={
                "email": f"u{i}@example.org",
                "handle": f"u{i}",
                "display_name": "U",
                "password": STRONG_PASSWORD,
            },
            environ_base={"REMOTE_ADDR": "203.0.113.20"},
        )
        statuses.append(response.status_code)
        client.post("/api/v1/auth/logout")
    assert statuses == [201, 201, 201, 429]


def test_registration_is_limited_per_email_address(limited_app):
    client = limited_app(REGISTER_LIMIT_PER_EMAIL="2 per hour").test_client()
    statuses = []
    for i in range(3):
        response = client.post(
            "/api/v1/auth/register",
            json={
                "email": "Probe@Example.org",
                "handle": f"h{i}",
                "display_name": "P",
                "password": "weak",
            },
            environ_base={"REMOTE_ADDR": f"203.0.113.{i}"},
        )
        statuses.append(response.status_code)
    assert statuses == [422, 422, 429]


def test_login_keeps_working_when_the_limit_store_is_down(app_factory, make_user):
    """An unreachable Redis degrades limits to per-process counting; /readyz says so."""
    app = app_factory(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    make_user("vega")
    client = app.test_client()
    assert attempt(client, "vega", STRONG_PASSWORD).status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["rate_limits"] == "degraded"


def test_default_limits_leave_room_for_a_person(app, client, make_user):
    """A person who mistypes a few times and then browses is never limited."""
    make_user("vega")
    for _ in range(4):
        assert attempt(client, "vega").status_code == 401
    assert attempt(client, "vega", STRONG_PASSWORD).status_code == 200
    for _ in range(200):
        assert client.get("/api/v1/me").status_code == 200


def test_an_app_built_after_a_dead_limit_store_counts_on_its_own_store(app_factory, make_user):
    """The limiter object is shared by every app a process builds: one app's
    unreachable store must not send the next app's counts to process memory."""
    from skyframe.extensions import limiter

    dead = app_factory(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    make_user("vega")
    attempt(dead.test_client(), "vega", STRONG_PASSWORD)
    assert limiter._storage_dead
    app_factory(RATELIMIT_STORAGE_URI="memory://")
    assert limiter.limiter is limiter._limiter
