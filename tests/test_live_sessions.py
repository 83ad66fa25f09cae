"""The live domain (skyframe/live/sessions.py, frames.py) on both databases:
one running session per user under a race, the idle sweep, live seconds, the
followers' notice and its cooldown, and frames kept up to LIVE_FRAMES_KEPT
with no orphan rows or files."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skyframe.exceptions import Suspended
from skyframe.extensions import db
from skyframe.live import frames, sessions
from skyframe.media.pipeline import MediaSettings
from skyframe.models import Follow, Notification, User, utcnow
from skyframe.models.live import LiveFrame, LiveSession
from skyframe.services import broker, current_storage
from tests import media_samples as samples
from tests.conftest import login

LIVE = sessions.LiveSettings(idle_minutes=15, frames_kept=500, notify_cooldown_minutes=60)


def _user(handle: str) -> User:
    return db.session.scalar(db.select(User).where(User.handle == handle))


def _start(handle: str, now, title: str = "Tonight") -> LiveSession:
    live = sessions.start_session(db.session, _user(handle), title, None, settings=LIVE, now=now)
    db.session.commit()
    return live


def test_two_starts_at_once_make_one_session(app, make_user):
    make_user("vega")
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        assert login(client, "vega").status_code == 200
    barrier, statuses = threading.Barrier(len(clients)), []

    def start(client):
        barrier.wait()
        statuses.append(client.post("/api/v1/live", json={"title": "Race"}).status_code)

    threads = [threading.Thread(target=start, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201, 409, 409, 409]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LiveSession)) == 1


def test_the_unique_index_settles_a_start_the_check_missed(app, make_user, monkeypatch):
    make_user("vega")
    with app.app_context():
        _start("vega", utcnow())
        monkeypatch.setattr(sessions, "running_session", lambda session, user_id: None)
        with pytest.raises(sessions.AlreadyLive):
            _start("vega", utcnow())
        db.session.rollback()
        assert _user("vega").channel_status == "live"


def test_the_idle_sweep_ends_sessions_at_their_last_frame(app, make_user):
    for handle in ("idle", "busy"):
        make_user(handle)
    now = utcnow()
    with app.app_context():
        idle = _start("idle", now - timedelta(hours=2))
        idle.last_frame_at = now - timedelta(hours=1)
        busy = _start("busy", now - timedelta(hours=2))
        busy.last_frame_at = now - timedelta(minutes=14)
        db.session.commit()
        idle_id, busy_id = idle.id, busy.id
        assert sessions.end_idle(db.session, now, 15) == 1
        db.session.commit()
        assert sessions.end_idle(db.session, now, 15) == 0  # ended once
        db.session.commit()
        ended = db.session.get(LiveSession, idle_id)
        assert ended.status == "ended"
        assert ended.ended_at == now - timedelta(hours=1)
        assert db.session.get(LiveSession, busy_id).status == "live"
        assert _user("idle").channel_status == "offline"
        assert _user("idle").live_seconds == 3600
        assert _user("busy").channel_status == "live"
        statuses = [e.data["status"] for e in broker().history(f"live:{idle_id}", 0)]
        assert statuses == ["live", "ended"]


def test_live_seconds_add_ended_sessions_and_a_running_ones_age(app, make_user):
    make_user("vega")
    start = utcnow() - timedelta(hours=3)
    with app.app_context():
        first = _start("vega", start)
        sessions.end_session(db.session, first, _user("vega"), start + timedelta(minutes=30))
        db.session.commit()
        running = _start("vega", start + timedelta(hours=1))
        now = start + timedelta(hours=2)
        assert sessions.live_seconds_of(_user("vega"), running, now) == 1800 + 3600
        assert sessions.live_seconds_of(_user("vega"), None, now) == 1800


def test_followers_are_told_once_per_cooldown(app, make_user):
    make_user("vega")
    fans = [make_user(f"fan{i}") for i in range(3)]
    start = utcnow()
    with app.app_context():
        for fan in fans:
            db.session.add(Follow(follower_id=fan.id, followee_id=_user("vega").id))
        db.session.commit()

        def restart(at):
            live = _start("vega", at)
            sessions.end_session(db.session, live, _user("vega"), at + timedelta(minutes=1))
            db.session.commit()

        def told() -> int:
            query = db.select(db.func.count()).where(Notification.kind == "live")
            return db.session.scalar(query.select_from(Notification))

        restart(start)
        assert told() == 3
        restart(start + timedelta(minutes=59))
        assert told() == 3
        restart(start + timedelta(minutes=61))
        assert told() == 6


def test_a_suspended_user_cannot_go_live(app, make_user):
    make_user("vega")
    with app.app_context():
        _user("vega").suspended_at = utcnow()
        db.session.commit()
        with pytest.raises(Suspended):
            _start("vega", utcnow())


@pytest.fixture
def frame_file(tmp_path) -> Path:
    return samples.write_image(tmp_path / "tiny.jpg", 48, 32)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pushed=st.integers(min_value=0, max_value=7), kept=st.integers(min_value=1, max_value=4))
def test_a_session_keeps_its_newest_frames_and_no_orphans(
    app, make_user, frame_file, tmp_path, pushed, kept
):
    with app.app_context():
        if _user("keeper") is None:
            make_user("keeper")
        owner = _user("keeper")
        running = sessions.running_session(db.session, owner.id)
        if running is not None:
            sessions.end_session(db.session, running, owner, utcnow())
            db.session.commit()
        live = _start("keeper", utcnow())
        made = []
        for _ in range(pushed):
            frame = frames.push_frame(
                db.session,
                current_storage(),
                live,
                owner,
                upload_path=frame_file,
                filename="tiny.jpg",
                declared_type="image/jpeg",
                settings=MediaSettings(),
                frames_kept=kept,
                now=utcnow(),
            )
            made.append(frame.id)
        ids = db.session.scalars(
            db.select(LiveFrame.id).where(LiveFrame.session_id == live.id).order_by(LiveFrame.id)
        ).all()
        assert list(ids) == made[len(made) - min(kept, len(made)) :]
        assert db.session.get(LiveSession, live.id).frame_count == pushed
        keys = set(db.session.scalars(db.select(LiveFrame.media_key)))
        uploads = Path(app.config["UPLOAD_FOLDER"])
        on_disk = {path.parent.name for path in uploads.rglob("live/*/*")}
        assert on_disk == keys
