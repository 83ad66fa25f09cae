"""Hosting over JSON: GET|PATCH /api/v1/me/hosting, the hosting list
(GET|POST /api/v1/me/hosting/targets, DELETE …/<handle>) and its typeahead
(GET /api/v1/me/hosting/suggest)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skyframe.extensions import db
from skyframe.models import HostingStatus, User, utcnow
from tests.conftest import login
from tests.hosting_helpers import add_target, block, qualify, status_of

TARGETS = "/api/v1/me/hosting/targets"
SUGGEST = "/api/v1/me/hosting/suggest"


@pytest.fixture
def host(app, make_user, client):
    """``host`` (qualifying, signed in on ``client``) and ``vega`` (a qualifying target)."""
    users = [make_user("host"), make_user("vega")]
    with app.app_context():
        for user in users:
            qualify(user.id)
    login(client, "host")
    return users[0].id, users[1].id


def change(app, handle: str, **values) -> int:
    with app.app_context():
        user = db.session.query(User).filter_by(handle=handle).one()
        for key, value in values.items():
            setattr(user, key, value)
        db.session.commit()
        return user.id


# -- allow hosting ---------------------------------------------------------------


def test_allow_hosting_is_off_by_default_and_a_strict_bool(client, make_user):
    make_user("newcomer")
    login(client, "newcomer")
    assert client.get("/api/v1/me/hosting").get_json() == {"allow_hosting": False}
    response = client.patch("/api/v1/me/hosting", json={"allow_hosting": True})
    assert (response.status_code, response.get_json()) == (200, {"allow_hosting": True})
    assert client.get("/api/v1/me/hosting").get_json() == {"allow_hosting": True}
    for wrong in ("yes", 1, None, "true"):
        response = client.patch("/api/v1/me/hosting", json={"allow_hosting": wrong})
        assert response.status_code == 422, wrong
        assert "allow_hosting" in response.get_json()["error"]["fields"]
    assert client.patch("/api/v1/me/hosting", json={}).status_code == 422
    assert client.get("/api/v1/me/hosting").get_json() == {"allow_hosting": True}


def test_hosting_needs_a_session(client):
    assert client.get("/api/v1/me/hosting").status_code == 401
    assert client.get(TARGETS).status_code == 401
    assert client.get(SUGGEST, query_string={"q": "a"}).status_code == 401


# -- the list ----------------------------------------------------------------------


def test_add_list_add_again_and_remove(app, client, host):
    del host
    response = client.post(TARGETS, json={"handle": "@Vega"})
    assert response.status_code == 201
    body = response.get_json()
    assert body == {
        "handle": "vega",
        "display_name": "Vega",
        "avatar_url": body["avatar_url"],
        "status": "ready",
        "last_hosted_at": None,
    }
    again = client.post(TARGETS, json={"handle": "vega"})
    assert (again.status_code, again.get_json()) == (200, body)
    assert client.get(TARGETS).get_json() == {"items": [body]}
    assert client.delete(f"{TARGETS}/vega").status_code == 204
    assert client.get(TARGETS).get_json() == {"items": []}
    assert client.delete(f"{TARGETS}/vega").status_code == 204  # not on it: nothing changes


def test_the_list_shows_status_and_last_hosted(app, client, host, make_user):
    host_id, vega_id = host
    deneb = make_user("deneb")
    when = utcnow() - timedelta(hours=2)
    with app.app_context():
        add_target(host_id, vega_id, status=HostingStatus.HOSTING, last_hosted_at=when)
        add_target(host_id, deneb.id, status=HostingStatus.ERROR)
    items = client.get(TARGETS).get_json()["items"]
    assert [(i["handle"], i["status"]) for i in items] == [("vega", "hosting"), ("deneb", "error")]
    assert items[0]["last_hosted_at"].startswith(when.strftime("%Y-%m-%dT%H:%M"))


def test_removing_the_hosted_target_stops_hosting_at_once(app, client, host):
    host_id, vega_id = host
    with app.app_context():
        add_target(host_id, vega_id, status=HostingStatus.HOSTING)
    assert client.delete(f"{TARGETS}/vega").status_code == 204
    with app.app_context():
        assert status_of(host_id, vega_id) is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"live_seconds": 9 * 3600}, "You need more hours live"),
        ({"created_at": utcnow() - timedelta(days=4)}, "Your account is too new"),
    ],
    ids=["live-hours", "account-age"],
)
def test_a_host_that_does_not_qualify_is_refused(app, client, host, values, message):
    change(app, "host", **values)
    response = client.post(TARGETS, json={"handle": "vega"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "host_not_qualified"
    assert error["message"].startswith(message)
    assert client.get(TARGETS).get_json() == {"items": []}


def test_a_suspended_host_cannot_host_but_may_empty_its_list(app, client, host):
    host_id, vega_id = host
    with app.app_context():
        add_target(host_id, vega_id)
    change(app, "host", suspended_at=utcnow())
    response = client.post(TARGETS, json={"handle": "vega"})
    assert (response.status_code, response.get_json()["error"]["code"]) == (403, "suspended")
    assert client.delete(f"{TARGETS}/vega").status_code == 204


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"allow_hosting": False}, "They do not allow others to host their channel."),
        ({"suspended_at": utcnow()}, "Their account is suspended or not active."),
        ({"strike_suspended": True}, "Their account is suspended or not active."),
    ],
    ids=["disallows", "suspended", "strike-suspended"],
)
def test_a_target_that_does_not_qualify_names_the_rule(app, client, host, values, message):
    change(app, "vega", **values)
    response = client.post(TARGETS, json={"handle": "vega"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "target_not_qualified"
    assert error["fields"] == {"handle": message}


def test_a_target_that_blocked_the_host_is_refused_but_a_timeout_is_not(app, client, host):
    host_id, vega_id = host
    with app.app_context():
        block(vega_id, host_id, until=utcnow() + timedelta(hours=1))
    assert client.post(TARGETS, json={"handle": "vega"}).status_code == 201
    assert client.delete(f"{TARGETS}/vega").status_code == 204
    with app.app_context():
        from skyframe.models import Block

        db.session.get(Block, (vega_id, host_id)).until = None
        db.session.commit()
    response = client.post(TARGETS, json={"handle": "vega"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"handle": "They have blocked you."}


def test_unknown_disabled_or_deleted_handles_are_404_and_yourself_422(app, client, host, make_user):
    make_user("gone", disabled=True)
    for handle in ("nobody", "gone"):
        response = client.post(TARGETS, json={"handle": handle})
        assert response.status_code == 404, handle
        assert client.delete(f"{TARGETS}/{handle}").status_code == 404
    change(app, "vega", deleted_at=utcnow())
    assert client.post(TARGETS, json={"handle": "vega"}).status_code == 404
    response = client.post(TARGETS, json={"handle": "HOST"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"handle": "That is you."}


@pytest.mark.parametrize("body", [{}, {"handle": ""}, {"handle": 5}, {"handle": "x" * 26}])
def test_bad_bodies_are_422(client, host, body):
    assert client.post(TARGETS, json=body).status_code == 422


def test_adding_sends_no_notification(app, client, host):
    from skyframe.models import Notification

    assert client.post(TARGETS, json={"handle": "vega"}).status_code == 201
    with app.app_context():
        assert db.session.query(Notification).count() == 0


# -- the typeahead ---------------------------------------------------------------------


def suggested(client, q) -> list[str]:
    response = client.get(SUGGEST, query_string={"q": q})
    assert response.status_code == 200
    return [item["handle"] for item in response.get_json()["items"]]


@pytest.fixture
def wildcard_handles(app, make_user, host):
    """Handles where LIKE's wildcards would match more than the literal text."""
    made = ["user_1", "userx1", "user1", "x_user_1", "xuser", "users"]
    for handle in made:
        user = make_user(handle)
        with app.app_context():
            qualify(user.id)
    return made


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("user_", ["user_1"]),
        ("%user", []),
        ("user%", []),
        ("%user_%", []),
        ("USER", ["user1", "user_1", "users", "userx1"]),
        ("user\\", []),
        ("\\", []),
    ],
)
def test_wildcards_are_literal(client, wildcard_handles, q, expected):
    assert suggested(client, q) == expected


def test_more_than_24_characters_finds_nothing(app, client, host, make_user):
    user = make_user("a" * 24)
    with app.app_context():
        qualify(user.id)
    assert suggested(client, "a" * 24) == ["a" * 24]
    assert suggested(client, "a" * 25) == []
    assert suggested(client, "") == []


def test_at_most_ten_alphabetically(app, client, host, make_user):
    for i in range(12):
        user = make_user(f"star{i:02d}")
        with app.app_context():
            qualify(user.id)
    assert suggested(client, "star") == [f"star{i:02d}" for i in range(10)]


def test_suggestions_leave_out_the_listed_myself_and_who_does_not_qualify(
    app, client, host, make_user
):
    host_id, _ = host
    names = ["vmine", "vclosed", "vsusp", "vblocker", "vtimeout", "voff"]
    ids = {}
    for name in names:
        user = make_user(name)
        ids[name] = user.id
        with app.app_context():
            qualify(user.id)
    change(app, "vclosed", allow_hosting=False)
    change(app, "vsusp", suspended_at=utcnow())
    change(app, "voff", disabled=True)
    with app.app_context():
        add_target(host_id, ids["vmine"])
        block(ids["vblocker"], host_id)
        block(ids["vtimeout"], host_id, until=utcnow() + timedelta(hours=1))
    assert suggested(client, "v") == ["vega", "vtimeout"]
    assert suggested(client, "host") == []
