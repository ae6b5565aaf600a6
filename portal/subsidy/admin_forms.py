"""Forms of the administrator's subsidy pages: program settings, price tiers, pause,
payouts, filters.

Amounts are typed in yuan and rates in percent, as people say them; each field keeps the
text as typed (so a form sent back with errors loses nothing) and, once valid, carries
the stored value (fen, basis points, a whole number) in `field.value`.
"""

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError

from portal import regions
from portal.audit import china_today
from portal.errors import translate
from portal.formatting import region_name
from portal.money import FEN_PER_YUAN, InvalidAmount, parse_yuan, yuan_input
from portal.subsidy import administration, programs
from portal.subsidy.administration import InvalidTier
from portal.subsidy.facts import Tier
from portal.subsidy.models import Program
from portal.subsidy.terms import AmountRule

BP_PER_PERCENT = 100
# Sane bounds: far beyond any real program, near enough to stop a typo or hostile input.
MAX_AMOUNT_YUAN = 1_000_000  # per car
MAX_BUDGET_YUAN = 100_000_000_000  # per program (a province's whole year is far less)
MAX_PRICE_YUAN = 100_000_000  # an invoice price (the application's bound too)
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)
PAUSE_GRACE_DAYS = 21  # the default grace after "Pause now" (Jiangsu 2025: about three weeks)

MAX_TYPED = 40  # characters: longer text is no number, and is not worth normalising
_WHOLE = re.compile(r"[0-9]+")
_PERCENT = re.compile(r"(?P<whole>[0-9]{1,3})(?:\.(?P<tenth>[0-9]))?%?")


def _typed(text: str | None) -> str:
    """What was typed, with full-width digits made ASCII and spaces removed."""
    if len(text or "") > MAX_TYPED:
        return "?"  # no number, whatever it is: refused by every check below
    return "".join(unicodedata.normalize("NFKC", text or "").split())


class Yuan:
    """An amount in yuan from 0 to maximum; field.value is fen."""

    def __init__(self, maximum: int):
        self.maximum = maximum

    def __call__(self, form, field) -> None:
        try:
            fen = parse_yuan(_typed(field.data) if field.data else "")
        except InvalidAmount as error:
            raise StopValidation(translate(error)) from error
        if fen > self.maximum * FEN_PER_YUAN:
            raise StopValidation(_l("Enter at most %(amount)s yuan.", amount=f"{self.maximum:,}"))
        field.value = fen


class WholeNumber:
    """A whole number from minimum to maximum; field.value is the int."""

    def __init__(self, minimum: int, maximum: int):
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, form, field) -> None:
        text = _typed(field.data)
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
        match = _PERCENT.fullmatch(_typed(field.data))
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


def _day(label, *, required: bool = True) -> DateField:
    first = InputRequired(_l("Enter a date.")) if required else Optional()
    return DateField(
        label,
        validators=[first, Between()],
        invalid_value_message=_l("Enter a date like 2026-09-28."),
    )


def _number(label, minimum: int, maximum: int) -> StringField:
    return StringField(
        label,
        validators=[WholeNumber(minimum, maximum)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


def _yuan(label, maximum: int) -> StringField:
    return StringField(
        label,
        validators=[Yuan(maximum)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


def _percent(label) -> StringField:
    return StringField(
        label,
        validators=[Percent()],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


# Form field → the program's column, where they differ (the column holds fen or bp).
COLUMNS = {
    "nev_amount": "nev_amount_fen",
    "fuel_amount": "fuel_amount_fen",
    "nev_rate": "nev_rate_bp",
    "fuel_rate": "fuel_rate_bp",
    "budget": "budget_fen",
}
FIELDS = {column: name for name, column in COLUMNS.items()}

LABELS = {
    "opens": _l("Opens on"),
    "closes": _l("Closes on"),
    "pause_at": _l("Paused from"),
    "grace_until": _l("Started applications may submit until"),
    "documents_from": _l("Invoices and papers dated from"),
    "held_before": _l("Old car in the applicant's name before"),
    "petrol_registered_by": _l("Scrapping: petrol cars first registered by"),
    "other_fuel_registered_by": _l("Scrapping: diesel and other fuels first registered by"),
    "nev_registered_by": _l("Scrapping: new-energy cars first registered by"),
    "min_holding_months": _l("Replacement: months in the applicant's name before the sale"),
    "max_displacement_ml": _l("Largest engine of a new fuel car (ml)"),
    "zero_mileage_days": _l("Flag a new car transferred within (days of registration)"),
    "nev_amount_fen": _l("New-energy car: amount or cap (yuan)"),
    "fuel_amount_fen": _l("Fuel car: amount or cap (yuan)"),
    "nev_rate_bp": _l("New-energy car: share of the invoice price (%)"),
    "fuel_rate_bp": _l("Fuel car: share of the invoice price (%)"),
    "budget_fen": _l("Budget (yuan)"),
    "tiers": _l("Price tiers"),
}


def percent_text(bp: int) -> str:
    """Basis points as a person types the rate: 1200 → "12", 750 → "7.5"."""
    whole, rest = divmod(bp, BP_PER_PERCENT)
    return f"{whole}.{rest // 10}" if rest else str(whole)


class ProgramForm(FlaskForm):
    """A program's settings; cross-field checks are the service's (InvalidProgram)."""

    opens = _day(LABELS["opens"])
    closes = _day(LABELS["closes"])
    pause_at = _day(LABELS["pause_at"], required=False)
    grace_until = _day(LABELS["grace_until"], required=False)
    documents_from = _day(LABELS["documents_from"])
    held_before = _day(LABELS["held_before"])
    petrol_registered_by = _day(LABELS["petrol_registered_by"])
    other_fuel_registered_by = _day(LABELS["other_fuel_registered_by"])
    nev_registered_by = _day(LABELS["nev_registered_by"])
    min_holding_months = _number(LABELS["min_holding_months"], 0, 120)
    max_displacement_ml = _number(LABELS["max_displacement_ml"], 500, 10_000)
    zero_mileage_days = _number(LABELS["zero_mileage_days"], 0, 3_650)
    nev_amount = _yuan(LABELS["nev_amount_fen"], MAX_AMOUNT_YUAN)
    fuel_amount = _yuan(LABELS["fuel_amount_fen"], MAX_AMOUNT_YUAN)
    nev_rate = _percent(LABELS["nev_rate_bp"])
    fuel_rate = _percent(LABELS["fuel_rate_bp"])
    budget = _yuan(LABELS["budget_fen"], MAX_BUDGET_YUAN)

    DATES = administration.DATE_FIELDS

    def __init__(self, program: Program, **kwargs):
        super().__init__(**kwargs)
        if program.amount_rule is not AmountRule.PERCENT:
            del self.nev_rate, self.fuel_rate  # only a percentage program reads the rates
        if _unposted(self, kwargs):
            self._fill(program)

    def _fill(self, program: Program) -> None:
        for name in self.DATES:
            self[name].data = getattr(program, name)
        for name in self.NUMBERS:
            self[name].data = str(getattr(program, name))
        for name in ("nev_amount", "fuel_amount", "budget"):
            self[name].data = yuan_input(getattr(program, COLUMNS[name]))
        for name in ("nev_rate", "fuel_rate"):
            if name in self:
                self[name].data = percent_text(getattr(program, COLUMNS[name]))

    NUMBERS = ("min_holding_months", "max_displacement_ml", "zero_mileage_days")
    PARSED = (*NUMBERS, "nev_amount", "fuel_amount", "nev_rate", "fuel_rate", "budget")

    @property
    def values(self) -> dict:
        """The settings as the program stores them (after validation)."""
        values = {name: self[name].data for name in self.DATES}
        for name in self.PARSED:
            if name in self:
                values[COLUMNS.get(name, name)] = self[name].value
        return values

    def field_for(self, column: str):
        """The form field that shows a column's error (a service names the column)."""
        name = FIELDS.get(column, column)
        return self._fields.get(name)


def _unposted(form: FlaskForm, kwargs: dict) -> bool:
    """Whether the form shows stored values: not posted, or built without the post's data
    (the other form on the page was posted)."""
    return not form.is_submitted() or ("formdata" in kwargs and kwargs["formdata"] is None)


def default_grace(program: Program, today: date) -> date:
    """Three weeks after today, but never after the program closes."""
    return min(today + timedelta(days=PAUSE_GRACE_DAYS), program.closes)


class PauseForm(FlaskForm):
    """Pause now: no new application from today; started ones may submit until grace_until."""

    # Not "grace_until": the program form on the same page has a field of that name.
    grace = _day(_l("Started applications may still submit until"))

    def __init__(self, program: Program, **kwargs):
        super().__init__(**kwargs)
        self.program = program
        if _unposted(self, kwargs):
            self.grace.data = default_grace(program, china_today())

    def validate_grace(self, field) -> None:
        if field.data is None:  # not a date: its message is already there
            return
        today = china_today()
        if field.data < today:
            raise ValidationError(_l("The grace date cannot be before today."))
        if field.data > self.program.closes:
            raise ValidationError(
                _l(
                    "The grace date cannot be after the program closes (%(date)s).",
                    date=self.program.closes.isoformat(),
                )
            )


class SkipBlankRow:
    """A tier row left entirely empty is no tier (saving removes it): nothing to check."""

    def __call__(self, form, field) -> None:
        if form.blank:
            raise StopValidation()  # without a message: not an error


def _tier_yuan(label, maximum: int) -> StringField:
    return StringField(
        label,
        validators=[SkipBlankRow(), Yuan(maximum)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


class TierRow(Form):
    """One price tier: from this invoice price (with VAT) up, this amount."""

    min_price = _tier_yuan(_l("From invoice price (yuan)"), MAX_PRICE_YUAN)
    amount = _tier_yuan(_l("Amount (yuan)"), MAX_AMOUNT_YUAN)

    @property
    def blank(self) -> bool:
        return not (_typed(self.min_price.data) or _typed(self.amount.data))


BLANK_TIER_ROWS = 2  # empty rows under the stored tiers of each kind, to add a tier
MAX_TIER_ROWS = administration.MAX_TIERS + BLANK_TIER_ROWS


def _tier_rows() -> FieldList:
    return FieldList(FormField(TierRow), min_entries=1, max_entries=MAX_TIER_ROWS)


class TiersForm(FlaskForm):
    """A TIERS program's price tiers, rows for new-energy and for fuel cars.

    Each field is checked here; the tiers together by `administration.update_tiers`,
    whose refusal (InvalidTier) names the row and the field to show it next to.
    """

    nev = _tier_rows()
    fuel = _tier_rows()

    def __init__(self, tiers: Sequence[Tier] = (), **kwargs):
        """tiers: the stored ones, shown when this is not the form posted."""
        super().__init__(**kwargs)
        if _unposted(self, kwargs):
            for rows, new_energy in self.kinds:
                while rows.entries:  # the row min_entries made
                    rows.pop_entry()
                mine = sorted(
                    (t for t in tiers if t.new_energy is new_energy), key=lambda t: t.min_price_fen
                )
                for tier in mine:
                    rows.append_entry(
                        {
                            "min_price": yuan_input(tier.min_price_fen),
                            "amount": yuan_input(tier.amount_fen),
                        }
                    )
                while len(rows) < min(len(mine) + BLANK_TIER_ROWS, MAX_TIER_ROWS):
                    rows.append_entry()

    @property
    def kinds(self) -> tuple[tuple[FieldList, bool], ...]:
        """Each list of rows with whether it is of new-energy cars."""
        return (self.nev, True), (self.fuel, False)

    def entered(self) -> list[tuple[TierRow, Tier]]:
        """The tiers typed (once valid), each with its row; rows left empty are left out."""
        return [
            (row.form, Tier(new_energy, row.form.min_price.value, row.form.amount.value))
            for rows, new_energy in self.kinds
            for row in rows
            if not row.form.blank
        ]

    def show(self, error: InvalidTier, entered: list[tuple[TierRow, Tier]]) -> None:
        """Put the service's refusal next to the field it names."""
        if error.index is None:  # the kind has no tier at all: say so on its first row
            row = (self.nev if error.new_energy else self.fuel)[0].form
        else:
            row = entered[error.index][0]
        row[error.part].errors.append(translate(error))


def province_choices(blank) -> list[SelectChoice]:
    """Every province, by name in the reader's language, after a blank choice."""
    return [SelectChoice("", blank)] + [
        SelectChoice(p.code, region_name(p.code)) for p in regions.provinces()
    ]


def _province(code: str | None) -> str | None:
    """A province code from a filter, or None when empty or unknown."""
    return code if code and regions.province(code) else None


class ProgramFilterForm(FlaskForm):
    """The program list's filters (a GET form: no CSRF token).

    Unknown values are ignored rather than refused: the select then shows what applies.
    """

    class Meta:
        csrf = False

    year = SelectField(_l("Year"), default="", validators=[Optional()])
    province = SelectField(_l("Province"), default="", validators=[Optional()])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.year.choices = [SelectChoice("", _l("Any year"))] + [
            SelectChoice(str(year), str(year)) for year in program_years()
        ]
        self.province.choices = province_choices(_l("Every province"))

    def chosen(self) -> tuple[int | None, str | None]:
        """The year and province asked for; None for any."""
        typed = self.year.data or ""
        year = int(typed) if typed.isdigit() and int(typed) in program_years() else None
        province = _province(self.province.data)
        self.year.data, self.province.data = str(year or ""), province or ""
        return year, province


def program_years() -> list[int]:
    """The years programs exist for, newest first (the seeded ones and this year)."""
    return sorted(set(programs.DEMO_BUDGET_FEN) | {china_today().year}, reverse=True)


class DashboardFilterForm(ProgramFilterForm):
    """The dashboard's filters: one year (this year by default), one or every province."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.year.choices = self.year.choices[1:]  # the figures are of one year

    def chosen(self) -> tuple[int, str | None]:
        """The year (this year unless another is asked for) and province (None: all)."""
        year, province = super().chosen()
        year = year or china_today().year
        self.year.data = str(year)
        return year, province


class BatchForm(FlaskForm):
    """Make a batch of one province's approved applications."""

    # Its own id: the filter above it on the same page has a "province" field too.
    province = SelectField(
        _l("Province"), id="batch-province", validators=[InputRequired(_l("Choose a province."))]
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.province.choices = province_choices(_l("Choose a province"))


class PayoutFilterForm(FlaskForm):
    class Meta:
        csrf = False

    province = SelectField(_l("Province"), default="", validators=[Optional()])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.province.choices = province_choices(_l("Every province"))

    def chosen(self) -> str | None:
        """The province asked for; None for every province."""
        self.province.data = _province(self.province.data) or ""
        return self.province.data or None


class ResultsForm(FlaskForm):
    file = FileField(
        _l("The bank's results (CSV, UTF-8)"),
        validators=[
            FileRequired(_l("Choose the results file.")),
            FileAllowed(["csv"], _l("Only .csv files can be read.")),
        ],
    )


class SentForm(FlaskForm):
    """Mark as sent: a button, CSRF only."""


class FailureForm(FlaskForm):
    """What to do with a failed payment; returning or cancelling needs a note.

    One such form per failed line: the page gives each note its own id.
    """

    note = TextAreaField(
        _l("Note (required to return or cancel)"),
        validators=[Length(max=500, message=_l("Use at most 500 characters."))],
    )
