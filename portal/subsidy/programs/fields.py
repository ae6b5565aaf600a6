"""Fields of the administrator's program forms: amounts, rates, whole numbers and dates.

Amounts are typed in yuan and rates in percent, as people say them; each field keeps the
text as typed (so a form sent back with errors loses nothing) and, once valid, carries
what it read: fen or a whole number in `field.value`, a rate's share in `field.share`.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import StopValidation

from portal import fields
from portal.fields import typed, whole_number
from portal.forms import Form

# Sane bounds: far beyond any real program, near enough to stop a typo or hostile input.
MAX_AMOUNT_YUAN = 1_000_000  # per car
MAX_BUDGET_YUAN = 100_000_000_000  # per program (a province's whole year is far less)
MAX_PRICE_YUAN = 100_000_000  # an invoice price (the application's bound too)
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


class Yuan(fields.Yuan):
    """An amount in yuan from 0 to maximum; field.value is fen, as the other fields here."""

    def __init__(self, maximum: int):
        super().__init__(0, maximum, _l("Enter at most %(amount)s yuan.", amount=f"{maximum:,}"))

    def __call__(self, form, field) -> None:
        super().__call__(form, field)
        field.value = field.fen


class WholeNumber:
    """A whole number from minimum to maximum; field.value is the int."""

    def __init__(self, minimum: int, maximum: int):
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, form, field) -> None:
        if not typed(field.data):
            raise StopValidation(_l("Enter a number."))
        value = whole_number(field.data)
        if value is None or not self.minimum <= value <= self.maximum:
            raise StopValidation(
                _l(
                    "Enter a whole number from %(min)s to %(max)s.",
                    min=self.minimum,
                    max=self.maximum,
                )
            )
        field.value = value


def percent(label) -> StringField:
    """A rate in percent, 0 to 100 with at most one decimal; field.share once valid."""
    message = _l("Enter a percentage from 0 to 100, with at most one decimal, like 12 or 7.5.")
    return StringField(
        label,
        validators=[fields.Percent(message, maximum=100, decimals=1)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


class Between:
    """A date no earlier than EARLIEST and no later than LATEST (a typo guard)."""

    def __call__(self, form, field) -> None:
        if field.data is not None and not EARLIEST <= field.data <= LATEST:
            raise StopValidation(
                _l(
                    "Enter a date from %(first)s to %(last)s.",
                    first=EARLIEST.isoformat(),
                    last=LATEST.isoformat(),
                )
            )


def unposted(form: Form, kwargs: dict) -> bool:
    """Whether the form shows stored values: not posted, or built with formdata=None."""
    # Built so: another form on the same page was the one posted.
    return not form.is_submitted() or ("formdata" in kwargs and kwargs["formdata"] is None)
