"""The feed's cursor stays small whatever the viewer's state, and round-trips.

Every state the selector can reach is a FeedState whose walks keep their
served positions older than the walk, newest first, at most MAX_SERVED_AHEAD
per pool (skyframe.feed.blend.advance): the strategy below draws from all of
those, at the extremes too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cachelib import SimpleCache
from hypothesis import example, given, settings
from hypothesis import strategies as st

from skyframe import cursors
from skyframe.api.schemas.common import PageQuery
from skyframe.api.schemas.feed import FeedQuery
from skyframe.api.schemas.search import SearchQuery
from skyframe.feed import cursor as feed_cursor
from skyframe.feed.blend import MAX_SERVED_AHEAD, PoolWalk
from skyframe.feed.positions import EPOCH
from skyframe.feed.selector import BLEND, DONE, RECYCLE, FeedState
from skyframe.search import Position as SearchPosition
from skyframe.search import encode_cursor
from skyframe.search.filters import build

SECRET = "a-secret-for-cursor-tests-only-0123456789"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, tzinfo=UTC)
BIG_ID = 2**63 - 1

moments = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2026, 12, 1, 12), timezones=st.just(UTC)
)
ids = st.integers(1, BIG_ID)


@st.composite
def walks(draw, as_of: datetime) -> PoolWalk:
    positions = draw(
        st.lists(
            st.tuples(
                st.datetimes(max_value=as_of.replace(tzinfo=None), timezones=st.just(UTC)), ids
            ),
            unique=True,
            max_size=MAX_SERVED_AHEAD + 1,
        )
    )
    positions.sort(reverse=True)
    if draw(st.booleans()) or not positions:
        return PoolWalk(None, tuple(positions[:MAX_SERVED_AHEAD]))
    return PoolWalk(positions[0], tuple(positions[1 : MAX_SERVED_AHEAD + 1]))


@st.composite
def states(draw) -> FeedState:
    as_of = draw(moments)
    return FeedState(
        as_of=as_of,
        phase=draw(st.sampled_from([BLEND, RECYCLE, DONE])),
        prioritized=draw(walks(as_of)),
        global_=draw(walks(as_of)),
        recycle_after=draw(st.none() | st.tuples(moments, ids)),
        served=draw(st.booleans()),
    )


viewers = st.none() | st.integers(1, BIG_ID)


def many_served(as_of: datetime, count: int = MAX_SERVED_AHEAD) -> PoolWalk:
    step = timedelta(days=17, microseconds=123_457)
    after = (as_of - timedelta(days=3), BIG_ID)
    return PoolWalk(after, tuple((after[0] - step * (i + 1), BIG_ID - i) for i in range(count)))


def nothing_shown_again(original: PoolWalk, decoded: PoolWalk) -> bool:
    """``decoded`` is ``original`` or the same walk moved on: whatever
    ``original`` had dealt with, ``decoded`` has too."""
    if decoded == original:
        return True
    # Walks go newest first: moving on is moving to an older position.
    if decoded.after is None or (original.after is not None and decoded.after > original.after):
        return False
    kept = set(decoded.served)
    return all(p in kept or p >= decoded.after for p in original.served) and kept <= set(
        original.served
    )


@settings(max_examples=300, deadline=None)
@given(states(), viewers)
@example(
    FeedState(
        as_of=NOW,
        phase=RECYCLE,
        prioritized=many_served(NOW),
        global_=many_served(NOW),
        recycle_after=(LATEST, BIG_ID),
        served=True,
    ),
    BIG_ID,
)
def test_any_state_encodes_to_a_cursor_the_api_accepts(state, viewer_id):
    for cache in (None, SimpleCache()):
        cursor = feed_cursor.encode(SECRET, viewer_id, state, cache)
        assert len(cursor) <= feed_cursor.MAX_LENGTH <= cursors.MAX_LENGTH
        assert FeedQuery(cursor=cursor).cursor == cursor
        decoded = feed_cursor.decode(SECRET, viewer_id, cursor, NOW, cache)
        assert (decoded.as_of, decoded.phase, decoded.served) == (
            state.as_of,
            state.phase,
            state.served,
        )
        assert decoded.recycle_after == state.recycle_after
        if cache is not None:
            assert decoded == state  # kept whole: the served positions went to the cache
        assert nothing_shown_again(state.prioritized, decoded.prioritized)
        assert nothing_shown_again(state.global_, decoded.global_)


def test_a_small_state_needs_no_cache_and_is_a_few_dozen_bytes():
    walk = PoolWalk((NOW - timedelta(hours=5), 812_345), ((NOW - timedelta(hours=6), 800_001),))
    state = FeedState(as_of=NOW, prioritized=walk, global_=walk, served=True)
    cache = SimpleCache()
    cursor = feed_cursor.encode(SECRET, 1234, state, cache)
    assert len(cursor) < 100
    assert feed_cursor.decode(SECRET, 1234, cursor, NOW, None) == state


def spilled_state() -> FeedState:
    return FeedState(as_of=NOW, prioritized=many_served(NOW), global_=PoolWalk(), served=True)


def test_served_positions_that_do_not_fit_are_kept_in_the_cache():
    cache = SimpleCache()
    state = spilled_state()
    cursor = feed_cursor.encode(SECRET, 7, state, cache)
    assert len(cursor) <= feed_cursor.MAX_LENGTH
    assert cache.get(feed_cursor.spill_key(7, NOW)) is not None
    assert feed_cursor.decode(SECRET, 7, cursor, NOW, cache) == state


def test_when_kept_positions_are_gone_the_walk_moves_past_them():
    cache = SimpleCache()
    state = spilled_state()
    cursor = feed_cursor.encode(SECRET, 7, state, cache)
    cache.clear()
    decoded = feed_cursor.decode(SECRET, 7, cursor, NOW, cache)
    assert decoded.prioritized == PoolWalk(state.prioritized.served[-1])
    assert nothing_shown_again(state.prioritized, decoded.prioritized)


def test_kept_positions_of_another_page_are_not_taken_for_this_one():
    cache = SimpleCache()
    state = spilled_state()
    older = feed_cursor.encode(SECRET, 7, state, cache)
    walk = state.prioritized
    later = FeedState(as_of=NOW, prioritized=PoolWalk(walk.after, walk.served[:-1]), served=True)
    feed_cursor.encode(SECRET, 7, later, cache)  # the same pass's key, overwritten
    decoded = feed_cursor.decode(SECRET, 7, older, NOW, cache)
    assert decoded.prioritized == PoolWalk(walk.served[-1])


def test_without_a_cache_the_walks_are_shortened_to_fit():
    state = FeedState(as_of=NOW, prioritized=many_served(NOW), global_=many_served(NOW))
    cursor = feed_cursor.encode(SECRET, 7, state, None)
    assert len(cursor) <= feed_cursor.MAX_LENGTH
    decoded = feed_cursor.decode(SECRET, 7, cursor, NOW, None)
    assert decoded.prioritized.served  # as many kept as fit
    assert nothing_shown_again(state.prioritized, decoded.prioritized)
    assert nothing_shown_again(state.global_, decoded.global_)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "nonsense",
        "AgE.forged",
        # v1 (JSON) cursors written before this format
        cursors.dumps(SECRET, "feed", [1, 7, "blend", 0, [None, []], [None, []], None, False]),
    ],
)
def test_cursors_we_did_not_write_are_invalid(cursor):
    with pytest.raises(cursors.InvalidCursor):
        feed_cursor.decode(SECRET, 7, cursor, NOW)


def test_a_cursor_is_bound_to_its_viewer_and_its_secret():
    cursor = feed_cursor.encode(SECRET, 7, FeedState.start(NOW))
    for viewer_id, secret in ((8, SECRET), (None, SECRET), (7, SECRET + "x")):
        with pytest.raises(cursors.InvalidCursor):
            feed_cursor.decode(secret, viewer_id, cursor, NOW)


def test_a_cursor_from_the_future_is_invalid():
    cursor = feed_cursor.encode(SECRET, 7, FeedState.start(NOW))
    with pytest.raises(cursors.InvalidCursor):
        feed_cursor.decode(SECRET, 7, cursor, NOW - timedelta(seconds=1))


def test_every_other_listings_longest_cursor_fits_the_api_limit():
    """Comments, notifications, Saved, Following and the HTML grids write a
    time and an id; search writes its fingerprint and a fixed position."""
    longest = cursors.encode(SECRET, "notifications", LATEST - timedelta(microseconds=1), BIG_ID)
    assert len(longest) <= cursors.MAX_LENGTH
    assert PageQuery(cursor=longest).cursor == longest
    moment = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    position = SearchPosition(
        id=BIG_ID,
        created_at=moment,
        rank=-1.2345678901234567e-300,
        as_of=moment,
        bound=(moment, BIG_ID),
        observed_at=moment,
    )
    search = encode_cursor(SECRET, build(text="m31"), position)
    assert len(search) <= cursors.MAX_LENGTH
    assert SearchQuery(cursor=search).cursor == search


def test_cursors_longer_than_the_limit_are_refused_before_their_signature_is_checked():
    with pytest.raises(cursors.InvalidCursor):
        cursors.loads(SECRET, "saved", "a" * (cursors.MAX_LENGTH + 1))
    # The API documents the same limit for every listing's ?cursor=.
    assert FeedQuery.model_json_schema()["properties"]["cursor"]["maxLength"] == cursors.MAX_LENGTH
    assert EPOCH.tzinfo is UTC
