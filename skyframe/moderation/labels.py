"""Warning labels on posts: the cover a viewer taps through.

Owners label their own posts (when uploading or editing); staff label any
post, and a label set by staff on someone else's post is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from skyframe.exceptions import ValidationFailed
from skyframe.models import AuditSource, Label, Post
from skyframe.moderation.audit import Action, record
from skyframe.policy import Actor, can_label, require


def parse(values: Iterable[str], field: str = "labels") -> list[Label]:
    """Known labels, each once, in Label order; anything else is a 422."""
    wanted = set()
    for value in (v.strip() for v in values):
        if not value:
            continue  # "flashing, " or an empty form field
        try:
            wanted.add(Label(value))
        except ValueError as exc:
            known = ", ".join(label.value for label in Label)
            message = f"Unknown label {value!r}; choose from {known}."
            raise ValidationFailed(message, fields={field: message}) from exc
    return [label for label in Label if label in wanted]


def of(post_labels: str) -> list[str]:
    """A post's ``labels`` column as the list its JSON carries."""
    return post_labels.split() if post_labels else []


def set_labels(
    session: Session,
    actor: Actor,
    post: Post,
    values: Iterable[str],
    *,
    now: datetime,
    source: AuditSource,
) -> list[str]:
    """Replace a post's labels; returns them as stored."""
    require(can_label(actor, post), "Only the post's owner and staff label it.")
    labels = " ".join(label.value for label in parse(values))
    changed = labels != post.labels
    post.labels = labels
    if changed and getattr(actor, "id", None) != post.owner_id:
        record(
            session,
            actor=actor,
            action=Action.POST_LABEL,
            target_type="post",
            target_id=post.id,
            reason=labels or "(none)",
            source=source,
            now=now,
        )
    return of(labels)
