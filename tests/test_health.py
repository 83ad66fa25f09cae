"""Liveness and readiness probes."""

from __future__ import annotations

from skyframe import create_app


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database_and_limit_store(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert (body["database"], body["rate_limits"]) == ("ok", "ok")


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    missing = tmp_path / "no-such-dir" / "db.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_an_unreachable_database_is_a_quick_503_not_a_500(tmp_path, caplog):
    missing = tmp_path / "no-such-dir" / "db.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}")
    client = app.test_client()
    response = client.get("/api/v1/feed")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "unavailable"
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert "try again in a moment" in page.get_data(as_text=True)
    assert not [record for record in caplog.records if record.exc_info]
