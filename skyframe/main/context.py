"""Values every page template may use."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.models import Label, ReportReason
from skyframe.moderation import labels as post_labels
from skyframe.social import notifications

# What the report sheet offers, in the words people read.
REPORT_REASONS = {
    ReportReason.SPAM: "Spam or advertising",
    ReportReason.HARASSMENT: "Harassment or hate",
    ReportReason.OFF_TOPIC: "Not about the night sky",
    ReportReason.STOLEN: "Someone else's image",
    ReportReason.SENSITIVE: "Sensitive content without a label",
    ReportReason.MISLEADING: "Misleading (fake or mislabelled)",
    ReportReason.OTHER: "Something else",
}


def unread_notifications() -> int:
    """The signed-in user's unread notifications (0 when signed out); one
    indexed count, made only by templates that show the badge."""
    if not current_user.is_authenticated:
        return 0
    try:
        return notifications.unread_count(db.session, current_user)
    except SQLAlchemyError:  # the badge never takes a page down with it
        db.session.rollback()
        return 0


@bp.app_template_global()
def label_names(labels: str | list[str] | None) -> list[str]:
    """A post's warning labels (its ``labels`` column, or the list its JSON
    carries) as the names its cover shows; unknown ones are left out."""
    if isinstance(labels, str):
        labels = post_labels.of(labels)
    known = {label.value: label.description for label in Label}
    return [known[label] for label in labels or () if label in known]


@bp.app_template_global()
def label_descriptions() -> dict[str, str]:
    """Every label's name, for covers a script fills from a post's JSON."""
    return {label.value: label.description for label in Label}


@bp.app_context_processor
def page_helpers() -> dict[str, object]:
    return {
        "unread_notifications": unread_notifications,
        "report_reasons": {reason.value: text for reason, text in REPORT_REASONS.items()},
    }
