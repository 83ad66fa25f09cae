"""The ticket state machine, as a table.

    status    event          → status   who
    open      assign         → pending  staff (to themselves)
    pending   assign         → pending  staff taking it over from another
    solved    assign         → solved   staff taking it over from another
    open      owner reply    → open     the owner (more detail while it waits)
    pending   owner reply    → pending  the owner
    solved    owner reply    → pending  the owner (not solved after all)
    pending   staff reply    → solved   the assignee
    solved    staff reply    → solved   the assignee (a further answer)
    open      escalate       → open     staff: for managers only, unassigned
    pending   escalate       → open     staff (the assignee is let go)
    solved    escalate       → open     staff
    open      close          → closed   the owner or staff
    pending   close          → closed   the owner or staff
    solved    close          → closed   the owner or staff

Everything else is refused with 409 and a code of its own: any event on a
closed ticket is ``ticket_closed`` (closed is final: a new ticket starts a
new conversation); a staff reply to an open ticket ``ticket_unassigned``
(whoever answers takes it first, so a reply always has someone behind
it). Beyond the table, ``check`` also refuses assigning a ticket to whom it
is assigned already (``ticket_assigned``), a staff reply by someone other
than the assignee (``ticket_not_yours``) and escalating a ticket already
with the managers (``ticket_escalated``).
"""

from __future__ import annotations

import enum

from skyframe.exceptions import Conflict
from skyframe.models import Ticket, TicketStatus

OPEN, PENDING, SOLVED, CLOSED = (
    TicketStatus.OPEN,
    TicketStatus.PENDING,
    TicketStatus.SOLVED,
    TicketStatus.CLOSED,
)


class Event(enum.StrEnum):
    ASSIGN = "assign"
    OWNER_REPLY = "owner_reply"
    STAFF_REPLY = "staff_reply"
    ESCALATE = "escalate"
    CLOSE = "close"


TRANSITIONS: dict[tuple[TicketStatus, Event], TicketStatus] = {
    (OPEN, Event.ASSIGN): PENDING,
    (PENDING, Event.ASSIGN): PENDING,
    (SOLVED, Event.ASSIGN): SOLVED,
    (OPEN, Event.OWNER_REPLY): OPEN,
    (PENDING, Event.OWNER_REPLY): PENDING,
    (SOLVED, Event.OWNER_REPLY): PENDING,
    (PENDING, Event.STAFF_REPLY): SOLVED,
    (SOLVED, Event.STAFF_REPLY): SOLVED,
    (OPEN, Event.ESCALATE): OPEN,
    (PENDING, Event.ESCALATE): OPEN,
    (SOLVED, Event.ESCALATE): OPEN,
    (OPEN, Event.CLOSE): CLOSED,
    (PENDING, Event.CLOSE): CLOSED,
    (SOLVED, Event.CLOSE): CLOSED,
}


class TicketClosed(Conflict):
    code = "ticket_closed"


class TicketUnassigned(Conflict):
    code = "ticket_unassigned"


class TicketAssigned(Conflict):
    code = "ticket_assigned"


class TicketNotYours(Conflict):
    code = "ticket_not_yours"


class TicketEscalated(Conflict):
    code = "ticket_escalated"


# The moves the table does not hold, and what a caller is told.
CLOSED_MESSAGE = {
    Event.ASSIGN: "This ticket is closed; a closed ticket cannot be assigned.",
    Event.OWNER_REPLY: "This ticket is closed; open a new ticket to write to staff again.",
    Event.STAFF_REPLY: "This ticket is closed; it cannot be answered any more.",
    Event.ESCALATE: "This ticket is closed; a closed ticket cannot be escalated.",
    Event.CLOSE: "This ticket is closed already.",
}
REFUSED: dict[tuple[TicketStatus, Event], Conflict] = {
    (OPEN, Event.STAFF_REPLY): TicketUnassigned(
        "Nobody has taken this ticket yet: assign it to yourself before answering."
    ),
    **{(CLOSED, event): TicketClosed(message) for event, message in CLOSED_MESSAGE.items()},
}


def next_status(status: str, event: Event) -> TicketStatus:
    """Where ``event`` takes a ticket in ``status``; a move the table does not
    hold raises its 409."""
    status = TicketStatus(status)
    try:
        return TRANSITIONS[status, event]
    except KeyError:
        refusal = REFUSED[status, event]
        raise type(refusal)(refusal.message) from None


def check(ticket: Ticket, event: Event, actor_id: int | None) -> TicketStatus:
    """The status ``event`` by ``actor_id`` takes ``ticket`` to, after the
    table and the rules of who: raises the 409 of a move not allowed."""
    status = next_status(ticket.status, event)
    if event == Event.ASSIGN and ticket.assignee_id == actor_id:
        raise TicketAssigned("This ticket is assigned to you already.")
    if event == Event.STAFF_REPLY and ticket.assignee_id != actor_id:
        raise TicketNotYours(
            "This ticket is assigned to someone else: assign it to yourself to answer it."
        )
    if event == Event.ESCALATE and ticket.managers_only:
        raise TicketEscalated("This ticket is with the managers already.")
    return status
