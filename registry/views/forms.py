"""The web forms. Fields only check what a browser can get wrong; services check the rest."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from harvesters.listers import LISTER_KINDS

from ..errors import RegistryError
from ..models import ENTRY_KINDS
from ..schemas.entries import EDITABLE_FIELDS, LIST_FIELDS

# --- accounts ------------------------------------------------------------------------


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Account name"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("3–40 characters: lower-case letters, digits, '.', '_' or '-'."),
    )
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=1000)], description=_l("At least 10 characters.")
    )
    confirm = PasswordField(
        _l("Password again"), validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))]
    )
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    name = StringField(_l("Account name or e-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ResetRequestForm(FlaskForm):
    email = StringField(_l("E-mail address of your account"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=1000)], description=_l("At least 10 characters.")
    )
    confirm = PasswordField(
        _l("New password again"), validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))]
    )
    submit = SubmitField(_l("Set the new password"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=100)])
    preferred_language = StringField(
        _l("Preferred language"),
        validators=[Optional(), Length(max=35)],
        description=_l("A language tag such as sw, zh-Hans or pt-BR."),
    )
    submit = SubmitField(_l("Save profile"))


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token label"),
        validators=[Optional(), Length(max=100)],
        description=_l("To recognise it later, e.g. “laptop script”."),
    )
    scope = SelectField(
        _l("Scope"), choices=[SelectChoice("read", _l("read")), SelectChoice("write", _l("write"))], default="read"
    )
    days = SelectField(
        _l("Valid for"),
        coerce=int,
        default=90,
        choices=[SelectChoice(30, _l("30 days")), SelectChoice(90, _l("90 days")), SelectChoice(365, _l("one year"))],
    )
    submit = SubmitField(_l("Create token"))


class DiscoveryForm(FlaskForm):
    kind = SelectField(_l("Lister"), choices=[SelectChoice(k) for k in LISTER_KINDS])
    target = StringField(
        _l("What to list"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("org:NAME, user:NAME, topic:NAME, author:NAME, language:CODE, a group or endpoint URL"),
    )
    set_spec = StringField(_l("Set (OAI-PMH, CKAN)"), validators=[Optional(), Length(max=200)])
    collection = StringField(
        _l("Collection inbox"),
        validators=[Optional(), Length(max=80)],
        description=_l("A collection you curate: what is found waits there for review."),
    )
    submit = SubmitField(_l("Add discovery"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    confirm = BooleanField(
        _l("I understand that my account is deleted for good; my contributions stay, attributed to a deleted account."),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Delete my account"))


# --- entries -------------------------------------------------------------------------


class EntryForm(FlaskForm):
    base_revision = HiddenField()
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k) for k in ENTRY_KINDS])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=1000)], render_kw={"rows": 3})
    description = TextAreaField(_l("Description (Markdown)"), render_kw={"rows": 14})
    language = StringField(
        _l("Language the text is written in"), validators=[Length(max=35)], description=_l("One language tag, e.g. sw.")
    )
    languages = StringField(
        _l("Languages it works with"), description=_l("Language tags separated by commas, e.g. sw, yo, zh-Hans.")
    )
    license = StringField(
        _l("Licence"), validators=[Length(max=200)], description=_l("An SPDX expression, e.g. MIT OR Apache-2.0.")
    )
    tasks = StringField(_l("Tasks"), description=_l("Separated by commas."))
    tags = StringField(_l("Tags"), description=_l("Separated by commas."))
    frameworks = StringField(_l("Frameworks"), description=_l("Separated by commas."))
    region = StringField(_l("Region"), validators=[Length(max=8)], description=_l("A country code such as KE."))
    homepage = StringField(_l("Homepage"), validators=[Length(max=2000)])
    version = StringField(_l("Version"), validators=[Length(max=100)])
    note = TextAreaField(_l("Why this change?"), validators=[Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Save"))

    def fill(self, entry) -> None:
        """Show an entry's current values (an EntryPublic)."""
        for name in EDITABLE_FIELDS:
            value = getattr(entry, name)
            if name in LIST_FIELDS:
                value = ", ".join(value or [])
            getattr(self, name).data = value if value is not None else ""
        self.base_revision.data = str(entry.revision)

    def values(self) -> dict[str, Any]:
        """Return what was typed, lists split on commas."""
        out = {}
        for name in EDITABLE_FIELDS:
            raw = (getattr(self, name).data or "").replace("\r\n", "\n").strip()
            out[name] = [p.strip() for p in raw.split(",") if p.strip()] if name in LIST_FIELDS else raw
        return out


class TranslationForm(FlaskForm):
    base_revision = HiddenField()
    lang = StringField(
        _l("Language"),
        validators=[DataRequired(), Length(max=35)],
        description=_l("A language tag such as sw, ar, zh-Hans or pt-BR."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=1000)], render_kw={"rows": 3})
    description = TextAreaField(_l("Description (Markdown)"), render_kw={"rows": 14})
    submit = SubmitField(_l("Send the translation"))


class HideForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Length(max=500)])
    hide = SubmitField(_l("Hide this entry"))
    show = SubmitField(_l("Show it again"))


class ReviewForm(FlaskForm):
    note = TextAreaField(_l("Note for the author"), validators=[Length(max=2000)], render_kw={"rows": 2})
    accept = SubmitField(_l("Accept"))
    reject = SubmitField(_l("Reject"))


class SubmitForm(FlaskForm):
    url = StringField(
        _l("Repository or page address"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("For example https://github.com/owner/name."),
    )
    submit = SubmitField(_l("Preview"))


class ConfirmSubmitForm(FlaskForm):
    url = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Register it"))


def show_errors(form: FlaskForm, err: RegistryError) -> None:
    """Attach a service's per-field reasons to the form's fields; the rest go to form.form_errors."""
    fields: dict[str, Any] = dict(err.details.get("fields") or {})
    if "field" in err.details and not fields:
        fields = {err.details["field"]: err.message}
    aliases = {"source_url": "url", "lang": "lang"}
    placed = False
    for name, reason in fields.items():
        field = getattr(form, aliases.get(name, name), None)
        if field is not None and hasattr(field, "errors") and not isinstance(field, HiddenField):
            field.errors = [*list(field.errors or []), str(reason)]
            placed = True
    # A message that says more than the per-field reasons is shown above the form too.
    if not placed or err.message != "; ".join(f"{k}: {v}" for k, v in fields.items()):
        form.form_errors.append(err.message)
