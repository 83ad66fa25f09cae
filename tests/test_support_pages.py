"""Support and the staff's ticket pages in HTML, without JavaScript: forms
that post, redirect, and show why when refused."""

from __future__ import annotations

import re

import pytest

from skyframe.extensions import db
from skyframe.models import Role, Ticket
from tests.conftest import login
from tests.test_tickets import report_by

pytestmark = pytest.mark.one_database


@pytest.fixture
def app(app_factory):
    return app_factory(TICKET_LIMIT="1000 per hour", TICKET_REPLY_LIMIT="1000 per hour")


@pytest.fixture
def people(app, make_user):
    return {
        "vega": make_user("vega").id,
        "mod": make_user("mod", role=Role.MODERATOR).id,
        "boss": make_user("boss", role=Role.MANAGER).id,
    }


def as_(client, handle):
    client.post("/api/v1/auth/logout")
    assert login(client, handle).status_code == 200
    return client


def post_form(client, path, **fields):
    return client.post(path, data={"csrf_token": client.csrf_token(), **fields})


def ticket_id_from(response) -> int:
    return int(re.search(r"/support/tickets/(\d+)$", response.headers["Location"]).group(1))


def status_of(app, ticket_id) -> str:
    with app.app_context():
        return db.session.get(Ticket, ticket_id).status


def test_a_user_opens_a_ticket_replies_and_closes_it(client, app, people):
    as_(client, "vega")
    page = client.get("/support")
    assert page.status_code == 200
    assert "Open a ticket" in page.get_data(as_text=True)
    opened = post_form(client, "/support", title="Upload stuck", text="It never ends.")
    assert opened.status_code == 302
    t = ticket_id_from(opened)
    thread = client.get(f"/support/tickets/{t}").get_data(as_text=True)
    assert "Upload stuck" in thread
    assert "It never ends." in thread
    assert "open" in thread
    assert post_form(client, f"/support/tickets/{t}/reply", text="More detail.").status_code == 302
    assert "More detail." in client.get(f"/support/tickets/{t}").get_data(as_text=True)
    assert post_form(client, f"/support/tickets/{t}/close").status_code == 302
    closed = client.get(f"/support/tickets/{t}").get_data(as_text=True)
    assert status_of(app, t) == "closed"
    assert "This ticket is closed" in closed
    assert f'action="/support/tickets/{t}/reply"' not in closed
    listing = client.get("/support").get_data(as_text=True)
    assert f"/support/tickets/{t}" in listing


def test_bad_input_is_shown_on_the_form(client, people):
    as_(client, "vega")
    response = post_form(client, "/support", title="", text="x" * 5001)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Give your ticket a title." in body or "At most 5000 characters." in body
    assert 'class="invalid-feedback"' in body


def test_replying_to_a_closed_ticket_says_why(client, app, people):
    as_(client, "vega")
    t = ticket_id_from(post_form(client, "/support", title="Help", text="Please."))
    post_form(client, f"/support/tickets/{t}/close")
    response = post_form(client, f"/support/tickets/{t}/reply", text="Hello?")
    assert response.status_code == 409
    assert "open a new ticket" in response.get_data(as_text=True)


def test_forms_need_their_csrf_token(client, app, people):
    as_(client, "vega")
    response = client.post("/support", data={"title": "Help", "text": "Please."}, csrf=False)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 0


def test_the_form_follows_up_one_of_your_reports(client, app, people):
    report_id = report_by(app, people["vega"], people["boss"])
    as_(client, "vega")
    page = client.get(f"/support?report={report_id}").get_data(as_text=True)
    assert f"About your report #{report_id}" in page
    opened = post_form(client, "/support", title="My report", text="News?", report_id=report_id)
    with app.app_context():
        assert db.session.get(Ticket, ticket_id_from(opened)).report_id == report_id
    as_(client, "mod")
    assert f"/support?report={report_id}" not in client.get(
        f"/support?report={report_id}"
    ).get_data(as_text=True)


def test_a_moderator_works_a_ticket_from_the_staff_pages(client, app, people):
    as_(client, "vega")
    t = ticket_id_from(post_form(client, "/support", title="Upload stuck", text="Help."))
    as_(client, "mod")
    queue = client.get("/admin/tickets").get_data(as_text=True)
    assert f"/admin/tickets/{t}" in queue
    page = client.get(f"/admin/tickets/{t}").get_data(as_text=True)
    assert "Assign to me" in page
    assert "Send answer" not in page
    assert post_form(client, f"/admin/tickets/{t}/assign").status_code == 302
    assert status_of(app, t) == "pending"
    assert "Send answer" in client.get(f"/admin/tickets/{t}").get_data(as_text=True)
    refused = post_form(client, f"/admin/tickets/{t}/reply", text="")
    assert refused.status_code == 422
    assert post_form(client, f"/admin/tickets/{t}/reply", text="Try again.").status_code == 302
    assert status_of(app, t) == "solved"
    mine = client.get("/admin/tickets?view=mine&status=solved").get_data(as_text=True)
    assert f"/admin/tickets/{t}" in mine
    escalated = post_form(client, f"/admin/tickets/{t}/escalate", note="Policy.")
    assert escalated.headers["Location"] == "/admin/tickets"
    assert client.get(f"/admin/tickets/{t}").status_code == 404
    as_(client, "boss")
    page = client.get(f"/admin/tickets/{t}").get_data(as_text=True)
    assert "Policy." in page
    assert "managers only" in page
    assert post_form(client, f"/admin/tickets/{t}/close").status_code == 302
    assert status_of(app, t) == "closed"
    as_(client, "vega")
    thread = client.get(f"/support/tickets/{t}").get_data(as_text=True)
    assert "SkyFrame staff" in thread
    assert "@mod" not in thread


def test_a_refused_staff_action_is_a_message(client, app, people):
    as_(client, "vega")
    t = ticket_id_from(post_form(client, "/support", title="Help", text="Please."))
    as_(client, "mod")
    post_form(client, f"/admin/tickets/{t}/assign")
    again = post_form(client, f"/admin/tickets/{t}/assign")
    assert again.status_code == 302
    assert "assigned to you already" in client.get(f"/admin/tickets/{t}").get_data(as_text=True)
    assert client.get("/admin/tickets?view=every").status_code == 422


def test_settings_link_to_support(client, people):
    as_(client, "vega")
    assert 'href="/support"' in client.get("/settings").get_data(as_text=True)
