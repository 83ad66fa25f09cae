"""Accounts seen by staff: a search by handle or e-mail prefix, and an
account's page — its facts, standing, strikes, take-downs and the reports
against it — with the forms that act on it: role (managers), suspend and
lift (staff; staff accounts by managers), disable and enable, delete
(managers). Each form calls one audited domain action (source web) through
admin.flow.act; a form its rule does not allow is not drawn."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, render_template, request, url_for
from flask_wtf import FlaskForm

from skyframe import policy, tasks
from skyframe.accounts import deletion
from skyframe.accounts.users import account_state
from skyframe.admin.blueprint import bp
from skyframe.admin.flow import act
from skyframe.admin.forms import (
    ConfirmForm,
    DeleteAccountForm,
    DisableForm,
    RoleForm,
    SuspendForm,
)
from skyframe.exceptions import ValidationFailed
from skyframe.extensions import db
from skyframe.models import AuditSource, User, utcnow
from skyframe.moderation import accounts, suspensions
from skyframe.moderation.strikes import StrikeRules
from skyframe.web.viewer import viewer

WEB = AuditSource.WEB
FORMS = {
    "role_form": RoleForm,
    "suspend_form": SuspendForm,
    "unsuspend_form": ConfirmForm,
    "disable_form": DisableForm,
    "enable_form": ConfirmForm,
    "delete_form": DeleteAccountForm,
}


@bp.get("/users")
def users():
    query = request.args.get("q", "").strip()
    found = accounts.find_accounts(db.session, viewer(), query) if query else []
    return render_template(
        "admin/users.html",
        query=query,
        found=found,
        more=len(found) == accounts.SEARCH_MAX,
        state_of=lambda user: account_state(user, utcnow()),
    )


def _rules() -> StrikeRules:
    return StrikeRules.from_config(current_app.config)


def _page(user: User, status: int = 200, **forms: FlaskForm):
    staff = viewer()
    for slot, form_class in FORMS.items():
        forms.setdefault(slot, form_class(formdata=None))
    forms["role_form"].role.data = forms["role_form"].role.data or user.role
    now = utcnow()
    body = render_template(
        "admin/user.html",
        user=user,
        state=account_state(user, now),
        record=accounts.record_of(db.session, staff, user, _rules(), now),
        can_set_role=policy.can_set_role(staff, user),
        can_suspend=policy.can_suspend(staff, user),
        can_disable=policy.can_disable_account(staff, user),
        can_delete=policy.can_delete_account_as_staff(staff, user),
        **forms,
    )
    return body, status


def _account(handle: str) -> User:
    return suspensions.account_for_staff(db.session, viewer(), handle)


@bp.get("/users/<handle>")
def user(handle: str):
    return _page(_account(handle))


def _act(handle: str, form: FlaskForm, slot: str, action: Callable, done: str, **flow):
    target = _account(handle)
    flow.setdefault("back", lambda: url_for("admin.user", handle=target.handle))
    return act(
        form,
        lambda status, refused_form: _page(target, status, **{slot: refused_form}),
        lambda checked: action(target, checked),
        done=done,
        **flow,
    )


@bp.post("/users/<handle>/role")
def set_role(handle: str):
    return _act(
        handle,
        RoleForm(),
        "role_form",
        lambda user, form: accounts.set_role(
            db.session, viewer(), user, form.role.data or "", now=utcnow(), source=WEB
        ),
        "Role saved.",
    )


@bp.post("/users/<handle>/suspend")
def suspend(handle: str):
    return _act(
        handle,
        SuspendForm(),
        "suspend_form",
        lambda user, form: suspensions.suspend(
            db.session,
            viewer(),
            user,
            until=form.until.data,
            reason=form.reason.data or "",
            now=utcnow(),
            source=WEB,
        ),
        "The account is suspended; it has been told.",
    )


@bp.post("/users/<handle>/unsuspend")
def unsuspend(handle: str):
    return _act(
        handle,
        ConfirmForm(),
        "unsuspend_form",
        lambda user, form: suspensions.unsuspend(
            db.session, viewer(), user, now=utcnow(), source=WEB
        ),
        "The suspension is lifted.",
    )


def _set_disabled(handle: str, form: FlaskForm, slot: str, disabled: bool, done: str):
    return _act(
        handle,
        form,
        slot,
        lambda user, checked: accounts.set_disabled(
            db.session,
            viewer(),
            user,
            disabled,
            now=utcnow(),
            source=WEB,
            reason=checked.reason.data or "" if isinstance(checked, DisableForm) else "",
        ),
        done,
    )


@bp.post("/users/<handle>/disable")
def disable(handle: str):
    return _set_disabled(
        handle, DisableForm(), "disable_form", True, "The account is disabled and signed out."
    )


@bp.post("/users/<handle>/enable")
def enable(handle: str):
    return _set_disabled(handle, ConfirmForm(), "enable_form", False, "The account is enabled.")


def _delete(user: User, form: DeleteAccountForm) -> deletion.Deleted:
    # The rule before the confirmation: a moderator is refused, not corrected.
    policy.require(policy.can_delete_account_as_staff(viewer(), user), "Only a manager may.")
    if (form.confirm.data or "").strip().lstrip("@").lower() != user.handle.lower():
        message = f"Type {user.handle} to confirm."
        raise ValidationFailed(message, fields={"confirm": message})
    return deletion.delete_account(db.session, viewer(), user, source=WEB, now=utcnow())


@bp.post("/users/<handle>/delete")
def delete(handle: str):
    return _act(
        handle,
        DeleteAccountForm(),
        "delete_form",
        _delete,
        "The account is deleted; its files are being removed.",
        back=url_for("admin.users"),
        after=lambda deleted: tasks.queue_account_purge(deleted.file_keys),
    )
