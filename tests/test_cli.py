"""The admin CLI: `flask users|motd|stats` and scripts/skyframe_admin.py."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skyframe.extensions import db
from skyframe.models import Motd, Role, User, utcnow
from tests.conftest import REDIS_URL, STRONG_PASSWORD, login

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


def test_disable_says_the_sessions_ended(app, runner, make_user):
    make_user("vega")
    login(app.test_client(), "vega")
    login(app.test_client(), "vega")
    result = runner.invoke(args=["users", "disable", "--username", "vega"])
    assert result.exit_code == 0, result.output
    assert "can no longer log in" in result.output
    assert "2 login session(s) ended" in result.output
    again = runner.invoke(args=["users", "disable", "vega"])
    assert "no login sessions to end" in again.output


def test_username_names_the_account_of_every_account_command(app, runner, make_user):
    user = make_user("vega")
    assert runner.invoke(args=["users", "disable", "--username", "vega"]).exit_code == 0
    assert runner.invoke(args=["users", "enable", "--username", "VEGA"]).exit_code == 0
    result = runner.invoke(args=["users", "set-role", "--username", "vega", "moderator"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert (stored.disabled, stored.role) == (False, "moderator")


@pytest.mark.parametrize(
    "args",
    [
        ["users", "disable"],
        ["users", "disable", "vega", "--username", "vega"],
        ["users", "enable"],
        ["users", "set-role", "manager"],
        ["users", "set-role", "--username", "vega", "vega", "manager"],
        ["users", "set-role", "--username", "vega", "emperor"],
        ["motd", "add", "Only a title"],
        ["motd", "add", "Title", "Body", "--title", "Twice"],
        ["motd", "publish"],
        ["motd", "publish", "1", "--id", "1"],
        ["motd", "expire", "--id", "abc"],
        ["motd", "expire", "--id", "0"],
        ["motd", "publish", "--id", "1", "--starts-at", "2025-02-30T18:00:00"],
        ["users", "list", "--state", "asleep"],
        ["users", "list", "--limit", "0"],
    ],
)
def test_usage_errors_exit_2_with_one_error_line(runner, make_user, args):
    make_user("vega")
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_users_create_takes_username_for_the_handle(app, runner):
    result = runner.invoke(
        args=[
            *("users", "create", "--email", "ada@example.org", "--username", "ada"),
            *("--password", STRONG_PASSWORD),
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.query(User).one().handle == "ada"


def test_users_list_filters_and_json(app, runner, make_user):
    make_user("ab_c", email="First@Example.org")
    make_user("abxc", email="second@example.org", disabled=True)
    make_user("Mira", email="mira@stars.example", role=Role.MODERATOR)

    def handles(*args):
        result = runner.invoke(args=["users", "list", "--json", *args])
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert document["count"] == len(document["users"])
        return [u["handle"] for u in document["users"]]

    assert handles() == ["ab_c", "abxc", "Mira"]
    assert handles("--search", "b_c") == ["ab_c"]  # _ taken literally
    assert handles("--search", "%") == []
    assert handles("--search", "FIRST@") == ["ab_c"]  # e-mail, any case
    assert handles("--search", "mIR") == ["Mira"]
    assert handles("--state", "disabled") == ["abxc"]
    assert handles("--state", "active", "--search", "example.org") == ["ab_c"]
    assert handles("--role", "moderator") == ["Mira"]
    assert handles("--limit", "2") == ["ab_c", "abxc"]
    user = json.loads(runner.invoke(args=["users", "list", "--json", "--limit", "1"]).stdout)
    assert set(user["users"][0]) == {
        "id",
        "handle",
        "email",
        "display_name",
        "role",
        "state",
        "created_at",
        "last_login",
    }
    assert user["users"][0]["state"] == "active"
    assert user["users"][0]["last_login"] is None
    table = runner.invoke(args=["users", "list", "--search", "ab"]).output
    assert "2 user(s)" in table


def test_motd_add_takes_title_and_body_options(app, runner):
    result = runner.invoke(
        args=["motd", "add", "--title", "Lunar Watch", "--body", "Peak viewing on Friday."]
    )
    assert result.exit_code == 0, result.output
    mixed = runner.invoke(args=["motd", "add", "Perseids", "--body", "After midnight."])
    assert mixed.exit_code == 0, mixed.output
    with app.app_context():
        assert [(m.title, m.body) for m in db.session.query(Motd).order_by(Motd.id)] == [
            ("Lunar Watch", "Peak viewing on Friday."),
            ("Perseids", "After midnight."),
        ]


def test_motd_publish_sets_the_window(app, runner):
    runner.invoke(args=["motd", "add", "Eclipse", "Stream."])
    with app.app_context():
        motd_id = db.session.query(Motd).one().id
    result = runner.invoke(
        args=[
            *("motd", "publish", "--id", str(motd_id)),
            *("--starts-at", "2099-08-12T17:00:00+02:00", "--ends-at", "2099-08-12T20:00:00"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "scheduled" in result.output
    assert "starts 2099-08-12T15:00:00Z, ends 2099-08-12T20:00:00Z" in result.output
    refused = runner.invoke(
        args=["motd", "publish", str(motd_id), "--starts-at", "2099-08-12T21:00:00Z"]
    )
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: The end must come after the start: "
        "2099-08-12T20:00:00Z is not after 2099-08-12T21:00:00Z.\n"
    )
    with app.app_context():
        motd = db.session.get(Motd, motd_id)
        assert motd.starts_at == datetime(2099, 8, 12, 15, tzinfo=UTC)
        assert motd.ends_at == datetime(2099, 8, 12, 20, tzinfo=UTC)


def test_motd_list_json(app, runner):
    runner.invoke(args=["motd", "add", "Draft", "Not yet."])
    runner.invoke(args=["motd", "add", "Live", "Now.", "--publish"])
    result = runner.invoke(args=["motd", "list", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["count"] == 2
    draft, live = document["messages"]
    assert set(draft) == {
        "id",
        "title",
        "body",
        "state",
        "published_at",
        "starts_at",
        "ends_at",
        "created_at",
    }
    assert (draft["title"], draft["state"], draft["published_at"]) == ("Draft", "draft", None)
    assert (live["state"], live["body"]) == ("live", "Now.")
    assert live["published_at"].endswith("Z")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "disable", "--username", "ghost"], "Error: No user 'ghost'."),
        (["users", "set-role", "--username", "ghost", "manager"], "Error: No user 'ghost'."),
        (["motd", "expire", "--id", "999"], "Error: No message of the day with id 999."),
        (
            ["motd", "add", "T", "B", "--starts-at", "2099-01-02", "--ends-at", "2099-01-01"],
            "Error: The message is not valid. ends_at: The end must come after the start: "
            "2099-01-01T00:00:00Z is not after 2099-01-02T00:00:00Z.",
        ),
        (
            ["users", "create", "--email", "VEGA@example.org", "--handle", "other"],
            "Error: These details cannot be used for a new account. email: This e-mail address "
            "cannot be used for a new account. If it is yours, log in instead.",
        ),
    ],
)
def test_refused_operations_exit_1_with_one_line_on_stderr(runner, make_user, args, message):
    make_user("vega")
    result = runner.invoke(args=args, input=f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n")
    assert result.exit_code == 1
    assert result.stderr == message + "\n"


def test_stats_counts_what_an_operator_looks_at(app, runner, make_user, make_post):
    from skyframe.models import Comment, PostLike, PostMedia, PostStatus

    vega = make_user("vega")
    make_user("mira", disabled=True)
    old = make_user("old")
    ready = make_post(vega)
    make_post(vega, status=PostStatus.PROCESSING)
    make_post(vega, status=PostStatus.FAILED)
    make_post(old, age=timedelta(days=8))
    with app.app_context():
        db.session.get(User, old.id).created_at = utcnow() - timedelta(days=30)
        db.session.add(PostLike(user_id=vega.id, post_id=ready))
        db.session.add_all(
            Comment(post_id=ready, author_id=vega.id, body=body) for body in ("Nice", "Wow")
        )
        for kind, backend, size in [
            ("original", "local", 3_000_000),
            ("display", "local", 200_000),
            ("thumb", "s3", 12_345),
        ]:
            db.session.add(
                PostMedia(
                    post_id=ready,
                    kind=kind,
                    backend=backend,
                    key=f"{kind}-{uuid.uuid4().hex}",
                    content_type="image/jpeg",
                    width=10,
                    height=10,
                    bytes=size,
                    sha256="0" * 64,
                )
            )
        db.session.commit()
    result = runner.invoke(args=["stats", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document.pop("generated_at").endswith("Z")
    assert document == {
        "users": {"total": 3, "active": 2, "disabled": 1, "signups_last_7_days": 2},
        "posts": {
            "total": 4,
            "ready": 2,
            "processing": 1,
            "failed": 1,
            "uploads_last_7_days": 3,
        },
        "likes": 1,
        "comments": 2,
        "storage": {
            "local": {"files": 2, "bytes": 3_200_000},
            "s3": {"files": 1, "bytes": 12_345},
        },
        "jobs": {"backend": "inline", "queue": None, "queued": 0, "failed": 0, "error": None},
    }
    text = runner.invoke(args=["stats"]).output
    assert "3 (2 active, 1 disabled)" in text
    assert "4 (2 ready, 1 processing, 1 failed)" in text
    assert "storage (local)         3.2 MB in 2 file(s)" in text
    assert "jobs (inline)           0 queued, 0 failed" in text


def test_stats_says_when_redis_cannot_be_reached(app_factory):
    app = app_factory(JOBS_BACKEND="rq", RQ_REDIS_URL="redis://127.0.0.1:1/0")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "--json"])
    assert result.exit_code == 0, result.output
    jobs = json.loads(result.stdout)["jobs"]
    assert (jobs["backend"], jobs["queued"], jobs["failed"]) == ("rq", None, None)
    assert jobs["error"].startswith("Redis unreachable")
    text = runner.invoke(args=["stats"]).output
    assert "jobs (rq)               unknown: Redis unreachable" in text


@pytest.mark.skipif(not REDIS_URL, reason="needs SKYFRAME_TEST_REDIS_URL (CI sets it)")
def test_stats_reads_the_rq_queue_and_its_failed_registry(app_factory):
    from redis import Redis
    from rq import Queue

    name = f"skyframe-test-{uuid.uuid4().hex[:8]}"
    app = app_factory(JOBS_BACKEND="rq", RQ_REDIS_URL=REDIS_URL, RQ_QUEUE=name)
    connection = Redis.from_url(REDIS_URL)
    queue = Queue(name, connection=connection)
    waiting = [queue.enqueue("os.getcwd") for _ in range(2)]
    failed = queue.enqueue("os.getcwd")
    queue.remove(failed)
    queue.failed_job_registry.add(failed, ttl=60)
    try:
        result = app.test_cli_runner().invoke(args=["stats", "--json"])
        assert json.loads(result.stdout)["jobs"] == {
            "backend": "rq",
            "queue": name,
            "queued": 2,
            "failed": 1,
            "error": None,
        }
    finally:
        for job in [*waiting, failed]:
            job.delete()
        queue.delete(delete_jobs=True)
        connection.close()


# The admin CLI lines of the seed (001_*, "Use the admin CLI from the repo
# root"), verbatim; its placeholder password stands for one the policy takes.
SEED_LINES = [
    "python scripts/skyframe_admin.py users list",
    "python scripts/skyframe_admin.py users create --email user@example.com --username user "
    "--password 'secret'",
    "python scripts/skyframe_admin.py users disable --username user",
    'python scripts/skyframe_admin.py motd add --title "Lunar Watch" '
    '--body "Peak viewing on Friday." --publish',
    "python scripts/skyframe_admin.py motd publish --id 1 --starts-at 2025-01-12T18:00:00",
    "python scripts/skyframe_admin.py motd expire --id 1",
    "python scripts/skyframe_admin.py stats",
]


@pytest.fixture
def admin_script(app, database_url):
    """Run a command line from the repository root as a new process, with only
    the settings given here (testing config: never the developer's instance/.env)."""
    base_env = {
        "PATH": os.environ.get("PATH", ""),
        "SKYFRAME_CONFIG": "testing",
        "DATABASE_URL": database_url,
    }

    def run(line: str, pythonpath: bool = False) -> subprocess.CompletedProcess:
        argv = shlex.split(line)
        assert argv[0] == "python"
        argv = [sys.executable, *["Orion-Nebula-42" if a == "secret" else a for a in argv[1:]]]
        env = {**base_env, **({"PYTHONPATH": "."} if pythonpath else {})}
        return subprocess.run(
            argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    return run


def test_the_seed_command_lines_run_as_written(app, admin_script):
    from skyframe.accounts.users import user_by_handle

    outputs = []
    for line in SEED_LINES:
        result = admin_script(line)
        assert result.returncode == 0, (line, result.stderr)
        assert "Traceback" not in result.stderr
        outputs.append(result.stdout)
    listed, created, disabled, added, published, expired, stats = outputs
    assert "0 user(s)" in listed
    assert created.startswith("Created @user (id ")
    assert "@user is now disabled" in disabled
    assert added == "Message 1 added (live).\n"
    assert published == "Message 1 is live (starts 2025-01-12T18:00:00Z, no end).\n"
    assert expired.startswith("Message 1 is expired")
    assert "1 (0 active, 1 disabled)" in stats
    with app.app_context():
        user = user_by_handle(db.session, "user")
        assert (user.email, user.disabled) == ("user@example.com", True)
        motd = db.session.get(Motd, 1)
        assert motd.title == "Lunar Watch"
        assert motd.starts_at == datetime(2025, 1, 12, 18, tzinfo=UTC)
        assert motd.published_at is not None
        assert motd.starts_at < motd.ends_at <= utcnow()
        assert motd.state(utcnow()) == "expired"
    assert login(app.test_client(), "user").status_code == 401  # disabled

    # The same script with PYTHONPATH=., and --json for scripts: stdout is one
    # JSON document and nothing else.
    for line in [
        "python scripts/skyframe_admin.py users list --json",
        "python scripts/skyframe_admin.py stats --json",
    ]:
        result = admin_script(line, pythonpath=True)
        assert result.returncode == 0, (line, result.stderr)
        assert result.stderr == ""
        document = json.loads(result.stdout)
        if "users" in document and "count" in document:
            assert [(u["handle"], u["state"]) for u in document["users"]] == [("user", "disabled")]
        else:
            assert document["users"]["disabled"] == 1
            assert document["jobs"]["backend"] == "inline"


def test_the_script_reports_bad_input_in_one_line(app, admin_script):
    refused = admin_script("python scripts/skyframe_admin.py users disable --username ghost")
    assert (refused.returncode, refused.stderr) == (1, "Error: No user 'ghost'.\n")
    bad_date = admin_script(
        "python scripts/skyframe_admin.py motd publish --id 1 --starts-at 2025-13-12T18:00:00",
        pythonpath=True,
    )
    assert bad_date.returncode == 2
    assert bad_date.stderr.splitlines() == [
        "Error: Invalid value for '--starts-at': starts_at: '2025-13-12T18:00:00' is not an "
        "ISO 8601 date-time (e.g. 2026-12-01T18:00:00Z)."
    ]
