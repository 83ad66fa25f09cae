"""The audit log page (managers): the log with its filters, newest first,
paged like the API (the same listing: api.audit.audit_log_page)."""

from __future__ import annotations

from flask import render_template, request

from skyframe.admin.blueprint import bp
from skyframe.admin.forms import AuditFilterForm
from skyframe.api.audit import audit_log_page
from skyframe.exceptions import DomainError
from skyframe.moderation.audit import Action
from skyframe.web.viewer import viewer

PAGE_SIZE = 50


@bp.get("/audit")
def audit_log():
    form = AuditFilterForm(request.args)
    action = form.action.data if form.action.data in set(Action) else None
    if form.action.data and action is None:
        form.action.errors = ["Choose an action from the list."]
        return render_template("admin/audit.html", form=form, entries=[], next_cursor=None), 422
    filters = {
        "actor": (form.actor.data or "").strip() or None,
        "action": action,
        "target_type": (form.target_type.data or "").strip() or None,
    }
    try:
        page = audit_log_page(
            viewer(), **filters, cursor=request.args.get("cursor"), limit=PAGE_SIZE
        )
    except DomainError as exc:
        if exc.status != 422:
            raise
        for name, message in exc.fields.items():
            getattr(form, name).errors = [message]
        return render_template("admin/audit.html", form=form, entries=[], next_cursor=None), 422
    return render_template(
        "admin/audit.html",
        form=form,
        entries=page.items,
        next_cursor=page.next_cursor,
        filters={name: value for name, value in filters.items() if value},
    )
