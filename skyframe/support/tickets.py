"""Tickets: a user asks staff for help, and staff answer.

Opening. Anyone signed in opens a ticket (a title of up to 120 characters
and a first message of up to 5000), suspended accounts too: a suspension is
when people need support most. It starts ``open`` and unassigned. A
reporter may open one about their own report (``report``), to follow it up
with staff in one thread; one ticket at a time per report (a second while
the first is not closed is 409 ``ticket_exists``). A staff member's own
ticket is for managers only, and so is one the caller marks so (an appeal's,
skyframe's appeals): ``managers_only``.

Working. What each action does to the status is skyframe.support.states
(one table; every other move is a 409 with its own code and message). Who
may act is skyframe.policy (``can_see_ticket``, ``can_work_ticket``): the
owner replies to and closes their ticket; staff who may see it assign it
to themselves, answer it, escalate it to the managers and close it. A
moderator does not see a ticket for managers only at all (404). Every
action of staff writes an audit row; the other side is notified of every
message, assignment, escalation and closing (a notice to the owner from
staff names no one, as moderation's notices do).

Every action locks the ticket's row first (on PostgreSQL; SQLite writes one
at a time) and judges it as it is then: two moderators taking the same ticket at
once are served one after the other (the second takes it over, and its
assignee is told), and a moderator answering a ticket escalated meanwhile
is refused.

Listings are keyset walks of one index each (models.ticket): the owner's
tickets most recently active first; staff's views ``unassigned`` (waiting
longest first), ``mine`` and ``all`` (most recently active first), each
optionally of one status.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import false, select, tuple_
from sqlalchemy.orm import Session

from skyframe import cursors, policy
from skyframe.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from skyframe.models import AuditSource, Report, Ticket, TicketMessage, TicketStatus, User
from skyframe.models.ticket import (
    ESCALATION_NOTE_MAX_LENGTH,
    TICKET_TEXT_MAX_LENGTH,
    TICKET_TITLE_MAX_LENGTH,
)
from skyframe.moderation.audit import Action, record
from skyframe.social.notifications import Kind, notify
from skyframe.support.states import Event, check
from skyframe.text import one_line, paragraphs, text_problem, too_long

VIEWS = ("unassigned", "mine", "all")
MESSAGES_MAX = 500  # a thread's messages shown, oldest first


class TicketExists(Conflict):
    code = "ticket_exists"


# -- what people type ----------------------------------------------------------


def _refuse(field: str, problem: str) -> None:
    raise ValidationFailed(problem, fields={field: problem})


def clean_title(raw: str | None) -> str:
    raw = raw or ""
    title = one_line(raw)
    if problem := text_problem(raw, allowed_controls="\n\t\r"):
        _refuse("title", problem)
    if not title:
        _refuse("title", "Give your ticket a title.")
    if too_long(raw, title, TICKET_TITLE_MAX_LENGTH):
        _refuse("title", f"At most {TICKET_TITLE_MAX_LENGTH} characters.")
    return title


def clean_text(raw: str | None, field: str = "text", limit: int = TICKET_TEXT_MAX_LENGTH) -> str:
    raw = raw or ""
    text = paragraphs(raw)
    if problem := text_problem(raw, allowed_controls="\n\t\r"):
        _refuse(field, problem)
    if not text:
        _refuse(field, "Write something first.")
    if too_long(raw, text, limit):
        _refuse(field, f"At most {limit} characters.")
    return text


# -- reading ---------------------------------------------------------------------


def get_ticket(session: Session, viewer: policy.Actor | None, ticket_id: int) -> Ticket:
    """A ticket ``viewer`` may see; any other is "no such ticket" (404)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not policy.can_see_ticket(ticket, viewer):
        raise NotFound("No such ticket.")
    return ticket


def owned_ticket(session: Session, owner: User, ticket_id: int) -> Ticket:
    """``owner``'s own ticket (the owner's side: /support, /api/v1/tickets);
    anyone else's is 404, staff's too (they have their side)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.owner_id != owner.id:
        raise NotFound("No such ticket.")
    return ticket


def staff_ticket(session: Session, actor: policy.Actor, ticket_id: int) -> Ticket:
    """A ticket on staff's side (/admin/tickets): 403 to anyone not staff,
    404 for a ticket the actor may not see (for managers only)."""
    policy.require(policy.can_answer_tickets(actor), "Only staff work tickets.")
    return get_ticket(session, actor, ticket_id)


def messages(session: Session, ticket: Ticket) -> list[TicketMessage]:
    """The ticket's thread, oldest first."""
    return list(
        session.scalars(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket.id)
            .order_by(TicketMessage.id)
            .limit(MESSAGES_MAX)
        )
    )


OWNER_EVENTS = frozenset({Event.OWNER_REPLY, Event.CLOSE})
STAFF_EVENTS = frozenset({Event.ASSIGN, Event.STAFF_REPLY, Event.ESCALATE, Event.CLOSE})


def may(ticket: Ticket, actor: policy.Actor | None, event: Event) -> bool:
    """Whether ``actor`` may do ``event`` to ``ticket`` now (what a page
    offers): its owner replies and closes; staff working it do the rest."""
    if actor is None:
        return False
    if actor.id is not None and actor.id == ticket.owner_id:
        allowed = event in OWNER_EVENTS
    else:
        allowed = event in STAFF_EVENTS and policy.can_work_ticket(ticket, actor)
    if not allowed:
        return False
    try:
        check(ticket, event, actor.id)
    except Conflict:
        return False
    return True


def reporters_report(session: Session, owner: User, report_id: int) -> Report:
    """``owner``'s own report (to follow up in a ticket); anyone else's is 404."""
    report = session.get(Report, report_id)
    if report is None or report.reporter_id != owner.id:
        raise NotFound("No such report.")
    return report


def ticket_of_report(session: Session, report: Report) -> Ticket | None:
    """The reporter's ticket on ``report`` that is not closed, if any."""
    return session.scalar(
        select(Ticket).where(
            Ticket.report_id == report.id,
            Ticket.owner_id == report.reporter_id,
            Ticket.status != TicketStatus.CLOSED,
        )
    )


def _position(ticket: Ticket) -> cursors.Position:
    return ticket.updated_at, ticket.id


def _walk(query, after: cursors.Position | None, *, oldest_first: bool, limit: int):
    position = tuple_(Ticket.updated_at, Ticket.id)
    if oldest_first:
        if after is not None:
            query = query.where(position > tuple_(*after))
        return query.order_by(Ticket.updated_at, Ticket.id).limit(limit)
    if after is not None:
        query = query.where(position < tuple_(*after))
    return query.order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(limit)


def _status_filter(status: str | None) -> TicketStatus | None:
    if status in (None, ""):
        return None
    try:
        return TicketStatus(status)
    except ValueError:
        known = ", ".join(TicketStatus)
        _refuse("status", f"Choose one of {known}.")


def owner_tickets(
    session: Session,
    owner: User,
    *,
    secret: str,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> cursors.KeysetPage[Ticket]:
    """``owner``'s tickets, most recently active first."""
    status = _status_filter(status)
    query = select(Ticket).where(Ticket.owner_id == owner.id)
    if status is not None:
        query = query.where(Ticket.status == status)
    return cursors.keyset_page(
        secret,
        f"my-tickets:{status or ''}",
        cursor,
        limit,
        lambda after: session.scalars(_walk(query, after, oldest_first=False, limit=limit + 1)),
        position=_position,
    )


def staff_tickets(
    session: Session,
    actor: policy.Actor,
    *,
    secret: str,
    view: str = "unassigned",
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> cursors.KeysetPage[Ticket]:
    """A staff view: ``unassigned`` (waiting longest first), ``mine`` (the
    actor's) or ``all`` (both most recently active first), optionally of one
    status. Tickets for managers only are left out for moderators."""
    policy.require(policy.can_answer_tickets(actor), "Only staff work tickets.")
    if view not in VIEWS:
        _refuse("view", f"Choose one of {', '.join(VIEWS)}.")
    status = _status_filter(status)
    query = select(Ticket)
    if view == "unassigned":
        query = query.where(Ticket.assignee_id.is_(None))
    elif view == "mine":
        if actor.id is None:
            _refuse("view", "The operator has no tickets of their own.")
        query = query.where(Ticket.assignee_id == actor.id)
    if status is not None:
        query = query.where(Ticket.status == status)
    if not policy.can_see_managers_only_tickets(actor):
        query = query.where(Ticket.managers_only == false())
    return cursors.keyset_page(
        secret,
        f"tickets:{view}:{status or ''}",
        cursor,
        limit,
        lambda after: session.scalars(
            _walk(query, after, oldest_first=view == "unassigned", limit=limit + 1)
        ),
        position=_position,
    )


# -- acting ------------------------------------------------------------------------


def _as_staff(ticket: Ticket, actor: policy.Actor, doing: str) -> bool:
    """Whether ``actor`` acts as staff (else as the ticket's owner)."""
    if actor.id is not None and actor.id == ticket.owner_id:
        return False
    policy.require(policy.can_work_ticket(ticket, actor), f"You may not {doing} this ticket.")
    return True


def _staff_only(ticket: Ticket, actor: policy.Actor, doing: str) -> None:
    if actor.id is not None and actor.id == ticket.owner_id:
        raise PermissionDenied(f"You cannot {doing} your own ticket; staff do that.")
    policy.require(policy.can_work_ticket(ticket, actor), f"You may not {doing} this ticket.")


def _lock(session: Session, ticket: Ticket) -> None:
    """Read the ticket again under a row lock (PostgreSQL's FOR UPDATE), so
    the rules and the table judge it as it is, not as it was read."""
    session.execute(select(Ticket.id).where(Ticket.id == ticket.id).with_for_update())
    session.refresh(ticket)


def _audit(
    session: Session,
    actor: policy.Actor,
    action: Action,
    ticket: Ticket,
    reason: str,
    *,
    source: AuditSource,
    now: datetime,
) -> None:
    record(
        session,
        actor=actor,
        action=action,
        target_type="ticket",
        target_id=ticket.id,
        reason=reason,
        source=source,
        now=now,
    )


def _add_message(
    session: Session, ticket: Ticket, author: policy.Actor, text: str, staff: bool, now: datetime
) -> TicketMessage:
    message = TicketMessage(
        ticket_id=ticket.id, author_id=author.id, text=text, from_staff=staff, created_at=now
    )
    session.add(message)
    return message


def _tell(session: Session, recipient_id: int | None, actor, kind: Kind, ticket: Ticket) -> None:
    if recipient_id is not None:
        notify(session, recipient_id=recipient_id, actor=actor, kind=kind, ticket_id=ticket.id)


def _tell_owner(session: Session, kind: Kind, ticket: Ticket) -> None:
    """A notice from staff to the owner: it names no one."""
    _tell(session, ticket.owner_id, None, kind, ticket)


def open_ticket(
    session: Session,
    owner: User,
    title: str | None,
    text: str | None,
    now: datetime,
    report: Report | None = None,
    *,
    managers_only: bool = False,
) -> Ticket:
    """Open a ticket (``open``, unassigned) with its first message. ``report``:
    the owner's own report it follows up; ``managers_only``: for managers
    alone (always so for a staff member's own ticket)."""
    title = clean_title(title)
    text = clean_text(text)
    if report is not None:
        if report.reporter_id != owner.id:
            raise NotFound("No such report.")
        if (existing := ticket_of_report(session, report)) is not None:
            raise TicketExists(
                f"You have a ticket about this report already (#{existing.id}): write there."
            )
    ticket = Ticket(
        owner_id=owner.id,
        title=title,
        status=TicketStatus.OPEN.value,
        managers_only=managers_only or owner.is_staff,
        report_id=None if report is None else report.id,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    _add_message(session, ticket, owner, text, False, now)
    session.flush()
    return ticket


def reply(
    session: Session,
    ticket: Ticket,
    author: policy.Actor,
    text: str | None,
    now: datetime,
    *,
    source: AuditSource,
    as_staff: bool = False,
) -> TicketMessage:
    """Add a message: the owner's (a solved ticket is ``pending`` again) or
    its assignee's (``solved``); the other side is notified. ``as_staff``:
    from staff's side, where the owner may not answer their own ticket."""
    text = clean_text(text)
    _lock(session, ticket)
    if as_staff:
        _staff_only(ticket, author, "answer")
    staff = _as_staff(ticket, author, "answer")
    before = ticket.status
    ticket.status = check(ticket, Event.STAFF_REPLY if staff else Event.OWNER_REPLY, author.id)
    ticket.updated_at = now
    message = _add_message(session, ticket, author, text, staff, now)
    session.flush()
    if staff:
        _tell_owner(session, Kind.TICKET_REPLY, ticket)
        _audit(
            session,
            author,
            Action.TICKET_REPLY,
            ticket,
            f"{before} → {ticket.status}",
            source=source,
            now=now,
        )
    else:
        _tell(session, ticket.assignee_id, author, Kind.TICKET_REPLY, ticket)
    return message


def assign(
    session: Session, ticket: Ticket, actor: policy.Actor, now: datetime, *, source: AuditSource
) -> Ticket:
    """Staff take a ticket (an open one becomes ``pending``), or take it over
    from another assignee; the owner is told someone is on it."""
    _lock(session, ticket)
    _staff_only(ticket, actor, "assign")
    before, previous = ticket.status, ticket.assignee
    ticket.status = check(ticket, Event.ASSIGN, actor.id)
    ticket.assignee_id = actor.id
    ticket.updated_at = now
    session.flush()
    if previous is None:
        _tell_owner(session, Kind.TICKET_ASSIGNED, ticket)
        reason = f"{before} → {ticket.status}"
    else:
        _tell(session, previous.id, actor, Kind.TICKET_ASSIGNED, ticket)
        reason = f"taken over from @{previous.handle}"
    _audit(session, actor, Action.TICKET_ASSIGN, ticket, reason, source=source, now=now)
    session.refresh(ticket, ["assignee"])
    return ticket


def escalate(
    session: Session,
    ticket: Ticket,
    actor: policy.Actor,
    note: str | None,
    now: datetime,
    *,
    source: AuditSource,
) -> Ticket:
    """Pass a ticket to the managers: for managers only from now on, ``open``
    and unassigned for one of them to take, with staff's note of why (which
    the owner does not see). The owner is told a manager will answer."""
    _lock(session, ticket)
    _staff_only(ticket, actor, "escalate")
    note = clean_text(note, "note", ESCALATION_NOTE_MAX_LENGTH)
    ticket.status = check(ticket, Event.ESCALATE, actor.id)
    ticket.managers_only = True
    ticket.assignee_id = None
    ticket.escalated_at = now
    ticket.escalated_by_id = actor.id
    ticket.escalation_note = note
    ticket.updated_at = now
    session.flush()
    _tell_owner(session, Kind.TICKET_ESCALATED, ticket)
    _audit(session, actor, Action.TICKET_ESCALATE, ticket, note, source=source, now=now)
    session.refresh(ticket, ["assignee"])
    return ticket


def close(
    session: Session, ticket: Ticket, actor: policy.Actor, now: datetime, *, source: AuditSource
) -> Ticket:
    """Close a ticket, for good: by its owner (the assignee is told) or by
    staff (the owner is told, and an assignee who is someone else)."""
    _lock(session, ticket)
    staff = _as_staff(ticket, actor, "close")
    before = ticket.status
    ticket.status = check(ticket, Event.CLOSE, actor.id)
    ticket.closed_at = now
    ticket.updated_at = now
    session.flush()
    if staff:
        _tell_owner(session, Kind.TICKET_CLOSED, ticket)
        if ticket.assignee_id != actor.id:
            _tell(session, ticket.assignee_id, actor, Kind.TICKET_CLOSED, ticket)
        reason = f"{before} → {ticket.status}"
        _audit(session, actor, Action.TICKET_CLOSE, ticket, reason, source=source, now=now)
    else:
        _tell(session, ticket.assignee_id, actor, Kind.TICKET_CLOSED, ticket)
    return ticket
