"""Forms of the reviewer's decisions: reject with a reason, return with what to fix."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.fields import enum_choices
from portal.forms import Form
from portal.limits import NOTE_LENGTH
from portal.subsidy.terms import RejectReason


class RejectForm(Form):
    reason = SelectField(_l("Reason"), validators=[DataRequired()])
    note = TextAreaField(_l("Explanation for the applicant"), validators=[Length(max=NOTE_LENGTH)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = enum_choices(RejectReason, _l("Choose a reason"))


class ReturnForm(Form):
    note = TextAreaField(
        _l("What the applicant must fix"), validators=[DataRequired(), Length(max=NOTE_LENGTH)]
    )
