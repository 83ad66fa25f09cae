"""Shared steps of the browser tests."""

from __future__ import annotations

import io
from pathlib import Path

from tests import media_samples as samples
from tests.conftest import STRONG_PASSWORD, login

PHONE_HEIGHT = 915


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


def swipe_up(page, distance: int = 500, steps: int = 20) -> None:
    """A finger swipe (touch events through the browser's input pipeline), up;
    a negative distance swipes down (back)."""
    session = page.context.new_cdp_session(page)
    x, y = 150, 800 if distance > 0 else 150
    session.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
    )
    for step in range(1, steps + 1):
        point = {"x": x, "y": y - distance * step / steps}
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        page.wait_for_timeout(16)
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()
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
