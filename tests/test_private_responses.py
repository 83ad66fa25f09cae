"""What responses tell caches and visitors: signed-in answers are never
stored, probes stay quiet when limits are off, the development server names
no versions, and no test reads the developer's instance/.env."""

from __future__ import annotations

import http.client
import logging
import os
import threading

import pytest
from werkzeug.serving import make_server

from config import env_file_path, load_config
from skyframe.web.serving import QuietRequestHandler
from tests.conftest import login

pytestmark = pytest.mark.one_database


@pytest.mark.parametrize("path", ["/", "/settings", "/saved", "/api/v1/me", "/api/v1/feed"])
def test_signed_in_answers_are_private_and_never_stored(client, make_user, path):
    make_user("vega")
    login(client, "vega")
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_login_answer_is_not_stored_either(client, make_user):
    make_user("vega")
    assert login(client, "vega").headers["Cache-Control"] == "private, no-store"


def test_visitors_pages_and_files_keep_their_own_policy(client, make_user):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    make_user("vega")
    login(client, "vega")
    avatar = client.get("/u/vega/avatar")
    assert "immutable" in avatar.headers["Cache-Control"]  # chosen by the view


def test_readyz_says_limits_are_off_without_logging_a_traceback(app_factory, caplog):
    app = app_factory(RATELIMIT_ENABLED=False)
    with caplog.at_level(logging.DEBUG):
        response = app.test_client().get("/readyz")
    body = response.get_json()
    assert (body["status"], body["database"], body["rate_limits"]) == ("ready", "ok", "off")
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING] == []


def test_the_development_server_sends_no_server_header(app):
    server = make_server("127.0.0.1", 0, app, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert response.status == 200
    assert response.getheader("Server") is None
    assert response.getheader("Date")


def test_no_test_reads_the_developers_instance_env(monkeypatch):
    # The suite points SKYFRAME_ENV_FILE at nothing (tests/conftest.py), so a
    # `make run` checkout's instance/.env (SECRET_KEY, SKYFRAME_CONFIG, …)
    # reaches no app a test builds.
    assert env_file_path() == type(env_file_path())(os.devnull)
    assert load_config(environ={})["ENV_NAME"] == "development"


def test_an_env_file_can_be_named(tmp_path, monkeypatch):
    env_file = tmp_path / "skyframe.env"
    env_file.write_text("MOTD_ENABLED=false\n")
    monkeypatch.setenv("SKYFRAME_ENV_FILE", str(env_file))
    assert load_config("development", environ={})["MOTD_ENABLED"] is False
