"""The report queue as a page: moderation.report_queue's groups (one entry
per target, its count and reasons), filtered by status, kind of target and
reason, in keyset pages ("Older" follows the cursor), each open group with
the form that decides it (moderation.reports.resolve: the whole group at
once, one audit row, source web)."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for

from skyframe.admin.blueprint import bp
from skyframe.admin.flow import act
from skyframe.admin.forms import DECISIONS, ReportFilterForm, ResolveForm
from skyframe.extensions import db
from skyframe.models import AuditSource, Label, utcnow
from skyframe.models.moderation import REASON_MAX_LENGTH
from skyframe.moderation import report_queue, reports
from skyframe.moderation.strikes import StrikeRules
from skyframe.web.viewer import viewer

# A phone screen holds two or three groups; ten a page halves the queue's
# loading and drawing against the API's twenty (benchmarks/staff_bench.py:
# ~24 ms of CPU a page at twenty, over the 20 ms target on its own).
PAGE_SIZE = 10


def _filters(form: ReportFilterForm) -> dict[str, str] | None:
    """The chosen filters, or None (with the field's error) when one is unknown."""
    if not form.validate():
        return None
    return {
        "status": form.status.data or "open",
        "target_type": form.target_type.data or None,
        "reason": form.reason.data or None,
    }


def _queue(status: int = 200, failed: tuple[int, ResolveForm] | None = None):
    form = ReportFilterForm(request.args)
    filters = _filters(form)
    if filters is None:
        return render_template(
            "admin/reports.html", form=form, groups=[], next_cursor=None, filters={}
        ), 422
    page = report_queue.queue(
        db.session,
        viewer(),
        secret=current_app.config["SECRET_KEY"],
        cursor=request.args.get("cursor"),
        limit=PAGE_SIZE,
        **filters,
    )
    body = render_template(
        "admin/reports.html",
        form=form,
        groups=page.items,
        decisions=[(decision.value, text) for decision, text in DECISIONS.items()],
        label_choices=[(label.value, label.description) for label in Label],
        note_max=REASON_MAX_LENGTH,
        failed=failed[0] if failed else None,
        failed_form=failed[1] if failed else None,
        next_cursor=page.next_cursor,
        filters={name: value for name, value in filters.items() if value},
    )
    return body, status


@bp.get("/reports", endpoint="reports")
def reports_queue():
    return _queue()


@bp.post("/reports/<int:report_id>/resolve")
def resolve_report(report_id: int):
    report = reports.get_report(db.session, viewer(), report_id)
    return act(
        ResolveForm(),
        lambda status, form: _queue(status, failed=(report.id, form)),
        lambda form: reports.resolve(
            db.session,
            viewer(),
            report,
            decision=form.decision.data or "",
            note=form.note.data or "",
            label_values=form.labels.data or [],
            rules=StrikeRules.from_config(current_app.config),
            now=utcnow(),
            source=AuditSource.WEB,
        ),
        # Back to the queue as it was filtered (the form posts its query along).
        lambda: url_for("admin.reports", **request.args),
        "Decided; every reporter has been told it was handled.",
    )
