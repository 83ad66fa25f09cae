"""Strike arithmetic: take-downs since the last strike, resolution, restores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skyframe.exceptions import PermissionDenied
from skyframe.extensions import db
from skyframe.models import AuditEntry, AuditSource, Post, Role, Strike, User, utcnow
from skyframe.moderation import strikes, takedowns
from skyframe.policy import is_suspended

RULES = strikes.StrikeRules(take_downs_per_strike=2, suspend_at=3)
API = AuditSource.API


@pytest.fixture
def people(app, make_user):
    owner = make_user("owner")
    moderator = make_user("mod", role=Role.MODERATOR)
    manager = make_user("boss", role=Role.MANAGER)
    return owner.id, moderator.id, manager.id


@pytest.fixture
def take_down(app, make_post, people):
    owner_id, moderator_id, _ = people

    def run(count: int = 1) -> list[int]:
        ids = []
        for _ in range(count):
            post_id = make_post(owner_id)
            with app.app_context():
                moderator = db.session.get(User, moderator_id)
                post = db.session.get(Post, post_id)
                takedowns.take_down(
                    db.session, moderator, post, "Not a sky image.", RULES, now=utcnow(), source=API
                )
                db.session.commit()
            ids.append(post_id)
        return ids

    return run


def standing(app, user_id: int) -> tuple[int, bool]:
    with app.app_context():
        user = db.session.get(User, user_id)
        return strikes.active_count(db.session, user_id), is_suspended(user, utcnow())


def resolve_one(app, people) -> None:
    owner_id, moderator_id, _ = people
    with app.app_context():
        strike = db.session.scalars(
            db.select(Strike).where(Strike.user_id == owner_id, Strike.resolved_at.is_(None))
        ).first()
        moderator = db.session.get(User, moderator_id)
        strikes.resolve(
            db.session, moderator, strike, "Fair enough.", RULES, now=utcnow(), source=API
        )
        db.session.commit()


@pytest.mark.parametrize(("count", "expected"), [(1, 0), (2, 1), (4, 2), (6, 3)])
def test_every_second_take_down_is_a_strike(app, people, take_down, count, expected):
    take_down(count)
    assert standing(app, people[0]) == (expected, expected >= 3)


def test_resolving_a_strike_lifts_the_suspension_and_later_take_downs_count_again(
    app, people, take_down
):
    take_down(6)
    assert standing(app, people[0]) == (3, True)
    resolve_one(app, people)
    assert standing(app, people[0]) == (2, False)
    take_down(1)
    assert standing(app, people[0]) == (2, False)
    take_down(1)
    assert standing(app, people[0]) == (3, True)


def test_a_restored_take_down_leaves_no_strike_counted_for_it(app, people, take_down):
    owner_id, _, manager_id = people
    first, _second = take_down(2)
    assert standing(app, owner_id) == (1, False)
    with app.app_context():
        manager = db.session.get(User, manager_id)
        post = db.session.get(Post, first)
        takedowns.restore(db.session, manager, post, "Mistake.", RULES, now=utcnow(), source=API)
        db.session.commit()
        assert not db.session.get(Post, first).taken_down
    # The strike is withdrawn; the other take-down waits for the next one.
    assert standing(app, owner_id) == (0, False)
    take_down(1)
    assert standing(app, owner_id) == (1, False)


def test_restoring_after_the_strike_was_resolved_changes_no_count(app, people, take_down):
    owner_id, _, manager_id = people
    first, _ = take_down(2)
    resolve_one(app, people)
    with app.app_context():
        manager = db.session.get(User, manager_id)
        post = db.session.get(Post, first)
        takedowns.restore(db.session, manager, post, "Mistake.", RULES, now=utcnow(), source=API)
        db.session.commit()
    assert standing(app, owner_id) == (0, False)
    take_down(1)
    assert standing(app, owner_id) == (0, False)


def test_deleting_a_taken_down_post_does_not_undo_its_count(app, people, take_down):
    owner_id = people[0]
    (first,) = take_down(1)
    with app.app_context():
        db.session.delete(db.session.get(Post, first))
        db.session.commit()
    take_down(1)
    assert standing(app, owner_id) == (1, False)


def test_strikes_and_suspensions_are_audited_as_the_site_s_own(app, people, take_down):
    take_down(6)
    with app.app_context():
        rows = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    actions = [(row.action, row.source) for row in rows]
    assert actions.count(("post.take_down", "api")) == 6
    assert actions.count(("strike.issue", "system")) == 3
    assert actions.count(("account.suspend", "system")) == 1


def test_only_managers_restore_and_nobody_strikes_themselves(app, people, take_down, make_post):
    moderator_id = people[1]
    (post_id,) = take_down(1)
    with app.app_context():
        moderator = db.session.get(User, moderator_id)
        post = db.session.get(Post, post_id)
        with pytest.raises(PermissionDenied):
            takedowns.restore(db.session, moderator, post, "", RULES, now=utcnow(), source=API)
        own = db.session.get(Post, make_post(moderator_id))
        with pytest.raises(PermissionDenied):
            takedowns.take_down(db.session, moderator, own, "x", RULES, now=utcnow(), source=API)


def test_a_staff_suspension_ends_by_itself(app, people):
    from skyframe.moderation import suspensions

    owner_id, moderator_id, _ = people
    now = utcnow()
    with app.app_context():
        moderator = db.session.get(User, moderator_id)
        owner = db.session.get(User, owner_id)
        suspensions.suspend(
            db.session,
            moderator,
            owner,
            until=now + timedelta(days=1),
            reason="Cool off.",
            now=now,
            source=API,
        )
        db.session.commit()
        assert is_suspended(owner, now + timedelta(hours=23))
        assert not is_suspended(owner, now + timedelta(days=1, seconds=1))
