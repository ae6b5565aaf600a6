"""Forms of the owner's subsidy pages: start, the wizard's steps, confirm."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal import regions
from portal.audit import china_today
from portal.errors import translate
from portal.fields import Yuan, enum_choices, province_choices
from portal.formatting import region_name
from portal.forms import Form, refuse_field
from portal.identifiers import (
    InvalidIdentifier,
    parse_bank_card,
    parse_plate,
    parse_resident_id,
    parse_vin,
)
from portal.registry.terms import BodyType, FuelType
from portal.subsidy.rules import new_car
from portal.subsidy.terms import Kind


def _identifier(parse):
    """A WTForms validator from an identifier parser: its message, translated."""

    def check(_form, field):
        try:
            parse(field.data or "")
        except InvalidIdentifier as error:
            raise ValidationError(translate(error)) from error

    return check


class StartForm(Form):
    kind = RadioField(_l("What do you do with your old car?"), validators=[DataRequired()])
    province = SelectField(
        _l("Province where the new car is registered"), validators=[DataRequired()]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(Kind)
        self.province.choices = province_choices(_l("Choose a province"))


class OldCarForm(Form):
    vehicle_id = RadioField(_l("Your old car"), coerce=str, validators=[DataRequired()])


class NewCarForm(Form):
    vin = StringField(
        _l("VIN of the new car"),
        validators=[DataRequired(), Length(max=40), _identifier(parse_vin)],
    )
    plate = StringField(
        _l("Plate number"), validators=[DataRequired(), Length(max=16), _identifier(parse_plate)]
    )
    brand = StringField(_l("Brand"), validators=[DataRequired(), Length(max=32)])
    model = StringField(_l("Model"), validators=[DataRequired(), Length(max=64)])
    body_type = SelectField(_l("Body"), validators=[DataRequired()])
    seats = IntegerField(
        _l("Seats"),
        validators=[
            InputRequired(),
            NumberRange(min=2, max=9, message=_l("A passenger car has 2 to 9 seats.")),
        ],
        default=5,
    )
    fuel_type = SelectField(_l("Fuel"), validators=[DataRequired()])
    displacement_ml = IntegerField(
        _l("Engine displacement (ml)"),
        validators=[
            Optional(),
            NumberRange(min=600, max=8000, message=_l("Enter 600 to 8,000 ml.")),
        ],
    )
    registration_date = DateField(_l("Registration date"), validators=[DataRequired()])
    invoice_number = StringField(
        _l("Invoice number"), validators=[DataRequired(), Length(min=8, max=20)]
    )
    invoice_date = DateField(_l("Invoice date"), validators=[DataRequired()])
    invoice_price = StringField(
        _l("Price on the invoice, with VAT (yuan)"),
        validators=[
            InputRequired(_l("Enter the price on the invoice.")),
            Yuan(1, 100_000_000, _l("Enter a price from 1 to 100,000,000 yuan.")),
        ],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    invoice_city = SelectField(_l("City of the invoice"), validators=[DataRequired()])
    invoice_buyer_id = StringField(
        _l("Buyer's ID number on the invoice"),
        validators=[DataRequired(), Length(max=32), _identifier(parse_resident_id)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.body_type.choices = enum_choices(BodyType, _l("Choose"))
        self.fuel_type.choices = enum_choices(FuelType, _l("Choose"))
        self.invoice_city.choices = [SelectChoice("", _l("Choose a city"))] + [
            SelectChoice(c.code, f"{region_name(c.province_code)} · {region_name(c.code)}")
            for c in regions.cities()
        ]

    def validate_displacement_ml(self, field):
        if self.fuel_type.data in FuelType._value2member_map_:
            refuse_field(new_car.displacement_problem(FuelType(self.fuel_type.data), field.data))

    def validate_registration_date(self, field):
        if field.data:
            refuse_field(new_car.registration_date_problem(field.data, china_today()))

    def validate_invoice_date(self, field):
        if field.data:
            refuse_field(new_car.invoice_date_problem(field.data, china_today()))


class BankForm(Form):
    card = StringField(
        _l("Debit card number"),
        validators=[DataRequired(), Length(max=32), _identifier(parse_bank_card)],
    )
    bank = StringField(_l("Bank"), validators=[DataRequired(), Length(max=64)])


class ConfirmForm(Form):
    """A button that changes state (submit, withdraw): CSRF only."""
