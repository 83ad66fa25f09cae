"""The moderation queue: reports grouped by what they are about.

One entry per target: its oldest report (the group's *lead*), how many
reports it has and for which reasons, and a summary of the target (a post's
title and owner, a comment's excerpt and author, an account's handle), so a
moderator sees "this post, 7 reports" once instead of seven rows. Open
groups come oldest first (the longest waiting at the top); resolved ones
newest first, a group being the reports one decision resolved together.

The page is a walk of ix_reports_status_created_id in order, each report
kept when no earlier report of its group exists (one probe of
ix_reports_target, which ends in created_at and id): no grouping or
sorting of the whole queue, so a page costs the same at a hundred reports
or a hundred thousand. Keyset pages on
the lead's (created_at, id) via cursors.keyset_page; a filter by reason
groups the reports of that reason (the count still says them all).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, select, tuple_, union_all
from sqlalchemy.orm import Session, aliased, lazyload, load_only, selectinload

from skyframe import cursors, policy
from skyframe.models import Comment, Post, Report, ReportStatus, ReportTarget, User
from skyframe.moderation import labels

EXCERPT_LENGTH = 140


@dataclass(frozen=True)
class TargetSummary:
    type: str
    id: int
    exists: bool
    owner: User | None = None  # the post's owner, the comment's author, the account
    title: str | None = None  # a post's
    excerpt: str | None = None  # a comment's body, shortened
    post_id: int | None = None  # the post itself, or the comment's post
    labels: list[str] = field(default_factory=list)
    taken_down: bool = False


@dataclass(frozen=True)
class QueueGroup:
    report: Report  # the lead: the group's oldest report
    count: int
    reasons: dict[str, int]
    target: TargetSummary


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def _leads(
    session: Session,
    *,
    status: ReportStatus,
    target_type: str | None,
    reason: str | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Report]:
    other = aliased(Report)
    same_group = [
        other.target_type == Report.target_type,
        other.target_id == Report.target_id,
        other.status == status.value,
    ]
    if status == ReportStatus.RESOLVED:
        same_group.append(other.resolved_at == Report.resolved_at)
    if reason is not None:
        same_group.append(other.reason == reason)
    earlier = tuple_(other.created_at, other.id) < tuple_(Report.created_at, Report.id)
    query = (
        select(Report)
        .options(selectinload(Report.resolved_by))
        .where(Report.status == status.value, ~exists().where(*same_group, earlier))
    )
    if target_type is not None:
        query = query.where(Report.target_type == target_type)
    if reason is not None:
        query = query.where(Report.reason == reason)
    position = tuple_(Report.created_at, Report.id)
    if status == ReportStatus.OPEN:
        if after is not None:
            query = query.where(position > tuple_(*after))
        query = query.order_by(Report.created_at, Report.id)
    else:
        if after is not None:
            query = query.where(position < tuple_(*after))
        query = query.order_by(Report.created_at.desc(), Report.id.desc())
    return list(session.scalars(query.limit(limit)))


def _group_key(report: Report) -> tuple:
    resolved_at = report.resolved_at if report.status == ReportStatus.RESOLVED else None
    return report.target_type, report.target_id, resolved_at


def _reason_counts(session: Session, leads: Sequence[Report]) -> dict[tuple, Counter]:
    """Per group of the leads: its reports by reason (one query)."""
    if not leads:
        return {}
    status = leads[0].status
    targets = {(lead.target_type, lead.target_id) for lead in leads}
    by_type: dict[str, set[int]] = defaultdict(set)
    for target_type, target_id in targets:
        by_type[target_type].add(target_id)
    # One part per kind of target, so each is a plain range of
    # ix_reports_target (index-only on PostgreSQL, which carries the reason
    # and resolved_at); an OR of the kinds would be a bitmap heap scan.
    parts = [
        select(
            Report.target_type, Report.target_id, Report.resolved_at, Report.reason, func.count()
        )
        .where(
            Report.target_type == kind,
            Report.target_id.in_(sorted(ids)),
            Report.status == status,
        )
        .group_by(Report.target_type, Report.target_id, Report.resolved_at, Report.reason)
        for kind, ids in sorted(by_type.items())
    ]
    rows = session.execute(parts[0] if len(parts) == 1 else union_all(*parts))
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for target_type, target_id, resolved_at, reason, count in rows:
        key = (target_type, target_id, resolved_at if status == ReportStatus.RESOLVED else None)
        counts[key][reason] += count
    return counts


def summaries(session: Session, reports: Sequence[Report]) -> dict[tuple[str, int], TargetSummary]:
    """What each report is about, by (type, id): a query per kind of target."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for report in reports:
        wanted[report.target_type].add(report.target_id)
    found: dict[tuple[str, int], TargetSummary] = {}
    if ids := wanted.get(ReportTarget.POST):
        for post in session.scalars(
            select(Post)
            .options(
                load_only(Post.id, Post.owner_id, Post.title, Post.labels, Post.taken_down),
                lazyload(Post.media),
                lazyload(Post.tag_rows),
            )
            .where(Post.id.in_(ids))
        ):
            found[ReportTarget.POST.value, post.id] = TargetSummary(
                type=ReportTarget.POST.value,
                id=post.id,
                exists=True,
                owner=post.owner,
                title=post.title,
                post_id=post.id,
                labels=labels.of(post.labels),
                taken_down=post.taken_down,
            )
    if ids := wanted.get(ReportTarget.COMMENT):
        for comment in session.scalars(select(Comment).where(Comment.id.in_(ids))):
            found[ReportTarget.COMMENT.value, comment.id] = TargetSummary(
                type=ReportTarget.COMMENT.value,
                id=comment.id,
                exists=True,
                owner=comment.author,
                excerpt=_excerpt(comment.body),
                post_id=comment.post_id,
            )
    if ids := wanted.get(ReportTarget.USER):
        for user in session.scalars(select(User).where(User.id.in_(ids))):
            found[ReportTarget.USER.value, user.id] = TargetSummary(
                type=ReportTarget.USER.value, id=user.id, exists=user.deleted_at is None, owner=user
            )
    return found


def _summary(found: dict, report: Report) -> TargetSummary:
    key = (report.target_type, report.target_id)
    return found.get(key) or TargetSummary(
        type=report.target_type, id=report.target_id, exists=False
    )


def groups_of(session: Session, leads: Sequence[Report]) -> list[QueueGroup]:
    counts = _reason_counts(session, leads)
    found = summaries(session, leads)
    result = []
    for lead in leads:
        reasons = counts.get(_group_key(lead)) or Counter({lead.reason: 1})
        result.append(
            QueueGroup(
                report=lead,
                count=sum(reasons.values()),
                reasons=dict(sorted(reasons.items())),
                target=_summary(found, lead),
            )
        )
    return result


def group_from(session: Session, lead: Report, members: Sequence[Report]) -> QueueGroup:
    """The group a decision resolved (``members``), as the queue shows it."""
    reasons = Counter(member.reason for member in members)
    return QueueGroup(
        report=lead,
        count=len(members),
        reasons=dict(sorted(reasons.items())),
        target=_summary(summaries(session, [lead]), lead),
    )


def queue(
    session: Session,
    actor: policy.Actor,
    *,
    secret: str,
    status: str = ReportStatus.OPEN,
    target_type: str | None = None,
    reason: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> cursors.KeysetPage[QueueGroup]:
    """A page of the queue (staff only): open groups oldest first, resolved
    newest first; a cursor belongs to its status and filters."""
    policy.require(policy.can_moderate(actor), "Only staff see the report queue.")
    status = ReportStatus(status)
    page = cursors.keyset_page(
        secret,
        f"reports:{status.value}:{target_type or ''}:{reason or ''}",
        cursor,
        limit,
        lambda after: _leads(
            session,
            status=status,
            target_type=target_type,
            reason=reason,
            after=after,
            limit=limit + 1,
        ),
    )
    return cursors.KeysetPage(groups_of(session, page.items), page.next_cursor)
