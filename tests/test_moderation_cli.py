"""Staff actions at the command line: suspending, and the audited account
commands, each one audit row with source ``cli`` and no account."""

from __future__ import annotations

import json
from datetime import timedelta

from skyframe.extensions import db
from skyframe.models import AuditEntry, User, utcnow
from skyframe.policy import is_suspended


def audited(app) -> list[tuple[str, int, str, int | None]]:
    with app.app_context():
        rows = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
        return [(r.action, r.target_id, r.source, r.actor_id) for r in rows]


def test_users_suspend_until_and_unsuspend(app, runner, make_user):
    user = make_user("vega")
    until = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    result = runner.invoke(
        args=["users", "suspend", "vega", "--until", until, "--reason", "Adverts"]
    )
    assert result.exit_code == 0, result.output
    assert f"@vega is suspended until {until}:00Z." in result.output
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert is_suspended(stored, utcnow())
        assert stored.suspension_reason == "Adverts"
    listed = runner.invoke(args=["users", "list", "--state", "suspended", "--json"])
    assert [(u["handle"], u["state"]) for u in json.loads(listed.output)["users"]] == [
        ("vega", "suspended")
    ]
    assert "vega" not in runner.invoke(args=["users", "list", "--state", "active"]).output
    assert runner.invoke(args=["users", "unsuspend", "vega"]).exit_code == 0
    with app.app_context():
        assert not is_suspended(db.session.get(User, user.id), utcnow())
    again = runner.invoke(args=["users", "unsuspend", "vega"])
    assert again.exit_code == 1
    assert again.stderr == "Error: This account has no suspension by staff to lift.\n"
    assert audited(app) == [
        ("account.suspend", user.id, "cli", None),
        ("account.unsuspend", user.id, "cli", None),
    ]


def test_users_suspend_refuses_a_bad_end(runner, make_user):
    make_user("vega")
    bad = runner.invoke(args=["users", "suspend", "vega", "--until", "tomorrow"])
    assert bad.exit_code == 1
    assert "ISO 8601" in bad.stderr
    past = runner.invoke(args=["users", "suspend", "vega", "--until", "2000-01-01"])
    assert past.exit_code == 1
    assert "The end must be in the future." in past.stderr


def test_disable_enable_and_set_role_are_audited_once_each(app, runner, make_user):
    user = make_user("vega")
    for args in (["disable", "vega"], ["enable", "vega"], ["set-role", "vega", "moderator"]):
        assert runner.invoke(args=["users", *args]).exit_code == 0
    # Setting the role it has already is no change, and no audit row.
    assert runner.invoke(args=["users", "set-role", "vega", "moderator"]).exit_code == 0
    assert audited(app) == [
        ("account.disable", user.id, "cli", None),
        ("account.enable", user.id, "cli", None),
        ("account.role", user.id, "cli", None),
    ]
