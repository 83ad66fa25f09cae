"""The publish interface over Redis (skyframe/publish_redis.py), for several
app servers: the same contract as the in-process broker, plus what only
several processes need — each other's events and viewers, one subscriber
that survives losing its connection, viewers of a crashed server dropping
out. Runs against the real Redis named by SKYFRAME_TEST_REDIS_URL, each test
under a throwaway key prefix."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from skyframe import publish
from skyframe.publish_redis import EventsUnavailable, RedisBroker
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.one_database

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="SKYFRAME_TEST_REDIS_URL is not set")


@pytest.fixture
def redis_brokers():
    """Make brokers sharing one throwaway prefix (each one a "server")."""
    import redis

    prefix = f"test-publish-{uuid.uuid4().hex[:12]}"
    made: list[RedisBroker] = []

    def make(**options) -> RedisBroker:
        broker = RedisBroker(REDIS_URL, prefix=prefix, **options)
        made.append(broker)
        return broker

    yield make
    for broker in made:
        broker.close()
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture(params=["memory", pytest.param("redis", marks=needs_redis)])
def make_broker(request):
    """Either backend, made with the same options."""
    if request.param == "memory":
        return publish.MemoryBroker
    return request.getfixturevalue("redis_brokers")


def in_thread(function, *args):
    """Run ``function`` in a thread; a callable that joins it and returns."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(function(*args)), daemon=True)
    thread.start()

    def join():
        thread.join(timeout=10)
        assert not thread.is_alive()
        return result[0]

    return join


# The contract, on both backends ---------------------------------------------


def test_ids_increase_per_topic_and_events_keep_their_order(make_broker):
    broker = make_broker()
    sent = [broker.publish("live:1", "frame", {"n": n}) for n in range(5)]
    other = broker.publish("live:2", "status", {"status": "live"})
    ids = [event.id for event in sent]
    assert ids == sorted(ids)
    assert len(set(ids)) == 5
    assert [(e.kind, e.data) for e in broker.history("live:1", 0)] == [
        ("frame", {"n": n}) for n in range(5)
    ]
    assert broker.history("live:1", ids[2]) == sent[3:]
    assert broker.history("live:2", 0) == [other]
    assert broker.history("live:none", 0) == []


def test_the_history_keeps_only_the_newest_events(make_broker):
    broker = make_broker(history_length=3)
    sent = [broker.publish("live:1", "frame", {"n": n}) for n in range(5)]
    assert broker.history("live:1", 0) == sent[2:]


def test_a_waiting_listener_wakes_for_its_own_topic_only(make_broker):
    broker = make_broker()
    start = broker.publish("live:1", "frame", {"n": 0})
    waiting = in_thread(broker.wait, "live:1", start.id, 10)
    time.sleep(0.2)
    broker.publish("live:2", "frame", {"n": 99})
    sent = broker.publish("live:1", "status", {"status": "ended"})
    assert waiting() == [sent]


def test_nothing_published_between_a_history_read_and_a_wait_is_lost(make_broker):
    broker = make_broker()
    broker.publish("live:1", "frame", {"n": 0})
    # A stream already waits on the topic, so this process listens to it...
    assert broker.wait("live:1", broker.history("live:1", 0)[-1].id, 0.3) == []
    # ...and a new viewer reads the history, then an event goes out before it waits.
    (seen,) = broker.history("live:1", 0)
    between = broker.publish("live:1", "frame", {"n": 1})
    assert broker.wait("live:1", seen.id, 10) == [between]
    # A topic this process never waited on: the same.
    first = broker.publish("live:3", "frame", {"n": 0})
    between = broker.publish("live:3", "frame", {"n": 1})
    assert broker.wait("live:3", first.id, 10) == [between]


def test_waiting_gives_up_quietly_after_its_timeout(make_broker):
    broker = make_broker()
    broker.publish("live:1", "frame", {})
    assert broker.wait("live:1", broker.history("live:1", 0)[-1].id, 0.2) == []


def test_viewers_are_counted_once_per_key(make_broker):
    broker = make_broker()
    assert broker.enter("live:1", "stream-a") == 1
    assert broker.enter("live:1", "stream-a") == 1
    assert broker.enter("live:1", "stream-b") == 2
    assert broker.present("live:2") == 0
    assert broker.leave("live:1", "stream-a") == 1
    assert broker.leave("live:1", "stream-gone") == 1
    assert broker.leave("live:1", "stream-b") == 0
    assert broker.present("live:1") == 0


# Several servers --------------------------------------------------------------


@needs_redis
def test_two_servers_see_each_others_events(redis_brokers):
    one, two = redis_brokers(), redis_brokers()
    start = one.publish("live:1", "frame", {"n": 0})
    on_one = in_thread(one.wait, "live:1", start.id, 10)
    on_two = in_thread(two.wait, "live:1", start.id, 10)
    time.sleep(0.3)
    sent = two.publish("live:1", "frame", {"n": 1})
    assert on_one() == [sent]
    assert on_two() == [sent]
    assert one.history("live:1", 0) == two.history("live:1", 0) == [start, sent]


@needs_redis
def test_two_servers_publishing_at_once_never_share_an_id(redis_brokers):
    one, two = redis_brokers(), redis_brokers()
    joins = [
        in_thread(lambda b: [b.publish("live:1", "frame", {}) for _ in range(50)], b)
        for b in (one, two)
    ]
    ids = [event.id for join in joins for event in join()]
    assert len(set(ids)) == 100
    kept = [event.id for event in one.history("live:1", 0)]
    assert kept == sorted(kept)
    assert set(kept) <= set(ids)


@needs_redis
def test_waiting_viewers_of_a_known_topic_cost_redis_no_reads(redis_brokers, monkeypatch):
    broker, other = redis_brokers(), redis_brokers()
    start = broker.publish("live:1", "frame", {"n": 0})
    assert broker.wait("live:1", start.id, 0.3) == []  # the topic is known here now
    reads = []
    monkeypatch.setattr(broker, "last_id", lambda topic: reads.append(topic) or 0)
    monkeypatch.setattr(broker, "history", lambda topic, after: reads.append(topic) or [])
    viewers = [in_thread(broker.wait, "live:1", start.id, 10) for _ in range(50)]
    time.sleep(0.3)
    sent = other.publish("live:1", "frame", {"n": 1})
    assert [viewer() for viewer in viewers] == [[sent]] * 50
    assert reads == []


@needs_redis
def test_two_servers_count_the_same_viewers(redis_brokers):
    one, two = redis_brokers(), redis_brokers()
    one.enter("live:1", "stream-on-one")
    assert two.enter("live:1", "stream-on-two") == 2
    assert one.present("live:1") == two.present("live:1") == 2
    two.leave("live:1", "stream-on-two")
    assert one.present("live:1") == 1


@needs_redis
def test_a_crashed_servers_viewers_drop_out_while_the_live_ones_stay_counted(redis_brokers):
    crashed, alive = redis_brokers(presence_seconds=0.5), redis_brokers(presence_seconds=0.5)
    crashed.enter("live:1", "stream-on-the-crashed-server")
    alive.enter("live:1", "stream-on-a-live-server")
    assert alive.present("live:1") == 2
    crashed.close()  # its process is gone: nothing refreshes its viewers
    time.sleep(1.0)  # twice their time to live
    assert alive.present("live:1") == 1  # kept counted by its own process
    alive.leave("live:1", "stream-on-a-live-server")
    assert alive.present("live:1") == 0


@needs_redis
def test_the_subscriber_rests_when_nobody_waits_and_starts_again(redis_brokers, monkeypatch):
    from skyframe import publish_redis

    monkeypatch.setattr(publish_redis, "IDLE_LISTEN_SECONDS", 0.0)
    broker, other = redis_brokers(presence_seconds=0.4), redis_brokers()
    start = broker.publish("live:1", "frame", {})
    assert broker.wait("live:1", start.id, 0.2) == []
    for _ in range(50):
        if broker._thread is None:
            break
        time.sleep(0.05)
    assert broker._thread is None
    waiting = in_thread(broker.wait, "live:1", start.id, 10)
    time.sleep(0.3)
    sent = other.publish("live:1", "frame", {})
    assert waiting() == [sent]


@needs_redis
def test_the_subscriber_recovers_after_its_connection_is_killed(redis_brokers):
    import redis

    broker, other = redis_brokers(), redis_brokers()
    start = broker.publish("live:1", "frame", {"n": 0})
    assert broker.wait("live:1", start.id, 0.5) == []  # listening now
    admin = redis.Redis.from_url(REDIS_URL)
    (killed,) = [c for c in admin.client_list() if c["name"] == broker.subscriber_name]
    admin.client_kill_filter(_id=killed["id"])
    # Published while the subscriber is gone or coming back: still delivered.
    lost = other.publish("live:1", "frame", {"n": 1})
    assert broker.wait("live:1", start.id, 10) == [lost]
    # And the new subscription fans out what comes later.
    waiting = in_thread(broker.wait, "live:1", lost.id, 10)
    time.sleep(0.5)
    later = other.publish("live:1", "frame", {"n": 2})
    assert waiting() == [later]
    assert [c for c in admin.client_list() if c["name"] == broker.subscriber_name]


@needs_redis
def test_ids_stay_above_old_ones_when_redis_loses_a_topic(redis_brokers):
    import redis

    broker = redis_brokers()
    before = broker.publish("live:1", "frame", {})
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(*client.keys(f"{broker.prefix}live:1:*"))  # as after a restart without data
    after = broker.publish("live:1", "frame", {})
    assert after.id > before.id
    # A viewer reconnecting with the old id gets the new run's events.
    assert broker.wait("live:1", before.id, 5) == [after]


@needs_redis
def test_a_topic_nobody_publishes_on_expires(redis_brokers):
    import redis

    broker = redis_brokers(history_seconds=60)
    broker.publish("live:1", "frame", {})
    broker.enter("live:1", "stream")
    client = redis.Redis.from_url(REDIS_URL)
    keys = client.keys(f"{broker.prefix}live:1:*") + client.keys(f"{broker.presence.key_prefix}*")
    assert len(keys) == 3
    assert all(0 < client.pttl(key) <= 60_000 for key in keys)


@needs_redis
def test_an_event_published_while_redis_is_unreachable_goes_out_when_it_is_back(
    redis_brokers, monkeypatch
):
    from redis.exceptions import ConnectionError as RedisConnectionError

    broker = redis_brokers()
    first = broker.publish("live:1", "frame", {"n": 0})
    working = broker._publish

    def unreachable(**kwargs):
        raise RedisConnectionError("Redis is restarting")

    monkeypatch.setattr(broker, "_publish", unreachable)
    assert broker.publish("live:1", "status", {"status": "ended"}).id == 0
    waiting = in_thread(broker.wait, "live:1", first.id, 10)
    monkeypatch.setattr(broker, "_publish", working)
    # Nothing else is published: it goes out by itself once Redis answers.
    assert [(event.kind, event.data) for event in waiting()] == [("status", {"status": "ended"})]
    broker.publish("live:1", "viewers", {"count": 0})
    kept = broker.history("live:1", first.id)
    assert [event.kind for event in kept] == ["status", "viewers"]


def test_an_unreachable_redis_never_fails_a_caller():
    broker = RedisBroker("redis://127.0.0.1:1/0", prefix="nowhere")
    try:
        assert broker.publish("live:1", "frame", {}).id == 0
        assert broker.wait("live:1", 0, 0.3) == []
        with pytest.raises(EventsUnavailable) as unavailable:
            broker.history("live:1", 0)  # a new stream is told to come back (503)
        assert (unavailable.value.status, unavailable.value.retry_after) == (503, 5)
        assert broker.enter("live:1", "stream") == 0
        assert broker.present("live:1") == 0
        assert broker.state() == "unreachable"
    finally:
        broker.close()
