"""Appeals: the owner asks a manager to look again at a take-down or a strike.

Mastodon's appeals are the bar: one appeal per decision, by the account the
decision is about, decided by someone other than who took it, with the
decision undone by the decision itself rather than by a second step.

- **Who appeals what.** The owner of a taken-down post appeals the
  take-down; a struck account appeals the strike (policy.can_appeal),
  suspended or not (a suspension is what one most wants to appeal). Only a
  decision that still stands is appealed: a take-down not restored whose
  post still exists, an active strike (409 ``decision_not_standing``).
- **Once.** ``appeals`` is unique on its target: a second appeal of the same
  decision is 409 ``already_appealed``, whatever became of the first, and two
  requests at once cannot both get in (the database refuses the second).
- **The conversation.** An appeal opens a ticket for managers only, its
  first message the appeal's text, so the appellant and the managers can
  talk before the decision (skyframe.support.tickets).
- **The decision** (managers, never on their own appeal:
  policy.can_decide_appeal), once (409 ``appeal_decided``): *overturn*
  undoes the decision through moderation's own actions — a take-down is
  restored (takedowns.restore, which withdraws the strike it counted
  towards), a strike resolved (strikes.resolve, which lifts a strike
  suspension below STRIKE_SUSPEND_AT); *uphold* leaves it. Either way the
  appellant is told with the manager's note, in the ticket and as a
  notice, the ticket is closed, and the decision is one audit row
  (``appeal.uphold`` / ``appeal.overturn``) beside the rows of what it undid.
  A decision undone some other way meanwhile (a manager restored the post)
  can only be overturned: there is nothing left to uphold.

Everything happens in the caller's transaction; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from skyframe import cursors, policy
from skyframe.exceptions import Conflict, NotFound, ValidationFailed
from skyframe.models import (
    Appeal,
    AppealStatus,
    AppealTarget,
    AuditSource,
    Post,
    Strike,
    TakeDown,
    Ticket,
    TicketMessage,
    TicketStatus,
    User,
)
from skyframe.models.appeal import APPEAL_TEXT_MAX_LENGTH
from skyframe.models.moderation import REASON_MAX_LENGTH
from skyframe.moderation import strikes, takedowns
from skyframe.moderation.audit import Action, record
from skyframe.policy import Actor
from skyframe.social.notifications import Kind, notify
from skyframe.support import states, tickets
from skyframe.text import paragraphs, text_problem, too_long


class AlreadyAppealed(Conflict):
    code = "already_appealed"


class DecisionNotStanding(Conflict):
    code = "decision_not_standing"


class AppealDecided(Conflict):
    code = "appeal_decided"


Target = TakeDown | Strike
DECISIONS = ("uphold", "overturn")
_NOT_FOUND = {
    AppealTarget.TAKE_DOWN: "No such take-down of your posts.",
    AppealTarget.STRIKE: "No such strike on your account.",
}


def _target(session: Session, target_type: str, target_id: int) -> Target | None:
    model = TakeDown if target_type == AppealTarget.TAKE_DOWN else Strike
    return session.get(model, target_id)


def owner_of(target: Target) -> int:
    return target.owner_id if isinstance(target, TakeDown) else target.user_id


def stands(target: Target) -> bool:
    """Whether the decision is still in force: a take-down not restored (of a
    post that still exists), an active strike."""
    if isinstance(target, TakeDown):
        return target.restored_at is None and target.post_id is not None
    return target.active


def _note(raw: str) -> str:
    """The manager's note: optional, up to REASON_MAX_LENGTH."""
    note = paragraphs(raw or "")
    if problem := text_problem(raw or "", allowed_controls="\n\t\r"):
        pass
    elif too_long(raw or "", note, REASON_MAX_LENGTH):
        problem = f"At most {REASON_MAX_LENGTH} characters."
    else:
        return note
    raise ValidationFailed(problem, fields={"note": problem})


def of_target(session: Session, target_type: str, target_id: int) -> Appeal | None:
    return session.scalar(
        select(Appeal).where(Appeal.target_type == target_type, Appeal.target_id == target_id)
    )


def of_ticket(session: Session, ticket_id: int) -> Appeal | None:
    """The appeal that opened a ticket, if one did."""
    return session.scalar(select(Appeal).where(Appeal.ticket_id == ticket_id))


def about(target: Target | None, appeal: Appeal | None = None) -> str:
    """What an appeal is about, in a line."""
    if isinstance(target, TakeDown):
        return f"Removal of “{target.post_title}”"
    if isinstance(target, Strike):
        return f"Strike of {target.created_at:%Y-%m-%d}"
    return "A take-down" if appeal and appeal.target_type == AppealTarget.TAKE_DOWN else "A strike"


def title_of(target: Target) -> str:
    """The appeal's ticket's title."""
    return f"Appeal: {about(target)}"[:120]


def appeal(
    session: Session,
    owner: User,
    target_type: str,
    target_id: int,
    text: str,
    now: datetime,
) -> Appeal:
    """Appeal a take-down or a strike of one's own (see the module's rules):
    the appeal, pending, and its ticket to the managers."""
    target_type = AppealTarget(target_type)
    target = _target(session, target_type, target_id)
    if target is None or not policy.can_appeal(owner, owner_of(target)):
        # Another's decision is not theirs to know of: the same 404 as none.
        raise NotFound(_NOT_FOUND[target_type])
    if of_target(session, target_type, target_id) is not None:
        raise AlreadyAppealed("This decision has been appealed already; it is appealed once.")
    if not stands(target):
        raise DecisionNotStanding("This decision no longer stands: there is nothing to appeal.")
    # The appeal is its ticket's first message: the ticket's rule for text.
    text = tickets.clean_text(text, "text", APPEAL_TEXT_MAX_LENGTH)
    filed = Appeal(
        appellant_id=owner.id,
        target_type=target_type.value,
        target_id=target.id,
        text=text,
        status=AppealStatus.PENDING.value,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(filed)
            session.flush()
    except IntegrityError as exc:  # the same decision appealed at the same moment
        raise AlreadyAppealed("This decision has been appealed already.") from exc
    _open_conversation(session, owner, filed, target, now)
    return filed


def _open_conversation(
    session: Session, owner: User, filed: Appeal, target: Target, now: datetime
) -> None:
    """The ticket to the managers, the appeal's text its first message."""
    ticket = tickets.open_ticket(
        session, owner, title_of(target), filed.text, now, managers_only=True
    )
    filed.ticket_id = ticket.id


def get_appeal(session: Session, actor: Actor | None, appeal_id: int) -> Appeal:
    """An appeal, for a manager's decision: 403 for others before 404."""
    policy.require(policy.can_list_appeals(actor), "Only managers decide appeals.")
    found = session.get(Appeal, appeal_id)
    if found is None:
        raise NotFound("No such appeal.")
    return found


def decide(
    session: Session,
    manager: Actor,
    appeal: Appeal,
    decision: str,
    note: str,
    rules: strikes.StrikeRules,
    *,
    now: datetime,
    source: AuditSource,
) -> Appeal:
    """Uphold or overturn an appeal (see the module's rules)."""
    policy.require(
        policy.can_decide_appeal(manager, appeal.appellant_id),
        "Only a manager decides an appeal, and never their own.",
    )
    if decision not in DECISIONS:
        raise ValidationFailed("Uphold or overturn.", fields={"decision": "Uphold or overturn."})
    # Two managers deciding at once: the second waits here, then finds it decided.
    session.execute(select(Appeal.id).where(Appeal.id == appeal.id).with_for_update())
    session.refresh(appeal)
    if not appeal.pending:
        raise AppealDecided(f"This appeal was decided already ({appeal.status}).")
    note = _note(note)
    target = _target(session, appeal.target_type, appeal.target_id)
    standing = target is not None and stands(target)
    if decision == "overturn":
        if standing:
            _undo(session, manager, target, note, rules, now=now, source=source)
        appeal.status = AppealStatus.OVERTURNED.value
        action = Action.APPEAL_OVERTURN
    else:
        if not standing:
            raise DecisionNotStanding(
                "This decision was undone since the appeal: overturn the appeal to close it."
            )
        appeal.status = AppealStatus.UPHELD.value
        action = Action.APPEAL_UPHOLD
    appeal.decided_at = now
    appeal.decided_by_id = getattr(manager, "id", None)
    appeal.decision_note = note
    record(
        session,
        actor=manager,
        action=action,
        target_type="appeal",
        target_id=appeal.id,
        reason=note,
        source=source,
        now=now,
    )
    notify(
        session,
        recipient_id=appeal.appellant_id,
        actor=None,
        kind=Kind.APPEAL_DECIDED,
        appeal_id=appeal.id,
    )
    _close_conversation(session, manager, appeal, now)
    return appeal


def _undo(
    session: Session,
    manager: Actor,
    target: Target,
    note: str,
    rules: strikes.StrikeRules,
    *,
    now: datetime,
    source: AuditSource,
) -> None:
    """Undo the appealed decision with moderation's own action."""
    if isinstance(target, TakeDown):
        post = session.get(Post, target.post_id)
        takedowns.restore(session, manager, post, note, rules, now=now, source=source)
    else:
        strikes.resolve(session, manager, target, note, rules, now=now, source=source)


OUTCOME = {
    (AppealStatus.UPHELD, AppealTarget.TAKE_DOWN): "Appeal declined: the post stays removed.",
    (AppealStatus.UPHELD, AppealTarget.STRIKE): "Appeal declined: the strike stands.",
    (AppealStatus.OVERTURNED, AppealTarget.TAKE_DOWN): "Appeal accepted: the post is restored.",
    (AppealStatus.OVERTURNED, AppealTarget.STRIKE): "Appeal accepted: the strike is lifted.",
}


def decision_message(appeal: Appeal) -> str:
    """What the decision says in the appeal's ticket."""
    outcome = OUTCOME[AppealStatus(appeal.status), AppealTarget(appeal.target_type)]
    return f"{outcome}\n\n{appeal.decision_note}" if appeal.decision_note else outcome


def _close_conversation(session: Session, manager: Actor, appeal: Appeal, now: datetime) -> None:
    """The decision is the ticket's last message, from the deciding manager
    (its assignee from now on), and closes it: a decided appeal has nothing
    left to talk over, and is not appealed again. The move is the state
    machine's (support.states: any open ticket closes); it is audited once,
    as the decision, and told once, by the decision's notice, rather than as
    an assignment, a reply and a closing of their own. A ticket its owner
    closed already keeps its thread as it is."""
    ticket = appeal.ticket
    if ticket is None or ticket.status == TicketStatus.CLOSED:
        return
    session.execute(select(Ticket.id).where(Ticket.id == ticket.id).with_for_update())
    session.refresh(ticket)
    ticket.status = states.check(ticket, states.Event.CLOSE, manager.id)
    ticket.assignee_id = ticket.assignee_id or manager.id
    ticket.closed_at = now
    ticket.updated_at = now
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            author_id=manager.id,
            text=decision_message(appeal),
            from_staff=True,
            created_at=now,
        )
    )


# -- listings ---------------------------------------------------------------------


def of_user(session: Session, user_id: int) -> list[Appeal]:
    """A user's appeals, newest first (a handful at most: one per decision)."""
    return list(
        session.scalars(
            select(Appeal).where(Appeal.appellant_id == user_id).order_by(Appeal.id.desc())
        )
    )


def by_target(appeals: list[Appeal]) -> dict[tuple[str, int], Appeal]:
    """Appeals keyed by what they appeal (the standing page marks each decision)."""
    return {(a.target_type, a.target_id): a for a in appeals}


def queue(
    session: Session,
    actor: Actor | None,
    *,
    secret: str,
    status: str,
    cursor: str | None,
    limit: int,
) -> cursors.KeysetPage[Appeal]:
    """The managers' list of one status, keyset-paged on (created_at, id):
    pending ones oldest first (the queue), decided ones newest first (one
    range of ix_appeals_status_created_id either way)."""
    policy.require(policy.can_list_appeals(actor), "Only managers decide appeals.")
    status = AppealStatus(status)
    position = tuple_(Appeal.created_at, Appeal.id)
    query = select(Appeal).where(Appeal.status == status.value)
    if status == AppealStatus.PENDING:
        query = query.order_by(Appeal.created_at, Appeal.id)
    else:
        query = query.order_by(Appeal.created_at.desc(), Appeal.id.desc())

    def fetch(after):
        page = query
        if after is not None:
            before = status != AppealStatus.PENDING
            page = query.where(position < tuple_(*after) if before else position > tuple_(*after))
        return session.scalars(page.limit(limit + 1)).all()

    return cursors.keyset_page(secret, f"appeals:{status.value}", cursor, limit, fetch)


def target_of(session: Session, appeal: Appeal) -> Target | None:
    """The take-down or strike an appeal is about (None if it is gone)."""
    return _target(session, appeal.target_type, appeal.target_id)
