"""Two app servers (two gunicorn processes, as `make prod` runs them) share
everything through PostgreSQL, Redis and the storage: a client whose
requests alternate between them keeps its session and CSRF token, meets one
rate limit, walks one feed cursor, sees the files the other server stored,
and a live page streaming from one server sees the frames pushed to the
other."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from itertools import cycle
from pathlib import Path

import pytest
import requests

from skyframe.extensions import db
from tests import media_samples as samples
from tests.conftest import REDIS_URL, STRONG_PASSWORD, build_app, empty_all_tables

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs SKYFRAME_TEST_REDIS_URL (CI sets it)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory):
    """Two gunicorn servers on the test database (emptied afterwards), one
    Redis key prefix, one uploads folder; started once for these tests."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several servers are a PostgreSQL set-up")
    tmp_path = tmp_path_factory.mktemp("two-servers")
    prefix = f"skyframe-two-{uuid.uuid4().hex[:10]}"
    environment = {
        **os.environ,
        "SKYFRAME_ENV_FILE": os.devnull,
        "SKYFRAME_CONFIG": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "two-servers-" + "k" * 40,
        "TRUSTED_HOSTS": "127.0.0.1",
        "FORCE_HTTPS": "0",
        "HSTS_ENABLED": "0",
        "SESSION_COOKIE_SECURE": "0",
        "REMEMBER_COOKIE_SECURE": "0",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_LIMIT_PER_IP": "6 per minute",
        "FEED_CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "PUBLISH_URL": REDIS_URL,  # live events fan out through Redis
        "LIVE_HEARTBEAT_SECONDS": "1",  # a closed stream is noticed within a second
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "TASKS_SCHEDULER": "0",
        "LOG_LEVEL": "WARNING",
    }
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [
                BIN / "gunicorn",
                *("-w", "1", "--threads", "2", "-k", "gthread"),
                *("-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"),
            ],
            env=environment,
            cwd=ROOT,
        )
        for port in ports
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            _wait_for(base)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        cleaner = build_app(database_url)
        with cleaner.app_context():
            empty_all_tables()
            db.engine.dispose()
        import redis

        connection = redis.Redis.from_url(REDIS_URL)
        keys = list(connection.scan_iter(f"{prefix}*"))
        if keys:
            connection.delete(*keys)


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass  # not up yet
        time.sleep(0.2)
    raise AssertionError(f"{base} did not start")


class Alternating:
    """One browser-like client (one cookie jar) whose every request goes to
    the other server than the one before."""

    def __init__(self, bases: list[str]) -> None:
        self.session = requests.Session()
        self.bases = cycle(bases)
        self.answered_by: list[str] = []

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        base = next(self.bases)
        self.answered_by.append(base)
        return self.session.request(method, base + path, timeout=30, **kwargs)

    def csrf(self) -> dict:
        return {"X-CSRFToken": self.request("GET", "/api/v1/auth/csrf").json()["csrf_token"]}


def register(client: Alternating, handle: str) -> None:
    response = client.request(
        "POST",
        "/api/v1/auth/register",
        json={
            "email": f"{handle}@example.org",
            "handle": handle,
            "display_name": handle.title(),
            "password": STRONG_PASSWORD,
        },
        headers=client.csrf(),
    )
    assert response.status_code == 201, response.text


def test_a_session_and_its_csrf_token_work_on_either_server(servers):
    client = Alternating(servers)
    register(client, "vega")  # the token from one server, the form posted to the other
    assert client.request("GET", "/api/v1/me").json()["handle"] == "vega"
    assert client.request("GET", "/api/v1/me").json()["handle"] == "vega"
    token = client.csrf()
    changed = client.request("PATCH", "/api/v1/me", json={"bio": "Dobsonian"}, headers=token)
    assert changed.status_code == 200, changed.text
    assert client.request("POST", "/api/v1/auth/logout", headers=client.csrf()).status_code == 204
    assert client.request("GET", "/api/v1/me").status_code == 401
    assert len(set(client.answered_by)) == 2


def test_a_rate_limit_counts_requests_to_both_servers(servers):
    client = Alternating(servers)
    statuses = []
    for _ in range(7):
        response = client.request(
            "POST",
            "/api/v1/auth/login",
            json={"login": "nobody", "password": "Wrong-password-1"},
            headers=client.csrf(),
        )
        statuses.append(response.status_code)
    # LOGIN_LIMIT_PER_IP is 6 per minute in all: per server it would be 12.
    assert statuses[:6] == [401] * 6
    assert statuses[6] == 429


def test_a_feed_cursor_from_one_server_continues_on_the_other(servers, make_user, make_post):
    owner = make_user("lyra")
    posted = {make_post(owner) for _ in range(25)}
    client = Alternating(servers)
    register(client, "deneb")
    seen: list[int] = []
    cursor = None
    while True:
        query = f"?limit=5&cursor={cursor}" if cursor else "?limit=5"
        page = client.request("GET", f"/api/v1/feed{query}").json()
        seen += [post["id"] for post in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor or len(seen) >= len(posted):
            break
    assert len(seen) == len(set(seen))  # no post twice across the servers' pages
    assert set(seen) == posted


def test_a_file_one_server_stored_is_served_by_the_other(servers, tmp_path):
    client = Alternating(servers)
    register(client, "altair")
    data = samples.jpeg_with_exif(tmp_path / "m31.jpg").read_bytes()
    created = client.request(
        "POST",
        "/api/v1/posts",
        files={"file": ("m31.jpg", data, "image/jpeg")},
        data={"title": "Andromeda", "category": "deep-sky"},
        headers=client.csrf(),
    )
    assert created.status_code == 201, created.text
    post = client.request("GET", f"/api/v1/posts/{created.json()['id']}").json()
    media = client.request("GET", post["media"]["display"][0]["url"])
    assert media.status_code == 200
    assert media.headers["Content-Type"].startswith("image/")


def test_a_live_frame_pushed_to_one_server_reaches_a_viewer_of_the_other(servers, tmp_path):
    observer = Alternating(servers)
    register(observer, "mira")
    started = observer.request(
        "POST", "/api/v1/live", json={"title": "M42"}, headers=observer.csrf()
    )
    assert started.status_code == 201, started.text
    session_id = started.json()["session"]["id"]
    stream = requests.get(
        f"{servers[1]}/api/v1/live/{session_id}/events", stream=True, timeout=(5, 10)
    )
    assert stream.status_code == 200
    frames: list[str] = []

    def read() -> None:
        kind = ""
        for line in stream.iter_lines(decode_unicode=True):
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind == "frame":
                frames.append(line)
                return

    reading = threading.Thread(target=read, daemon=True)
    reading.start()
    time.sleep(0.5)  # the stream is waiting on server two
    data = samples.jpeg_with_exif(tmp_path / "m42.jpg").read_bytes()
    pushed = observer.session.post(
        f"{servers[0]}/api/v1/live/{session_id}/frames",
        files={"file": ("m42.jpg", data, "image/jpeg")},
        headers=observer.csrf(),
        timeout=30,
    )
    assert pushed.status_code == 201, pushed.text
    reading.join(timeout=10)
    stream.close()
    assert len(frames) == 1
    assert f'"id":{pushed.json()["id"]}' in frames[0]
