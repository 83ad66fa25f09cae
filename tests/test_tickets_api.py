"""Tickets over HTTP: every move and every refusal through /api/v1, who sees
which ticket, and the notices both sides get."""

from __future__ import annotations

import pytest

from skyframe.extensions import db
from skyframe.models import Role
from tests.conftest import login
from tests.test_tickets import report_by

T = "/api/v1/tickets"
A = "/api/v1/admin/tickets"


@pytest.fixture
def app(app_factory):
    return app_factory(TICKET_LIMIT="1000 per hour", TICKET_REPLY_LIMIT="1000 per hour")


@pytest.fixture
def people(app, make_user):
    return {
        "vega": make_user("vega").id,
        "mira": make_user("mira").id,
        "mod": make_user("mod", role=Role.MODERATOR).id,
        "mod2": make_user("mod2", role=Role.MODERATOR).id,
        "boss": make_user("boss", role=Role.MANAGER).id,
    }


class Http:
    """One client, signed in as whoever acts next."""

    def __init__(self, client):
        self.client, self.who = client, None

    def as_(self, handle: str):
        if self.who != handle:
            self.client.post("/api/v1/auth/logout")
            assert login(self.client, handle).status_code == 200
            self.who = handle
        return self.client

    def open(self, handle="vega", **body) -> int:
        body.setdefault("title", "Upload stuck")
        body.setdefault("text", "It never finishes.")
        response = self.as_(handle).post(T, json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["ticket"]["id"]

    def staff(self, handle, ticket_id, action, json=None):
        return self.as_(handle).post(f"{A}/{ticket_id}/{action}", json=json)

    def owner(self, handle, ticket_id, action, json=None):
        return self.as_(handle).post(f"{T}/{ticket_id}/{action}", json=json)

    def status(self, ticket_id) -> str:
        return self.as_("boss").get(f"{A}/{ticket_id}").get_json()["ticket"]["status"]


@pytest.fixture
def http(client, people) -> Http:
    return Http(client)


def conflict(response, code: str) -> str:
    assert response.status_code == 409, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error["message"]


def test_opening_answers_the_open_unassigned_ticket_with_its_message(http):
    response = http.as_("vega").post(T, json={"title": " Upload  stuck ", "text": "Help.\r\n"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["ticket"]["title"] == "Upload stuck"
    assert body["ticket"]["status"] == "open"
    assert body["ticket"]["assigned"] is False
    assert body["ticket"]["can_reply"] is True
    assert body["ticket"]["can_close"] is True
    assert [(m["text"], m["from_staff"]) for m in body["messages"]] == [("Help.", False)]


def test_bad_input_is_a_422_naming_the_field(http):
    client = http.as_("vega")
    for body, field in [
        ({"title": "", "text": "x"}, "title"),
        ({"title": "x" * 121, "text": "x"}, "title"),
        ({"title": "Fine", "text": " "}, "text"),
        ({"title": "Fine", "text": "x" * 5001}, "text"),
    ]:
        response = client.post(T, json=body)
        assert response.status_code == 422, body
        assert field in response.get_json()["error"]["fields"]
    assert client.post(T, json={"title": "x"}).status_code == 422


def test_every_legal_move_over_http(http):
    t = http.open()
    assert http.owner("vega", t, "replies", {"text": "More."}).status_code == 201
    assert http.status(t) == "open"
    assigned = http.staff("mod", t, "assign")
    assert assigned.status_code == 200
    assert assigned.get_json()["ticket"]["status"] == "pending"
    assert assigned.get_json()["ticket"]["assignee"]["handle"] == "mod"
    assert http.owner("vega", t, "replies", {"text": "Still."}).get_json()["ticket"]["status"] == (
        "pending"
    )
    answered = http.staff("mod", t, "replies", {"text": "Fixed."})
    assert answered.status_code == 201
    assert answered.get_json()["ticket"]["status"] == "solved"
    assert http.staff("mod", t, "replies", {"text": "Also."}).get_json()["ticket"]["status"] == (
        "solved"
    )
    assert http.staff("mod2", t, "assign").get_json()["ticket"]["status"] == "solved"
    again = http.owner("vega", t, "replies", {"text": "Not fixed."})
    assert again.get_json()["ticket"]["status"] == "pending"
    assert http.staff("mod2", t, "assign", None).status_code == 409
    escalated = http.staff("mod2", t, "escalate", {"note": "Policy question."})
    assert escalated.status_code == 200
    assert escalated.get_json()["ticket"]["status"] == "open"
    assert escalated.get_json()["ticket"]["with_managers"] is True
    assert escalated.get_json()["ticket"]["assignee"] is None
    assert http.staff("boss", t, "assign").get_json()["ticket"]["status"] == "pending"
    closed = http.staff("boss", t, "close")
    assert closed.status_code == 200
    assert closed.get_json()["ticket"]["status"] == "closed"
    assert closed.get_json()["ticket"]["closed_at"]


@pytest.mark.parametrize("before", ["open", "pending", "solved"])
def test_the_owner_closes_from_any_open_status(http, before):
    t = http.open()
    if before != "open":
        http.staff("mod", t, "assign")
    if before == "solved":
        http.staff("mod", t, "replies", {"text": "Done."})
    assert http.status(t) == before
    response = http.owner("vega", t, "close")
    assert response.status_code == 200
    assert response.get_json()["ticket"]["status"] == "closed"
    assert response.get_json()["ticket"]["can_reply"] is False


def test_a_closed_ticket_refuses_everything_with_ticket_closed(http):
    t = http.open()
    http.staff("mod", t, "assign")
    http.owner("vega", t, "close")
    messages = {
        conflict(http.owner("vega", t, "replies", {"text": "Hello?"}), "ticket_closed"),
        conflict(http.owner("vega", t, "close"), "ticket_closed"),
        conflict(http.staff("mod", t, "replies", {"text": "Hi"}), "ticket_closed"),
        conflict(http.staff("mod2", t, "assign"), "ticket_closed"),
        conflict(http.staff("mod", t, "close"), "ticket_closed"),
        conflict(http.staff("mod", t, "escalate", {"note": "x"}), "ticket_closed"),
    }
    assert all("closed" in message for message in messages)
    thread = http.as_("vega").get(f"{T}/{t}").get_json()
    assert len(thread["messages"]) == 1


def test_the_other_illegal_moves_have_their_own_codes(http):
    t = http.open()
    message = conflict(http.staff("mod", t, "replies", {"text": "Hi"}), "ticket_unassigned")
    assert "assign it to yourself" in message
    http.staff("mod", t, "assign")
    conflict(http.staff("mod", t, "assign"), "ticket_assigned")
    conflict(http.staff("mod2", t, "replies", {"text": "Hi"}), "ticket_not_yours")
    http.staff("mod", t, "escalate", {"note": "Managers."})
    conflict(http.staff("boss", t, "escalate", {"note": "Again."}), "ticket_escalated")
    assert http.staff("boss", t, "escalate", {"note": ""}).status_code in (409, 422)


def test_an_escalation_needs_a_note(http):
    t = http.open()
    response = http.staff("mod", t, "escalate", {"note": "  "})
    assert response.status_code == 422
    assert "note" in response.get_json()["error"]["fields"]


# -- who sees what -------------------------------------------------------------------


def test_the_owner_s_side_is_the_owner_s_alone(http):
    t = http.open()
    for handle in ("mira", "mod", "boss"):
        client = http.as_(handle)
        assert client.get(f"{T}/{t}").status_code == 404
        assert client.post(f"{T}/{t}/replies", json={"text": "Hi"}).status_code == 404
        assert client.post(f"{T}/{t}/close").status_code == 404
    assert http.as_("mira").get(T).get_json()["items"] == []
    assert [i["id"] for i in http.as_("vega").get(T).get_json()["items"]] == [t]


def test_staff_s_side_is_refused_to_users(http):
    t = http.open()
    client = http.as_("vega")
    assert client.get(A).status_code == 403
    assert client.get(f"{A}/{t}").status_code == 403
    assert client.post(f"{A}/{t}/assign").status_code == 403


def test_a_moderator_does_not_see_escalated_tickets(http):
    t = http.open()
    http.staff("mod", t, "assign")
    http.staff("mod", t, "escalate", {"note": "Over my head."})
    for handle in ("mod", "mod2"):
        client = http.as_(handle)
        assert client.get(f"{A}/{t}").status_code == 404
        assert client.post(f"{A}/{t}/assign").status_code == 404
        for view in ("unassigned", "mine", "all"):
            assert client.get(f"{A}?view={view}").get_json()["items"] == []
    boss = http.as_("boss")
    (item,) = boss.get(f"{A}?view=unassigned").get_json()["items"]
    assert (item["id"], item["with_managers"], item["escalation_note"]) == (
        t,
        True,
        "Over my head.",
    )
    assert item["escalated_by"]["handle"] == "mod"
    owner_view = http.as_("vega").get(f"{T}/{t}").get_json()["ticket"]
    assert owner_view["with_managers"] is True
    assert "escalation_note" not in owner_view


def test_a_moderator_s_own_ticket_goes_to_managers(http):
    t = http.open("mod")
    assert http.as_("mod2").get(f"{A}/{t}").status_code == 404
    assert http.staff("mod", t, "assign").status_code == 403
    assert http.as_("boss").get(f"{A}?view=unassigned").get_json()["items"][0]["id"] == t
    assert http.staff("boss", t, "assign").status_code == 200


def test_staff_views_and_filters(http):
    a, b = http.open(), http.open("mira")
    http.staff("mod", b, "assign")
    client = http.as_("mod")
    assert [i["id"] for i in client.get(A).get_json()["items"]] == [a]
    assert [i["id"] for i in client.get(f"{A}?view=mine").get_json()["items"]] == [b]
    assert [i["id"] for i in client.get(f"{A}?view=all").get_json()["items"]] == [b, a]
    assert [i["id"] for i in client.get(f"{A}?view=all&status=open").get_json()["items"]] == [a]
    assert client.get(f"{A}?view=every").status_code == 422
    assert client.get(f"{A}?status=done").status_code == 422
    assert client.get(f"{A}?cursor=forged").status_code == 400


def test_staff_messages_name_no_one_to_the_owner(http):
    t = http.open()
    http.staff("mod", t, "assign")
    http.staff("mod", t, "replies", {"text": "On it."})
    owner_side = http.as_("vega").get(f"{T}/{t}").get_json()["messages"]
    assert [(m["from_staff"], m["author"]) for m in owner_side][1] == (True, None)
    assert owner_side[0]["author"]["handle"] == "vega"
    staff_side = http.as_("boss").get(f"{A}/{t}").get_json()["messages"]
    assert staff_side[1]["author"]["handle"] == "mod"


# -- reports ------------------------------------------------------------------------


def test_a_reporter_follows_up_a_report_and_staff_answer_there(http, app, people):
    report_id = report_by(app, people["vega"], people["mira"], "harassment")
    assert (
        http.as_("mira")
        .post(T, json={"title": "x", "text": "y", "report_id": report_id})
        .status_code
        == 404
    )
    t = http.open(report_id=report_id, title="About my report")
    conflict(
        http.as_("vega").post(T, json={"title": "x", "text": "y", "report_id": report_id}),
        "ticket_exists",
    )
    item = http.as_("mod").get(A).get_json()["items"][0]
    assert (item["id"], item["report_id"]) == (t, report_id)
    http.staff("mod", t, "assign")
    http.staff("mod", t, "replies", {"text": "We warned them."})
    thread = http.as_("vega").get(f"{T}/{t}").get_json()
    assert thread["ticket"]["report_id"] == report_id
    assert thread["messages"][-1]["text"] == "We warned them."


# -- notices ------------------------------------------------------------------------


def notices(http, handle):
    return [
        (n["kind"], n["message"], n["url"])
        for n in http.as_(handle).get("/api/v1/notifications").get_json()["items"]
    ][::-1]


def test_both_sides_are_notified_with_links_to_their_side(http):
    t = http.open(title="Stuck")
    http.staff("mod", t, "assign")
    http.owner("vega", t, "replies", {"text": "Any news?"})
    http.staff("mod", t, "replies", {"text": "Yes."})
    http.staff("mod", t, "close")
    assert notices(http, "vega") == [
        (
            "ticket_assigned",
            "Someone on staff is looking at your ticket “Stuck”",
            f"/support/tickets/{t}",
        ),
        ("ticket_reply", "Staff answered your ticket “Stuck”", f"/support/tickets/{t}"),
        ("ticket_closed", "Your ticket “Stuck” was closed", f"/support/tickets/{t}"),
    ]
    assert notices(http, "mod") == [
        ("ticket_reply", "Vega wrote on ticket “Stuck”", f"/admin/tickets/{t}"),
    ]


def test_suspended_users_may_still_ask_for_help(http, app, people):
    from skyframe.models import User, utcnow

    with app.app_context():
        db.session.get(User, people["vega"]).suspended_at = utcnow()
        db.session.commit()
    t = http.open()
    assert http.owner("vega", t, "replies", {"text": "Why?"}).status_code == 201
    assert http.owner("vega", t, "close").status_code == 200


def test_opening_is_rate_limited(app_factory, make_user):
    app = app_factory(TICKET_LIMIT="2 per hour")
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    statuses = [client.post(T, json={"title": "x", "text": "y"}).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_two_moderators_taking_one_ticket_at_once_end_with_one_assignee(http, app):
    from concurrent.futures import ThreadPoolExecutor

    t = http.open()
    clients = []
    for handle in ("mod", "mod2"):
        client = app.test_client()
        login(client, handle)
        clients.append(client)
    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(lambda c: c.post(f"{A}/{t}/assign").status_code, clients))
    # Whoever came second took it over (a legal move) or found it theirs
    # already; never a 500, and one assignee either way.
    assert statuses in ([200, 200], [200, 409])
    (item,) = http.as_("boss").get(f"{A}?view=all").get_json()["items"]
    assert item["assignee"]["handle"] in ("mod", "mod2")
    assert item["status"] == "pending"
