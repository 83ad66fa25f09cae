"""Shared steps of the browser tests."""

from __future__ import annotations

import io
import time
from pathlib import Path

from tests import media_samples as samples
from tests.conftest import STRONG_PASSWORD, login

PHONE_WIDTH, PHONE_HEIGHT = 412, 915


def signed_in_client(app, handle: str):
    client = app.test_client()
    assert login(client, handle).status_code == 200
    return client


def upload_as(client, title: str, folder: Path, **fields) -> int:
    """Upload a small portrait capture with a signed-in test client; its id."""
    image = samples.jpeg_with_exif(folder / f"{abs(hash(title))}.jpg", width=480, height=720)
    response = client.post(
        "/api/v1/posts",
        data={
            "file": (io.BytesIO(image.read_bytes()), "capture.jpg", "image/jpeg"),
            "title": title,
            "category": "deep-sky",
            **fields,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def sign_in(page, live_server: str, handle: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("E-mail or handle").fill(handle)
    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server + "/")


def feed_position(page) -> dict:
    return page.evaluate(
        "() => { const f = document.getElementById('feed');"
        " return {top: f.scrollTop, height: f.clientHeight}; }"
    )


def settle(page) -> None:
    """Wait until the feed has stopped scrolling (snapping included)."""
    page.wait_for_function(
        """() => new Promise(resolve => {
            const feed = document.getElementById('feed');
            let last = feed.scrollTop, still = 0;
            const tick = () => {
              if (feed.scrollTop === last) still += 1; else { still = 0; last = feed.scrollTop; }
              if (still >= 6) resolve(true); else requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
        })"""
    )


def touch(page, *fingers, steps: int = 10, pause_ms: int = 0) -> None:
    """Fingers put down together, moved in ``steps`` straight steps and lifted,
    through the browser's touch input pipeline (so the page sees real touch and
    pointer events); each finger is ``((x, y), (x, y))``, from and to, in CSS
    pixels of the viewport."""

    def points(step: int) -> list[dict]:
        return [
            {"x": x0 + (x1 - x0) * step / steps, "y": y0 + (y1 - y0) * step / steps, "id": n}
            for n, ((x0, y0), (x1, y1)) in enumerate(fingers)
        ]

    # Each event carries its own time, ``pause_ms`` (or a frame) after the one
    # before: Chromium reads a flick's speed from these, so a slow moment in
    # the test process does not turn a swipe into a harder or softer flick.
    interval = (pause_ms or 16) / 1000
    start = time.time()

    def send(kind: str, step: int, touch_points: list[dict]) -> None:
        session.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": touch_points, "timestamp": start + step * interval},
        )

    session = page.context.new_cdp_session(page)
    send("touchStart", 0, points(0))
    for step in range(1, steps + 1):
        send("touchMove", step, points(step))
        if pause_ms:
            page.wait_for_timeout(pause_ms)
    send("touchEnd", steps, [])
    session.detach()


def swipe_up(page, distance: int = 500, steps: int = 20) -> None:
    """A finger swipe up; a negative distance swipes down (back)."""
    x, y = 150, 800 if distance > 0 else 150
    touch(page, ((x, y), (x, y - distance)), steps=steps, pause_ms=16)
    settle(page)


def card(page, post_id: int):
    return page.locator(f'.feed-card[data-post-id="{post_id}"]')


def on_screen(page) -> int:
    """The id of the post whose card fills the screen."""
    return page.evaluate(
        """() => { const feed = document.getElementById('feed');
          const top = feed.getBoundingClientRect().top;
          const card = [...feed.querySelectorAll('.feed-card')]
            .find(c => Math.abs(c.getBoundingClientRect().top - top) < 1);
          return card ? +card.dataset.postId : null; }"""
    )
