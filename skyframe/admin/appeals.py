"""Appeals in the staff area (managers; a moderator is answered 403): the
list by status (pending oldest first), one appeal with the decision it is
about, and the decision form, which posts to its own URL, calls
support.appeals.decide (audited with source web) and redirects back (PRG);
a refused form is drawn again with why. ``admin/_appeal_decision.html`` is
the decision form as an include, for any staff page that shows an appeal
(a ticket's)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from skyframe import policy
from skyframe.admin.blueprint import bp
from skyframe.admin.flow import refused
from skyframe.admin.forms import AppealDecisionForm
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.models import Appeal, AppealStatus, AuditSource, utcnow
from skyframe.moderation.strikes import StrikeRules
from skyframe.support import appeals
from skyframe.web.safe_redirect import safe_next_path
from skyframe.web.viewer import viewer

PAGE_SIZE = 30
STATUSES = [status.value for status in AppealStatus]


@bp.get("/appeals")
def appeals_list():
    status = request.args.get("status", AppealStatus.PENDING.value)
    if status not in STATUSES:
        status = AppealStatus.PENDING.value
    try:
        page = appeals.queue(
            db.session,
            viewer(),
            secret=current_app.config["SECRET_KEY"],
            status=status,
            cursor=request.args.get("cursor"),
            limit=PAGE_SIZE,
        )
    except DomainError as exc:
        if exc.status != 400:  # a forged or stale cursor: the first page
            raise
        return redirect(url_for("admin.appeals_list", status=status))
    return render_template(
        "admin/appeals.html",
        status=status,
        statuses=STATUSES,
        items=[(a, appeals.target_of(db.session, a)) for a in page.items],
        next_cursor=page.next_cursor,
        about=appeals.about,
    )


def decision_context(appeal: Appeal, form: AppealDecisionForm | None = None) -> dict:
    """What ``admin/_appeal_decision.html`` draws: the appeal, the decision it
    is about, and the form when this manager may decide it."""
    target = appeals.target_of(db.session, appeal)
    return {
        "appeal": appeal,
        "appeal_target": target,
        "appeal_about": appeals.about(target, appeal),
        "appeal_stands": target is not None and appeals.stands(target),
        "can_decide": appeal.pending and policy.can_decide_appeal(viewer(), appeal.appellant_id),
        "decision_form": form or AppealDecisionForm(formdata=None),
    }


@bp.context_processor
def appeal_of_ticket_helper() -> dict[str, object]:
    # A ticket's staff page shows the appeal that opened it, with the
    # decision form (templates/admin/_ticket_extra.html, which admin/ticket.html includes).
    def appeal_of_ticket(ticket) -> dict | None:
        found = appeals.of_ticket(db.session, ticket.id)
        if found is None or not policy.can_list_appeals(viewer()):
            return None
        return decision_context(found)

    return {"appeal_of_ticket": appeal_of_ticket}


def _page(appeal: Appeal, status: int = 200, form: AppealDecisionForm | None = None):
    return render_template("admin/appeal.html", **decision_context(appeal, form)), status


@bp.get("/appeals/<int:appeal_id>")
def appeal(appeal_id: int):
    return _page(appeals.get_appeal(db.session, viewer(), appeal_id))


@bp.post("/appeals/<int:appeal_id>/decision")
def decide_appeal(appeal_id: int):
    found = appeals.get_appeal(db.session, viewer(), appeal_id)
    form = AppealDecisionForm()
    if not form.validate():
        return _page(found, 422, form)
    try:
        appeals.decide(
            db.session,
            viewer(),
            found,
            form.decision.data or "",
            form.note.data or "",
            StrikeRules.from_config(current_app.config),
            now=utcnow(),
            source=AuditSource.WEB,
        )
    except DomainError as exc:
        status = refused(form, exc)  # 403/404 raised: the error page
        return _page(db.session.get(Appeal, appeal_id), status, form)
    db.session.commit()
    done = "overturned" if found.status == AppealStatus.OVERTURNED else "upheld"
    flash(f"The appeal is decided ({done}); the appellant has been told.", "success")
    back = url_for("admin.appeal", appeal_id=found.id)
    return redirect(safe_next_path(request.form.get("next"), back))
