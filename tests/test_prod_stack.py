"""`make prod`'s pieces as scripts/prod.py starts them, and the nginx
configurations in deploy/: live streams get a pool of their own (gthread
workers, more threads than streams allowed), nginx routes only the events
route there, unbuffered, and `make prod-stop` stops it with the rest."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from config import load_config
from skyframe.paths import PROJECT_ROOT
from tests.scripts import load_script

pytestmark = pytest.mark.one_database

EXAMPLE = PROJECT_ROOT / "deploy" / "nginx.conf.example"


@pytest.fixture
def prod(tmp_path, monkeypatch):
    """scripts/prod.py with its folder under tmp_path."""
    script = load_script("prod")
    monkeypatch.setattr(script, "PROD_DIR", tmp_path)
    monkeypatch.setattr(script, "LOGS", tmp_path / "logs")
    monkeypatch.setattr(script, "PIDS", tmp_path / "run" / "pids.json")
    monkeypatch.setattr(script, "ENV_FILE", tmp_path / "prod.env")
    return script


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def locations(conf: str) -> dict[str, str]:
    """Each `location` block's pattern → its body."""
    return dict(re.findall(r"location\s+(?:~\s+|=\s+)?(\S+)\s*\{(.*?)\n\s*\}", conf, re.S))


def events_location(conf: str) -> tuple[str, str]:
    (found,) = [(pattern, body) for pattern, body in locations(conf).items() if "events" in pattern]
    return found


def test_the_events_pool_is_gthread_with_threads_to_spare(prod):
    command = prod.events_command()
    assert command[-1] == "wsgi:app"
    assert option(command, "--worker-class") == "gthread"
    assert int(option(command, "--threads")) > prod.EVENTS_STREAMS
    assert int(option(command, "--worker-connections")) >= int(option(command, "--threads"))
    assert option(command, "--bind") == f"127.0.0.1:{prod.PROD_PORT + 6}"
    taken = {*prod.APP_PORTS, prod.POSTGRES_PORT, prod.REDIS_PORT, prod.S3_PORT, prod.PROD_PORT}
    assert prod.EVENTS_PORT not in taken


def test_the_events_pool_caps_its_streams_below_its_threads(prod, monkeypatch):
    started = {}
    monkeypatch.setattr(prod, "spawn", lambda name, command, env: started.update({name: env}))
    prod.start_events_pool()
    prod.start_app_server(1)
    assert int(started["events"]["LIVE_STREAMS_PER_PROCESS"]) == prod.EVENTS_STREAMS
    # The app servers keep their threads for everything else.
    assert int(started["app1"]["LIVE_STREAMS_PER_PROCESS"]) < 4
    streams = started["events"]["LIVE_STREAMS_PER_PROCESS"]
    settings = load_config("testing", environ={"LIVE_STREAMS_PER_PROCESS": streams})
    assert settings["LIVE_STREAMS_PER_PROCESS"] == prod.EVENTS_STREAMS


def test_every_process_of_the_stack_publishes_through_its_redis(prod):
    prod.write_env_file()
    settings = dict(line.split("=", 1) for line in prod.ENV_FILE.read_text().splitlines())
    assert settings["PUBLISH_URL"] == settings["RQ_REDIS_URL"] == prod.redis_url()


def test_prod_stop_stops_the_events_pool_too(prod, monkeypatch):
    stopped = []
    monkeypatch.setattr(prod, "stop", stopped.append)
    monkeypatch.setattr(prod, "stop_postgres", lambda: None)
    prod.down()
    assert "events" in stopped
    assert {"app1", "app2", "worker", "redis"} <= set(stopped)


def test_prod_nginx_sends_only_the_events_route_to_the_pool_unbuffered(prod):
    conf = prod.write_nginx_conf().read_text()
    assert re.search(
        rf"upstream skyframe_events \{{\s*server 127\.0\.0\.1:{prod.EVENTS_PORT}\b", conf
    )
    pattern, body = events_location(conf)
    route = re.compile(pattern)
    assert route.search("/api/v1/live/42/events")
    for other in ("/api/v1/live/42", "/api/v1/live/x/events", "/api/v1/live/42/events/x"):
        assert not route.search(other)
    assert "proxy_pass http://skyframe_events;" in body
    assert "proxy_buffering off;" in body
    read_timeout = re.search(r"proxy_read_timeout (\d+)s;", body)
    assert int(read_timeout.group(1)) > 15  # above the heartbeat
    assert "proxy_http_version 1.1;" in conf
    assert 'proxy_set_header Connection "";' in conf
    assert not re.search(r'proxy_set_header\s+Connection\s+"?close', conf, re.I)


def test_prod_nginx_takes_live_frames_as_large_as_posts(prod):
    conf = prod.write_nginx_conf().read_text()
    (uploads,) = [p for p, body in locations(conf).items() if "client_max_body_size" in body]
    route = re.compile(uploads)
    assert route.search("/api/v1/live/42/frames")
    assert route.search("/api/v1/posts")
    assert not route.search("/api/v1/live/42/frames/7/publish")
    directives = [line for line in conf.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in directives if "${" in line]  # every value filled in


@pytest.mark.skipif(
    not shutil.which("nginx") and not shutil.which("/usr/sbin/nginx"), reason="no nginx"
)
def test_prod_nginx_conf_is_accepted_by_nginx(prod):
    conf = prod.write_nginx_conf()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    checked = subprocess.run(
        [nginx, "-t", "-q", "-p", str(prod.PROD_DIR / "nginx"), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_example_nginx_conf_routes_events_to_their_pool():
    conf = EXAMPLE.read_text()
    assert re.search(r"upstream skyframe_events \{\s*server 127\.0\.0\.1:\d+;", conf)
    pattern, body = events_location(conf)
    assert re.compile(pattern).search("/api/v1/live/42/events")
    assert "proxy_pass http://skyframe_events;" in body
    assert "proxy_buffering off;" in body
    assert int(re.search(r"proxy_read_timeout (\d+)s;", body).group(1)) > 15
    uploads = [p for p, b in locations(conf).items() if "client_max_body_size 201m" in b]
    assert re.compile(uploads[0]).search("/api/v1/live/42/frames")
