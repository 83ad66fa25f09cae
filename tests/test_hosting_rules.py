"""Who may host whom (skyframe.live.hosting.rules): each rule for one pair
(the failed one named) and set-based, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from skyframe.extensions import db
from skyframe.live.hosting import rules
from skyframe.models import User, utcnow
from tests.hosting_helpers import (
    HOST_DISQUALIFIERS,
    TARGET_DISQUALIFIERS,
    block,
    go_live,
    qualify,
)

SETTINGS = rules.HostingSettings(min_live_seconds=10 * 3600, min_account_days=5)
HOST_RULE = {
    "disabled": "account_inactive",
    "suspended": "account_inactive",
    "strike_suspended": "account_inactive",
    "deleted": "account_inactive",
    "under_min_live_hours": "live_hours",
    "under_min_account_days": "account_age",
}
TARGET_RULE = {
    "disallows_hosting": "hosting_not_allowed",
    "disabled": "account_inactive",
    "suspended": "account_inactive",
    "deleted": "account_inactive",
}


@pytest.fixture
def pair(app, make_user):
    host, target = make_user("host"), make_user("target")
    with app.app_context():
        qualify(host.id)
        qualify(target.id)
    return host.id, target.id


def qualifying_hosts(now=None) -> set[int]:
    host = aliased(User, name="host")
    query = select(host.id).where(rules.host_qualifies(host, now or utcnow(), SETTINGS))
    return set(db.session.scalars(query))


def qualifying_pairs(host_id: int, now=None) -> set[int]:
    host, target = aliased(User, name="host"), aliased(User, name="target")
    query = (
        select(target.id)
        .select_from(host)
        .join(target, target.id != host.id)
        .where(host.id == host_id, rules.target_qualifies(host, target, now or utcnow()))
    )
    return set(db.session.scalars(query))


def host_failure(host_id: int):
    failure = rules.failed_host_rule(db.session, host_id, utcnow(), SETTINGS)
    return failure and failure.rule


def target_failure(host_id: int, target_id: int):
    failure = rules.failed_target_rule(db.session, host_id, target_id, utcnow())
    return failure and failure.rule


def test_a_qualifying_pair_fails_no_rule(app, pair):
    host_id, target_id = pair
    with app.app_context():
        assert host_failure(host_id) is None
        assert target_failure(host_id, target_id) is None
        assert host_id in qualifying_hosts()
        assert qualifying_pairs(host_id) == {target_id}


@pytest.mark.parametrize("name", list(HOST_DISQUALIFIERS))
def test_each_host_rule_disqualifies_and_requalifies(app, pair, name):
    host_id, _ = pair
    apply, undo = HOST_DISQUALIFIERS[name]
    with app.app_context():
        apply(host_id)
        assert host_failure(host_id) == HOST_RULE[name]
        assert host_id not in qualifying_hosts()
        undo(host_id)
        assert host_failure(host_id) is None
        assert host_id in qualifying_hosts()


@pytest.mark.parametrize("name", list(TARGET_DISQUALIFIERS))
def test_each_target_rule_disqualifies_and_requalifies(app, pair, name):
    host_id, target_id = pair
    apply, undo = TARGET_DISQUALIFIERS[name]
    with app.app_context():
        apply(target_id)
        assert target_failure(host_id, target_id) == TARGET_RULE[name]
        assert qualifying_pairs(host_id) == set()
        undo(target_id)
        assert target_failure(host_id, target_id) is None
        assert qualifying_pairs(host_id) == {target_id}


def test_a_block_by_the_target_disqualifies_but_a_timeout_does_not(app, pair):
    host_id, target_id = pair
    with app.app_context():
        block(target_id, host_id, until=utcnow() + timedelta(days=1))
        assert target_failure(host_id, target_id) is None
        from skyframe.models import Block

        db.session.get(Block, (target_id, host_id)).until = None
        db.session.commit()
        assert target_failure(host_id, target_id) == "blocked"
        assert qualifying_pairs(host_id) == set()


def test_the_host_blocking_the_target_is_not_a_target_rule(app, pair):
    host_id, target_id = pair
    with app.app_context():
        block(host_id, target_id)
        assert target_failure(host_id, target_id) is None


def test_a_suspension_that_ended_no_longer_disqualifies(app, pair):
    host_id, _ = pair
    with app.app_context():
        user = db.session.get(User, host_id)
        user.suspended_at = utcnow() - timedelta(days=3)
        user.suspended_until = utcnow() - timedelta(days=1)
        db.session.commit()
        assert host_failure(host_id) is None


def test_a_running_session_counts_towards_live_hours(app, pair):
    host_id, _ = pair
    with app.app_context():
        db.session.get(User, host_id).live_seconds = 9 * 3600
        db.session.commit()
        assert host_failure(host_id) == "live_hours"
        go_live(host_id, started_ago=timedelta(minutes=30))
        assert host_failure(host_id) == "live_hours"
        now = utcnow() + timedelta(minutes=31)
        assert rules.failed_host_rule(db.session, host_id, now, SETTINGS) is None
        assert host_id in qualifying_hosts(now)


def test_the_thresholds_come_from_the_config(app):
    settings = rules.HostingSettings.from_config(app.config)
    assert settings == rules.HostingSettings(min_live_seconds=36000, min_account_days=5)
