"""Feed candidates fetched ahead and kept between pages (skyframe.feed.ahead):
the same pages as querying every time, with fewer queries."""

from __future__ import annotations

import json
import logging
import random
from datetime import timedelta

import pytest
from cachelib import SimpleCache
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from config import ConfigError
from skyframe.extensions import db
from skyframe.feed import ahead
from skyframe.feed import seen as seen_history
from skyframe.feed.blend import Candidate, PoolWalk
from skyframe.feed.selector import viewer_page
from skyframe.models import Base, FeedSeen, Post
from tests.conftest import REDIS_URL, build_app, login
from tests.test_feed_properties import NOW, build_site, feed_settings, sites

MINUTE = timedelta(minutes=1)


# The kept candidates alone ------------------------------------------------------


@st.composite
def pool_and_walks(draw):
    """A pool (newest first), the walk a fetch was made for, and a later walk."""
    size = draw(st.integers(0, 40))
    ages = sorted(draw(st.lists(st.integers(0, 500), min_size=size, max_size=size)))
    pool = [
        Candidate(index + 1, draw(st.integers(0, 5)), NOW - timedelta(minutes=age), True)
        for index, age in enumerate(ages)
    ]
    positions = [c.position for c in pool]

    def walk():
        after = draw(st.none() | st.sampled_from(positions)) if positions else None
        older = [p for p in positions if after is None or p < after]
        served = draw(st.lists(st.sampled_from(older), unique=True, max_size=4)) if older else []
        return PoolWalk(after, tuple(sorted(served, reverse=True)))

    return pool, walk(), walk()


def allowed(pool, walk):
    """What the pools query returns after ``walk``, all of it."""
    served = set(walk.served_ids)
    return [
        c
        for c in pool
        if (walk.after is None or c.position < walk.after) and c.post_id not in served
    ]


@given(pool_and_walks(), st.integers(1, 15), st.integers(1, 40))
def test_kept_candidates_are_what_the_query_would_return(case, wanted, limit):
    pool, fetched_at, later = case
    fetched = allowed(pool, fetched_at)[:limit]
    kept = ahead.fetched_pool(fetched_at, fetched, complete=len(fetched) < limit, prioritized=True)
    taken = kept.take(later, wanted)
    if taken is not None:
        assert taken == allowed(pool, later)[:wanted]
    # The walk the fetch was made for is always answered.
    if len(kept.candidates) >= wanted or kept.complete:
        assert kept.take(fetched_at, wanted) == allowed(pool, fetched_at)[:wanted]


def test_a_fetch_does_not_answer_for_a_walk_behind_it():
    pool = [Candidate(i, 1, NOW - i * MINUTE, True) for i in range(1, 21)]
    kept = ahead.fetched_pool(
        PoolWalk(pool[4].position), pool[5:], complete=False, prioritized=True
    )
    assert kept.take(PoolWalk(), 3) is None  # the first five are not kept
    assert kept.take(PoolWalk(pool[2].position), 3) is None
    assert kept.take(PoolWalk(pool[6].position), 3) == pool[7:10]
    # Served out of order at the fetch: excluded there, so the later walk
    # must exclude it too (or be past it).
    served = ahead.fetched_pool(
        PoolWalk(pool[4].position, (pool[8].position,)),
        pool[5:8],
        complete=False,
        prioritized=True,
    )
    assert served.take(PoolWalk(pool[5].position), 1) is None
    assert served.take(PoolWalk(pool[5].position, (pool[8].position,)), 1) == [pool[6]]
    # Too few left: only a fetch that reached the end of the pool can say so.
    assert kept.take(PoolWalk(pool[17].position), 3) is None
    ended = ahead.fetched_pool(
        PoolWalk(pool[4].position), pool[5:], complete=True, prioritized=True
    )
    assert ended.take(PoolWalk(pool[17].position), 3) == pool[18:]


@given(pool_and_walks(), pool_and_walks())
def test_kept_candidates_survive_packing(first, second):
    fetched = ahead.Fetched(
        ahead.fetched_pool(first[1], first[0], complete=True, prioritized=True),
        ahead.fetched_pool(
            second[1],
            [Candidate(c.post_id, c.uploader_id, c.created_at) for c in second[0]],
            complete=False,
            prioritized=False,
        ),
    )
    assert ahead.unpack(ahead.pack(fetched)) == fetched
    assert fetched.prioritized.candidates == first[0]


@pytest.mark.parametrize(
    "value", [None, "", 7, [], [[None, [], True, [1, 2]], [None, [], False, []]], "x"]
)
def test_anything_else_in_the_cache_is_a_miss(value):
    assert ahead.unpack(value) is None


# The selector with and without a cache -----------------------------------------


@settings(max_examples=60, deadline=None)
@given(site=sites(), feed=feed_settings, prefetch=st.integers(1, 5))
def test_pages_are_the_same_with_kept_candidates(site, feed, prefetch):
    import dataclasses

    import skyframe.database  # noqa: F401  (SQLite with foreign keys, as the app has it)

    feed = dataclasses.replace(feed, prefetch_pages=prefetch)
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    cache = SimpleCache()
    try:
        with Session(engine) as session:
            viewer_id, visible = build_site(session, *site)
            state, moment = None, NOW
            for step in range(2 * len(visible) + 3):
                moment += timedelta(seconds=5)
                queried = viewer_page(
                    session, viewer_id, feed, state, feed.page_size, moment, random.Random(step)
                )
                kept = viewer_page(
                    session,
                    viewer_id,
                    feed,
                    state,
                    feed.page_size,
                    moment,
                    random.Random(step),
                    cache=cache,
                )
                assert kept == queried
                if not visible:
                    return
                seen_history.record_seen(session, viewer_id, kept.post_ids, feed, moment)
                state = kept.next_state
    finally:
        engine.dispose()


# Through the API ----------------------------------------------------------------


def count_pool_queries(app):
    counted = []

    def before(conn, cursor, statement, parameters, context, many):
        if "global_page" in statement:
            counted.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
    return counted


def walk_feed(client, pages, limit=5):
    shown, cursor = [], None
    for _ in range(pages):
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/feed", query_string=query).get_json()
        shown.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
    return shown


@pytest.fixture
def sixty_posts(app, make_user, make_post):
    uploaders = [make_user(f"astro{i}") for i in range(6)]
    reader = make_user("reader")
    posted = [make_post(uploaders[i % 6], age=i * MINUTE) for i in range(60)]
    return reader, posted


def test_later_pages_come_from_the_kept_candidates(app_factory, sixty_posts):
    caching = app_factory(FEED_PREFETCH_PAGES=3)
    querying = app_factory(FEED_CACHE_URL="")
    shown = {}
    for name, app in (("caching", caching), ("querying", querying)):
        queries = count_pool_queries(app)
        client = app.test_client()
        login(client, "reader")
        shown[name] = walk_feed(client, 8)
        shown[name + " queries"] = len(queries)
    assert shown["caching"] == shown["querying"]
    assert len({post for page in shown["caching"] for post in page}) == 40
    assert shown["querying queries"] == 8
    assert shown["caching queries"] == 2  # pages 1 and 5; 2–4 and 6–8 were kept


def next_feed_page(client, page, limit=5):
    return client.get(
        "/api/v1/feed", query_string={"limit": limit, "cursor": page["next_cursor"]}
    ).get_json()


def delete_posts(app, post_ids):
    with app.app_context():
        for post_id in post_ids:
            db.session.delete(db.session.get(Post, post_id))
        db.session.commit()


def test_a_post_deleted_since_the_fetch_is_not_shown(app, sixty_posts):
    posted = sixty_posts[1]
    queries = count_pool_queries(app)
    client = app.test_client()
    login(client, "reader")
    first = client.get("/api/v1/feed", query_string={"limit": 5}).get_json()
    delete_posts(app, [posted[6]])
    second = next_feed_page(client, first)
    assert len(queries) == 1  # the second page came from the kept candidates
    assert [item["id"] for item in first["items"]] == posted[:5]
    assert [item["id"] for item in second["items"]] == [posted[5], *posted[7:10]]


def test_a_page_emptied_by_deletions_is_not_the_end(app, sixty_posts):
    posted = sixty_posts[1]
    client = app.test_client()
    login(client, "reader")
    first = client.get("/api/v1/feed", query_string={"limit": 5}).get_json()
    delete_posts(app, posted[5:10])
    second = next_feed_page(client, first)
    assert [item["id"] for item in second["items"]] == posted[10:15]
    assert second["has_more"] is True


def test_posts_seen_elsewhere_since_the_fetch_are_skipped_as_the_query_would(
    app_factory, sixty_posts
):
    """Another tab or device reports impressions mid-pass."""
    posted = sixty_posts[1]
    shown = {}
    for name, overrides in (("kept", {}), ("queried", {"FEED_CACHE_URL": ""})):
        app = app_factory(**overrides)
        queries = count_pool_queries(app)
        phone, laptop = app.test_client(), app.test_client()
        login(phone, "reader")
        login(laptop, "reader")
        first = phone.get("/api/v1/feed", query_string={"limit": 5}).get_json()
        assert laptop.post("/api/v1/feed/seen", json={"post_ids": posted[6:9]}).status_code == 200
        shown[name] = [item["id"] for item in next_feed_page(phone, first)["items"]]
        shown[name + " queries"] = len(queries)
        with app.app_context():
            db.session.execute(delete(FeedSeen))
            db.session.commit()
    assert shown["kept"] == shown["queried"] == [posted[5], *posted[9:13]]
    assert shown["kept queries"] == 1


def test_an_unreachable_redis_only_costs_the_queries(app_factory, sixty_posts):
    app = app_factory(FEED_CACHE_URL="redis://127.0.0.1:1/0")
    queries = count_pool_queries(app)
    client = app.test_client()
    login(client, "reader")
    warnings = []
    handler = logging.Handler()
    handler.emit = lambda record: warnings.append(record.getMessage())
    logging.getLogger("skyframe.caches").addHandler(handler)
    try:
        shown = walk_feed(client, 3)
    finally:
        logging.getLogger("skyframe.caches").removeHandler(handler)
    assert len({post for page in shown for post in page}) == 15
    assert len(queries) == 3
    # One failure, then the app rests from Redis instead of timing out again.
    assert len(warnings) == 1
    assert warnings[0].startswith("cache write failed (")
    assert warnings[0].endswith("going without it for 30 s")


@pytest.mark.skipif(not REDIS_URL, reason="needs SKYFRAME_TEST_REDIS_URL (CI sets it)")
def test_kept_candidates_are_shared_through_redis(app_factory, sixty_posts):
    import secrets

    prefix = f"skyframe-test-{secrets.token_hex(4)}"
    workers = [
        app_factory(FEED_CACHE_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix, FEED_PREFETCH_PAGES=3)
        for _ in range(2)
    ]
    queries = [count_pool_queries(app) for app in workers]
    clients = [app.test_client() for app in workers]
    login(clients[0], "reader")
    # One browser, two workers.
    clients[1].set_cookie("skyframe_session", clients[0].get_cookie("skyframe_session").value)
    shown, cursor = [], None
    for page in range(4):
        query = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        body = clients[page % 2].get("/api/v1/feed", query_string=query).get_json()
        shown += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
    assert shown == sixty_posts[1][:20]
    assert [len(q) for q in queries] == [1, 0]
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    keys = connection.keys(f"{prefix}:feed-ahead:*")
    assert len(keys) == 1
    assert 0 < connection.ttl(keys[0]) <= 900
    kept = json.loads(connection.get(keys[0]))  # plain JSON, never pickle
    assert ahead.unpack(kept) is not None
    # Whatever else is found there is a miss, not an error.
    for junk in (b"\x80\x04K\x01.", b"[[[100000000000000000000, 1], [], true, []], 1]"):
        connection.set(keys[0], junk)
        body = clients[0].get("/api/v1/feed", query_string={"limit": 5, "cursor": cursor})
        assert body.status_code == 200
    connection.delete(*keys)


def test_a_cache_url_that_is_not_one_is_refused():
    with pytest.raises(ConfigError, match="FEED_CACHE_URL"):
        build_app("sqlite://", FEED_CACHE_URL="memcached://somewhere")


def test_reported_impressions_are_noted_once_and_the_latest_kept():
    cache = SimpleCache()
    ahead.remember_seen(cache, 7, [3, 1, 3], 60)
    ahead.remember_seen(cache, 7, [1, 2], 60)
    assert cache.get(ahead.seen_key(7)) == [3, 1, 2]
    assert ahead.recently_seen(cache.get(ahead.seen_key(8))) == frozenset()
    ahead.remember_seen(cache, 7, list(range(10, 10 + ahead.SEEN_REMEMBERED)), 60)
    noted = cache.get(ahead.seen_key(7))
    assert len(noted) == ahead.SEEN_REMEMBERED
    assert noted[-1] == 9 + ahead.SEEN_REMEMBERED
    cache.set(ahead.seen_key(7), "junk")
    assert ahead.recently_seen(cache.get(ahead.seen_key(7))) == frozenset()
    ahead.remember_seen(cache, 7, [5], 60)
    assert cache.get(ahead.seen_key(7)) == [5]
