"""Collections' rules, on the domain module: order under any sequence of
adds, inserts, moves and removes (against a Python list), one row written
per move, the limit, duplicates, privacy and what drops out of listings."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from skyframe import policy
from skyframe.exceptions import NotFound, ValidationFailed
from skyframe.extensions import db
from skyframe.models import Collection, CollectionItem, Post, User, utcnow
from skyframe.social import collections

POSTS = 6


@pytest.fixture
def world(app, make_user, make_post):
    """Vega collects; Mira uploads POSTS posts."""
    vega, mira = make_user("vega"), make_user("mira")
    post_ids = [make_post(mira, title=f"Capture {i}") for i in range(POSTS)]
    with app.app_context():
        yield db.session.get(User, vega.id), db.session.get(User, mira.id), post_ids
        db.session.rollback()


@contextmanager
def counting_writes():
    """Counts the INSERT, UPDATE and DELETE statements sent meanwhile."""
    writes = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield writes
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def stored_order(collection: Collection) -> list[int]:
    return list(
        db.session.scalars(
            select(CollectionItem.post_id)
            .where(CollectionItem.collection_id == collection.id)
            .order_by(CollectionItem.position)
        )
    )


def listed(collection: Collection) -> list[int]:
    return [p for p, _ in collections.listed_item_ids(db.session, collection, limit=1000)]


def new_collection(owner: User, **fields) -> Collection:
    collection = collections.create_collection(
        db.session, owner, title=fields.pop("title", "Winter"), now=utcnow(), **fields
    )
    db.session.commit()
    return collection


def add(owner: User, collection: Collection, post_id: int, before: int | None = None, limit=1000):
    return collections.add_item(
        db.session, owner, collection, post_id, before=before, max_items=limit, now=utcnow()
    )


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, POSTS - 1), st.none() | st.integers(0, POSTS)),
        st.tuples(st.just("move"), st.integers(0, POSTS - 1), st.none() | st.integers(0, POSTS)),
        st.tuples(st.just("remove"), st.integers(0, POSTS - 1), st.none()),
    ),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations)
def test_any_sequence_keeps_the_order_of_a_list_and_a_move_writes_one_row(world, steps):
    vega, _, post_ids = world
    collection = new_collection(vega)
    model: list[int] = []
    try:
        for kind, which, where in steps:
            before = None if where is None or not model else model[where % len(model)]
            if kind == "add":
                post_id = post_ids[which]

                if post_id in model:
                    with pytest.raises(collections.AlreadyInCollection):
                        add(vega, collection, post_id, before)
                    db.session.rollback()
                    continue
                with counting_writes() as writes:
                    add(vega, collection, post_id, before)
                    db.session.commit()
                assert len(writes) == 1
                model.insert(model.index(before) if before is not None else len(model), post_id)
            elif kind == "move":
                if not model:
                    continue
                post_id = model[which % len(model)]
                if before == post_id:
                    with pytest.raises(ValidationFailed):
                        collections.move_item(db.session, vega, collection, post_id, before=before)
                    db.session.rollback()
                    continue
                old = list(model)
                model.remove(post_id)
                model.insert(model.index(before) if before is not None else len(model), post_id)
                with counting_writes() as writes:
                    collections.move_item(db.session, vega, collection, post_id, before=before)
                    db.session.commit()
                # One row when the order changes; none when it was already there.
                assert len(writes) == (1 if model != old else 0), writes
            else:
                if not model:
                    continue
                post_id = model[which % len(model)]
                collections.remove_item(db.session, vega, collection, post_id)
                db.session.commit()
                model.remove(post_id)
            assert stored_order(collection) == model
        assert listed(collection) == model
        assert len(set(model)) == len(model)
    finally:
        collections.delete_collection(db.session, vega, collection)
        db.session.commit()


def test_keys_grown_too_long_are_written_afresh_in_the_same_order(world, monkeypatch):
    vega, _, post_ids = world
    monkeypatch.setattr(collections, "POSITION_MAX_LENGTH", 3)
    collection = new_collection(vega)
    first, second, *rest = post_ids
    for post_id in (first, second):
        collections.add_item(db.session, vega, collection, post_id, max_items=10, now=utcnow())
    model = [first, second]
    for post_id in rest:  # each one squeezed in just ahead of the second
        collections.add_item(
            db.session, vega, collection, post_id, before=second, max_items=10, now=utcnow()
        )
        model.insert(model.index(second), post_id)
        db.session.commit()
        assert stored_order(collection) == model
    for _ in range(8):  # moves squeezed in at one spot rewrite the keys too
        last = model[-1]
        collections.move_item(db.session, vega, collection, last, before=model[1])
        model.remove(last)
        model.insert(1, last)
        db.session.commit()
        assert stored_order(collection) == model
    keys = db.session.scalars(
        select(CollectionItem.position).where(CollectionItem.collection_id == collection.id)
    ).all()
    assert max(len(key) for key in keys) <= 3


def test_keys_sort_the_same_on_the_database_as_in_python(world):
    vega, _, post_ids = world
    collection = new_collection(vega)
    for post_id in post_ids:  # every one inserted at the front: keys below "a0"
        collections.add_item(
            db.session,
            vega,
            collection,
            post_id,
            before=(stored_order(collection) or [None])[0],
            max_items=100,
            now=utcnow(),
        )
    db.session.commit()
    keys = db.session.scalars(
        select(CollectionItem.position)
        .where(CollectionItem.collection_id == collection.id)
        .order_by(CollectionItem.position)
    ).all()
    assert keys == sorted(keys)  # byte order: "Zz" < "a0", whatever the locale
    assert stored_order(collection) == list(reversed(post_ids))


def test_the_limit_counts_every_item(world):
    vega, _, post_ids = world
    collection = new_collection(vega)
    for post_id in post_ids[:2]:
        collections.add_item(db.session, vega, collection, post_id, max_items=2, now=utcnow())
    with pytest.raises(collections.CollectionFull):
        collections.add_item(db.session, vega, collection, post_ids[2], max_items=2, now=utcnow())


def test_a_private_collection_is_its_owners_alone(world):
    vega, mira, _ = world
    collection = new_collection(vega, public=False)
    assert collections.get_collection(db.session, collection.id, vega) is collection
    for other in (mira, None):
        with pytest.raises(NotFound):
            collections.get_collection(db.session, collection.id, other)
    assert collections.user_collections(db.session, vega, mira, limit=10) == []
    assert collections.user_collections(db.session, vega, vega, limit=10) == [collection]


def test_a_disabled_accounts_public_collections_are_hidden_but_from_staff(world):
    vega, mira, _ = world
    collection = new_collection(vega)
    vega.disabled = True
    db.session.commit()
    assert not policy.can_see_collection(collection, mira)
    with pytest.raises(NotFound):
        collections.get_collection(db.session, collection.id, None)


def test_posts_of_disabled_accounts_and_taken_down_posts_drop_out(world):
    vega, mira, post_ids = world
    collection = new_collection(vega)
    for post_id in post_ids[:3]:
        collections.add_item(db.session, vega, collection, post_id, max_items=10, now=utcnow())
    db.session.commit()
    policy.set_account_hidden(db.session, mira.id, True)
    db.session.commit()
    assert listed(collection) == []
    assert collections.item_counts(db.session, [collection.id]) == {collection.id: 0}
    policy.set_account_hidden(db.session, mira.id, False)
    db.session.commit()
    assert listed(collection) == post_ids[:3]


def test_up_and_down_skip_posts_that_are_not_listed(world):
    vega, _, post_ids = world
    collection = new_collection(vega)
    a, b, c = post_ids[:3]
    for post_id in (a, b, c):
        collections.add_item(db.session, vega, collection, post_id, max_items=10, now=utcnow())
    db.session.get(Post, b).taken_down = True
    db.session.commit()
    before = collections.neighbour_before(db.session, collection, c, -1)
    assert before == a  # one place up among what the owner sees: ahead of a
    collections.move_item(db.session, vega, collection, c, before=before)
    assert collections.neighbour_before(db.session, collection, c, -1) is False
    assert collections.neighbour_before(db.session, collection, c, +1) is None  # to the end
    assert collections.neighbour_before(db.session, collection, a, +1) is False
    db.session.commit()
    assert listed(collection) == [c, a]
