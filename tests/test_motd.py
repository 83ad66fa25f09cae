"""Messages of the day: shown inside their window, once per user."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skyframe import motd as motd_service
from skyframe.exceptions import ValidationFailed
from skyframe.extensions import db
from skyframe.models import utcnow
from tests.conftest import login


@pytest.fixture
def add_motd(app):
    def add(title="Clear skies", body="Welcome!", publish=True, starts=None, ends=None):
        now = utcnow()
        with app.app_context():
            motd = motd_service.add_motd(
                db.session,
                title=title,
                body=body,
                now=now,
                publish=publish,
                starts_at=now + starts if starts is not None else None,
                ends_at=now + ends if ends is not None else None,
            )
            db.session.commit()
            return motd.id

    return add


@pytest.fixture
def signed_in(client, make_user):
    make_user("vega")
    login(client, "vega")
    return client


def pending_titles(client):
    response = client.get("/api/v1/motd")
    assert response.status_code == 200
    return [item["title"] for item in response.get_json()["items"]]


def test_only_published_messages_inside_their_window_are_pending(signed_in, add_motd):
    add_motd("live")
    add_motd("draft", publish=False)
    add_motd("future", starts=timedelta(hours=1))
    add_motd("past", starts=timedelta(hours=-2), ends=timedelta(hours=-1))
    add_motd("open window", starts=timedelta(hours=-1), ends=timedelta(hours=1))
    assert pending_titles(signed_in) == ["live", "open window"]


def test_dismissing_acknowledges_once_and_for_all(signed_in, add_motd, client, make_user):
    motd_id = add_motd("live")
    assert client.post(f"/api/v1/motd/{motd_id}/ack").status_code == 204
    assert client.post(f"/api/v1/motd/{motd_id}/ack").status_code == 204  # idempotent
    assert pending_titles(signed_in) == []
    # Another user still sees it.
    client.post("/api/v1/auth/logout")
    make_user("mira")
    login(client, "mira")
    assert pending_titles(client) == ["live"]


def test_ack_of_unknown_or_hidden_message_is_404(signed_in, add_motd):
    draft = add_motd("draft", publish=False)
    for motd_id in (draft, 9999):
        response = signed_in.post(f"/api/v1/motd/{motd_id}/ack")
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_motd_needs_a_signed_in_user(client):
    assert client.get("/api/v1/motd").status_code == 401
    assert client.post("/api/v1/motd/1/ack").status_code == 401


def test_motd_can_be_switched_off(app_factory, make_user, add_motd):
    add_motd("live")
    client = app_factory(MOTD_ENABLED=False).test_client()
    login(client, make_user("vega").handle)
    assert pending_titles(client) == []
    assert 'data-motd-url=""' in client.get("/").get_data(as_text=True)


def test_pages_point_the_modal_at_the_api_for_signed_in_users(signed_in):
    assert 'data-motd-url="/api/v1/motd"' in signed_in.get("/").get_data(as_text=True)
    assert 'id="motd-modal"' in signed_in.get("/").get_data(as_text=True)


def test_expiring_a_scheduled_message_keeps_its_window_valid(app, add_motd):
    motd_id = add_motd("later", starts=timedelta(days=1))
    with app.app_context():
        motd = motd_service.expire_motd(db.session, motd_id, utcnow())
        db.session.commit()
        assert motd.state(utcnow()) == "expired"


def test_motd_fields_are_validated(app):
    with app.app_context(), pytest.raises(ValidationFailed) as caught:
        motd_service.add_motd(db.session, title="", body="x" * 3000, now=utcnow())
    assert set(caught.value.fields) == {"title", "body"}


@pytest.mark.parametrize("motd_id", ["2147483648", "99999999999999999999", "0", "-1"])
def test_ids_beyond_a_database_integer_are_404_not_500(signed_in, motd_id):
    """Werkzeug's int converter takes any size; PostgreSQL refuses ids past 2**31-1."""
    response = signed_in.post(f"/api/v1/motd/{motd_id}/ack")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_publishing_sets_a_window_that_must_end_after_it_starts(app, add_motd):
    now = utcnow()
    motd_id = add_motd("later", publish=False, ends=timedelta(days=2))
    with app.app_context():
        with pytest.raises(ValidationFailed) as caught:
            motd_service.publish_motd(db.session, motd_id, now, starts_at=now + timedelta(days=3))
        assert "end must come after the start" in caught.value.message
        db.session.rollback()
        motd = motd_service.get_motd(db.session, motd_id)
        assert motd.published_at is None  # refused: nothing changed
        ends = motd.ends_at
        motd = motd_service.publish_motd(
            db.session, motd_id, now, starts_at=now + timedelta(days=1)
        )
        assert (motd.starts_at, motd.ends_at) == (now + timedelta(days=1), ends)
        assert motd.state(now) == "scheduled"
        first_published = motd.published_at
        motd = motd_service.publish_motd(db.session, motd_id, now + timedelta(hours=1))
        assert motd.published_at == first_published  # publishing again keeps the window
        assert motd.starts_at == now + timedelta(days=1)
        db.session.commit()


@pytest.mark.parametrize("gap", [timedelta(0), timedelta(hours=-1)])
def test_a_window_must_not_end_before_or_when_it_starts(gap):
    start = utcnow()
    assert "must come after the start" in motd_service.window_problem(start, start + gap)
    assert motd_service.window_problem(start, start + timedelta(seconds=1)) is None
    assert motd_service.window_problem(None, start) is None
