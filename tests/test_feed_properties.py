"""Property tests of the feed: the blend alone, then the whole selector
paging through a random site on an in-memory SQLite database."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from skyframe.feed import seen as seen_history
from skyframe.feed.blend import Candidate, Caps, PoolWalk, advance, blend, fits, prioritized_slots
from skyframe.feed.selector import viewer_page
from skyframe.feed.settings import FeedSettings
from skyframe.models import Base, Follow, Post, PostLike, PostStatus, User

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def caps_hold(page: list[Candidate], caps: Caps) -> bool:
    return all(fits(page[:i], c, caps) for i, c in enumerate(page))


@st.composite
def pools(draw, disjoint_uploaders: bool = False):
    """Two candidate pools, newest first, with unique post ids."""
    sizes = draw(st.tuples(st.integers(0, 25), st.integers(0, 25)))
    ids = itertools.count(1)
    result = []
    for index, size in enumerate(sizes):
        uploaders = (
            st.integers(index * 10, index * 10 + 4) if disjoint_uploaders else st.integers(0, 6)
        )
        ages = sorted(draw(st.lists(st.integers(0, 10_000), min_size=size, max_size=size)))
        result.append(
            [
                Candidate(next(ids), draw(uploaders), NOW - timedelta(minutes=age), index == 0)
                for age in ages
            ]
        )
    return result


caps_strategy = st.builds(Caps, st.integers(0, 4), st.integers(0, 3))


@given(pools(), st.integers(1, 20), st.integers(0, 100), caps_strategy)
def test_blend_respects_caps_and_never_duplicates(both, size, pct, caps):
    prioritized, global_ = both
    page = blend(prioritized, global_, size=size, prioritized_pct=pct, caps=caps)
    assert len(page) <= size
    assert len({c.post_id for c in page}) == len(page)
    assert caps_hold(page, caps)
    # Without caps to skip over, each pool's candidates keep their order.
    for pool in (prioritized, global_) if caps == Caps() else ():
        taken = [c for c in page if c in pool]
        assert taken == [c for c in pool if c in taken]
    # A short page means nothing left over could come next.
    if len(page) < size:
        leftovers = [c for c in prioritized + global_ if c not in page]
        assert not any(fits(page, c, caps) for c in leftovers)


@given(pools(), st.integers(1, 20), st.integers(0, 100))
def test_blend_fills_the_page_and_meets_the_share_without_caps(both, size, pct):
    prioritized, global_ = both
    page = blend(prioritized, global_, size=size, prioritized_pct=pct, caps=Caps())
    assert len(page) == min(size, len(prioritized) + len(global_))
    share = sum(c.prioritized for c in page)
    assert share >= min(prioritized_slots(size, pct), len(prioritized))
    # The global pool gets its share too, when it has the posts.
    assert len(page) - share >= min(size - prioritized_slots(size, pct), len(global_))


@given(pools(disjoint_uploaders=True), st.integers(1, 20), st.integers(0, 100), st.integers(1, 4))
def test_blend_meets_the_share_when_the_per_uploader_cap_allows(both, size, pct, cap):
    prioritized, global_ = both
    page = blend(prioritized, global_, size=size, prioritized_pct=pct, caps=Caps(cap, 0))
    by_uploader = itertools.groupby(sorted(c.uploader_id for c in prioritized))
    available = sum(min(len(list(group)), cap) for _, group in by_uploader)
    assert sum(c.prioritized for c in page) >= min(prioritized_slots(size, pct), available)


@given(pools(), st.integers(1, 10), caps_strategy)
def test_pool_walks_serve_every_candidate_once(both, size, caps):
    """Walking a pool page by page with caps skips nothing and repeats nothing."""
    pool = sorted(both[0] + both[1], key=lambda c: c.position, reverse=True)
    walk, served = PoolWalk(), []
    for _ in range(len(pool) + 1):
        remaining = [
            c
            for c in pool
            if (walk.after is None or c.position < walk.after) and c.post_id not in walk.served_ids
        ]
        if not remaining:
            break
        chosen = blend([], remaining[: size * 2], size=size, prioritized_pct=0, caps=caps)
        assert chosen
        served += chosen
        walk = advance(walk, remaining[: size * 2], chosen)
    assert sorted(c.post_id for c in served) == sorted(c.post_id for c in pool)


# The whole selector -------------------------------------------------------------


@st.composite
def sites(draw):
    uploaders = draw(st.integers(1, 5))
    posts = draw(
        st.lists(
            st.tuples(
                st.integers(0, uploaders - 1),  # uploader
                st.integers(0, 5000),  # age in minutes
                st.sampled_from([PostStatus.READY] * 6 + [PostStatus.PROCESSING]),
            ),
            max_size=30,
        )
    )
    follows = draw(st.sets(st.integers(0, uploaders - 1)))
    likes = draw(st.sets(st.integers(0, max(len(posts) - 1, 0))))
    seen_before = draw(st.sets(st.integers(0, max(len(posts) - 1, 0))))
    return uploaders, posts, follows, likes, seen_before


feed_settings = st.builds(
    FeedSettings,
    page_size=st.integers(1, 6),
    fresh_days=st.just(0),
    prioritized_pct=st.integers(0, 100),
    candidate_multiplier=st.integers(1, 4),
    max_per_uploader=st.integers(0, 3),
    max_consecutive_per_uploader=st.integers(0, 2),
    seen_enabled=st.just(True),
    seen_retention_days=st.just(0),
    seen_max_ids=st.just(0),
)


def build_site(session: Session, uploaders, posts, follows, likes, seen_before) -> list[int]:
    people = [
        User(
            email=f"u{i}@example.org",
            email_key=f"u{i}@example.org",
            handle=f"u{i}",
            display_name=f"U{i}",
            password_hash="x",
        )
        for i in range(uploaders + 1)
    ]
    session.add_all(people)
    session.flush()
    viewer = people[-1]
    rows = []
    for index, (uploader, age, status) in enumerate(posts):
        created = NOW - timedelta(minutes=age, seconds=index)
        rows.append(
            Post(
                owner_id=people[uploader].id,
                title="t",
                category="deep-sky",
                observer="o",
                status=status,
                media_key=f"k{index}",
                created_at=created,
                updated_at=created,
            )
        )
    session.add_all(rows)
    session.flush()
    session.add_all(
        Follow(follower_id=viewer.id, followee_id=people[u].id, created_at=NOW - timedelta(days=1))
        for u in follows
    )
    session.add_all(
        PostLike(user_id=viewer.id, post_id=rows[i].id, created_at=NOW - timedelta(days=1))
        for i in likes
        if i < len(rows)
    )
    session.flush()
    seen_history.record_seen(
        session,
        viewer.id,
        [rows[i].id for i in seen_before if i < len(rows)],
        FeedSettings(seen_max_ids=0, seen_retention_days=0),
        NOW - timedelta(hours=1),
    )
    return viewer.id, [r.id for r in rows if r.status == PostStatus.READY]


@settings(max_examples=60, deadline=None)
@given(site=sites(), feed=feed_settings, seed=st.integers(0, 2**32))
def test_paging_through_the_feed(site, feed, seed):
    import skyframe.database  # noqa: F401  (SQLite with foreign keys, as the app has it)

    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            viewer_id, visible = build_site(session, *site)
            _check_paging(session, viewer_id, set(visible), feed, random.Random(seed))
    finally:
        engine.dispose()


def _check_paging(session, viewer_id, visible, feed, rng):
    from sqlalchemy import select

    from skyframe.models import FeedSeen

    seen = set(session.scalars(select(FeedSeen.post_id).where(FeedSeen.user_id == viewer_id)))
    state, pass_started, served_in_pass = None, None, []
    moment = NOW
    caps = Caps(feed.max_per_uploader, feed.max_consecutive_per_uploader)
    for _ in range(3 * len(visible) + 3):
        moment += timedelta(seconds=5)
        page = viewer_page(session, viewer_id, feed, state, feed.page_size, moment, rng)
        owners = dict(
            session.execute(select(Post.id, Post.owner_id).where(Post.id.in_(page.post_ids))).all()
        )
        candidates = [Candidate(i, owners[i], NOW) for i in page.post_ids]
        # Never empty while a visible post exists; caps hold; no duplicates.
        assert bool(page.post_ids) == bool(visible)
        assert set(page.post_ids) <= visible
        assert len(set(page.post_ids)) == len(page.post_ids)
        assert caps_hold(candidates, caps)
        if not visible:
            assert page.next_state is None
            return
        # Seen posts come back only once every visible post has been seen.
        if set(page.post_ids) & seen:
            assert visible <= seen | set(page.post_ids), "a seen post came back too early"
        # No repeats within a pass (a pass keeps its snapshot time).
        if state is None or page.next_state.as_of != pass_started:
            pass_started, served_in_pass = page.next_state.as_of, []
        served_in_pass += page.post_ids
        assert len(served_in_pass) == len(set(served_in_pass)), "a post repeated within a pass"
        seen_history.record_seen(session, viewer_id, page.post_ids, feed, moment)
        seen |= set(page.post_ids)
        state = page.next_state
    assert seen >= visible  # everything came round
