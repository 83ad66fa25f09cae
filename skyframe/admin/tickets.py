"""Tickets on staff's side: the views (unassigned, mine, all, by status) and
a ticket's page with its forms — assign to me, answer, escalate, close.
Each form posts to its own URL, calls one action of skyframe.support
(audited with source web) and redirects back (PRG); a refused form is drawn
again with why. A ticket for managers only is 404 to a moderator, as on the
API; escalating one hands it away, so the moderator lands on the list."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from skyframe import cursors, policy
from skyframe.admin.blueprint import bp
from skyframe.admin.forms import EscalateForm, TicketAnswerForm, TicketFilterForm
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.main.forms import ConfirmForm
from skyframe.main.support import show_form_refusal
from skyframe.models import AuditSource, Ticket, utcnow
from skyframe.support import tickets
from skyframe.support.states import Event
from skyframe.web.viewer import viewer

PAGE_SIZE = 25
WEB = AuditSource.WEB


@bp.get("/tickets")
def tickets_list():
    form = TicketFilterForm(request.args)
    view = form.view.data or "unassigned"
    status = form.status.data or None
    try:
        page = tickets.staff_tickets(
            db.session,
            viewer(),
            secret=current_app.config["SECRET_KEY"],
            view=view,
            status=status,
            cursor=request.args.get("cursor"),
            limit=PAGE_SIZE,
        )
    except cursors.InvalidCursor:
        return redirect(url_for("admin.tickets_list", view=view, status=status))
    except DomainError as exc:
        if exc.status != 422:
            raise
        for name, message in exc.fields.items():
            getattr(form, name).errors = [message]
        body = render_template("admin/tickets.html", form=form, items=[], older=None, filters={})
        return body, 422
    return render_template(
        "admin/tickets.html",
        form=form,
        items=page.items,
        older=page.next_cursor,
        filters={"view": view, **({"status": status} if status else {})},
    )


def _page(ticket: Ticket, status: int = 200, **forms: FlaskForm):
    staff = viewer()
    forms.setdefault("answer_form", TicketAnswerForm(formdata=None))
    forms.setdefault("escalate_form", EscalateForm(formdata=None))
    body = render_template(
        "admin/ticket.html",
        ticket=ticket,
        messages=tickets.messages(db.session, ticket),
        confirm_form=ConfirmForm(formdata=None),
        can_assign=tickets.may(ticket, staff, Event.ASSIGN),
        can_answer=tickets.may(ticket, staff, Event.STAFF_REPLY),
        can_escalate=tickets.may(ticket, staff, Event.ESCALATE),
        can_close=tickets.may(ticket, staff, Event.CLOSE),
        **forms,
    )
    return body, status


@bp.get("/tickets/<int:ticket_id>")
def ticket(ticket_id: int):
    return _page(tickets.staff_ticket(db.session, viewer(), ticket_id))


def _act(ticket_id: int, form: FlaskForm, slot: str | None, action: Callable, done: str):
    """A ticket form's one flow: check the form, run the action, commit and
    redirect back; a refusal draws the page again with why (a form with no
    fields of its own, as a flash message)."""
    target = tickets.staff_ticket(db.session, viewer(), ticket_id)
    if not form.validate():
        if slot is None:
            flash("The form expired; try again.", "error")
            return redirect(url_for("admin.ticket", ticket_id=target.id))
        return _page(target, 422, **{slot: form})
    try:
        action(target, form)
    except DomainError as exc:
        if exc.status in (403, 404):
            db.session.rollback()
            raise
        if slot is None:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("admin.ticket", ticket_id=target.id))
        return _page(target, show_form_refusal(form, exc), **{slot: form})
    db.session.commit()
    flash(done, "success")
    if not policy.can_see_ticket(target, viewer()):
        return redirect(url_for("admin.tickets_list"))
    return redirect(url_for("admin.ticket", ticket_id=target.id))


@bp.post("/tickets/<int:ticket_id>/assign")
def assign_ticket(ticket_id: int):
    return _act(
        ticket_id,
        ConfirmForm(),
        None,
        lambda t, form: tickets.assign(db.session, t, viewer(), utcnow(), source=WEB),
        "The ticket is yours.",
    )


@bp.post("/tickets/<int:ticket_id>/reply")
def answer_ticket(ticket_id: int):
    return _act(
        ticket_id,
        TicketAnswerForm(),
        "answer_form",
        lambda t, form: tickets.reply(
            db.session, t, viewer(), form.text.data, utcnow(), source=WEB, as_staff=True
        ),
        "Answer sent; the ticket is solved until its owner writes again.",
    )


@bp.post("/tickets/<int:ticket_id>/escalate")
def escalate_ticket(ticket_id: int):
    return _act(
        ticket_id,
        EscalateForm(),
        "escalate_form",
        lambda t, form: tickets.escalate(
            db.session, t, viewer(), form.note.data, utcnow(), source=WEB
        ),
        "The ticket went to the managers.",
    )


@bp.post("/tickets/<int:ticket_id>/close")
def close_ticket(ticket_id: int):
    return _act(
        ticket_id,
        ConfirmForm(),
        None,
        lambda t, form: tickets.close(db.session, t, viewer(), utcnow(), source=WEB),
        "Ticket closed.",
    )
