"""The admin CLI: `flask users|motd|stats` and scripts/skyframe_admin.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from skyframe.extensions import db
from skyframe.models import Motd, User
from tests.conftest import STRONG_PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def create(runner, handle="vega", *extra, password=STRONG_PASSWORD):
    return runner.invoke(
        args=["users", "create", "--email", f"{handle}@example.org", "--handle", handle, *extra],
        input=f"{password}\n{password}\n",
    )


def test_users_create_and_list(runner):
    result = create(runner, "vega", "--role", "moderator")
    assert result.exit_code == 0, result.output
    assert "Created @vega" in result.output
    listing = runner.invoke(args=["users", "list"])
    assert "vega@example.org" in listing.output
    assert "moderator" in listing.output
    only_managers = runner.invoke(args=["users", "list", "--role", "manager"])
    assert "vega" not in only_managers.output


def test_users_create_applies_the_same_rules_as_registration(runner):
    result = create(runner, "bad handle", password="weak")
    assert result.exit_code == 1
    assert "handle:" in result.output
    assert "password:" in result.output


def test_users_create_refuses_duplicates(runner, make_user):
    make_user("vega")
    result = create(runner, "VEGA")
    assert result.exit_code == 1
    assert "That handle is taken." in result.output


def test_disabling_an_account_ends_its_login_sessions(app, runner, make_user):
    from skyframe.models import LoginSession
    from tests.conftest import login

    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    assert client.get("/api/v1/me").status_code == 200
    assert runner.invoke(args=["users", "disable", "vega"]).exit_code == 0
    with app.app_context():
        assert db.session.query(LoginSession).count() == 0
    assert runner.invoke(args=["users", "enable", "vega"]).exit_code == 0
    assert client.get("/api/v1/me").status_code == 401  # enabling does not revive it


def test_users_disable_enable_and_set_role(app, runner, make_user):
    user = make_user("vega")
    assert runner.invoke(args=["users", "disable", "vega"]).exit_code == 0
    with app.app_context():
        assert db.session.get(User, user.id).disabled
    assert runner.invoke(args=["users", "enable", "vega@example.org"]).exit_code == 0
    result = runner.invoke(args=["users", "set-role", "VEGA", "manager"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert not stored.disabled
        assert stored.role == "manager"


@pytest.mark.parametrize(
    "args",
    [
        ["users", "disable", "nobody"],
        ["users", "enable", "nobody@example.org"],
        ["users", "set-role", "nobody", "manager"],
    ],
)
def test_unknown_users_are_a_clear_error(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "No user" in result.output


def test_unknown_role_is_a_usage_error(runner, make_user):
    make_user("vega")
    result = runner.invoke(args=["users", "set-role", "vega", "emperor"])
    assert result.exit_code == 2
    assert "emperor" in result.output


def test_motd_lifecycle(app, runner):
    result = runner.invoke(args=["motd", "add", "Perseids tonight", "Peak after midnight."])
    assert result.exit_code == 0, result.output
    assert "(draft)" in result.output
    assert "draft" in runner.invoke(args=["motd", "list"]).output
    with app.app_context():
        motd_id = db.session.query(Motd).one().id
    published = runner.invoke(args=["motd", "publish", str(motd_id)])
    assert "live" in published.output
    expired = runner.invoke(args=["motd", "expire", str(motd_id)])
    assert "expired" in expired.output


def test_motd_add_with_a_window(app, runner):
    result = runner.invoke(
        args=[
            "motd",
            "add",
            "Eclipse",
            "Total eclipse stream.",
            "--publish",
            "--starts-at",
            "2099-08-12T17:00:00+02:00",
            "--ends-at",
            "2099-08-12T20:00:00Z",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "(scheduled)" in result.output
    with app.app_context():
        motd = db.session.query(Motd).one()
        assert motd.starts_at.isoformat() == "2099-08-12T15:00:00+00:00"
        assert motd.ends_at.isoformat() == "2099-08-12T20:00:00+00:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--starts-at", "tomorrow"], "not an ISO 8601"),
        (["--ends-at", "2099-13-01"], "not an ISO 8601"),
        (["--starts-at", "2099-01-02", "--ends-at", "2099-01-01"], "end must come after"),
    ],
)
def test_motd_add_rejects_bad_dates(app, runner, args, message):
    result = runner.invoke(args=["motd", "add", "T", "B", *args])
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.query(Motd).count() == 0


@pytest.mark.parametrize("command", ["publish", "expire"])
def test_motd_unknown_id_is_a_clear_error(runner, command):
    result = runner.invoke(args=["motd", command, "999"])
    assert result.exit_code == 1
    assert "No message of the day with id 999" in result.output


def test_motd_ids_must_be_numbers(runner):
    assert runner.invoke(args=["motd", "publish", "abc"]).exit_code == 2


def test_stats_counts_users_and_recent_signups(app, runner, make_user):
    from skyframe.models import Post, PostStatus

    vega = make_user("vega")
    make_user("mira", disabled=True)
    with app.app_context():
        for status, key in [(PostStatus.READY, "a" * 32), (PostStatus.PROCESSING, "b" * 32)]:
            db.session.add(
                Post(
                    owner_id=vega.id,
                    title="M31",
                    category="deep-sky",
                    observer="Vega",
                    status=status,
                    media_key=key,
                )
            )
        db.session.commit()
        from skyframe.models import Comment, PostLike

        ready = db.session.query(Post).filter_by(status=PostStatus.READY).one()
        db.session.add(PostLike(user_id=vega.id, post_id=ready.id))
        db.session.add_all(
            Comment(post_id=ready.id, author_id=vega.id, body=body) for body in ("Nice", "Wow")
        )
        db.session.commit()
    output = runner.invoke(args=["stats"]).output
    lines = dict(line.split() for line in output.strip().splitlines())
    assert lines == {
        "users": "2",
        "active_users": "1",
        "signups_last_7_days": "2",
        "posts": "1",
        "likes": "1",
        "comments": "2",
        "posts_last_7_days": "1",
    }


def test_admin_script_runs_from_the_repo_root_without_pythonpath(database_url, app):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(
        SKYFRAME_CONFIG="testing",
        DATABASE_URL=database_url,
        SKYFRAME_NEW_USER_PASSWORD=STRONG_PASSWORD,
    )

    def admin(*args, cwd=ROOT):
        script = ROOT / "scripts" / "skyframe_admin.py"
        return subprocess.run(
            [sys.executable, str(script), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    created = admin("users", "create", "--email", "s@example.org", "--handle", "scripted")
    assert created.returncode == 0, created.stderr
    assert "scripted" in admin("users", "list", cwd="/").stdout
    missing = admin("users", "disable", "ghost")
    assert missing.returncode == 1
    assert "No user 'ghost'" in missing.stderr
