"""Live events across two app servers sharing Redis (PUBLISH_URL): a frame
pushed to one server reaches a stream held by the other, that stream counts
as a viewer on both, and a reconnection to either server is replayed what
it missed. Two apps on one database stand for two servers."""

from __future__ import annotations

import io
import threading
import time
import uuid

import pytest

from skyframe.services import broker
from tests import media_samples as samples
from tests import test_live_events
from tests.conftest import REDIS_URL
from tests.test_live_events import events_of, open_stream, read_all

pytestmark = [
    pytest.mark.one_database,
    pytest.mark.skipif(not REDIS_URL, reason="SKYFRAME_TEST_REDIS_URL is not set"),
]


@pytest.fixture
def servers(app_factory):
    import redis

    prefix = f"test-live-{uuid.uuid4().hex[:12]}"
    settings = {
        "PUBLISH_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "LIVE_STREAM_MAX_SECONDS": 3,
        "LIVE_HEARTBEAT_SECONDS": 1,
        "RATELIMIT_ENABLED": False,
    }
    pair = (app_factory(**settings), app_factory(**settings))
    yield pair
    for app in pair:
        app.extensions["skyframe.broker"].close()
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


# The observer signed in to the first server, and her session.
vega = test_live_events.vega
session_id = test_live_events.session_id


@pytest.fixture
def app(servers):
    """The first server: the one the observer (``vega``) signs in to."""
    return servers[0]


def present_on(app, session_id) -> int:
    with app.app_context():
        return broker().present(f"live:{session_id}")


def test_a_frame_pushed_to_one_server_reaches_a_stream_on_the_other(
    servers, vega, session_id, tmp_path
):
    one, two = servers
    response = open_stream(two.test_client(), session_id)
    body: list[str] = []
    reading = threading.Thread(target=lambda: body.append(read_all(response)))
    reading.start()
    for _ in range(100):  # the stream has entered: it is counted on both servers
        if present_on(one, session_id) == 1:
            break
        time.sleep(0.02)
    assert present_on(one, session_id) == present_on(two, session_id) == 1
    image = samples.write_image(tmp_path / "f.jpg", 64, 48).read_bytes()
    pushed = vega.post(
        f"/api/v1/live/{session_id}/frames",
        data={"file": (io.BytesIO(image), "f.jpg")},
        content_type="multipart/form-data",
    ).get_json()
    reading.join(timeout=10)
    frames = [e for e in events_of(body[0]) if e["event"] == "frame"]
    assert len(frames) == 1
    assert f'"id":{pushed["id"]}' in frames[0]["data"]
    assert present_on(one, session_id) == 0  # the stream ended and left


def test_a_reconnection_to_the_other_server_gets_what_it_missed(servers, session_id):
    one, two = servers
    with one.app_context():
        sent = [broker().publish(f"live:{session_id}", "viewers", {"count": n}) for n in (5, 6, 7)]
    response = open_stream(two.test_client(), session_id, **{"Last-Event-ID": str(sent[0].id)})
    got = events_of(read_all(response))
    replayed = [e for e in got if e["data"] in ('{"count":6}', '{"count":7}')]
    assert [int(e["id"]) for e in replayed] == [sent[1].id, sent[2].id]
