"""Support tickets over JSON.

Two sides, two sets of URLs: the owner's under /tickets (your own tickets
only; anyone else's is 404, staff's included) and staff's under
/admin/tickets (403 to anyone not staff; a ticket for managers only is 404
to a moderator). The same domain actions serve both (skyframe.support), and
every answer is the ticket with its thread, so a client sees the status a
move left it in. Opening and the owner's replies are rate limited
(``TICKET_LIMIT``, ``TICKET_REPLY_LIMIT``); staff's side is not, as the rest
of /admin is not. Suspended accounts may open, answer and close tickets.
"""

from __future__ import annotations

from flask import current_app
from flask_login import current_user, login_required

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import user_ref
from skyframe.api.schemas.tickets import (
    EscalateIn,
    MessageOut,
    MyTicketsQuery,
    ReplyIn,
    StaffTicketOut,
    StaffTicketPage,
    StaffTicketsQuery,
    StaffTicketThread,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketThread,
)
from skyframe.extensions import db
from skyframe.models import AuditSource, Ticket, TicketMessage, utcnow
from skyframe.policy import Actor
from skyframe.support import tickets
from skyframe.support.states import Event
from skyframe.web.ratelimit import per_user_limit

TAGS = ["support"]
ADMIN_TAGS = ["support (staff)"]
API = AuditSource.API


def ticket_out(ticket: Ticket, viewer: Actor) -> TicketOut:
    return TicketOut(
        id=ticket.id,
        title=ticket.title,
        status=ticket.status,
        assigned=ticket.assignee_id is not None,
        with_managers=ticket.managers_only,
        report_id=ticket.report_id,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        closed_at=ticket.closed_at,
        can_reply=tickets.may(ticket, viewer, Event.OWNER_REPLY),
        can_close=tickets.may(ticket, viewer, Event.CLOSE),
    )


def staff_ticket_out(ticket: Ticket, viewer: Actor) -> StaffTicketOut:
    fields = ticket_out(ticket, viewer).model_dump()
    fields["can_reply"] = tickets.may(ticket, viewer, Event.STAFF_REPLY)
    return StaffTicketOut(
        **fields,
        owner=user_ref(ticket.owner),
        assignee=user_ref(ticket.assignee) if ticket.assignee is not None else None,
        escalated_at=ticket.escalated_at,
        escalated_by=user_ref(ticket.escalated_by) if ticket.escalated_by is not None else None,
        escalation_note=ticket.escalation_note,
        can_assign=tickets.may(ticket, viewer, Event.ASSIGN),
        can_escalate=tickets.may(ticket, viewer, Event.ESCALATE),
    )


def message_out(message: TicketMessage, *, for_staff: bool) -> MessageOut:
    named = message.author is not None and (for_staff or not message.from_staff)
    return MessageOut(
        id=message.id,
        text=message.text,
        from_staff=message.from_staff,
        author=user_ref(message.author) if named else None,
        created_at=message.created_at,
    )


def thread(ticket: Ticket) -> TicketThread:
    return TicketThread(
        ticket=ticket_out(ticket, current_user),
        messages=[message_out(m, for_staff=False) for m in tickets.messages(db.session, ticket)],
    )


def staff_thread(ticket: Ticket) -> StaffTicketThread:
    return StaffTicketThread(
        ticket=staff_ticket_out(ticket, current_user),
        messages=[message_out(m, for_staff=True) for m in tickets.messages(db.session, ticket)],
    )


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


# -- the owner's side ---------------------------------------------------------------


@bp.post("/tickets")
@login_required
@per_user_limit("TICKET_LIMIT", scope="tickets")
@operation(
    tags=TAGS,
    ok=201,
    returns=TicketThread,
    json=TicketIn,
    signed_in=True,
    writes=True,
    errors=(404, 409, 429),
)
def open_ticket(json: TicketIn):
    """Ask staff for help: a ticket, ``open`` and unassigned, with its first
    message. ``report_id``: one of your reports, to follow it up (404 if it
    is not yours; 409 ``ticket_exists`` while another ticket on it is not
    closed). Suspended accounts may open tickets."""
    report = None
    if json.report_id is not None:
        report = tickets.reporters_report(db.session, current_user, json.report_id)
    ticket = tickets.open_ticket(db.session, current_user, json.title, json.text, utcnow(), report)
    db.session.commit()
    return thread(ticket), 201


@bp.get("/tickets")
@login_required
@operation(tags=TAGS, returns=TicketPage, query=MyTicketsQuery, signed_in=True, errors=(400,))
def my_tickets(query: MyTicketsQuery):
    """Your tickets, most recently active first (cursor-paginated)."""
    page = tickets.owner_tickets(
        db.session,
        current_user,
        secret=_secret(),
        status=query.status,
        cursor=query.cursor,
        limit=query.limit,
    )
    return TicketPage(
        items=[ticket_out(t, current_user) for t in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@bp.get("/tickets/<int:ticket_id>")
@login_required
@operation(tags=TAGS, returns=TicketThread, signed_in=True, errors=(404,))
def my_ticket(ticket_id: int):
    """One of your tickets with its messages, oldest first (staff's messages
    name no one)."""
    return thread(tickets.owned_ticket(db.session, current_user, ticket_id))


@bp.post("/tickets/<int:ticket_id>/replies")
@login_required
@per_user_limit("TICKET_REPLY_LIMIT", scope="ticket-replies")
@operation(
    tags=TAGS,
    ok=201,
    returns=TicketThread,
    json=ReplyIn,
    signed_in=True,
    writes=True,
    errors=(404, 409, 429),
)
def reply_to_my_ticket(ticket_id: int, json: ReplyIn):
    """Write on your ticket: a ``solved`` one is ``pending`` again; a closed
    one is 409 ``ticket_closed``. Whoever has it is notified."""
    ticket = tickets.owned_ticket(db.session, current_user, ticket_id)
    tickets.reply(db.session, ticket, current_user, json.text, utcnow(), source=API)
    db.session.commit()
    return thread(ticket), 201


@bp.post("/tickets/<int:ticket_id>/close")
@login_required
@operation(tags=TAGS, returns=TicketThread, signed_in=True, writes=True, errors=(404, 409))
def close_my_ticket(ticket_id: int):
    """Close your ticket, for good (409 ``ticket_closed`` if it is already)."""
    ticket = tickets.owned_ticket(db.session, current_user, ticket_id)
    tickets.close(db.session, ticket, current_user, utcnow(), source=API)
    db.session.commit()
    return thread(ticket)


# -- staff's side --------------------------------------------------------------------


@bp.get("/admin/tickets")
@login_required
@operation(
    tags=ADMIN_TAGS,
    returns=StaffTicketPage,
    query=StaffTicketsQuery,
    signed_in=True,
    errors=(400, 403),
)
def staff_tickets(query: StaffTicketsQuery):
    """Staff's views of tickets: ``unassigned`` (waiting longest first),
    ``mine`` or ``all`` (most recently active first), optionally of one
    status. Moderators' views leave out tickets for managers only."""
    page = tickets.staff_tickets(
        db.session,
        current_user,
        secret=_secret(),
        view=query.view,
        status=query.status,
        cursor=query.cursor,
        limit=query.limit,
    )
    return StaffTicketPage(
        items=[staff_ticket_out(t, current_user) for t in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@bp.get("/admin/tickets/<int:ticket_id>")
@login_required
@operation(tags=ADMIN_TAGS, returns=StaffTicketThread, signed_in=True, errors=(403, 404))
def staff_ticket(ticket_id: int):
    """A ticket with its messages, their authors named, and what you may do."""
    return staff_thread(tickets.staff_ticket(db.session, current_user, ticket_id))


@bp.post("/admin/tickets/<int:ticket_id>/assign")
@login_required
@operation(
    tags=ADMIN_TAGS, returns=StaffTicketThread, signed_in=True, writes=True, errors=(404, 409)
)
def assign_ticket(ticket_id: int):
    """Take a ticket: an ``open`` one becomes ``pending``; one assigned to
    someone else is taken over (status kept). 409 ``ticket_assigned`` if it is
    yours already, ``ticket_closed`` if closed."""
    ticket = tickets.staff_ticket(db.session, current_user, ticket_id)
    tickets.assign(db.session, ticket, current_user, utcnow(), source=API)
    db.session.commit()
    return staff_thread(ticket)


@bp.post("/admin/tickets/<int:ticket_id>/escalate")
@login_required
@operation(
    tags=ADMIN_TAGS,
    returns=StaffTicketThread,
    json=EscalateIn,
    signed_in=True,
    writes=True,
    errors=(404, 409),
)
def escalate_ticket(ticket_id: int, json: EscalateIn):
    """Pass a ticket to the managers, with why: it becomes ``open``,
    unassigned and for managers only (moderators no longer see it). 409
    ``ticket_escalated`` if it is with them already."""
    ticket = tickets.staff_ticket(db.session, current_user, ticket_id)
    tickets.escalate(db.session, ticket, current_user, json.note, utcnow(), source=API)
    db.session.commit()
    return staff_thread(ticket)


@bp.post("/admin/tickets/<int:ticket_id>/replies")
@login_required
@operation(
    tags=ADMIN_TAGS,
    ok=201,
    returns=StaffTicketThread,
    json=ReplyIn,
    signed_in=True,
    writes=True,
    errors=(404, 409),
)
def answer_ticket(ticket_id: int, json: ReplyIn):
    """Answer a ticket you have: it becomes ``solved`` and its owner is
    notified. 409 ``ticket_unassigned`` (take it first), ``ticket_not_yours``
    (someone else has it), ``ticket_closed``."""
    ticket = tickets.staff_ticket(db.session, current_user, ticket_id)
    tickets.reply(db.session, ticket, current_user, json.text, utcnow(), source=API, as_staff=True)
    db.session.commit()
    return staff_thread(ticket), 201


@bp.post("/admin/tickets/<int:ticket_id>/close")
@login_required
@operation(
    tags=ADMIN_TAGS, returns=StaffTicketThread, signed_in=True, writes=True, errors=(404, 409)
)
def close_ticket(ticket_id: int):
    """Close a ticket, for good; its owner is notified."""
    ticket = tickets.staff_ticket(db.session, current_user, ticket_id)
    tickets.close(db.session, ticket, current_user, utcnow(), source=API)
    db.session.commit()
    return staff_thread(ticket)
