"""The scrap-or-sell form: which car, where, and the new car (a GET: nothing is saved)."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from portal import regions
from portal.fields import Yuan
from portal.formatting import region_name
from portal.forms import Form
from portal.labels import label
from portal.registry.terms import FuelType
from portal.valuation.names import car_name
from portal.valuation.rules.engine import MAX_MILEAGE_KM


class CompareForm(Form):
    """The old car (one of the owner's), the province, the new car's price and drive train."""

    class Meta:
        csrf = False  # a GET that changes nothing; the result is a link to share or keep

    vin = SelectField(_l("Your old car"), validate_choice=True)
    province = SelectField(_l("Province where the new car is registered"))
    price = StringField(
        _l("Price of the new car, with VAT (¥)"),
        description=_l(
            "Leave it empty to use your draft application's, or today's price of your car."
        ),
        validators=[
            Optional(),
            Yuan(1, 100_000_000, _l("Enter a price from 1 to 100,000,000 yuan.")),
        ],
        render_kw={"inputmode": "decimal", "autocomplete": "off", "maxlength": 40},
    )
    fuel = SelectField(_l("The new car is"), validators=[Optional()])
    mileage = IntegerField(
        _l("Odometer of the old car (km)"),
        description=_l("Leave it empty for the average: 15,000 km a year."),
        validators=[
            Optional(),
            NumberRange(0, MAX_MILEAGE_KM, message=_l("Enter 0 to 2,000,000 km.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 9},
    )

    def offer(self, cars) -> None:
        """The owner's cars and the provinces as choices; by default the first car, where
        it is registered."""
        self.vin.choices = [SelectChoice(car.vin, _car_name(car)) for car in cars]
        self.province.choices = [
            SelectChoice(p.code, region_name(p.code)) for p in regions.provinces()
        ]
        self.fuel.choices = [SelectChoice("", _l("The same kind as the old car"))] + [
            SelectChoice(fuel.value, label(fuel)) for fuel in FuelType
        ]
        if cars and not self.vin.data:
            self.vin.data = cars[0].vin
        chosen = next((car for car in cars if car.vin == self.vin.data), None)
        if chosen is not None and not self.province.data:
            self.province.data = chosen.province_code


def _car_name(car) -> str:
    """How the owner recognises a car: plate, brand and series, month of first registration."""
    return f"{car.plate} · {car_name(car.brand, car.model)} · {car.first_registration:%Y-%m}"
