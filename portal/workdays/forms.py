"""The administrator's form for a year's official schedule (DOMAIN §1.7)."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from portal.forms import Form
from portal.workdays.rules import parse_days


def dates_or_ranges(form, field) -> None:
    """Each line a date or a range; the parsed days are kept on the field."""
    try:
        field.days = parse_days(field.data or "")
    except ValueError as error:
        message = _l("“%(piece)s” is not a date (2027-02-06) or a range (2027-02-06..2027-02-12).")
        raise ValidationError(message % {"piece": str(error)[:40]}) from error


# The years a schedule may be entered for; the form and the page's ?year= both keep to it.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class CalendarYearForm(Form):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(FIRST_YEAR, LAST_YEAR)])
    days_off = TextAreaField(
        _l("Days off"),
        description=_l(
            "Every public holiday, weekends within them included: one date or range a line, "
            "e.g. 2027-02-06..2027-02-14."
        ),
        validators=[DataRequired(), Length(max=4000), dates_or_ranges],
    )
    days_worked = TextAreaField(
        _l("Weekend days worked"),
        description=_l("The Saturdays and Sundays that are working days (调休), one a line."),
        validators=[Length(max=1000), dates_or_ranges],
    )
