"""What an operator sees of a running site: request ids in responses and
logs, one JSON line per request, /metrics for Prometheus (off by default,
loopback only) and /readyz's account of each part."""

from __future__ import annotations

import json
import re

import pytest

from config import ConfigError
from skyframe import create_app
from skyframe.storage import StorageError
from skyframe.web.networks import address_allowed, parse_networks
from tests.conftest import STRONG_PASSWORD, login

pytestmark = pytest.mark.one_database

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


# Request ids


def test_a_response_carries_a_fresh_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_callers_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "nginx-5f2a.9:1"})
    assert response.headers["X-Request-ID"] == "nginx-5f2a.9:1"


@pytest.mark.parametrize("sent", ["", "a b", "x" * 129, "line\u2028break", "<script>"])
def test_a_request_id_that_is_not_a_plain_token_is_replaced(client, sent):
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


# Structured logs


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_json_logs_give_one_line_per_request_with_its_id_user_and_time(
    app_factory, make_user, capsys
):
    app = app_factory(LOG_FORMAT="json", LOG_REQUESTS=True)
    with app.app_context():
        make_user("vega")
    client = app.test_client()
    login(client, "vega", STRONG_PASSWORD)
    capsys.readouterr()
    response = client.get("/api/v1/me", headers={"X-Request-ID": "trace-42"})
    logged = _json_lines(capsys.readouterr().err)
    lines = [line for line in logged if line["logger"] == "skyframe.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "trace-42"
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/me"
    assert line["status"] == response.status_code == 200
    assert line["endpoint"] == "api.me"
    assert isinstance(line["duration_ms"], float)
    assert line["user_id"] == response.get_json()["id"]
    assert line["level"] == "INFO"
    assert "time" in line


def test_any_log_line_within_a_request_names_the_request(app_factory, capsys):
    app = app_factory(LOG_FORMAT="json")
    with app.test_request_context("/", headers={"X-Request-ID": "abc"}):
        app.preprocess_request()
        app.logger.warning("something odd")
    (line,) = _json_lines(capsys.readouterr().err)
    assert line["message"] == "something odd"
    assert line["request_id"] == "abc"
    assert line["user_id"] is None


def test_requests_are_not_logged_unless_asked(app_factory, capsys):
    app = app_factory(LOG_FORMAT="json")
    app.test_client().get("/healthz")
    assert not _json_lines(capsys.readouterr().err)


def test_configuring_again_does_not_double_the_lines(app_factory, capsys):
    app_factory(LOG_FORMAT="json")
    app = app_factory(LOG_FORMAT="json")
    with app.app_context():
        app.logger.warning("once")
    assert len(_json_lines(capsys.readouterr().err)) == 1


@pytest.mark.parametrize(
    ("name", "value"), [("LOG_FORMAT", "xml"), ("METRICS_ALLOWED_NETWORKS", "10.0.0.0/33")]
)
def test_unworkable_settings_are_refused_at_start_up(name, value):
    with pytest.raises(ConfigError, match=name):
        create_app("testing", **{name: value})


# /metrics


def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404


@pytest.fixture
def metrics_client(app_factory):
    return app_factory(METRICS_ENABLED=True).test_client()


def test_metrics_give_latency_per_endpoint_and_the_job_queue(metrics_client):
    metrics_client.get("/api/v1/feed")
    response = metrics_client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    series = 'skyframe_request_duration_seconds_count{endpoint="api.feed_page",method="GET"'
    assert f'{series},status="200"}} ' in body  # a process-wide count: tests add up
    assert 'skyframe_jobs_queue_up{queue="inline"} 1.0' in body
    assert 'skyframe_jobs_queued{queue="inline"} 0.0' in body
    assert "/api/v1/feed" not in body  # endpoints, never paths (one series per post otherwise)


def test_metrics_count_the_feed_cache(metrics_client, make_post, make_user):
    with metrics_client.application.app_context():
        owner = make_user("lyra")
        make_user("vega")
        for _ in range(30):
            make_post(owner)
    login(metrics_client, "vega", STRONG_PASSWORD)  # visitors' pages skip the cache

    def lookups() -> float:
        body = metrics_client.get("/metrics").get_data(as_text=True)
        counter = r"skyframe_feed_cache_lookups_total"
        found = re.findall(counter + r'\{result="(?:hit|miss)"\} (\S+)', body)
        return sum(float(value) for value in found)

    before = lookups()
    page = metrics_client.get("/api/v1/feed?limit=5").get_json()
    metrics_client.get(f"/api/v1/feed?limit=5&cursor={page['next_cursor']}")
    assert lookups() > before


@pytest.mark.parametrize(
    "environ",
    [OUTSIDE, {"REMOTE_ADDR": "2001:db8::1"}, {"REMOTE_ADDR": "10.1.2.3"}],
)
def test_metrics_answer_404_outside_their_networks(metrics_client, environ):
    assert metrics_client.get("/metrics", environ_base=environ).status_code == 404


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_metrics_answer_loopback_v4_and_v6(metrics_client, address):
    response = metrics_client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200


def test_metrics_judge_the_client_behind_the_proxy(app_factory):
    client = app_factory(METRICS_ENABLED=True, PROXY_FIX_X_FOR=1).test_client()
    through_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    outside = client.get(
        "/metrics", environ_base=through_proxy, headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert outside.status_code == 404
    inside = client.get(
        "/metrics", environ_base=through_proxy, headers={"X-Forwarded-For": "127.0.0.1"}
    )
    assert inside.status_code == 200


def test_a_forged_forwarded_header_does_not_open_metrics_without_a_proxy(metrics_client):
    response = metrics_client.get(
        "/metrics", environ_base=OUTSIDE, headers={"X-Forwarded-For": "127.0.0.1"}
    )
    assert response.status_code == 404


# Networks (the rules themselves: tests/test_admin_networks.py)


def test_metrics_networks_are_the_staff_areas_rules():
    networks = parse_networks(" 10.0.0.0/8, ,2001:db8::/32 ")
    assert address_allowed("10.200.0.1", networks)
    assert address_allowed("2001:db8:1::5", networks)
    assert address_allowed("::ffff:10.0.0.7", networks)
    assert not address_allowed("192.0.2.1", networks)
    assert not address_allowed("not an address", networks)


# /readyz


def test_readyz_reports_storage_and_the_job_queue(client):
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready"
    assert body["storage"] == "ok"
    assert body["jobs"] == {"state": "ok", "backend": "inline", "queued": 0}


def test_readyz_is_degraded_when_the_storage_fails(app, monkeypatch):
    storage = app.extensions["skyframe.storage"]

    def unreachable(key):
        raise StorageError("bucket gone")

    monkeypatch.setattr(storage, "exists", unreachable)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["storage"] == "unreachable"


def test_readyz_is_degraded_when_the_job_queue_is_unreachable(app_factory):
    app = app_factory(JOBS_BACKEND="rq", RQ_REDIS_URL="redis://127.0.0.1:1/0")
    body = app.test_client().get("/readyz").get_json()
    assert body["status"] == "degraded"
    assert body["jobs"]["state"] == "unreachable"
