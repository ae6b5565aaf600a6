"""Forms of the administrator's program pages: settings, pause, the filters of the lists.

Amounts are typed in yuan and rates in percent (the fields are in `fields`); once
valid, `ProgramForm.values` holds what the program stores. The price tiers have their
own form (`tier_forms`).
"""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from portal.audit import china_today
from portal.fields import known_province, province_choices
from portal.forms import Form
from portal.money import basis_points, percent_text, share_of, yuan_input
from portal.subsidy.models import Program
from portal.subsidy.programs import services
from portal.subsidy.programs.fields import (
    MAX_AMOUNT_YUAN,
    MAX_BUDGET_YUAN,
    Between,
    WholeNumber,
    Yuan,
    percent,
    unposted,
)
from portal.subsidy.rules import national
from portal.subsidy.terms import AmountRule

PAUSE_GRACE_DAYS = 21  # the default grace after "Pause now" (Jiangsu 2025: about three weeks)


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


class ProgramForm(Form):
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
    nev_rate = percent(LABELS["nev_rate_bp"])
    fuel_rate = percent(LABELS["fuel_rate_bp"])
    budget = _yuan(LABELS["budget_fen"], MAX_BUDGET_YUAN)

    DATES = services.DATE_FIELDS

    def __init__(self, program: Program, **kwargs):
        super().__init__(**kwargs)
        if program.amount_rule is not AmountRule.PERCENT:
            del self.nev_rate, self.fuel_rate  # only a percentage program reads the rates
        if unposted(self, kwargs):
            self._fill(program)

    def _fill(self, program: Program) -> None:
        for name in self.DATES:
            self[name].data = getattr(program, name)
        for name in self.NUMBERS:
            self[name].data = str(getattr(program, name))
        for name in ("nev_amount", "fuel_amount", "budget"):
            self[name].data = yuan_input(getattr(program, COLUMNS[name]))
        for name in self.RATES:
            if name in self:
                self[name].data = percent_text(share_of(getattr(program, COLUMNS[name])))

    NUMBERS = ("min_holding_months", "max_displacement_ml", "zero_mileage_days")
    PARSED = (*NUMBERS, "nev_amount", "fuel_amount", "budget")
    RATES = ("nev_rate", "fuel_rate")

    @property
    def values(self) -> dict:
        """The settings as the program stores them (after validation): rates in basis points."""
        values = {name: self[name].data for name in self.DATES}
        for name in self.PARSED:
            values[COLUMNS.get(name, name)] = self[name].value
        for name in self.RATES:
            if name in self:
                values[COLUMNS[name]] = basis_points(self[name].share)
        return values

    def field_for(self, column: str):
        """The form field that shows a column's error (a service names the column)."""
        name = FIELDS.get(column, column)
        return self._fields.get(name)


def default_grace(program: Program, today: date) -> date:
    """Three weeks after today, but never after the program closes."""
    return min(today + timedelta(days=PAUSE_GRACE_DAYS), program.closes)


class PauseForm(Form):
    """Pause now: no new application from today; started ones may submit until grace_until."""

    # Not "grace_until": the program form on the same page has a field of that name.
    grace = _day(_l("Started applications may still submit until"))

    def __init__(self, program: Program, **kwargs):
        super().__init__(**kwargs)
        self.program = program
        if unposted(self, kwargs):
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


class ProgramFilterForm(Form):
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
        # Compared as text: a typed number is never converted (10,000 digits raise).
        year = next((year for year in program_years() if str(year) == typed), None)
        province = known_province(self.province.data)
        self.year.data, self.province.data = str(year or ""), province or ""
        return year, province


def program_years() -> list[int]:
    """The years programs exist for, newest first (the seeded ones and this year)."""
    return sorted(set(national.DEMO_BUDGET_FEN) | {china_today().year}, reverse=True)


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
