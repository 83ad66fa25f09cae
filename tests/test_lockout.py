"""Nobody can lock an account out: the tight login limit is per account and
client address, the account-wide cap only slows unknown browsers down, a
browser that signed in before (its device cookie) is not blocked by
strangers' failures, and password hashing is bounded per process."""

from __future__ import annotations

import pytest

from skyframe.accounts import login_devices
from skyframe.accounts.login_backoff import AccountBackoff
from skyframe.services import password_hashing
from tests import test_rate_limits
from tests.conftest import STRONG_PASSWORD
from tests.test_rate_limits import attempt

limited_app = test_rate_limits.limited_app  # the same fixture: memory and Redis

BACKOFF = {"LOGIN_BACKOFF_AFTER": 4, "LOGIN_BACKOFF_MAX_SECONDS": 60}


def strangers_fail(client, login_name, count):
    """Wrong passwords from ``count`` different addresses; their statuses."""
    return [
        attempt(client, login_name, ip=f"198.51.{100 + i // 250}.{i % 250 + 1}").status_code
        for i in range(count)
    ]


def known_browser(app, login_name, ip="203.0.113.80"):
    """A client that signed in once (so it holds the device cookie), signed out."""
    client = app.test_client()
    assert attempt(client, login_name, STRONG_PASSWORD, ip=ip).status_code == 200
    assert client.get_cookie(login_devices.COOKIE_NAME) is not None
    client.post("/api/v1/auth/logout")
    return client


def test_strangers_failures_do_not_block_the_owner_from_a_known_browser(limited_app, make_user):
    app = limited_app(**BACKOFF)
    make_user("vega")
    owner = known_browser(app, "vega")
    statuses = strangers_fail(app.test_client(), "vega", 40)
    assert statuses[:4] == [401] * 4
    assert 429 in statuses  # the account slowed down for unknown browsers
    # Even from an address strangers used up: the device cookie is what counts.
    for ip in ("203.0.113.80", "198.51.100.1"):
        assert attempt(owner, "vega", STRONG_PASSWORD, ip=ip).status_code == 200
        owner.post("/api/v1/auth/logout")


def test_the_login_form_honours_the_device_cookie_too(limited_app, make_user):
    app = limited_app(**BACKOFF)
    make_user("vega")
    owner = known_browser(app, "vega")
    strangers_fail(app.test_client(), "vega", 20)
    page = owner.post(
        "/login",
        data={"login": "vega", "password": STRONG_PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.1"},
    )
    assert page.status_code == 302


def test_unknown_browsers_are_slowed_not_blocked(limited_app, make_user):
    """Past the threshold one attempt is let through per growing delay, and
    the others are told when to come back."""
    app = limited_app(**BACKOFF)
    make_user("vega")
    client = app.test_client()
    statuses = strangers_fail(client, "vega", 6)
    assert statuses[:5] == [401] * 5  # four free failures, then the slot is free once
    assert statuses[5] == 429
    slowed = attempt(client, "vega", STRONG_PASSWORD, ip="192.0.2.10")
    assert slowed.status_code == 429
    assert 1 <= int(slowed.headers["Retry-After"]) <= BACKOFF["LOGIN_BACKOFF_MAX_SECONDS"]
    assert slowed.get_json()["error"]["code"] == "rate_limited"


def test_the_tight_limit_is_per_account_and_ipv6_64(limited_app, make_user):
    app = limited_app()
    make_user("vega")
    client = app.test_client()
    for i in range(3):
        assert attempt(client, "vega", ip=f"2001:db8:1:2::{i + 1}").status_code == 401
    assert attempt(client, "vega", ip="2001:db8:1:2:ffff::9").status_code == 429
    # The owner's own block, and another account from the blocked /64, still work.
    assert attempt(client, "vega", STRONG_PASSWORD, ip="2001:db8:7:7::1").status_code == 200
    assert attempt(app.test_client(), "mira", ip="2001:db8:1:2::5").status_code == 401


def test_a_device_cookie_that_fails_too_often_is_locked_out_itself(limited_app, make_user):
    app = limited_app(LOGIN_LIMIT_PER_DEVICE="3 per 15 minutes")
    make_user("vega")
    thief = known_browser(app, "vega")
    statuses = [attempt(thief, "vega", ip=f"192.0.2.{i}").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    # The owner's other browsers are not affected.
    other = app.test_client()
    assert attempt(other, "vega", STRONG_PASSWORD, ip="203.0.113.5").status_code == 200


def test_a_device_cookie_counts_only_for_its_account(limited_app, make_user):
    app = limited_app()
    make_user("vega")
    make_user("mira")
    client = known_browser(app, "vega")  # a cookie for vega, not for mira
    for _ in range(3):
        assert attempt(client, "mira").status_code == 401
    assert attempt(client, "mira").status_code == 429


def test_forged_or_foreign_device_cookies_are_ignored(app):
    secret = app.config["SECRET_KEY"]
    cookie = login_devices.issue(None, secret, 7)
    assert login_devices.nonce_for(cookie, secret, 7)
    assert login_devices.nonce_for(cookie, secret, 8) is None
    assert login_devices.nonce_for(cookie, "another-secret-of-another-site", 7) is None
    assert login_devices.nonce_for(cookie[:-2] + "xx", secret, 7) is None
    assert login_devices.read("x" * 5000, secret) == {}


def test_one_device_cookie_remembers_a_few_accounts(app):
    secret = app.config["SECRET_KEY"]
    cookie = None
    for user_id in range(1, 8):
        cookie = login_devices.issue(cookie, secret, user_id)
    remembered = login_devices.read(cookie, secret)
    assert sorted(remembered) == [3, 4, 5, 6, 7]


class ClockStorage:
    """The three calls AccountBackoff makes of a limits storage, on a clock the test moves."""

    def __init__(self):
        self.now = 1000.0
        self.values: dict[str, tuple[int, float]] = {}

    def get(self, key):
        value, expires = self.values.get(key, (0, 0.0))
        return value if expires > self.now else 0

    def incr(self, key, expiry, amount=1):
        value = self.get(key) + amount
        expires = self.values[key][1] if value > amount else self.now + expiry
        self.values[key] = (value, expires)
        return value

    def get_expiry(self, key):
        return self.values.get(key, (0, self.now))[1]


def test_the_backoff_delay_doubles_up_to_its_cap(monkeypatch):
    storage = ClockStorage()
    monkeypatch.setattr("skyframe.accounts.login_backoff.time.time", lambda: storage.now)
    backoff = AccountBackoff(storage, after=2, window=3600, max_delay=8)
    waits = []
    for _ in range(14):
        if wait := backoff.wait("account:1"):
            waits.append(wait)  # told to come back later
            storage.now += wait
        else:
            backoff.failed("account:1")  # let through, and wrong again
    assert waits == [1, 2, 4, 8, 8, 8]
    storage.now += 3600
    assert backoff.wait("account:1") == 0  # a quiet window forgets the failures
    assert backoff.wait("account:1") == 0


def test_concurrent_hashing_beyond_the_queue_is_refused_at_once(app_factory, make_user):
    app = app_factory(ARGON2_MAX_CONCURRENT=1, ARGON2_MAX_WAITING=0)
    make_user("vega")
    client = app.test_client()
    with app.app_context(), password_hashing().slot():
        busy = attempt(client, "vega", STRONG_PASSWORD)
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"
    assert busy.get_json()["error"]["code"] == "unavailable"
    assert attempt(client, "vega", STRONG_PASSWORD).status_code == 200


@pytest.mark.parametrize("max_waiting", [0, 3])
def test_the_hashing_queue_admits_exactly_its_bound(app, max_waiting):
    from skyframe.accounts.passwords import PasswordHashing
    from skyframe.exceptions import Busy

    hashing = PasswordHashing(1, 1024, 1, max_concurrent=1, max_waiting=max_waiting)
    hashing._queued = 1 + max_waiting  # as if one ran and max_waiting waited
    with pytest.raises(Busy):
        hashing.hash("Orion-Nebula-42")
    hashing._queued = max_waiting
    assert hashing.verify(hashing.hash("Orion-Nebula-42"), "Orion-Nebula-42").ok
