"""Simulated phone users for the load run (`benchmarks/load.py` starts Locust
with this file against `make prod`).

Each user signs up, then scrolls the feed (reporting what it saw), opens
posts, likes and unlikes, saves, follows, comments, searches and now and then
uploads a capture, the way the PWA does (JSON API, CSRF header, cookies).
Every write's outcome goes into a ledger: what the user now believes is
true. When an answer is lost (a timeout, a 5xx), the user asks the server
what is true instead of guessing, so the ledger stays exact through faults.
At the end the ledger is written to ``$LOAD_LEDGER`` for `loadtest/check.py`.
"""

from __future__ import annotations

import io
import json
import os
import random
import threading
import uuid

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

PASSWORD = "Orion-Nebula-42"
SEARCHES = ("m31", "orion", "jupiter", "moon", "nebula", "galaxy", "m42 hydrogen")

_lock = threading.Lock()
LEDGER: dict = {"likes": {}, "saves": {}, "follows": {}, "comments": [], "uploads": [], "users": []}


class _FromAddress(HTTPAdapter):
    """Connections from one loopback address of the user's own: each phone
    is its own client to nginx's and the app's per-address limits, as on
    the internet (Linux answers the whole of 127.0.0.0/8)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


_addresses = iter(range(1_000_000))


def _next_address() -> str:
    with _lock:
        number = next(_addresses)
    return f"127.0.{1 + number // 250 % 250}.{2 + number % 250}"


def _note(kind: str, key: str, value: bool) -> None:
    with _lock:
        LEDGER[kind][key] = value


@events.test_stop.add_listener
def _write_ledger(environment, **_kwargs) -> None:
    path = os.environ.get("LOAD_LEDGER")
    if path:
        with open(path, "w") as handle:
            json.dump(LEDGER, handle)


def _capture() -> bytes:
    """A small, unique JPEG of stars (pyvips, which the app itself uses)."""
    import numpy as np
    import pyvips

    rng = np.random.default_rng()
    sky = rng.normal(12, 4, (240, 320, 3)).clip(0, 255).astype(np.uint8)
    for _ in range(40):
        y, x = rng.integers(2, 238), rng.integers(2, 318)
        sky[y - 1 : y + 2, x - 1 : x + 2] = 255
    image = pyvips.Image.new_from_array(sky, interpretation="srgb")
    return image.jpegsave_buffer(Q=85)


class PhoneUser(HttpUser):
    wait_time = between(0.5, 2.5)

    def on_start(self) -> None:
        adapter = _FromAddress(_next_address())
        self.client.mount("http://", adapter)
        self.client.mount("https://", adapter)
        self.handle = f"load{uuid.uuid4().hex[:10]}"
        self.csrf = self._fetch_csrf()
        response = self.client.post(
            "/api/v1/auth/register",
            json={
                "email": f"{self.handle}@example.org",
                "handle": self.handle,
                "display_name": self.handle,
                "password": PASSWORD,
            },
            headers=self._headers(),
            name="/api/v1/auth/register",
        )
        if response.status_code != 201:
            raise RuntimeError(f"sign-up failed: {response.status_code} {response.text[:200]}")
        with _lock:
            LEDGER["users"].append(self.handle)
        self.csrf = self._fetch_csrf()
        self.cursor: str | None = None
        self.posts: list[dict] = []

    def _fetch_csrf(self) -> str:
        return self.client.get("/api/v1/auth/csrf", name="/api/v1/auth/csrf").json()["csrf_token"]

    def _headers(self) -> dict:
        return {"X-CSRFToken": self.csrf}

    def _post_facts(self, post_id: int) -> dict | None:
        response = self.client.get(f"/api/v1/posts/{post_id}", name="/api/v1/posts/<id>")
        return response.json() if response.status_code == 200 else None

    # Reading

    @task(10)
    def scroll_feed(self) -> None:
        query = {"cursor": self.cursor} if self.cursor else {}
        response = self.client.get("/api/v1/feed", params=query, name="/api/v1/feed")
        if response.status_code != 200:
            return
        page = response.json()
        self.cursor = page.get("next_cursor")
        self.posts = (page["items"] + self.posts)[:60]
        if page["items"]:
            self.client.post(
                "/api/v1/feed/seen",
                json={"post_ids": [post["id"] for post in page["items"]]},
                headers=self._headers(),
                name="/api/v1/feed/seen",
            )

    @task(4)
    def open_post(self) -> None:
        if self.posts:
            self._post_facts(random.choice(self.posts)["id"])

    @task(2)
    def search(self) -> None:
        self.client.get(
            "/api/v1/search", params={"q": random.choice(SEARCHES)}, name="/api/v1/search"
        )

    # Writing: each outcome into the ledger

    def _toggle(self, kind: str, path: str, key: str, on: bool, name: str, truth) -> None:
        method = self.client.post if on else self.client.delete
        with method(path, headers=self._headers(), name=name, catch_response=True) as response:
            if response.status_code in (200, 201, 204):
                _note(kind, key, on)
                return
            if response.status_code in (403, 404, 409, 429):
                response.success()  # refused: nothing changed, and that is known
                return
        facts = truth()  # the answer was lost: ask what is true
        if facts is not None:
            _note(kind, key, facts)

    @task(4)
    def like_or_unlike(self) -> None:
        if not self.posts:
            return
        post = random.choice(self.posts)
        key = f"{self.handle}|{post['id']}"
        on = not LEDGER["likes"].get(key, bool(post.get("liked")))
        self._toggle(
            "likes",
            f"/api/v1/posts/{post['id']}/like",
            key,
            on,
            "/api/v1/posts/<id>/like",
            lambda: (self._post_facts(post["id"]) or {}).get("liked"),
        )

    @task(2)
    def save_or_unsave(self) -> None:
        if not self.posts:
            return
        post = random.choice(self.posts)
        key = f"{self.handle}|{post['id']}"
        on = not LEDGER["saves"].get(key, bool(post.get("favorited")))
        self._toggle(
            "saves",
            f"/api/v1/posts/{post['id']}/favorite",
            key,
            on,
            "/api/v1/posts/<id>/favorite",
            lambda: (self._post_facts(post["id"]) or {}).get("favorited"),
        )

    @task(2)
    def follow_or_unfollow(self) -> None:
        if not self.posts:
            return
        post = random.choice(self.posts)
        author = post["owner"]["handle"]
        if author == self.handle:
            return
        key = f"{self.handle}|{author}"
        on = not LEDGER["follows"].get(key, bool(post.get("following")))
        self._toggle(
            "follows",
            f"/api/v1/users/{author}/follow",
            key,
            on,
            "/api/v1/users/<handle>/follow",
            lambda: (self._post_facts(post["id"]) or {}).get("following"),
        )

    @task(2)
    def comment(self) -> None:
        if not self.posts:
            return
        post = random.choice(self.posts)
        body = f"Lovely capture ({uuid.uuid4().hex[:8]})"
        with self.client.post(
            f"/api/v1/posts/{post['id']}/comments",
            json={"body": body},
            headers=self._headers(),
            name="/api/v1/posts/<id>/comments",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                outcome = "accepted"
            elif response.status_code in (403, 404, 429):
                response.success()
                return
            else:
                outcome = "unknown"  # the checker accepts it there once or not at all
        with _lock:
            LEDGER["comments"].append(
                {"handle": self.handle, "post_id": post["id"], "body": body, "outcome": outcome}
            )

    @task(1)
    def upload(self) -> None:
        with self.client.post(
            "/api/v1/posts",
            files={"file": (f"{uuid.uuid4().hex[:8]}.jpg", io.BytesIO(_capture()), "image/jpeg")},
            data={"title": "Star field", "category": "deep-sky", "observer": self.handle},
            headers=self._headers(),
            name="/api/v1/posts (upload)",
            catch_response=True,
        ) as response:
            if response.status_code in (201, 202):
                with _lock:
                    LEDGER["uploads"].append({"handle": self.handle, "id": response.json()["id"]})
            elif response.status_code == 429:
                response.success()
