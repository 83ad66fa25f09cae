"""Reports: someone asking staff to look at a post, a comment or an account,
and what staff decide.

Filing. Anyone signed in (a suspended account too: reporting is not
posting) reports what they can see and is not their own; a target they
cannot see is "no such thing" (404), as everywhere else, so a report cannot
probe for hidden posts. The same reporter reporting the same target again
while their report is open gets that report back (one open report per
reporter and target; the partial unique index settles a race).

Deciding. Staff resolve a report and, with it, every open report on the
same target: ``dismiss``; ``label`` (add warning labels to the post);
``take_down`` (the post, through moderation.takedowns: its own audit row,
strike arithmetic and notice to the owner); ``warn`` (the target's owner is
sent a warning whose text is the decision's note, read through the
notification's report). Every reporter of the group is told their report
was handled, never what was decided. One audit row per decision.

The queue itself (groups of open reports, oldest first) is
moderation.report_queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from skyframe import policy
from skyframe.exceptions import Conflict, NotFound, ValidationFailed
from skyframe.models import (
    AuditSource,
    Decision,
    Post,
    Report,
    ReportReason,
    ReportStatus,
    ReportTarget,
    User,
)
from skyframe.models.moderation import REASON_MAX_LENGTH, REPORT_DETAILS_MAX_LENGTH
from skyframe.moderation import labels, takedowns
from skyframe.moderation.audit import Action, record
from skyframe.moderation.strikes import StrikeRules
from skyframe.posts import views as post_views
from skyframe.social import comments
from skyframe.social.notifications import Kind, notify
from skyframe.text import paragraphs, text_problem, too_long

# Decisions that act on a post, and so need one.
POST_ONLY = frozenset({Decision.LABEL, Decision.TAKE_DOWN})


class ReportResolved(Conflict):
    code = "report_resolved"


class TargetGone(Conflict):
    code = "target_gone"


@dataclass(frozen=True)
class Filed:
    report: Report
    created: bool  # False: the reporter's open report on this target, as it was


def _choice(enum_type, value: str, field: str):
    try:
        return enum_type(value)
    except ValueError as exc:
        known = ", ".join(member.value for member in enum_type)
        message = f"Choose one of {known}."
        raise ValidationFailed(message, fields={field: message}) from exc


def _clean_text(raw: str | None, field: str, limit: int) -> str:
    raw = raw or ""
    problem = text_problem(raw, allowed_controls="\n\t\r")
    text = paragraphs(raw)
    if problem is None and too_long(raw, text, limit):
        problem = f"At most {limit} characters."
    if problem is not None:
        raise ValidationFailed(problem, fields={field: problem})
    return text


def target_owner(session: Session, target_type: str, target_id: int, reporter: User) -> int:
    """Whose the target is, when the reporter may see it (else NotFound)."""
    if target_type == ReportTarget.POST:
        return post_views.get_post(session, target_id, reporter).owner_id
    if target_type == ReportTarget.COMMENT:
        return comments.get_comment(session, target_id, reporter).author_id
    user = session.get(User, target_id)
    if user is None or user.deleted_at is not None or not policy.can_see_account(user, reporter):
        raise NotFound("No such user.")
    return user.id


def open_report_of(
    session: Session, reporter_id: int, target_type: str, target_id: int
) -> Report | None:
    return session.scalar(
        select(Report).where(
            Report.reporter_id == reporter_id,
            Report.target_type == target_type,
            Report.target_id == target_id,
            Report.status == ReportStatus.OPEN,
        )
    )


def file_report(
    session: Session,
    reporter: User,
    *,
    target_type: str,
    target_id: int,
    reason: str,
    details: str | None = None,
    now: datetime,
) -> Filed:
    """Report a post, a comment or a user (``created`` False: the reporter's
    open report on it already existed, and is returned unchanged)."""
    target_type = _choice(ReportTarget, target_type, "target_type")
    reason = _choice(ReportReason, reason, "reason")
    details = _clean_text(details, "details", REPORT_DETAILS_MAX_LENGTH)
    owner_id = target_owner(session, target_type, target_id, reporter)
    if owner_id == reporter.id:
        message = "You cannot report yourself or your own posts and comments."
        raise ValidationFailed(message, fields={"target_id": message})
    policy.require(policy.can_report(reporter, owner_id), "You may not report this.")
    existing = open_report_of(session, reporter.id, target_type, target_id)
    if existing is not None:
        return Filed(existing, created=False)
    report = Report(
        reporter_id=reporter.id,
        target_type=target_type.value,
        target_id=target_id,
        target_owner_id=owner_id,
        reason=reason.value,
        details=details,
        status=ReportStatus.OPEN.value,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(report)
    except IntegrityError:
        # Filed twice at once: the other request's report is the one.
        existing = open_report_of(session, reporter.id, target_type, target_id)
        if existing is None:
            raise
        return Filed(existing, created=False)
    return Filed(report, created=True)


def get_report(session: Session, actor: policy.Actor, report_id: int) -> Report:
    """A report, for staff (others are refused before anything is looked up)."""
    policy.require(policy.can_moderate(actor), "Only staff handle reports.")
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("No such report.")
    return report


def group_of(session: Session, report: Report) -> list[Report]:
    """Every open report on ``report``'s target, oldest first."""
    return list(
        session.scalars(
            select(Report)
            .where(
                Report.target_type == report.target_type,
                Report.target_id == report.target_id,
                Report.status == ReportStatus.OPEN,
            )
            .order_by(Report.created_at, Report.id)
        )
    )


def _reported_post(session: Session, report: Report) -> Post:
    post = session.get(Post, report.target_id)
    if post is None:
        raise TargetGone("The reported post is gone; dismiss the report.")
    return post


def _warn(session: Session, report: Report) -> None:
    owner = session.get(User, report.target_owner_id) if report.target_owner_id else None
    if owner is None or owner.deleted_at is not None:
        raise TargetGone("Whoever this report is about is gone; dismiss the report.")
    notify(session, recipient_id=owner.id, actor=None, kind=Kind.WARNING, report_id=report.id)


def resolve(
    session: Session,
    actor: policy.Actor,
    report: Report,
    *,
    decision: str,
    note: str = "",
    label_values: Iterable[str] = (),
    rules: StrikeRules,
    now: datetime,
    source: AuditSource,
) -> list[Report]:
    """Decide on ``report`` and every open report on its target; returns the
    reports resolved (oldest first)."""
    policy.require(policy.can_moderate(actor), "Only staff resolve reports.")
    decision = _choice(Decision, decision, "decision")
    note = _clean_text(note, "note", REASON_MAX_LENGTH)
    if report.status != ReportStatus.OPEN:
        raise ReportResolved("This report was resolved already.")
    if decision in POST_ONLY and report.target_type != ReportTarget.POST:
        message = f"Only a post can be given {decision.value!r}; this is a {report.target_type}."
        raise ValidationFailed(message, fields={"decision": message})
    if decision in (Decision.TAKE_DOWN, Decision.WARN) and not note:
        raise ValidationFailed("Say why.", fields={"note": "Say why."})
    group = group_of(session, report)
    if decision == Decision.LABEL:
        wanted = labels.parse(label_values)
        if not wanted:
            message = "Choose at least one label."
            raise ValidationFailed(message, fields={"labels": message})
        post = _reported_post(session, report)
        added = labels.of(post.labels) + [label.value for label in wanted]
        labels.set_labels(session, actor, post, added, now=now, source=source)
    elif decision == Decision.TAKE_DOWN:
        post = _reported_post(session, report)
        if not post.taken_down:
            takedowns.take_down(session, actor, post, note, rules, now=now, source=source)
    elif decision == Decision.WARN:
        _warn(session, report)
    for member in group:
        member.status = ReportStatus.RESOLVED.value
        member.resolved_at = now
        member.resolved_by_id = getattr(actor, "id", None)
        member.decision = decision.value
        member.note = note
    session.flush()
    for member in group:
        notify(
            session,
            recipient_id=member.reporter_id,
            actor=None,
            kind=Kind.REPORT_HANDLED,
            report_id=member.id,
        )
    summary = f"{decision.value} {report.target_type} {report.target_id} ({len(group)} reports)"
    record(
        session,
        actor=actor,
        action=Action.REPORT_RESOLVE,
        target_type="report",
        target_id=report.id,
        reason=f"{summary}: {note}" if note else summary,
        source=source,
        now=now,
    )
    return group
