"""Forms of the HTML pages. They render fields and carry the CSRF token; the
rules themselves live in skyframe.posts, shared with the JSON API."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from skyframe.media.formats import ACCEPTED_EXTENSIONS
from skyframe.models.post import CATEGORY_LABELS, LABEL_DESCRIPTIONS
from skyframe.posts.details import DETAIL_FIELDS

CATEGORY_CHOICES = [SelectChoice("", "Choose…")] + [
    SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()
]


class PostDetailsForm(FlaskForm):
    title = StringField("Title", render_kw={"maxlength": 120, "required": True})
    object = StringField(
        "Object",
        description="e.g. M31, NGC 7000, Orion Nebula, Jupiter",
        render_kw={
            "maxlength": 120,
            "autocomplete": "off",
            "list": "object-suggestions",
            "data-suggest": "catalogue",
        },
    )
    category = SelectField("Category", choices=CATEGORY_CHOICES, validate_choice=False)
    observer = StringField(
        "Observer", description="Defaults to your display name.", render_kw={"maxlength": 80}
    )
    observed_at = StringField(
        "Observed at (UTC)",
        description="Leave empty to use the capture time in the file.",
        render_kw={"type": "datetime-local", "step": 1},
    )
    telescope = StringField("Telescope / lens", render_kw={"maxlength": 120})
    camera = StringField("Camera", render_kw={"maxlength": 120})
    mount = StringField("Mount", render_kw={"maxlength": 120})
    filters = StringField("Filters", render_kw={"maxlength": 120})
    exposure_seconds = StringField("Sub-exposure (s)", render_kw={"inputmode": "decimal"})
    exposure_count = StringField("Number of subs", render_kw={"inputmode": "numeric"})
    integration_seconds = StringField(
        "Total integration (s)",
        description="Defaults to sub length × count.",
        render_kw={"inputmode": "decimal"},
    )
    gain = StringField("Gain / ISO", render_kw={"maxlength": 40})
    bortle = StringField("Bortle class (1–9)", render_kw={"inputmode": "numeric"})
    notes = TextAreaField("Notes", render_kw={"maxlength": 5000, "rows": 4})
    tags = StringField(
        "Tags", description="Comma-separated, e.g. nebula, narrowband", render_kw={"maxlength": 500}
    )

    labels = SelectMultipleField(
        "Warning labels",
        description="Viewers see a cover naming them and tap through.",
        choices=[SelectChoice(label.value, text) for label, text in LABEL_DESCRIPTIONS.items()],
        validate_choice=False,  # moderation.labels says what is known
    )

    DETAIL_FIELDS = DETAIL_FIELDS

    def details(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in self.DETAIL_FIELDS}


class UploadForm(PostDetailsForm):
    file = FileField(
        "Image or clip",
        description="JPEG, PNG, WebP, TIFF (8 or 16 bit) or FITS; clips as MP4, MOV or WebM.",
        render_kw={
            "accept": ",".join(ACCEPTED_EXTENSIONS) + ",image/*,video/*",
            "required": True,
        },
    )


class ConfirmForm(FlaskForm):
    """Only carries the CSRF token (delete buttons)."""
