"""The publish interface: events leave only with a commit, in order, with a
history a reconnecting listener can replay."""

from __future__ import annotations

import threading

from skyframe import publish, services
from skyframe.extensions import db
from skyframe.models import Motd


def _topic_events(app, topic):
    with app.app_context():
        return services.broker().history(topic, 0)


def test_an_event_goes_out_after_its_transaction_commits(app):
    with app.app_context():
        db.session.add(Motd(title="Clear skies", body="Dark site tonight"))
        publish.after_commit(db.session, "live:1", "frame", {"id": 7})
        assert services.broker().history("live:1", 0) == []
        db.session.commit()
        (sent,) = services.broker().history("live:1", 0)
    assert (sent.topic, sent.id, sent.kind, sent.data) == ("live:1", 1, "frame", {"id": 7})


def test_a_rolled_back_transaction_sends_nothing(app):
    with app.app_context():
        publish.after_commit(db.session, "live:2", "frame", {"id": 1})
        db.session.rollback()
        db.session.commit()
    assert _topic_events(app, "live:2") == []


def test_history_replays_what_came_after_an_id_and_is_capped():
    broker = publish.MemoryBroker(history_length=3)
    for number in range(5):
        broker.publish("live:3", "frame", {"n": number})
    assert [kept.id for kept in broker.history("live:3", 0)] == [3, 4, 5]
    assert [kept.data["n"] for kept in broker.history("live:3", 4)] == [4]
    assert broker.history("live:other", 0) == []


def test_a_waiting_listener_wakes_when_its_topic_gets_an_event():
    broker = publish.MemoryBroker()
    got = []
    listener = threading.Thread(target=lambda: got.extend(broker.wait("live:4", 0, timeout=5)))
    listener.start()
    broker.publish("live:5", "frame", {})
    broker.publish("live:4", "status", {"status": "ended"})
    listener.join(timeout=5)
    assert [(kept.topic, kept.kind) for kept in got] == [("live:4", "status")]


def test_waiting_gives_up_quietly_after_its_timeout():
    assert publish.MemoryBroker().wait("live:6", 0, timeout=0.05) == []
