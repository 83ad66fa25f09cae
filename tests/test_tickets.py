"""Tickets, the domain: each action through skyframe.support.tickets on a
real database — the moves it makes, the ones it refuses, who sees what, the
notices and audit rows it writes."""

from __future__ import annotations

import pytest

from skyframe.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from skyframe.extensions import db
from skyframe.models import (
    AuditEntry,
    AuditSource,
    Notification,
    Report,
    Role,
    Ticket,
    User,
    utcnow,
)
from skyframe.policy import OPERATOR
from skyframe.support import tickets

API = AuditSource.API
SECRET = "test-secret"


@pytest.fixture
def ids(app, make_user):
    return {
        "vega": make_user("vega").id,
        "mira": make_user("mira").id,
        "mod": make_user("mod", role=Role.MODERATOR).id,
        "mod2": make_user("mod2", role=Role.MODERATOR).id,
        "boss": make_user("boss", role=Role.MANAGER).id,
    }


class Desk:
    """Runs one action per transaction as a named person, like a request."""

    def __init__(self, app, ids):
        self.app, self.ids = app, ids

    def user(self, handle: str) -> User:
        return db.session.get(User, self.ids[handle])

    def open(self, handle: str = "vega", **kw) -> int:
        with self.app.app_context():
            ticket = tickets.open_ticket(
                db.session,
                self.user(handle),
                kw.pop("title", "Upload stuck"),
                kw.pop("text", "My upload never finishes."),
                utcnow(),
                **kw,
            )
            db.session.commit()
            return ticket.id

    def do(self, action: str, ticket_id: int, handle: str, *args) -> Ticket:
        with self.app.app_context():
            actor = self.user(handle)
            ticket = tickets.get_ticket(db.session, actor, ticket_id)
            if action == "reply":
                tickets.reply(
                    db.session, ticket, actor, args[0] if args else "Hello.", utcnow(), source=API
                )
            elif action == "escalate":
                tickets.escalate(
                    db.session, ticket, actor, args[0] if args else "Policy.", utcnow(), source=API
                )
            else:
                getattr(tickets, action)(db.session, ticket, actor, utcnow(), source=API)
            db.session.commit()
            db.session.refresh(ticket)
            db.session.expunge(ticket)
            return ticket

    def state(self, ticket_id: int) -> tuple[str, str | None, bool]:
        with self.app.app_context():
            ticket = db.session.get(Ticket, ticket_id)
            assignee = ticket.assignee.handle if ticket.assignee else None
            return ticket.status, assignee, ticket.managers_only

    def notices(self, handle: str) -> list[str]:
        with self.app.app_context():
            rows = db.session.scalars(
                db.select(Notification)
                .where(Notification.recipient_id == self.ids[handle])
                .order_by(Notification.id)
            )
            return [n.kind for n in rows]

    def audit(self) -> list[tuple[str, str | None]]:
        with self.app.app_context():
            rows = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
            return [(e.action, e.actor.handle if e.actor else None) for e in rows]


@pytest.fixture
def desk(app, ids) -> Desk:
    return Desk(app, ids)


def report_by(app, reporter_id: int, about_id: int, reason: str = "spam") -> int:
    """An open report by ``reporter_id`` on the account ``about_id``: its id."""
    with app.app_context():
        report = Report(
            reporter_id=reporter_id,
            target_type="user",
            target_id=about_id,
            target_owner_id=about_id,
            reason=reason,
        )
        db.session.add(report)
        db.session.commit()
        return report.id


def refused(desk: Desk, code: str, *args) -> Conflict:
    with pytest.raises(Conflict) as caught:
        desk.do(*args)
    assert caught.value.code == code
    return caught.value


# -- the moves -------------------------------------------------------------------


def test_a_new_ticket_is_open_unassigned_with_its_first_message(desk, app):
    ticket_id = desk.open()
    assert desk.state(ticket_id) == ("open", None, False)
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        (first,) = tickets.messages(db.session, ticket)
        assert (first.text, first.from_staff, first.author_id) == (
            "My upload never finishes.",
            False,
            desk.ids["vega"],
        )


def test_the_whole_conversation(desk):
    t = desk.open()
    desk.do("reply", t, "vega", "More detail.")
    assert desk.state(t) == ("open", None, False)
    desk.do("assign", t, "mod")
    assert desk.state(t) == ("pending", "mod", False)
    desk.do("reply", t, "vega", "Still stuck.")
    assert desk.state(t)[0] == "pending"
    desk.do("reply", t, "mod", "Try a smaller file.")
    assert desk.state(t)[0] == "solved"
    desk.do("reply", t, "mod", "Or a TIFF.")
    assert desk.state(t)[0] == "solved"
    desk.do("reply", t, "vega", "Did not help.")
    assert desk.state(t)[0] == "pending"
    desk.do("close", t, "vega")
    assert desk.state(t)[0] == "closed"


@pytest.mark.parametrize("before", ["open", "pending", "solved"])
@pytest.mark.parametrize("by", ["vega", "mod", "boss"])
def test_the_owner_or_staff_close_from_any_open_status(desk, before, by):
    t = desk.open()
    if before != "open":
        desk.do("assign", t, "mod")
    if before == "solved":
        desk.do("reply", t, "mod")
    assert desk.state(t)[0] == before
    desk.do("close", t, by)
    assert desk.state(t)[0] == "closed"


@pytest.mark.parametrize("before", ["pending", "solved"])
def test_another_moderator_takes_a_ticket_over_keeping_its_status(desk, before):
    t = desk.open()
    desk.do("assign", t, "mod")
    if before == "solved":
        desk.do("reply", t, "mod")
    desk.do("assign", t, "mod2")
    assert desk.state(t) == (before, "mod2", False)


@pytest.mark.parametrize("before", ["open", "pending", "solved"])
def test_escalating_hands_the_ticket_to_the_managers_open_and_unassigned(desk, before):
    t = desk.open()
    if before != "open":
        desk.do("assign", t, "mod")
    if before == "solved":
        desk.do("reply", t, "mod")
    desk.do("escalate", t, "mod", "Needs a manager's call.")
    assert desk.state(t) == ("open", None, True)
    desk.do("assign", t, "boss")
    desk.do("reply", t, "boss", "Decided.")
    assert desk.state(t) == ("solved", "boss", True)


# -- the refusals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "by"),
    [
        ("reply", "vega"),
        ("reply", "mod"),
        ("assign", "mod2"),
        ("close", "vega"),
        ("close", "mod"),
        ("escalate", "mod"),
    ],
)
def test_closed_is_final(desk, action, by):
    t = desk.open()
    desk.do("assign", t, "mod")
    desk.do("close", t, "mod")
    error = refused(desk, "ticket_closed", action, t, by)
    assert "closed" in error.message
    assert desk.state(t)[0] == "closed"


def test_staff_answer_only_a_ticket_they_took(desk):
    t = desk.open()
    error = refused(desk, "ticket_unassigned", "reply", t, "mod")
    assert "assign it to yourself" in error.message
    desk.do("assign", t, "mod")
    refused(desk, "ticket_not_yours", "reply", t, "mod2")
    refused(desk, "ticket_assigned", "assign", t, "mod")
    assert desk.state(t) == ("pending", "mod", False)


def test_escalating_twice_is_refused(desk):
    t = desk.open()
    desk.do("escalate", t, "mod")
    refused(desk, "ticket_escalated", "escalate", t, "boss")


def test_a_refused_move_changes_nothing(desk, app):
    t = desk.open()
    refused(desk, "ticket_unassigned", "reply", t, "mod")
    with app.app_context():
        assert len(tickets.messages(db.session, db.session.get(Ticket, t))) == 1
    assert desk.audit() == []


def test_owners_do_not_act_as_staff_and_others_not_at_all(desk):
    t = desk.open()
    for action in ("assign", "escalate"):
        with pytest.raises(PermissionDenied):
            desk.do(action, t, "vega")
    for action in ("reply", "close"):
        with pytest.raises(NotFound):
            desk.do(action, t, "mira")


def test_titles_and_texts_are_checked(desk):
    for title, text, field in [
        ("", "x", "title"),
        ("x" * 121, "x", "title"),
        ("Fine", "   ", "text"),
        ("Fine", "x" * 5001, "text"),
        ("Fine\u202e", "x", "title"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            desk.open(title=title, text=text)
        assert field in caught.value.fields
    assert desk.open(title="x" * 120, text="y" * 5000)


# -- who sees what ---------------------------------------------------------------


def test_a_moderator_s_own_ticket_is_for_managers_only(desk, app):
    t = desk.open("mod")
    assert desk.state(t) == ("open", None, True)
    with app.app_context():
        with pytest.raises(NotFound):
            tickets.get_ticket(db.session, desk.user("mod2"), t)
        assert tickets.get_ticket(db.session, desk.user("mod"), t).id == t
        assert tickets.get_ticket(db.session, desk.user("boss"), t).id == t
    with pytest.raises(PermissionDenied):
        desk.do("assign", t, "mod")  # their own: they are its owner here


def test_an_escalated_ticket_disappears_for_moderators(desk, app):
    t = desk.open()
    desk.do("assign", t, "mod")
    desk.do("escalate", t, "mod", "Over my head.")
    with app.app_context():
        for handle in ("mod", "mod2"):
            with pytest.raises(NotFound):
                tickets.get_ticket(db.session, desk.user(handle), t)
        ticket = tickets.get_ticket(db.session, desk.user("boss"), t)
        assert (ticket.escalated_by.handle, ticket.escalation_note) == ("mod", "Over my head.")
        assert tickets.get_ticket(db.session, desk.user("vega"), t).id == t


def page_ids(app, actor_handle, desk, view, status=None):
    with app.app_context():
        actor = OPERATOR if actor_handle is None else desk.user(actor_handle)
        page = tickets.staff_tickets(db.session, actor, secret=SECRET, view=view, status=status)
        return [t.id for t in page.items]


def test_staff_views(desk, app):
    a, b, c = desk.open(), desk.open("mira"), desk.open()
    escalated = desk.open()
    desk.do("escalate", escalated, "mod")
    desk.do("assign", b, "mod")
    desk.do("assign", c, "mod2")
    assert page_ids(app, "mod", desk, "unassigned") == [a]
    assert page_ids(app, "boss", desk, "unassigned") == [a, escalated]
    assert page_ids(app, "mod", desk, "mine") == [b]
    assert page_ids(app, "mod", desk, "all") == [c, b, a]
    assert page_ids(app, "boss", desk, "all", "open") == [escalated, a]
    assert page_ids(app, "mod", desk, "all", "pending") == [c, b]
    assert page_ids(app, None, desk, "all") == [c, b, escalated, a]
    with pytest.raises(ValidationFailed):
        page_ids(app, "mod", desk, "everything")
    with pytest.raises(ValidationFailed):
        page_ids(app, "mod", desk, "all", "done")
    with pytest.raises(PermissionDenied):
        page_ids(app, "vega", desk, "all")


def test_pages_follow_each_other(desk, app):
    made = [desk.open() for _ in range(5)]
    with app.app_context():
        owner = desk.user("vega")
        seen, cursor = [], None
        while True:
            page = tickets.owner_tickets(db.session, owner, secret=SECRET, cursor=cursor, limit=2)
            seen += [t.id for t in page.items]
            if not page.has_more:
                break
            cursor = page.next_cursor
    assert seen == made[::-1]


# -- reports --------------------------------------------------------------------------


def test_a_reporter_follows_up_their_report_once_at_a_time(desk, app):
    report_id = report_by(app, desk.ids["vega"], desk.ids["mira"])
    with app.app_context():
        with pytest.raises(NotFound):
            tickets.reporters_report(db.session, desk.user("mira"), report_id)
        mine = tickets.reporters_report(db.session, desk.user("vega"), report_id)
        first = tickets.open_ticket(
            db.session, desk.user("vega"), "About my report", "Any news?", utcnow(), mine
        )
        db.session.commit()
        assert first.report_id == report_id
        with pytest.raises(Conflict) as caught:
            tickets.open_ticket(db.session, desk.user("vega"), "Again", "News?", utcnow(), mine)
        assert caught.value.code == "ticket_exists"
        db.session.rollback()
        first_id = first.id
    desk.do("close", first_id, "vega")
    with app.app_context():
        mine = db.session.get(Report, report_id)
        assert tickets.open_ticket(db.session, desk.user("vega"), "Again", "News?", utcnow(), mine)


# -- notices and audit ------------------------------------------------------------------


def test_both_sides_are_told(desk):
    t = desk.open()
    desk.do("assign", t, "mod")
    desk.do("reply", t, "vega", "Hello?")
    desk.do("reply", t, "mod", "Here.")
    desk.do("assign", t, "mod2")
    desk.do("close", t, "mod2")
    assert desk.notices("vega") == ["ticket_assigned", "ticket_reply", "ticket_closed"]
    assert desk.notices("mod") == ["ticket_reply", "ticket_assigned"]
    assert desk.notices("mod2") == []
    t2 = desk.open()
    desk.do("assign", t2, "mod")
    desk.do("escalate", t2, "mod")
    desk.do("assign", t2, "boss")
    desk.do("close", t2, "vega")
    assert desk.notices("vega")[3:] == ["ticket_assigned", "ticket_escalated", "ticket_assigned"]
    assert desk.notices("boss") == ["ticket_closed"]


def test_staff_actions_are_audited_and_the_owner_s_are_not(desk):
    t = desk.open()
    desk.do("reply", t, "vega")
    desk.do("assign", t, "mod")
    desk.do("reply", t, "mod")
    desk.do("escalate", t, "mod")
    desk.do("assign", t, "boss")
    desk.do("close", t, "boss")
    assert desk.audit() == [
        ("ticket.assign", "mod"),
        ("ticket.reply", "mod"),
        ("ticket.escalate", "mod"),
        ("ticket.assign", "boss"),
        ("ticket.close", "boss"),
    ]


# -- the CLI ----------------------------------------------------------------------------


def test_flask_tickets_list(desk, runner):
    import json

    waiting, escalated, taken = desk.open(title="Waiting"), desk.open(), desk.open()
    desk.do("escalate", escalated, "mod")
    desk.do("assign", taken, "mod")
    result = runner.invoke(args=["tickets", "list", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [t["id"] for t in document["tickets"]] == [waiting, escalated]
    assert document["tickets"][1]["managers_only"] is True
    assert document["tickets"][0]["owner"] == "vega"
    everything = json.loads(
        runner.invoke(args=["tickets", "list", "--view", "all", "--json"]).output
    )
    assert [t["id"] for t in everything["tickets"]] == [taken, escalated, waiting]
    pending = runner.invoke(args=["tickets", "list", "--view", "all", "--status", "pending"])
    assert "@mod" in pending.output
    assert "Waiting" not in pending.output
    assert runner.invoke(args=["tickets", "list", "--view", "mine"]).exit_code == 2
