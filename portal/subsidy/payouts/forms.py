"""Forms of the payout pages: make a batch, the province filter, mark sent, the bank's results.

And, for each failed payment, the note that goes with retrying, returning or cancelling it.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.fields import province_choices
from portal.forms import Form
from portal.limits import NOTE_LENGTH


class BatchForm(Form):
    """Make a batch of one province's approved applications."""

    # Its own id: the filter above it on the same page has a "province" field too.
    province = SelectField(
        _l("Province"), id="batch-province", validators=[InputRequired(_l("Choose a province."))]
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.province.choices = province_choices(_l("Choose a province"))


class ResultsForm(Form):
    """Upload the bank's results file."""

    file = FileField(
        _l("The bank's results (CSV, UTF-8)"),
        validators=[
            FileRequired(_l("Choose the results file.")),
            FileAllowed(["csv"], _l("Only .csv files can be read.")),
        ],
    )


class SentForm(Form):
    """Mark as sent: a button, CSRF only."""


class FailureForm(Form):
    """What to do with a failed payment; returning or cancelling needs a note.

    One such form per failed line: the page gives each note its own id.
    """

    note = TextAreaField(
        _l("Note (required to return or cancel)"),
        validators=[Length(max=NOTE_LENGTH, message=_l("Use at most %(max)d characters."))],
    )
