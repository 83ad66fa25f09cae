"""Server-Sent Events of a live session (skyframe/api/live_events.py)."""

from __future__ import annotations

import io

import pytest

from skyframe.api import live_events
from skyframe.extensions import db
from skyframe.models.live import LiveSession
from skyframe.services import broker
from tests import media_samples as samples
from tests.conftest import login

pytestmark = pytest.mark.one_database


@pytest.fixture
def app(app_factory):
    # Streams end quickly here, so a test reads one to its end.
    return app_factory(LIVE_STREAM_MAX_SECONDS=2, LIVE_HEARTBEAT_SECONDS=1, RATELIMIT_ENABLED=False)


@pytest.fixture(autouse=True)
def fresh_viewer_news(monkeypatch):
    # Per process in production; here every test's first session is live:1.
    monkeypatch.setattr(live_events, "NEWS", live_events.ViewerNews())
    monkeypatch.setattr(live_events, "_count_written", {})


@pytest.fixture
def vega(app, make_user):
    make_user("vega")
    client = app.test_client()
    assert login(client, "vega").status_code == 200
    return client


@pytest.fixture
def session_id(vega):
    answer = vega.post("/api/v1/live", json={"title": "Orion"})
    assert answer.status_code == 201
    return answer.get_json()["session"]["id"]


def events_of(body: str) -> list[dict]:
    """The events of a stream's text, as {"id", "event", "data"}."""
    found = []
    for block in body.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if not line.startswith(":")
        )
        if "event" in fields:
            found.append(fields)
    return found


def open_stream(client, session_id, **headers):
    return client.get(f"/api/v1/live/{session_id}/events", headers=headers, buffered=False)


def read_all(response) -> str:
    try:
        return b"".join(response.response).decode()
    finally:
        response.close()


def test_a_stream_is_an_unbuffered_uncompressed_event_stream(client, session_id):
    response = open_stream(client, session_id, **{"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Encoding" not in response.headers
    body = read_all(response)
    assert body.startswith("retry: ")
    assert ": heartbeat" in body  # LIVE_HEARTBEAT_SECONDS=1 within a 2 s stream


def test_a_pushed_frame_arrives_as_a_frame_event_with_an_id(client, vega, session_id, tmp_path):
    response = open_stream(client, session_id)
    image = samples.write_image(tmp_path / "f.jpg", 64, 48).read_bytes()
    pushed = vega.post(
        f"/api/v1/live/{session_id}/frames",
        data={"file": (io.BytesIO(image), "f.jpg")},
        content_type="multipart/form-data",
    ).get_json()
    frames = [e for e in events_of(read_all(response)) if e["event"] == "frame"]
    assert len(frames) == 1
    assert f'"id":{pushed["id"]}' in frames[0]["data"]
    assert pushed["display"][0]["url"] in frames[0]["data"]
    assert int(frames[0]["id"]) > 0


def test_a_reconnection_gets_what_it_missed_from_last_event_id(app, client, session_id):
    with app.app_context():
        hub = broker()
        topic = f"live:{session_id}"
        sent = [hub.publish(topic, "viewers", {"count": n}) for n in (5, 6, 7)]
    response = open_stream(client, session_id, **{"Last-Event-ID": str(sent[0].id)})
    got = events_of(read_all(response))
    replayed = [e for e in got if e["data"] in ('{"count":6}', '{"count":7}')]
    assert [int(e["id"]) for e in replayed] == [sent[1].id, sent[2].id]
    assert not [e for e in got if e["data"] == '{"count":5}']


def test_a_first_connection_starts_at_the_newest_event(app, client, session_id):
    with app.app_context():
        broker().publish(f"live:{session_id}", "viewers", {"count": 99})
    got = events_of(read_all(open_stream(client, session_id)))
    assert '{"count":99}' not in [e["data"] for e in got]


def test_an_ended_session_sends_its_last_events_then_204(app, client, vega, session_id):
    response = open_stream(client, session_id)
    vega.post(f"/api/v1/live/{session_id}/end")
    got = events_of(read_all(response))
    assert got[-1]["event"] == "status"
    assert '"status":"ended"' in got[-1]["data"]
    again = open_stream(client, session_id, **{"Last-Event-ID": got[-1]["id"]})
    assert again.status_code == 204
    missed = open_stream(client, session_id, **{"Last-Event-ID": "0"})
    assert missed.status_code == 200
    assert '"status":"ended"' in read_all(missed)


def test_streams_beyond_the_cap_are_503_with_retry_after(app_factory, make_user):
    app = app_factory(LIVE_STREAMS_PER_PROCESS=1, LIVE_STREAM_MAX_SECONDS=2)
    make_user("vega")
    owner = app.test_client()
    login(owner, "vega")
    session_id = owner.post("/api/v1/live", json={"title": "Orion"}).get_json()["session"]["id"]
    first = open_stream(app.test_client(), session_id)
    refused = open_stream(app.test_client(), session_id)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "10"
    assert refused.get_json()["error"]["code"] == "unavailable"
    first.close()  # closed before its first chunk was read: the slot is free again
    assert live_events.stream_slots(app).open == 0
    read_all(open_stream(app.test_client(), session_id))


def test_viewers_are_counted_and_published_without_a_db_write_each(
    app, client, session_id, monkeypatch
):
    writes = []
    real = live_events._write_count
    monkeypatch.setattr(
        live_events,
        "_write_count",
        lambda *a, **kw: (writes.append((a[2], kw)), real(*a, **kw)),
    )
    monkeypatch.setattr(live_events, "VIEWER_COUNT_WRITE_SECONDS", 3600.0)
    monkeypatch.setattr(live_events, "NEWS", live_events.ViewerNews())
    monkeypatch.setattr(live_events, "_count_written", {})
    live_events._count_written.clear()
    got = events_of(read_all(open_stream(client, session_id)))
    counts = [e["data"] for e in got if e["event"] == "viewers"]
    assert counts[0] == '{"count":1}'
    with app.app_context():
        assert broker().present(f"live:{session_id}") == 0
        assert db.session.get(LiveSession, session_id).viewer_count == 0
    assert [count for count, _ in writes] == [1, 0]


def test_no_database_connection_is_held_while_streaming(app, client, session_id):
    response = open_stream(client, session_id)
    chunks = iter(response.response)
    # Past the first heartbeat the stream has written the first viewer's count
    # (a short transaction of its own) and waits on the broker alone.
    while b"heartbeat" not in next(chunks):
        pass
    with app.app_context():
        pool = db.engine.pool
        checked_out = pool.checkedout() if hasattr(pool, "checkedout") else 0
    response.close()
    assert checked_out == 0


def test_unknown_and_hidden_sessions_are_404(client):
    assert open_stream(client, 123456).status_code == 404


def test_viewer_news_is_held_back_then_sent_with_the_next_look():
    class Hub:
        watching = 1

        def present(self, topic):
            return self.watching

    news, hub = live_events.ViewerNews(every=3600), Hub()
    news.changed("live:9")
    assert news.due(hub, "live:9") == 1
    hub.watching = 2
    news.changed("live:9")
    assert news.due(hub, "live:9") is None  # too soon: kept for later
    news.every = 0
    assert news.due(hub, "live:9") == 2
    assert news.due(hub, "live:9") is None  # nothing new
