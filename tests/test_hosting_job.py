"""The auto-host job (skyframe.live.hosting.job): its four steps in the
seed's order, every qualification flipped both ways, one hosting target per
host (by the database, and under two runs at once), and `flask hosting run`."""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from skyframe.extensions import db
from skyframe.live.hosting import job
from skyframe.live.hosting.rules import HostingSettings
from skyframe.models import Block, HostingStatus, HostingTarget, User, utcnow
from tests.hosting_helpers import (
    HOST_DISQUALIFIERS,
    TARGET_DISQUALIFIERS,
    add_target,
    block,
    go_live,
    go_offline,
    qualify,
    status_of,
)

READY, HOSTING, ERROR = HostingStatus.READY, HostingStatus.HOSTING, HostingStatus.ERROR
SETTINGS = HostingSettings(min_live_seconds=10 * 3600, min_account_days=5)


def run_job():
    result = job.run(db.session, utcnow(), SETTINGS)
    db.session.commit()
    return result


@pytest.fixture
def channels(app, make_user):
    """Qualifying users by handle: ids of host, target and others."""

    def make(*handles):
        made = [make_user(handle) for handle in handles]
        with app.app_context():
            for user in made:
                qualify(user.id)
        return [user.id for user in made]

    return make


# -- step 3 and step 1: every rule, both ways -------------------------------------


def _flip(app, channels, side, name, disqualifiers):
    host, target = channels("host", "target")
    apply, undo = disqualifiers[name]
    with app.app_context():
        add_target(host, target)
        apply(host if side == "host" else target)
        assert job.disqualify(db.session, utcnow(), SETTINGS) == 1  # step 3
        db.session.commit()
        assert status_of(host, target) == ERROR
        assert job.requalify_errors(db.session, utcnow(), SETTINGS) == 0  # step 1: not yet
        db.session.commit()
        assert status_of(host, target) == ERROR
        undo(host if side == "host" else target)
        assert job.requalify_errors(db.session, utcnow(), SETTINGS) == 1  # step 1
        db.session.commit()
        assert status_of(host, target) == READY
        assert job.disqualify(db.session, utcnow(), SETTINGS) == 0


@pytest.mark.parametrize("name", list(HOST_DISQUALIFIERS))
def test_a_host_that_stops_qualifying_and_qualifies_again(app, channels, name):
    _flip(app, channels, "host", name, HOST_DISQUALIFIERS)


@pytest.mark.parametrize("name", list(TARGET_DISQUALIFIERS))
def test_a_target_that_stops_qualifying_and_qualifies_again(app, channels, name):
    _flip(app, channels, "target", name, TARGET_DISQUALIFIERS)


def test_a_block_by_the_target_errors_the_row_and_lifting_it_restores_it(app, channels):
    host, target = channels("host", "target")
    with app.app_context():
        add_target(host, target)
        block(target, host)
        run_job()
        assert status_of(host, target) == ERROR
        db.session.get(Block, (target, host)).until = utcnow() + timedelta(hours=1)
        db.session.commit()  # the block became a timeout: that does not disqualify
        run_job()
        assert status_of(host, target) == READY


def test_a_timeout_of_the_host_never_errors_the_row(app, channels):
    host, target = channels("host", "target")
    with app.app_context():
        add_target(host, target)
        block(target, host, until=utcnow() + timedelta(days=1))
        go_live(target)
        run_job()
        assert status_of(host, target) == HOSTING


def test_a_hosted_target_that_stops_qualifying_is_hosted_until_it_goes_offline(app, channels):
    """Seed 004's step 3 checks ``ready`` targets only: the running promotion
    is not cut short; once step 2 un-hosts it, step 3 puts it in ``error``
    in the same run and step 4 moves the host on."""
    host, first, second = channels("host", "first", "second")
    with app.app_context():
        add_target(host, first, last_hosted_at=utcnow() - timedelta(days=2))
        add_target(host, second, last_hosted_at=utcnow() - timedelta(days=1))
        go_live(first)
        go_live(second)
        run_job()
        assert status_of(host, first) == HOSTING
        TARGET_DISQUALIFIERS["suspended"][0](first)
        result = run_job()
        assert (result.disqualified, result.hosted) == (0, 0)
        assert (status_of(host, first), status_of(host, second)) == (HOSTING, READY)
        go_offline(first)
        result = run_job()
        assert (result.unhosted, result.disqualified, result.hosted) == (1, 1, 1)
        assert (status_of(host, first), status_of(host, second)) == (ERROR, HOSTING)


# -- step 2: un-hosting ------------------------------------------------------------


def test_the_target_going_offline_unhosts_it(app, channels):
    host, target = channels("host", "target")
    with app.app_context():
        add_target(host, target)
        go_live(target)
        assert run_job().hosted == 1
        go_offline(target)
        result = run_job()
        assert (result.unhosted, result.hosted) == (1, 0)
        assert status_of(host, target) == READY


def test_the_host_going_live_unhosts_its_target(app, channels):
    host, target = channels("host", "target")
    with app.app_context():
        add_target(host, target)
        go_live(target)
        run_job()
        go_live(host)
        result = run_job()
        assert (result.unhosted, result.hosted) == (1, 0)
        assert status_of(host, target) == READY
        go_offline(host)
        assert run_job().hosted == 1


# -- step 4: choosing --------------------------------------------------------------


def test_never_hosted_first_then_least_recently_hosted(app, channels):
    host, old, older, never = channels("host", "old", "older", "never")
    now = utcnow()
    with app.app_context():
        add_target(host, old, last_hosted_at=now - timedelta(days=1))
        add_target(host, older, last_hosted_at=now - timedelta(days=3))
        add_target(host, never)
        for target in (old, older, never):
            go_live(target)
        run_job()
        assert status_of(host, never) == HOSTING
        go_offline(never)
        run_job()
        assert status_of(host, older) == HOSTING
        go_offline(older)
        run_job()
        assert status_of(host, old) == HOSTING
        row = db.session.scalar(select(HostingTarget).where(HostingTarget.target_id == old))
        assert row.last_hosted_at >= now


def test_ties_pick_one_of_them(app, channels):
    host, a, b = channels("host", "a", "b")
    with app.app_context():
        add_target(host, a)
        add_target(host, b)
        go_live(a)
        go_live(b)
        assert run_job().hosted == 1
        assert sorted([status_of(host, a), status_of(host, b)]) == [HOSTING, READY]


def test_only_live_ready_targets_of_offline_hosts_hosting_nobody(app, channels):
    host, live_host, offline, errored, target = channels(
        "host", "livehost", "offline", "errored", "target"
    )
    with app.app_context():
        go_live(live_host)
        go_live(target)
        go_live(errored)
        add_target(live_host, target)  # the host is live
        add_target(host, offline)  # the target is not
        add_target(host, errored)
        TARGET_DISQUALIFIERS["disallows_hosting"][0](errored)
        assert run_job().hosted == 0
        assert status_of(host, errored) == ERROR
        assert status_of(live_host, target) == READY


def test_a_host_keeps_its_target_while_both_stay_as_they_are(app, channels):
    host, a, b = channels("host", "a", "b")
    with app.app_context():
        add_target(host, a)
        go_live(a)
        run_job()
        add_target(host, b)
        go_live(b)
        assert run_job().hosted == 0  # still hosting a: b waits
        assert (status_of(host, a), status_of(host, b)) == (HOSTING, READY)


def test_the_steps_run_in_order_so_a_requalified_target_is_hosted_at_once(app, channels):
    host, target = channels("host", "target")
    with app.app_context():
        add_target(host, target, status=ERROR)
        go_live(target)
        result = run_job()
        assert (result.requalified, result.hosted) == (1, 1)
        assert status_of(host, target) == HOSTING


def test_each_step_logs_its_row_count(app, channels, caplog):
    host, target = channels("host", "target")
    with app.app_context():
        add_target(host, target)
        go_live(target)
        with caplog.at_level(logging.INFO, logger="skyframe.live.hosting.job"):
            run_job()
    assert [r.getMessage() for r in caplog.records if r.name == "skyframe.live.hosting.job"] == [
        "hosting job: 0 error targets ready again",
        "hosting job: 0 targets un-hosted",
        "hosting job: 0 targets no longer qualifying",
        "hosting job: 1 targets now hosted",
    ]


# -- one hosting target per host ---------------------------------------------------


def test_the_database_refuses_a_second_hosting_target(app, channels):
    host, a, b = channels("host", "a", "b")
    with app.app_context():
        add_target(host, a, status=HOSTING)
        with pytest.raises(IntegrityError):
            add_target(host, b, status=HOSTING)
        db.session.rollback()


def test_many_hosts_each_host_one(app, channels):
    hosts = channels(*(f"host{i}" for i in range(4)))
    targets = channels(*(f"target{i}" for i in range(3)))
    with app.app_context():
        for host in hosts:
            for target in targets:
                add_target(host, target)
        for target in targets:
            go_live(target)
        assert run_job().hosted == len(hosts)
        per_host = db.session.execute(
            select(HostingTarget.host_id, func.count())
            .where(HostingTarget.status == HOSTING)
            .group_by(HostingTarget.host_id)
        ).all()
        assert sorted(per_host) == [(host, 1) for host in sorted(hosts)]


def test_two_runs_at_once_host_one_target_per_host(app, channels, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: runs cannot overlap there")
    hosts = channels(*(f"host{i}" for i in range(5)))
    targets = channels(*(f"target{i}" for i in range(5)))
    with app.app_context():
        for host in hosts:
            for target in targets:
                add_target(host, target)
        for target in targets:
            go_live(target)
    start, results, failures = threading.Barrier(2), [], []

    def one_run():
        with app.app_context():
            try:
                start.wait()
                results.append(run_job().hosted)
            except Exception as exc:  # reported below
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert sorted(results) == [0, len(hosts)]
    with app.app_context():
        hosting = db.session.scalars(
            select(HostingTarget.host_id).where(HostingTarget.status == HOSTING)
        ).all()
        assert sorted(hosting) == sorted(hosts)


# -- the command line ----------------------------------------------------------------


def test_flask_hosting_run(app, channels, runner):
    host, target = channels("host", "target")
    with app.app_context():
        add_target(host, target)
        go_live(target)
    result = runner.invoke(args=["hosting", "run"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "0 target(s) ready again, 0 un-hosted, 0 no longer qualifying, 1 now hosted.\n"
    )
    result = runner.invoke(args=["hosting", "run", "--json"])
    assert json.loads(result.output) == {
        "requalified": 0,
        "unhosted": 0,
        "disqualified": 0,
        "hosted": 0,
    }
    with app.app_context():
        assert status_of(host, target) == HOSTING
        assert db.session.get(User, host).channel_status == "offline"


def test_the_periodic_task_runs_the_job(app, channels):
    from skyframe.tasks import host_channels

    host, target = channels("host", "target")
    with app.app_context():
        add_target(host, target)
        go_live(target)
        assert host_channels().endswith("1 now hosted.")
        assert status_of(host, target) == HOSTING


def test_hosting_sends_no_notifications(app, channels):
    from skyframe.models import Notification

    host, target = channels("host", "target")
    with app.app_context():
        add_target(host, target)
        go_live(target)
        before = db.session.query(Notification).count()
        assert run_job().hosted == 1
        assert db.session.query(Notification).count() == before
