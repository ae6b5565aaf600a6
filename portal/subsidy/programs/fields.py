"""Fields of the administrator's program forms: amounts, rates, whole numbers and dates.

Amounts are typed in yuan and rates in percent, as people say them; each field keeps the
text as typed (so a form sent back with errors loses nothing) and, once valid, carries
the stored value (fen, basis points, a whole number) in `field.value`.
"""

import re
import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation

from portal import fields
from portal.forms import Form

BP_PER_PERCENT = 100
# Sane bounds: far beyond any real program, near enough to stop a typo or hostile input.
MAX_AMOUNT_YUAN = 1_000_000  # per car
MAX_BUDGET_YUAN = 100_000_000_000  # per program (a province's whole year is far less)
MAX_PRICE_YUAN = 100_000_000  # an invoice price (the application's bound too)
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)

MAX_TYPED = 40  # characters: longer text is no number, and is not worth normalising
_WHOLE = re.compile(r"[0-9]+")
_PERCENT = re.compile(r"(?P<whole>[0-9]{1,3})(?:\.(?P<tenth>[0-9]))?%?")


def typed(text: str | None) -> str:
    """What was typed, with full-width digits made ASCII and spaces removed."""
    if len(text or "") > MAX_TYPED:
        return "?"  # no number, whatever it is: refused by every check below
    return "".join(unicodedata.normalize("NFKC", text or "").split())


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
        text = typed(field.data)
        if not text:
            raise StopValidation(_l("Enter a number."))
        out_of_range = _l(
            "Enter a whole number from %(min)s to %(max)s.", min=self.minimum, max=self.maximum
        )
        if not _WHOLE.fullmatch(text):
            raise StopValidation(out_of_range)
        # The length check first: a thousand-digit number is refused without parsing it.
        if len(text) > len(str(self.maximum)) or not self.minimum <= int(text) <= self.maximum:
            raise StopValidation(out_of_range)
        field.value = int(text)


class Percent:
    """A rate in percent, 0 to 100 with at most one decimal; field.value is basis points."""

    def __call__(self, form, field) -> None:
        match = _PERCENT.fullmatch(typed(field.data))
        value = (
            int(match["whole"]) * BP_PER_PERCENT + int(match["tenth"] or 0) * 10 if match else -1
        )
        if not 0 <= value <= 100 * BP_PER_PERCENT:
            raise StopValidation(
                _l("Enter a percentage from 0 to 100, with at most one decimal, like 12 or 7.5.")
            )
        field.value = value


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


def percent_text(bp: int) -> str:
    """Basis points as a person types the rate: 1200 → "12", 750 → "7.5"."""
    whole, rest = divmod(bp, BP_PER_PERCENT)
    return f"{whole}.{rest // 10}" if rest else str(whole)


def unposted(form: Form, kwargs: dict) -> bool:
    """Whether the form shows stored values: not posted, or built with formdata=None."""
    # Built so: another form on the same page was the one posted.
    return not form.is_submitted() or ("formdata" in kwargs and kwargs["formdata"] is None)
