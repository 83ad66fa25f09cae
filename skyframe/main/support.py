"""Support pages: a user's tickets (/support, with the form that opens one)
and a ticket's thread (/support/tickets/<id>, with the forms to answer and
close it). Forms that work without JavaScript: each posts to its own URL,
calls one action of skyframe.support and redirects (PRG); a refused form
is drawn again with why. ``/support?report=<id>`` opens a ticket that
follows up one of the user's reports (the link on a "report handled"
notice)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from skyframe import cursors
from skyframe.auth.forms import attach_field_errors
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.main.forms import ConfirmForm
from skyframe.models import AuditSource, Report, Ticket, utcnow
from skyframe.models.ticket import TICKET_TEXT_MAX_LENGTH, TICKET_TITLE_MAX_LENGTH
from skyframe.support import tickets
from skyframe.support.states import Event
from skyframe.web.converters import DATABASE_INT_MAX
from skyframe.web.ratelimit import per_user_limit

PAGE_SIZE = 20
WEB = AuditSource.WEB


class TicketForm(FlaskForm):
    title = StringField(
        "Title",
        description="What it is about, in a few words.",
        render_kw={"maxlength": TICKET_TITLE_MAX_LENGTH, "required": True},
    )
    text = TextAreaField(
        "Message",
        description="What happened, and what you need. Staff answer here.",
        render_kw={"maxlength": TICKET_TEXT_MAX_LENGTH, "rows": 5, "required": True},
    )
    report_id = HiddenField()


class ReplyForm(FlaskForm):
    text = TextAreaField(
        "Your reply",
        render_kw={"maxlength": TICKET_TEXT_MAX_LENGTH, "rows": 4, "required": True},
    )


def show_form_refusal(form: FlaskForm, exc: DomainError) -> int:
    """Put a refused action's reasons on its form (by field, else the form's
    own), roll back, and give the status to answer with."""
    db.session.rollback()
    attach_field_errors(form, exc)
    return exc.status


def _followed_report(raw: str | None) -> Report | None:
    """The user's own report named by ?report= or the form (else none)."""
    raw = (raw or "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= DATABASE_INT_MAX:
        return None
    try:
        return tickets.reporters_report(db.session, current_user, int(raw))
    except DomainError:
        return None


def _list_page(form: TicketForm, status: int = 200):
    try:
        page = tickets.owner_tickets(
            db.session,
            current_user,
            secret=current_app.config["SECRET_KEY"],
            cursor=request.args.get("cursor"),
            limit=PAGE_SIZE,
        )
    except cursors.InvalidCursor:
        return redirect(url_for("main.support"))
    report = _followed_report(form.report_id.data)
    body = render_template(
        "support/list.html", items=page.items, older=page.next_cursor, form=form, report=report
    )
    return body, status


@bp.get("/support")
@login_required
def support():
    report = _followed_report(request.args.get("report"))
    form = TicketForm(formdata=None)
    if report is not None:
        form.report_id.data = str(report.id)
        form.title.data = f"About my report #{report.id}"
    return _list_page(form)


@bp.post("/support")
@login_required
@per_user_limit("TICKET_LIMIT", scope="tickets")
def open_ticket():
    form = TicketForm()
    if not form.validate():
        return _list_page(form, 422)
    report = _followed_report(form.report_id.data)
    try:
        ticket = tickets.open_ticket(
            db.session, current_user, form.title.data, form.text.data, utcnow(), report
        )
    except DomainError as exc:
        return _list_page(form, show_form_refusal(form, exc))
    db.session.commit()
    flash("Your ticket is open; staff will answer here.", "success")
    return redirect(url_for("main.support_ticket", ticket_id=ticket.id))


def _thread_page(ticket: Ticket, reply_form: ReplyForm | None = None, status: int = 200):
    body = render_template(
        "support/ticket.html",
        ticket=ticket,
        messages=tickets.messages(db.session, ticket),
        reply_form=reply_form or ReplyForm(formdata=None),
        close_form=ConfirmForm(),
        can_reply=tickets.may(ticket, current_user, Event.OWNER_REPLY),
        can_close=tickets.may(ticket, current_user, Event.CLOSE),
    )
    return body, status


@bp.get("/support/tickets/<int:ticket_id>")
@login_required
def support_ticket(ticket_id: int):
    return _thread_page(tickets.owned_ticket(db.session, current_user, ticket_id))


@bp.post("/support/tickets/<int:ticket_id>/reply")
@login_required
@per_user_limit("TICKET_REPLY_LIMIT", scope="ticket-replies")
def reply_to_ticket(ticket_id: int):
    ticket = tickets.owned_ticket(db.session, current_user, ticket_id)
    form = ReplyForm()
    if not form.validate():
        return _thread_page(ticket, form, 422)
    try:
        tickets.reply(db.session, ticket, current_user, form.text.data, utcnow(), source=WEB)
    except DomainError as exc:
        return _thread_page(ticket, form, show_form_refusal(form, exc))
    db.session.commit()
    flash("Reply sent.", "success")
    return redirect(url_for("main.support_ticket", ticket_id=ticket.id))


@bp.post("/support/tickets/<int:ticket_id>/close")
@login_required
def close_ticket(ticket_id: int):
    ticket = tickets.owned_ticket(db.session, current_user, ticket_id)
    form = ConfirmForm()
    if form.validate():
        try:
            tickets.close(db.session, ticket, current_user, utcnow(), source=WEB)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Ticket closed.", "success")
    else:
        flash("The form expired; try again.", "error")
    return redirect(url_for("main.support_ticket", ticket_id=ticket.id))
