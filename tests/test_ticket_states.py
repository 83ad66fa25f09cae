"""The ticket state machine on its own: every (status, event) pair is either
a move of the table or a 409 with its own code and message."""

from __future__ import annotations

import itertools

import pytest

from skyframe.exceptions import Conflict
from skyframe.models import Ticket, TicketStatus
from skyframe.support import states
from skyframe.support.states import Event

OP, P, S, C = "open", "pending", "solved", "closed"

LEGAL = {
    (OP, Event.ASSIGN): P,
    (P, Event.ASSIGN): P,
    (S, Event.ASSIGN): S,
    (OP, Event.OWNER_REPLY): OP,
    (P, Event.OWNER_REPLY): P,
    (S, Event.OWNER_REPLY): P,
    (P, Event.STAFF_REPLY): S,
    (S, Event.STAFF_REPLY): S,
    (OP, Event.ESCALATE): OP,
    (P, Event.ESCALATE): OP,
    (S, Event.ESCALATE): OP,
    (OP, Event.CLOSE): C,
    (P, Event.CLOSE): C,
    (S, Event.CLOSE): C,
}
ILLEGAL = {(C, event): "ticket_closed" for event in Event} | {
    (OP, Event.STAFF_REPLY): "ticket_unassigned"
}


def test_statuses_are_exactly_the_four_strings():
    assert [s.value for s in TicketStatus] == ["open", "pending", "solved", "closed"]


def test_every_pair_is_either_legal_or_refused():
    pairs = set(itertools.product([OP, P, S, C], Event))
    assert LEGAL.keys() | ILLEGAL.keys() == pairs
    assert not LEGAL.keys() & ILLEGAL.keys()


@pytest.mark.parametrize(("move", "to"), LEGAL.items(), ids=lambda v: str(v))
def test_legal_moves(move, to):
    status, event = move
    assert states.next_status(status, event) == to


@pytest.mark.parametrize(("move", "code"), ILLEGAL.items(), ids=lambda v: str(v))
def test_illegal_moves_are_a_409_with_a_code_and_a_message(move, code):
    status, event = move
    with pytest.raises(Conflict) as refused:
        states.next_status(status, event)
    assert refused.value.status == 409
    assert refused.value.code == code
    assert refused.value.message.endswith(".")
    assert len(refused.value.message) > 20


def test_closed_is_final_and_says_so_for_each_event():
    messages = set()
    for event in Event:
        with pytest.raises(states.TicketClosed) as refused:
            states.next_status(C, event)
        assert "closed" in refused.value.message
        messages.add(refused.value.message)
    assert len(messages) == len(Event)


def ticket(status: str, assignee_id: int | None = None, managers_only: bool = False) -> Ticket:
    return Ticket(status=status, assignee_id=assignee_id, managers_only=managers_only)


def test_assigning_to_the_assignee_again_is_refused():
    with pytest.raises(states.TicketAssigned):
        states.check(ticket(P, assignee_id=7), Event.ASSIGN, 7)
    assert states.check(ticket(P, assignee_id=7), Event.ASSIGN, 8) == P


def test_only_the_assignee_answers_as_staff():
    with pytest.raises(states.TicketNotYours):
        states.check(ticket(P, assignee_id=7), Event.STAFF_REPLY, 8)
    assert states.check(ticket(P, assignee_id=7), Event.STAFF_REPLY, 7) == S


def test_escalating_twice_is_refused():
    with pytest.raises(states.TicketEscalated) as refused:
        states.check(ticket(OP, managers_only=True), Event.ESCALATE, 7)
    assert refused.value.code == "ticket_escalated"


def test_closed_wins_over_the_other_refusals():
    with pytest.raises(states.TicketClosed):
        states.check(ticket(C, assignee_id=7), Event.ASSIGN, 7)
    with pytest.raises(states.TicketClosed):
        states.check(ticket(C, managers_only=True), Event.ESCALATE, 7)
