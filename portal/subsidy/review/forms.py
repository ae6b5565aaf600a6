"""Forms of the reviewer's page: reject with a reason, return with what to fix, and which
year's program the rules panel checks the application against."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.fields import Select, enum_choices
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


class ProgramYearForm(Form):
    """The year whose program's rules the page checks the application against (issue 16).

    A GET: the choice is in the link, so a reviewer can send it to a colleague. Offered are
    the years the application's province has a program of its kind; the default is the
    year of the application's own program, the rules approval checks.
    """

    class Meta:
        csrf = False

    program_year = SelectField(
        _l("Check against the program of"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose a program year."))],
        widget=Select(),
    )

    def __init__(self, *args, years: list[int], own_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        self.program_year.choices = [
            SelectChoice(
                str(year),
                _l("%(year)s (the application's program)", year=year)
                if year == own_year
                else str(year),
            )
            for year in years
        ]
        if self.program_year.data is None:  # not asked: the application's own program
            self.program_year.data = str(own_year)

    def validate_program_year(self, field):
        if field.data not in {str(year) for year in self.years}:
            raise ValidationError(
                _l("The province has no program of this kind that year: choose one from the list.")
            )

    def chosen(self, own_year: int) -> int:
        """The year to check against: the one chosen, or the application's own if refused."""
        return int(self.program_year.data) if not self.program_year.errors else own_year
