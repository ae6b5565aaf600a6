"""Sign-up, sign-in, password and person-link forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, StopValidation

from portal.accounts.passwords import WeakPassword, check_password
from portal.errors import translate
from portal.forms import Form, IdentifierCheck
from portal.identifiers import parse_resident_id


def strong_password(form, field) -> None:
    """The password rule of portal.accounts.passwords, its message next to the field."""
    try:
        check_password(field.data or "")
    except WeakPassword as error:
        raise StopValidation(translate(error)) from error


PASSWORD_RULES = [DataRequired(), strong_password]


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class SignupForm(Form):
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=64)])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    agree = BooleanField(
        _l("I have read the privacy notice and agree to it."),
        validators=[DataRequired(message=_l("Tick the box to agree to the privacy notice."))],
    )


class PasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    new = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))],
    )


class LinkPersonForm(Form):
    name = StringField(_l("Name as on your ID card"), validators=[DataRequired(), Length(max=64)])
    id_number = StringField(
        _l("Resident ID number"),
        validators=[DataRequired(), Length(max=32), IdentifierCheck(parse_resident_id)],
    )


class ForgotForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetForm(Form):
    new = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))],
    )


class ConsentForm(Form):
    agree = BooleanField(
        _l("I have read the privacy notice and agree to it."),
        validators=[DataRequired(message=_l("Tick the box to agree to the privacy notice."))],
    )


class TokenForm(Form):
    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=64)])
