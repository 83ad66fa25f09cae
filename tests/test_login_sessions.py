"""The owner's control of their login sessions: the list (devices), revoking
one or all others, a new login in a browser ending its previous session, and
a password change ending every other session while renewing this one."""

from __future__ import annotations

from datetime import timedelta

from skyframe.accounts import login_sessions
from skyframe.extensions import db
from skyframe.models import LoginSession, utcnow
from tests.conftest import STRONG_PASSWORD, login

NEW_PASSWORD = "Crab-Pulsar-1054"
SESSION_COOKIE = "skyframe_session"


def signed_in(app, handle="vega", ip="203.0.113.5", agent="TestBrowser/1.0"):
    client = app.test_client()
    response = client.post(
        "/api/v1/auth/login",
        json={"login": handle, "password": STRONG_PASSWORD},
        environ_base={"REMOTE_ADDR": ip},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return client


def cookie(client) -> str:
    return client.get_cookie(SESSION_COOKIE).value


def replayed(app, value):
    """A new client presenting an old session cookie."""
    client = app.test_client()
    client.set_cookie(SESSION_COOKIE, value)
    return client


def sessions(client):
    response = client.get("/api/v1/me/sessions")
    assert response.status_code == 200
    return response.get_json()["items"]


def test_the_list_shows_each_device_and_which_is_this_one(app, make_user):
    make_user("vega")
    phone = signed_in(app, ip="2001:db8:5:6::7", agent="Phone/2")
    laptop = signed_in(app, ip="203.0.113.9", agent="Laptop/3")
    items = sessions(laptop)
    assert len(items) == 2
    by_agent = {item["user_agent"]: item for item in items}
    assert by_agent["Laptop/3"]["current"] is True
    assert by_agent["Phone/2"]["current"] is False
    assert by_agent["Phone/2"]["client_address"] == "2001:db8:5:6::/64"
    assert by_agent["Laptop/3"]["client_address"] == "203.0.113.9"
    assert set(by_agent["Phone/2"]) == {
        "id", "created_at", "last_used_at", "client_address", "user_agent", "remember", "current"
    }  # fmt: skip
    assert [i["current"] for i in sessions(phone)].count(True) == 1


def test_revoking_one_session_ends_exactly_that_one(app, make_user):
    make_user("vega")
    make_user("mira")
    phone, laptop, tablet = (signed_in(app, agent=a) for a in ("Phone", "Laptop", "Tablet"))
    stranger = signed_in(app, "mira")
    phone_id = next(i["id"] for i in sessions(laptop) if i["user_agent"] == "Phone")
    assert laptop.delete(f"/api/v1/me/sessions/{phone_id}").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 200
    assert tablet.get("/api/v1/me").status_code == 200
    # Another account's session cannot be revoked, nor can an unknown id.
    mira_id = sessions(stranger)[0]["id"]
    assert laptop.delete(f"/api/v1/me/sessions/{mira_id}").status_code == 404
    assert laptop.delete("/api/v1/me/sessions/nope").status_code == 404
    assert stranger.get("/api/v1/me").status_code == 200


def test_revoke_others_keeps_only_this_session(app, make_user):
    make_user("vega")
    make_user("mira")
    others = [signed_in(app, agent=f"Old/{i}") for i in range(3)]
    this = signed_in(app)
    stranger = signed_in(app, "mira")
    response = this.post("/api/v1/me/sessions/revoke-others")
    assert response.get_json() == {"revoked": 3}
    assert all(c.get("/api/v1/me").status_code == 401 for c in others)
    assert this.get("/api/v1/me").status_code == 200
    assert stranger.get("/api/v1/me").status_code == 200
    assert len(sessions(this)) == 1


def test_logging_in_again_in_a_browser_ends_its_previous_session(app, make_user):
    make_user("vega")
    browser = signed_in(app)
    old = cookie(browser)
    assert login(browser, "vega").status_code == 200
    assert replayed(app, old).get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me").status_code == 200
    assert len(sessions(browser)) == 1


def test_logging_in_again_also_ends_the_remember_me_session(app, make_user):
    make_user("vega")
    browser = app.test_client()
    browser.post(
        "/api/v1/auth/login", json={"login": "vega", "password": STRONG_PASSWORD, "remember": True}
    )
    remember = browser.get_cookie("remember_token").value
    assert login(browser, "vega").status_code == 200
    stale = app.test_client()
    stale.set_cookie("remember_token", remember)
    assert stale.get("/api/v1/me").status_code == 401


def test_changing_the_password_ends_other_sessions_and_renews_this_one(app, make_user):
    make_user("vega")
    other = signed_in(app, agent="Other")
    this = signed_in(app, agent="This")
    before = cookie(this)
    response = this.post(
        "/api/v1/me/password",
        json={"current_password": STRONG_PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["csrf_token"]
    assert other.get("/api/v1/me").status_code == 401
    assert this.get("/api/v1/me").status_code == 200
    assert replayed(app, before).get("/api/v1/me").status_code == 401  # renewed
    assert len(sessions(this)) == 1
    assert login(app.test_client(), "vega").status_code == 401
    assert login(app.test_client(), "vega", NEW_PASSWORD).status_code == 200


def test_changing_the_password_needs_the_current_one_and_a_good_new_one(app, make_user):
    make_user("vega")
    other = signed_in(app, agent="Other")
    this = signed_in(app)
    wrong = this.post(
        "/api/v1/me/password",
        json={"current_password": "Not-my-password-1", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 422
    assert "current_password" in wrong.get_json()["error"]["fields"]
    for weak in ("Password1!", "Aaaaaaaa1!", "My-vega-Star-9"):
        refused = this.post(
            "/api/v1/me/password", json={"current_password": STRONG_PASSWORD, "new_password": weak}
        )
        assert refused.status_code == 422
        assert "new_password" in refused.get_json()["error"]["fields"]
    # Nothing was ended by the refused attempts.
    assert other.get("/api/v1/me").status_code == 200
    assert this.post("/api/v1/me/password", json={}).status_code == 422
    assert app.test_client().post("/api/v1/me/password", json={}).status_code == 401


def test_last_use_is_recorded_a_few_minutes_at_a_time(app, make_user):
    make_user("vega")
    browser = signed_in(app)
    with app.app_context():
        row = db.session.query(LoginSession).one()
        created = row.last_used_at
        token_hash = row.token_hash
    token = _token_from_cookie(app, cookie(browser))
    later = utcnow() + timedelta(minutes=2)
    much_later = utcnow() + login_sessions.TOUCH_INTERVAL + timedelta(minutes=1)
    with app.app_context():
        assert login_sessions.resolve(db.session, token, later, touch_engine=db.engine)
        db.session.expire_all()
        assert db.session.get(LoginSession, token_hash).last_used_at == created
        assert login_sessions.resolve(db.session, token, much_later, touch_engine=db.engine)
        db.session.expire_all()
        assert db.session.get(LoginSession, token_hash).last_used_at == much_later


def _request_with(app, value):
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    builder = EnvironBuilder(headers={"Cookie": f"{SESSION_COOKIE}={value}"})
    return Request(builder.get_environ())


def _token_from_cookie(app, value) -> str:
    return app.session_interface.open_session(app, _request_with(app, value))["_user_id"]


def test_the_settings_pages(app, make_user):
    make_user("vega")
    other = signed_in(app, agent="Other/1")
    this = signed_in(app, agent="This/1")
    settings = this.get("/settings").get_data(as_text=True)
    assert 'href="/settings/password"' in settings
    assert 'href="/settings/sessions"' in settings
    page = this.get("/settings/sessions").get_data(as_text=True)
    assert "Other/1" in page
    assert "This/1" in page
    assert "This device" in page
    other_id = next(i["id"] for i in sessions(this) if i["user_agent"] == "Other/1")
    assert f"/settings/sessions/{other_id}/revoke" in page
    assert this.post(f"/settings/sessions/{other_id}/revoke").status_code == 302
    assert other.get("/api/v1/me").status_code == 401
    third = signed_in(app, agent="Third/1")
    assert this.post("/settings/sessions/revoke-others").status_code == 302
    assert third.get("/api/v1/me").status_code == 401
    assert this.get("/api/v1/me").status_code == 200


def test_the_change_password_form(app, make_user):
    make_user("vega")
    other = signed_in(app, agent="Other")
    this = signed_in(app)
    assert this.get("/settings/password").status_code == 200
    wrong = this.post(
        "/settings/password",
        data={"current_password": "Not-it-at-all-9", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 422
    assert "not your current password" in wrong.get_data(as_text=True)
    done = this.post(
        "/settings/password",
        data={"current_password": STRONG_PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert other.get("/api/v1/me").status_code == 401
    assert this.get("/api/v1/me").status_code == 200
