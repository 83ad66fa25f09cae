"""Forms of the staff pages: they render fields and carry the CSRF token; the
rules (reasons required, known labels) are skyframe.moderation's."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from skyframe.models import Decision, ReportReason, ReportStatus, ReportTarget, Role
from skyframe.models.moderation import REASON_MAX_LENGTH
from skyframe.models.post import Label
from skyframe.models.ticket import (
    ESCALATION_NOTE_MAX_LENGTH,
    TICKET_TEXT_MAX_LENGTH,
    TicketStatus,
)
from skyframe.models.user import HANDLE_MAX_LENGTH
from skyframe.moderation.audit import Action


class TakeDownForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        description="The owner is shown this.",
        render_kw={"maxlength": REASON_MAX_LENGTH, "rows": 3, "required": True},
    )


class RestoreForm(FlaskForm):
    note = TextAreaField(
        "Note", description="Why it comes back.", render_kw={"maxlength": REASON_MAX_LENGTH}
    )


class LabelsForm(FlaskForm):
    labels = SelectMultipleField(
        "Warning labels",
        choices=[SelectChoice(label.value, label.description) for label in Label],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # moderation.labels says which are known
    )


class AuditFilterForm(FlaskForm):
    """A GET form: no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    actor = StringField("Actor", render_kw={"maxlength": 40, "placeholder": "handle"})
    action = SelectField(
        "Action",
        choices=[SelectChoice("", "Any action")]
        + [SelectChoice(action.value, action.value) for action in Action],
        validate_choice=False,
    )
    target_type = StringField(
        "Target type", render_kw={"maxlength": 20, "placeholder": "post, user …"}
    )


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.value) for role in Role],
        validate_choice=False,  # accounts.set_role says which are known
    )


class SuspendForm(FlaskForm):
    until = DateTimeLocalField(
        "Until (UTC)",
        description="Leave empty to suspend until lifted.",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    reason = TextAreaField(
        "Reason",
        description="The account is shown this.",
        render_kw={"maxlength": REASON_MAX_LENGTH, "rows": 2},
    )


class ConfirmForm(FlaskForm):
    """A button and its CSRF token (lifting a suspension, enabling)."""


class DisableForm(FlaskForm):
    reason = TextAreaField(
        "Reason", description="For the audit log.", render_kw={"maxlength": REASON_MAX_LENGTH}
    )


class DeleteAccountForm(FlaskForm):
    confirm = StringField(
        "Type the handle to confirm",
        render_kw={"maxlength": HANDLE_MAX_LENGTH, "autocomplete": "off", "autocapitalize": "none"},
    )


def _any(label: str, values) -> list[SelectChoice]:
    return [SelectChoice("", label)] + [
        SelectChoice(v.value, v.value.replace("_", " ")) for v in values
    ]


class ReportFilterForm(FlaskForm):
    """The queue's filters (GET: no CSRF token). Unknown values are errors."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status", choices=[SelectChoice(s.value, s.value) for s in ReportStatus], default="open"
    )
    target_type = SelectField("About", choices=_any("Anything", ReportTarget), default="")
    reason = SelectField("Reason", choices=_any("Any reason", ReportReason), default="")


DECISIONS = {
    Decision.DISMISS: "Dismiss: nothing to do",
    Decision.LABEL: "Label the post",
    Decision.TAKE_DOWN: "Take the post down",
    Decision.WARN: "Warn its owner",
}


class ResolveForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[SelectChoice(d.value, text) for d, text in DECISIONS.items()],
        validate_choice=False,  # moderation.reports says which are known
    )
    note = TextAreaField(
        "Note",
        description="Required to take down (the owner reads it) and to warn.",
        render_kw={"maxlength": REASON_MAX_LENGTH, "rows": 2},
    )
    labels = SelectMultipleField(
        "Labels",
        choices=[SelectChoice(label.value, label.description) for label in Label],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )


# -- tickets (admin.tickets) ---------------------------------------------------


class TicketAnswerForm(FlaskForm):
    text = TextAreaField(
        "Answer",
        description="The owner reads this; the ticket becomes solved.",
        render_kw={"maxlength": TICKET_TEXT_MAX_LENGTH, "rows": 4, "required": True},
    )


class EscalateForm(FlaskForm):
    note = TextAreaField(
        "Why a manager should take it",
        description="Staff read this, the owner does not. You will no longer see the ticket.",
        render_kw={"maxlength": ESCALATION_NOTE_MAX_LENGTH, "rows": 2, "required": True},
    )


class TicketFilterForm(FlaskForm):
    """A GET form: no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    view = SelectField(
        "View",
        choices=[
            SelectChoice("unassigned", "Unassigned"),
            SelectChoice("mine", "Mine"),
            SelectChoice("all", "All"),
        ],
        validate_choice=False,
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(status.value, status.value) for status in TicketStatus],
        validate_choice=False,
    )


# -- appeals (admin.appeals) ---------------------------------------------------


class AppealDecisionForm(FlaskForm):
    """A manager's decision on an appeal (skyframe.support.appeals)."""

    decision = RadioField(
        "Decision",
        choices=[
            SelectChoice("uphold", "Uphold: the decision stands"),
            SelectChoice("overturn", "Overturn: restore the post, or lift the strike"),
        ],
        validate_choice=False,  # support.appeals says which are known
    )
    note = TextAreaField(
        "Note to the appellant",
        description="They read it with the decision.",
        render_kw={"maxlength": REASON_MAX_LENGTH, "rows": 3},
    )
