"""Forms of the valuation pages: the car and its use (a GET, so a result can be shared).

The form checks what it can alone: the VIN's check digit, the month of first registration,
whole numbers and their ranges, a city from the list. The view then resolves the car
(registry or catalog) and asks the valuation service; what those refuse is put back
next to the field it names (`FIELD_OF`).
"""

import re
import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, MonthField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from portal import regions
from portal.audit import china_today
from portal.errors import translate
from portal.fields import (
    Percent,
    Select,
    WholeNumberField,
    city_choices,
    lazy_label,
    province_choices,
)
from portal.forms import Form
from portal.identifiers import InvalidIdentifier, parse_vin
from portal.money import FEN_PER_YUAN, percent_text
from portal.valuation.rules.engine import MAX_MILEAGE_KM
from portal.valuation.rules.inspection import INSPECTION_PARTS
from portal.valuation.terms import Condition, InspectionPart

EARLIEST_REGISTRATION = date(1990, 1, 1)

# What the valuation service and the engine call a field → the form's field.
FIELD_OF = {
    "car_model_id": "model",
    "first_registration": "registered",
    "mileage_km": "mileage",
    "city_code": "city",
    "battery_health_pct": "battery",
    **{part.value: part.value for part in InspectionPart},
}

# One line each, so an owner can tell which fits (scores of DOMAIN §3.2 in inspection.py).
CONDITION_HINTS = {
    Condition.EXCELLENT: _l("Like new: no repairs, hardly any wear, full service record."),
    Condition.GOOD: _l("Normal wear for its age, small scratches, never in an accident."),
    Condition.FAIR: _l("Visible wear, some panels repainted, parts due for replacement."),
    Condition.POOR: _l("Needs repairs: dents, worn interior or mechanical faults."),
    Condition.ACCIDENT: _l(
        "Structural damage from an accident (frame, pillars, floor), repaired or not."
    ),
}


class MonthOfYearField(MonthField):
    """A month as <input type=month> sends it (2020-05); 2020/5 or 2020年5月 are read too."""

    MONTH = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*月?")

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = unicodedata.normalize("NFKC", valuelist[0]).strip()
        match = self.MONTH.fullmatch(text)
        self.data = None
        if not text:
            return
        if match is None or not 1 <= int(match[2]) <= 12:
            raise ValueError(_l("Enter the month as year and month, like 2020-05."))
        self.data = date(int(match[1]), int(match[2]), 1)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def _part(part: InspectionPart) -> WholeNumberField:
    maximum = INSPECTION_PARTS[part]
    return WholeNumberField(
        lazy_label(part),
        id=f"part-{part.value}",
        validators=[
            Optional(),
            NumberRange(0, maximum, message=_l("Give %(min)s to %(max)s points.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 3},
    )


class ValuationForm(Form):
    """What is my car worth: the car (VIN or catalog), its age, use, place and condition."""

    class Meta:
        csrf = False  # a GET that changes nothing the user did not ask for; shareable

    vin = StringField(
        _l("VIN (optional)"),
        description=_l(
            "17 characters, on the registration certificate and under the windscreen."
            " If the registry knows the car, its model and first registration are filled in."
        ),
        validators=[Optional(), Length(max=64)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    brand = SelectField(
        _l("Brand"), validate_choice=False, validators=[Length(max=32)], widget=Select()
    )
    series = SelectField(
        _l("Series"), validate_choice=False, validators=[Length(max=64)], widget=Select()
    )
    model = SelectField(
        _l("Model year and trim"),
        validate_choice=False,
        description=_l("The model year (款) is on the invoice or the registration certificate."),
        widget=Select(),
    )
    registered = MonthOfYearField(
        _l("First registration"),
        description=_l("Month and year on the registration certificate (注册日期)."),
    )
    mileage = WholeNumberField(
        _l("Mileage (km)"),
        description=_l("What the odometer shows."),
        validators=[
            InputRequired(_l("Enter the mileage the odometer shows.")),
            NumberRange(0, MAX_MILEAGE_KM, message=_l("Enter a mileage from 0 to 2,000,000 km.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 16},
    )
    province = SelectField(_l("Province where you sell"), validate_choice=False, widget=Select())
    city = SelectField(
        _l("City"),
        validate_choice=False,
        description=_l("Demand differs between cities."),
        validators=[InputRequired(_l("Choose the city where you sell the car."))],
        widget=Select(),
    )
    condition = RadioField(
        _l("Condition"),
        choices=[SelectChoice(c.value, lazy_label(c)) for c in Condition],
        default=Condition.GOOD.value,
        validate_choice=False,
    )
    body = _part(InspectionPart.BODY)
    engine_bay = _part(InspectionPart.ENGINE_BAY)
    cabin = _part(InspectionPart.CABIN)
    start_up = _part(InspectionPart.START_UP)
    road_test = _part(InspectionPart.ROAD_TEST)
    chassis = _part(InspectionPart.CHASSIS)
    battery = WholeNumberField(
        _l("Battery health (%)"),
        description=_l("New-energy cars only: the state of health a service centre measured."),
        validators=[
            Optional(),
            NumberRange(0, 100, message=_l("Battery health is between 0 and 100 %%.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = china_today()
        self.registered.render_kw = {"min": "1990-01", "max": today.strftime("%Y-%m")}
        found = regions.city(self.city.data) if self.city.data else None
        if found is not None and not self.province.data:
            self.province.data = found.province_code  # a shared link may name the city only
        self.province.choices = province_choices(_l("Choose a province"))
        self.city.choices = city_choices(self.province.data)
        self.brand.choices = self.series.choices = self.model.choices = []

    def set_catalog(self, brands: list[SelectChoice], series: list[SelectChoice], trims) -> None:
        """The choices of the three dependent selects, from the catalog."""
        self.brand.choices = [SelectChoice("", _l("Choose a brand"))] + brands
        self.series.choices = [SelectChoice("", _l("Choose a series"))] + series
        self.model.choices = model_choices(trims)

    @property
    def parts(self):
        """The six inspection fields, in the order of the sheet."""
        return [self[part.value] for part in InspectionPart]

    @property
    def sheet(self):
        """The inspection fields with the points each part can score."""
        return [(self[part.value], INSPECTION_PARTS[part]) for part in InspectionPart]

    def inspection(self) -> dict[str, int] | None:
        """The sheet when all six parts are scored, else None (the condition counts)."""
        if any(field.data is None for field in self.parts):
            return None
        return {field.name: field.data for field in self.parts}

    def parts_scored(self) -> int:
        return sum(field.data is not None for field in self.parts)

    def validate_vin(self, field):
        try:
            parse_vin(field.data)
        except InvalidIdentifier as error:
            raise ValidationError(translate(error)) from error

    def validate_registered(self, field):
        if field.data is None:
            return
        if field.data < EARLIEST_REGISTRATION:
            raise ValidationError(_l("The portal values cars first registered from 1990 on."))
        if field.data > china_today():
            raise ValidationError(_l("The first registration cannot be in the future."))

    def validate_city(self, field):
        found = regions.city(field.data) if field.data else None
        if found is None or found.province_code != self.province.data:
            raise ValidationError(_l("Choose a city from the list."))

    def validate_condition(self, field):
        if field.data not in Condition._value2member_map_:
            raise ValidationError(_l("Choose one of the conditions."))


def model_choices(trims) -> list[SelectChoice]:
    """The trims of a series: model year, trim and today's guide price."""
    choices = [SelectChoice("", _l("Choose the model year and trim"))]
    for trim in trims:
        text = f"{trim.model_year} · {trim.trim} · ¥{trim.current_price_fen // 100:,}"
        choices.append(SelectChoice(str(trim.id), text))
    return choices


def _percent_field(label, description=None) -> StringField:
    return StringField(
        label,
        description=description,
        validators=[
            InputRequired(_l("Enter a percentage.")),
            Percent(_l("Enter a percentage such as 40 or 12.5.")),
        ],
        render_kw={"inputmode": "decimal", "autocomplete": "off", "maxlength": 8},
    )


class SettingsForm(Form):
    """The administrator's valuation settings (DOMAIN §3.1, §3.3, §2.2), in percent."""

    weight_age = _percent_field(
        _l("Weight of age in the combined newness rate (%)"),
        _l("The technical condition weighs the rest (GB/T 30323: A + B = 1)."),
    )
    mileage_step_rate = _percent_field(
        _l("Mileage adjustment per 10,000 km above or below 15,000 km a year (%)")
    )
    mileage_cap = _percent_field(_l("Largest mileage adjustment, up or down (%)"))
    dealer_buy_rate = _percent_field(
        _l("Dealer's buying price, as a share of the private price (%)")
    )
    retail_rate = _percent_field(_l("Dealer's retail price, as a share of the private price (%)"))
    range_rate = _percent_field(_l("Range shown around each price, ± (%)"))
    min_comparables = IntegerField(
        _l("Comparable sales needed for the market method"),
        validators=[
            InputRequired(_l("Enter a number of sales.")),
            NumberRange(2, 100, message=_l("Enter 2 to 100 sales.")),
        ],
    )
    key_region_old_factor = _percent_field(
        _l("Value of a National IV or older car in a key air-pollution region (%)"),
        _l("Such cities may refuse these cars on transfer in, so fewer buyers want them there."),
    )
    undervalued_share = _percent_field(
        _l("Flag a transfer priced under this share of the private price (%)")
    )
    scrap_yuan_per_tonne = IntegerField(
        _l("Scrap value a recycler pays per tonne of curb weight (¥)"),
        validators=[
            InputRequired(_l("Enter an amount in yuan.")),
            NumberRange(0, 20_000, message=_l("Enter 0 to 20,000 yuan.")),
        ],
    )

    def typed(self) -> dict:
        """The values as the settings service takes them (shares, the count, fen)."""
        values = {name: self[name].share for name in PERCENT_FIELDS}
        return values | {
            "min_comparables": self.min_comparables.data,
            "scrap_fen_per_tonne": self.scrap_yuan_per_tonne.data * FEN_PER_YUAN,
        }


PERCENT_FIELDS = (
    "weight_age",
    "mileage_step_rate",
    "mileage_cap",
    "dealer_buy_rate",
    "retail_rate",
    "range_rate",
    "key_region_old_factor",
    "undervalued_share",
)


def settings_data(saved) -> dict:
    """A saved settings row as the form shows it: percentages without trailing zeros."""
    data = {name: percent_text(getattr(saved, name)) for name in PERCENT_FIELDS}
    return data | {
        "min_comparables": saved.min_comparables,
        "scrap_yuan_per_tonne": saved.scrap_fen_per_tonne // FEN_PER_YUAN,
    }
