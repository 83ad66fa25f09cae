"""A post seen by staff: its state, labels and take-down history, and the
forms that take it down (moderators), restore it (managers) and set its
labels. Each form posts to its own URL, which calls one moderation action
(audited with source web) and redirects back (PRG); a refused form is drawn
again with its errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, render_template, url_for
from flask_wtf import FlaskForm

from skyframe import policy
from skyframe.admin.blueprint import bp
from skyframe.admin.flow import act
from skyframe.admin.forms import LabelsForm, RestoreForm, TakeDownForm
from skyframe.extensions import db
from skyframe.models import AuditEntry, AuditSource, Post, User, utcnow
from skyframe.moderation import audit, labels, takedowns
from skyframe.moderation.strikes import StrikeRules
from skyframe.web.viewer import viewer

HISTORY_MAX = 100
WEB = AuditSource.WEB


def _page(post: Post, status: int = 200, **forms: FlaskForm):
    staff = viewer()
    forms.setdefault("take_down_form", TakeDownForm(formdata=None))
    forms.setdefault("restore_form", RestoreForm(formdata=None))
    forms.setdefault("labels_form", LabelsForm(formdata=None, labels=labels.of(post.labels)))
    history = db.session.scalars(
        audit.entries(target_type="post").where(AuditEntry.target_id == post.id).limit(HISTORY_MAX)
    ).all()
    body = render_template(
        "admin/post.html",
        post=post,
        owner=db.session.get(User, post.owner_id),
        current_take_down=takedowns.current(db.session, post.id),
        history=history,
        label_names=labels.of(post.labels),
        can_take_down=policy.can_take_down(staff, post),
        can_restore=policy.can_restore(staff),
        can_label=policy.can_label(staff, post),
        **forms,
    )
    return body, status


@bp.get("/posts/<int:post_id>")
def post(post_id: int):
    return _page(takedowns.post_for_staff(db.session, viewer(), post_id))


def _act(post_id: int, form, slot: str, action: Callable[[Post, Any], object], done: str):
    """A staff form on a post (admin.flow.act): its page drawn again on a refusal."""
    target = takedowns.post_for_staff(db.session, viewer(), post_id)
    return act(
        form,
        lambda status, refused_form: _page(target, status, **{slot: refused_form}),
        lambda checked: action(target, checked),
        url_for("admin.post", post_id=target.id),
        done,
    )


def _rules() -> StrikeRules:
    return StrikeRules.from_config(current_app.config)


@bp.post("/posts/<int:post_id>/take-down")
def take_down(post_id: int):
    return _act(
        post_id,
        TakeDownForm(),
        "take_down_form",
        lambda post, form: takedowns.take_down(
            db.session, viewer(), post, form.reason.data, _rules(), now=utcnow(), source=WEB
        ),
        "The post is taken down; its owner has been told why.",
    )


@bp.post("/posts/<int:post_id>/restore")
def restore(post_id: int):
    return _act(
        post_id,
        RestoreForm(),
        "restore_form",
        lambda post, form: takedowns.restore(
            db.session, viewer(), post, form.note.data, _rules(), now=utcnow(), source=WEB
        ),
        "The post is restored.",
    )


@bp.post("/posts/<int:post_id>/labels")
def set_labels(post_id: int):
    return _act(
        post_id,
        LabelsForm(),
        "labels_form",
        lambda post, form: labels.set_labels(
            db.session, viewer(), post, form.labels.data, now=utcnow(), source=WEB
        ),
        "Labels saved.",
    )
