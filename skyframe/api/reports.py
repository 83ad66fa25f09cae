"""Reports over JSON: anyone signed in reports a post, a comment or a user;
staff work the queue and decide."""

from __future__ import annotations

from flask import current_app, url_for
from flask_login import current_user, login_required

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import user_ref
from skyframe.api.schemas.reports import (
    QueueItem,
    QueuePage,
    QueueQuery,
    ReportFiled,
    ReportIn,
    ReportOut,
    Resolved,
    ResolveIn,
    StaffReportOut,
    TargetOut,
)
from skyframe.extensions import db
from skyframe.models import AuditSource, Report, ReportTarget, utcnow
from skyframe.moderation import report_queue, reports
from skyframe.moderation.report_queue import QueueGroup, TargetSummary
from skyframe.moderation.strikes import StrikeRules
from skyframe.web.ratelimit import per_user_limit

TAGS = ["reports"]
ADMIN_TAGS = ["moderation"]


def report_out(report: Report) -> ReportOut:
    return ReportOut(
        id=report.id,
        target_type=report.target_type,
        target_id=report.target_id,
        reason=report.reason,
        details=report.details,
        status=report.status,
        created_at=report.created_at,
        resolved_at=report.resolved_at,
    )


def staff_report_out(report: Report) -> StaffReportOut:
    return StaffReportOut(
        **report_out(report).model_dump(),
        reporter=user_ref(report.reporter) if report.reporter is not None else None,
        decision=report.decision,
        note=report.note,
        resolved_by=user_ref(report.resolved_by) if report.resolved_by is not None else None,
    )


def _target_url(target: TargetSummary) -> str | None:
    if not target.exists:
        return None
    if target.type == ReportTarget.USER:
        return url_for("main.profile", handle=target.owner.handle)
    url = url_for("main.post_page", post_id=target.post_id)
    return url if target.type == ReportTarget.POST else f"{url}#comment-{target.id}"


def target_out(target: TargetSummary) -> TargetOut:
    return TargetOut(
        type=target.type,
        id=target.id,
        exists=target.exists,
        owner=user_ref(target.owner) if target.owner is not None else None,
        title=target.title,
        excerpt=target.excerpt,
        post_id=target.post_id,
        url=_target_url(target),
        labels=target.labels,
        taken_down=target.taken_down,
    )


def queue_item(group: QueueGroup) -> QueueItem:
    return QueueItem(
        report=staff_report_out(group.report),
        count=group.count,
        reasons=group.reasons,
        target=target_out(group.target),
    )


@bp.post("/reports")
@login_required
@per_user_limit("REPORT_LIMIT", scope="reports")
@operation(
    tags=TAGS,
    ok=201,
    returns=ReportFiled,
    json=ReportIn,
    signed_in=True,
    writes=True,
    errors=(404, 429),
    also_returns={200: ReportFiled},
)
def file_report(json: ReportIn):
    """Report a post, a comment or a user to the moderators (201); reporting
    the same thing again while your report is open answers 200 with that
    report. Yourself or your own content: 422; something you cannot see: 404."""
    filed = reports.file_report(
        db.session,
        current_user,
        target_type=json.target_type,
        target_id=json.target_id,
        reason=json.reason,
        details=json.details,
        now=utcnow(),
    )
    db.session.commit()
    return ReportFiled(report=report_out(filed.report)), 201 if filed.created else 200


@bp.get("/admin/reports")
@login_required
@operation(
    tags=ADMIN_TAGS,
    returns=QueuePage,
    query=QueueQuery,
    signed_in=True,
    errors=(400, 403),
)
def report_queue_page(query: QueueQuery):
    """The moderation queue (staff): reports grouped by target with a count,
    open ones oldest first, resolved ones newest first (cursor-paginated)."""
    page = report_queue.queue(
        db.session,
        current_user,
        secret=current_app.config["SECRET_KEY"],
        status=query.status,
        target_type=query.target_type,
        reason=query.reason,
        cursor=query.cursor,
        limit=query.limit,
    )
    return QueuePage(
        items=[queue_item(group) for group in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@bp.post("/admin/reports/<int:report_id>/resolve")
@login_required
@operation(
    tags=ADMIN_TAGS,
    returns=Resolved,
    json=ResolveIn,
    signed_in=True,
    writes=True,
    errors=(404, 409),
)
def resolve_report(report_id: int, json: ResolveIn):
    """Decide on a report and every open report on the same target: dismiss,
    label (adds labels to the post), take_down (the post) or warn (its
    owner, with the note). Each reporter is told their report was handled."""
    report = reports.get_report(db.session, current_user, report_id)
    members = reports.resolve(
        db.session,
        current_user,
        report,
        decision=json.decision,
        note=json.note,
        label_values=json.labels,
        rules=StrikeRules.from_config(current_app.config),
        now=utcnow(),
        source=AuditSource.API,
    )
    db.session.commit()
    return Resolved(resolved=queue_item(report_queue.group_from(db.session, report, members)))
