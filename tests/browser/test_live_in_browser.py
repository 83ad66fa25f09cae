"""A live channel in Chromium: a frame pushed through the API shows on a
viewer's open page through Server-Sent Events, again after the stream was
cut (the browser reconnects with Last-Event-ID), and by polling where
EventSource is missing."""

from __future__ import annotations

import io
import threading
import time

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from skyframe.services import broker
from tests import media_samples as samples
from tests.browser.conftest import closing_before_sending
from tests.browser.helpers import sign_in, signed_in_client

STREAM_SECONDS = 2  # the server cuts each stream this soon: the reconnection is tested


@pytest.fixture
def app(app_factory):
    return app_factory(LIVE_STREAM_MAX_SECONDS=STREAM_SECONDS, RATELIMIT_ENABLED=False)


@pytest.fixture
def live_server(app):
    """The app on a free port; event streams are passed through as they come
    (the shared server reads every answer whole before sending it)."""
    whole = closing_before_sending(app)

    def wsgi(environ, start_response):
        if environ["PATH_INFO"].endswith("/events"):
            return app(environ, start_response)
        return whole(environ, start_response)

    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def observer(app, make_user, tmp_path):
    """Vega, live, with a test client to push frames as capture software would."""
    make_user("vega")
    client = signed_in_client(app, "vega")
    answer = client.post("/api/v1/live", json={"title": "Orion from the balcony", "object": "M42"})
    assert answer.status_code == 201
    image = samples.write_image(tmp_path / "frame.jpg", 640, 427).read_bytes()

    def push() -> int:
        sent = client.post(
            f"/api/v1/live/{answer.get_json()['session']['id']}/frames",
            data={"file": (io.BytesIO(image), "frame.jpg")},
            content_type="multipart/form-data",
        )
        assert sent.status_code == 201, sent.get_json()
        return sent.get_json()["id"]

    return answer.get_json()["session"]["id"], push


def watchers(app, session_id: int) -> int:
    with app.app_context():
        return broker().present(f"live:{session_id}")


def wait_for_watchers(app, session_id: int, count: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while watchers(app, session_id) != count:
        assert time.monotonic() < deadline, f"never {count} watching"
        time.sleep(0.05)


def test_a_pushed_frame_appears_through_events_and_again_after_a_reconnection(
    app, phone, live_server, observer, artifacts_dir
):
    session_id, push = observer
    page = phone
    streams = []
    page.on("request", lambda r: streams.append(r) if "/events" in r.url else None)
    page.goto(live_server + "/live/vega")
    expect(page.get_by_role("heading", name="Orion from the balcony")).to_be_visible()
    wait_for_watchers(app, session_id, 1)

    first = push()
    frame = page.locator("[data-role='live-frame']")
    expect(frame).to_have_attribute("data-frame-id", str(first), timeout=2000)
    expect(page.locator(f"[data-role='live-strip'] [data-frame-id='{first}']")).to_be_attached()

    # The server ends the stream after STREAM_SECONDS; a frame pushed while
    # the browser waits to reconnect comes with the replay.
    wait_for_watchers(app, session_id, 0)
    second = push()
    expect(frame).to_have_attribute("data-frame-id", str(second), timeout=2000 + 4000)
    sent = [r.all_headers().get("last-event-id") for r in streams]
    assert sent[0] is None  # the first connection names its start in the URL
    assert any(value and int(value) > 1 for value in sent[1:]), sent
    page.wait_for_function("() => document.querySelector('[data-role=live-frame]').complete")
    page.screenshot(path=artifacts_dir / "live-channel.png")
    assert page.problems == []


def test_polling_takes_over_where_there_is_no_event_source(app, phone, live_server, observer):
    session_id, push = observer
    page = phone
    page.add_init_script("delete window.EventSource;")
    page.goto(live_server + "/live/vega")
    expect(page.get_by_role("heading", name="Orion from the balcony")).to_be_visible()
    pushed = push()
    # Polling looks every 5 s.
    expect(page.locator("[data-role='live-frame']")).to_have_attribute(
        "data-frame-id", str(pushed), timeout=8000
    )
    assert watchers(app, session_id) == 0  # no stream was opened
    assert page.problems == []


def test_the_owner_goes_live_and_ends_from_a_phone(app, phone, live_server, make_user):
    make_user("mira")
    page = phone
    sign_in(page, live_server, "mira")
    page.goto(live_server + "/live/mira")
    page.get_by_label("Title").fill("Saturn at opposition")
    page.get_by_role("button", name="Go live").click()
    expect(page.get_by_role("heading", name="Saturn at opposition")).to_be_visible()
    expect(page.locator("[data-role='live-status']")).to_have_text("LIVE")
    page.get_by_role("button", name="End").click()
    expect(page.locator("[data-role='live-status']")).to_have_text("Offline")
    assert page.problems == []
