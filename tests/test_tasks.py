"""The task registry (skyframe/tasks.py), its schedulers and `flask tasks`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from skyframe import jobs
from skyframe.extensions import db
from skyframe.models import FeedSeen, Post, PostStatus, utcnow
from skyframe.models.live import LiveSession
from skyframe.schedules import PERIODIC, InProcessScheduler, cron_job_name
from tests.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parent.parent
PERIODIC_TASKS = ["purge-seen", "sweep-uploads", "flush-views", "end-idle-live"]
QUEUED_JOBS = ["process_clip", "process_post", "purge-account-files", "send-mail"]
AT_START_TASKS = ["resume-clips"]


def test_the_registry_alone_declares_every_job_and_schedule():
    # What a worker imports, in a fresh process: no route module loaded.
    code = (
        "import sys, skyframe.tasks\n"
        "from skyframe.jobs import JOBS, KILLED\n"
        "from skyframe.schedules import PERIODIC\n"
        "print([sorted(JOBS), sorted(KILLED), sorted(PERIODIC)])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('skyframe.api', 'skyframe.main',"
        " 'skyframe.auth'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "SKYFRAME_ENV_FILE": os.devnull},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    registered, doors = result.stdout.splitlines()
    assert registered == str(
        [
            sorted([*PERIODIC_TASKS, *QUEUED_JOBS, *AT_START_TASKS]),
            ["process_clip", "process_post"],
            sorted(PERIODIC_TASKS),
        ]
    )
    assert "skyframe.api.posts" not in doors  # no upload route needed for its job


def test_every_periodic_task_has_a_documented_interval_setting(app):
    readme = (ROOT / "README.md").read_text()
    assert list(PERIODIC) == PERIODIC_TASKS
    for task in PERIODIC.values():
        assert isinstance(app.config[task.setting], int)
        assert f"`{task.setting}`" in readme
        assert task.description
    assert "`TASKS_SCHEDULER`" in readme
    assert "`STALE_UPLOAD_MINUTES`" in readme


def test_tasks_list(runner):
    result = runner.invoke(args=["tasks", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "schedule", "last", "run", "description"]
    listed = len(PERIODIC_TASKS) + len(QUEUED_JOBS) + len(AT_START_TASKS)
    names = [line.split()[0] for line in lines[1 : 1 + listed]]
    assert names == [*PERIODIC_TASKS, *sorted([*QUEUED_JOBS, *AT_START_TASKS])]
    assert "every 1 d" in lines[1]
    assert "every 10 min" in lines[2]
    assert "every 1 min" in lines[3]
    assert "every 1 min" in lines[4]
    assert "when queued" in lines[1 + len(PERIODIC_TASKS)]
    assert "at start (inline)" in next(line for line in lines if line.startswith("resume-clips"))
    assert lines[-1].startswith("Periodic tasks run from: off (TASKS_SCHEDULER=0")

    document = json.loads(runner.invoke(args=["tasks", "list", "--json"]).stdout)
    assert document["backend"] == "inline"
    assert document["count"] == len(PERIODIC_TASKS) + len(QUEUED_JOBS) + len(AT_START_TASKS)
    assert document["tasks"][0] == {
        "name": "purge-seen",
        "periodic": True,
        "at_start": False,
        "every_seconds": 86400,
        "setting": "TASK_PURGE_SEEN_SECONDS",
        "description": "Delete seen-history rows older than FEED_SEEN_RETENTION_DAYS.",
        "last_run": None,
    }
    assert document["tasks"][len(PERIODIC_TASKS)]["periodic"] is False


def test_an_interval_of_zero_turns_a_schedule_off(app_factory):
    app = app_factory(TASK_SWEEP_UPLOADS_SECONDS=0)
    result = app.test_cli_runner().invoke(args=["tasks", "list"])
    assert "off (TASK_SWEEP_UPLOADS_SECONDS=0)" in result.output
    assert list(InProcessScheduler(app).intervals) == ["purge-seen", "flush-views", "end-idle-live"]


def _old_impression(app, make_user, make_post) -> None:
    reader = make_user("reader")
    post = make_post(make_user("author"))
    with app.app_context():
        db.session.add(
            FeedSeen(user_id=reader.id, post_id=post, seen_at=utcnow() - timedelta(days=90))
        )
        db.session.commit()


def _stuck_upload(app, make_user, make_post) -> int:
    return make_post(make_user("uploader"), status=PostStatus.PROCESSING, age=timedelta(hours=2))


def test_tasks_run_runs_a_task_now(app, runner, make_user, make_post):
    _old_impression(app, make_user, make_post)
    stuck = _stuck_upload(app, make_user, make_post)
    result = runner.invoke(args=["tasks", "run", "purge-seen"])
    assert (result.exit_code, result.output) == (0, "purge-seen: 1 expired seen row(s) deleted.\n")
    result = runner.invoke(args=["tasks", "run", "sweep-uploads", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["task"], document["ok"]) == ("sweep-uploads", True)
    assert document["result"] == "1 stale upload(s) marked failed."
    with app.app_context():
        assert db.session.query(FeedSeen).count() == 0
        assert db.session.get(Post, stuck).status == PostStatus.FAILED


def test_end_idle_live_ends_sessions_without_a_frame_for_live_idle_minutes(app, runner, make_user):
    owner = make_user("idle")
    with app.app_context():
        quiet = utcnow() - timedelta(minutes=app.config["LIVE_IDLE_MINUTES"] + 1)
        db.session.add(
            LiveSession(owner_id=owner.id, title="Asleep", started_at=quiet, last_frame_at=quiet)
        )
        db.session.commit()
    result = runner.invoke(args=["tasks", "run", "end-idle-live"])
    assert (result.exit_code, result.output) == (
        0,
        "end-idle-live: 1 idle live session(s) ended.\n",
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "nope",
            "Error: No task 'nope'; periodic tasks: purge-seen, sweep-uploads, flush-views, "
            "end-idle-live.\n",
        ),
        (
            "process_post",
            "Error: process_post runs when a request queues it, not by name; "
            "periodic tasks: purge-seen, sweep-uploads, flush-views, "
            "end-idle-live.\n",
        ),
    ],
    ids=["unknown", "queued-job"],
)
def test_tasks_run_refuses_what_is_not_a_task(runner, name, message):
    result = runner.invoke(args=["tasks", "run", name])
    assert (result.exit_code, result.stderr) == (1, message)


def test_a_failing_task_exits_1_with_its_reason(runner, monkeypatch):
    def broken() -> str:
        raise RuntimeError("the disk is\nfull")

    monkeypatch.setitem(jobs.JOBS, "purge-seen", broken)
    result = runner.invoke(args=["tasks", "run", "purge-seen"])
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: purge-seen failed: RuntimeError: the disk is full\n",
    )
    result = runner.invoke(args=["tasks", "run", "purge-seen", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["ok"] is False


def test_the_in_process_scheduler_runs_what_is_due(app_factory, make_user, make_post):
    # Their minutes would be due in between.
    app = app_factory(VIEW_FLUSH_SECONDS=0, TASK_END_IDLE_LIVE_SECONDS=0)
    _old_impression(app, make_user, make_post)
    stuck = _stuck_upload(app, make_user, make_post)
    start = utcnow()
    scheduler = InProcessScheduler(app, clock=lambda: start)
    assert scheduler.run_due() == 60  # both ran; the next look within a minute
    assert {name: run.outcome for name, run in scheduler.last_runs.items()} == {
        "purge-seen": "ok: 1 expired seen row(s) deleted.",
        "sweep-uploads": "ok: 1 stale upload(s) marked failed.",
    }
    with app.app_context():
        assert db.session.get(Post, stuck).status == PostStatus.FAILED

    assert scheduler.run_due(start + timedelta(seconds=599)) == 1
    assert {run.at for run in scheduler.last_runs.values()} == {start}  # nothing was due
    scheduler.run_due(start + timedelta(seconds=600))
    assert scheduler.last_runs["sweep-uploads"].at == start + timedelta(seconds=600)
    assert scheduler.last_runs["purge-seen"].at == start


def test_a_failing_task_does_not_stop_the_others(app, monkeypatch):
    def broken() -> str:
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs.JOBS, "purge-seen", broken)
    scheduler = InProcessScheduler(app)
    scheduler.run_due()
    assert scheduler.last_runs["purge-seen"].outcome == "failed: RuntimeError: boom"
    assert scheduler.last_runs["sweep-uploads"].outcome.startswith("ok: ")


def test_the_embedded_default_starts_its_scheduler_with_the_first_request(app_factory, monkeypatch):
    ran = threading.Event()
    seen_threads = []

    def sweep() -> str:
        seen_threads.append(threading.current_thread().name)
        ran.set()
        return "swept"

    monkeypatch.setitem(jobs.JOBS, "sweep-uploads", sweep)
    monkeypatch.setitem(jobs.JOBS, "purge-seen", lambda: "purged")
    app = app_factory(TASKS_SCHEDULER=True)
    scheduler = app.extensions["skyframe.scheduler"]
    assert not ran.is_set()  # building the app (or running a command) starts nothing
    try:
        app.test_client().get("/healthz")
        assert ran.wait(timeout=30)
    finally:
        scheduler.stop()
    assert seen_threads == ["skyframe-tasks"]
    assert scheduler.last_runs["sweep-uploads"].outcome == "ok: swept"


def test_no_scheduler_thread_in_tests_or_with_rq(app, app_factory):
    assert "skyframe.scheduler" not in app.extensions  # TestingConfig: TASKS_SCHEDULER off
    rq_app = app_factory(
        TASKS_SCHEDULER=True, JOBS_BACKEND="rq", RQ_REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert "skyframe.scheduler" not in rq_app.extensions  # the worker schedules


def test_tasks_list_says_when_redis_cannot_be_reached(app_factory):
    app = app_factory(JOBS_BACKEND="rq", RQ_REDIS_URL="redis://127.0.0.1:1/0")
    result = app.test_cli_runner().invoke(args=["tasks", "list", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["error"].startswith("Redis unreachable")
    assert [t["last_run"] for t in document["tasks"]] == [None] * len(document["tasks"])


@pytest.fixture
def rq_app(app_factory):
    """An app on a throwaway RQ queue; its keys are removed afterwards."""
    from redis import Redis

    queue = f"skyframe-test-{uuid.uuid4().hex[:8]}"
    app = app_factory(JOBS_BACKEND="rq", RQ_REDIS_URL=REDIS_URL, RQ_QUEUE=queue)
    yield app
    connection = Redis.from_url(REDIS_URL)
    leftover = [*connection.scan_iter(f"rq:*{queue}*"), *connection.scan_iter(f"*:tasks:{queue}:*")]
    if leftover:
        connection.delete(*leftover)
    connection.zrem("rq:cron_jobs", *(cron_job_name(queue, name) for name in PERIODIC))
    connection.close()


@pytest.mark.skipif(not REDIS_URL, reason="needs SKYFRAME_TEST_REDIS_URL (CI sets it)")
def test_rq_cron_queues_due_tasks_from_one_worker(rq_app):
    from rq import Queue

    from skyframe.schedules import RQCron

    first, second = RQCron(rq_app), RQCron(rq_app)
    try:
        assert first.tick() == PERIODIC_TASKS  # never ran: due at once
        assert first.tick() == []  # not due again yet
        assert second.tick() == []  # the first one holds the queue's lock
        assert (first.holding, second.holding) == (True, False)
        queue = Queue(first.queue_name, connection=first.connection)
        queued = queue.get_jobs()
        assert [(j.func_name, j.args) for j in queued] == [
            ("skyframe.jobs.run", ("purge-seen",)),
            ("skyframe.jobs.run", ("sweep-uploads",)),
            ("skyframe.jobs.run", ("flush-views",)),
            ("skyframe.jobs.run", ("end-idle-live",)),
        ]
        assert {j.timeout for j in queued} == {rq_app.config["RQ_JOB_TIMEOUT"]}

        document = json.loads(
            rq_app.test_cli_runner().invoke(args=["tasks", "list", "--json"]).stdout
        )
        assert (
            document["scheduler"] == "off (TASKS_SCHEDULER=0: run them with `flask tasks run NAME`)"
        )
        runs = {t["name"]: t["last_run"] for t in document["tasks"]}
        assert runs["purge-seen"]["outcome"] == "queued"
        assert runs["process_post"] is None

        first.stop()  # e.g. its worker was restarted: another takes over
        assert second.tick() == []  # and resumes the schedules: nothing is due
        assert second.holding
        assert queue.count == len(PERIODIC_TASKS)
    finally:
        first.stop()
        second.stop()


@pytest.mark.skipif(not REDIS_URL, reason="needs SKYFRAME_TEST_REDIS_URL (CI sets it)")
def test_the_worker_runs_rq_scheduler_for_jobs_queued_for_later(rq_app, database_url):
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(REDIS_URL)
    queue = Queue(rq_app.config["RQ_QUEUE"], connection=connection)
    later = queue.enqueue_in(timedelta(0), jobs.run, "purge-seen")
    assert later.get_status() == "scheduled"
    env = {
        **os.environ,
        "SKYFRAME_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "JOBS_BACKEND": "rq",
        "RQ_REDIS_URL": REDIS_URL,
        "RQ_QUEUE": rq_app.config["RQ_QUEUE"],
    }
    worker = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst", "--scheduler"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert later.get_status(refresh=True) == "finished"
    assert later.return_value() == "0 expired seen row(s) deleted."
    connection.close()
