"""Forms of the transfer pages: find the car, file the case, upload a paper, act on a case."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.audit import china_today
from portal.errors import translate
from portal.fields import Yuan, city_choices, province_choices
from portal.forms import Form, refuse_field
from portal.identifiers import InvalidIdentifier, parse_resident_id, parse_uscc
from portal.limits import NOTE_LENGTH
from portal.transfer.rules import (
    MAX_ODOMETER_KM,
    MAX_PRICE_YUAN,
    MIN_PRICE_YUAN,
    sale_date_problem,
)
from portal.transfer.terms import BuyerKind, EmissionAcceptance


class FindVehicleForm(Form):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("VIN or plate of the car"), validators=[DataRequired(), Length(max=40)])


class CaseForm(Form):
    vehicle_id = HiddenField(validators=[DataRequired()])
    seller_name = StringField(_l("Seller's name"), validators=[DataRequired(), Length(max=128)])
    seller_identifier = StringField(
        _l("Seller's resident ID number or USCC"), validators=[DataRequired(), Length(max=32)]
    )
    buyer_kind = RadioField(
        _l("Buyer"),
        choices=[
            SelectChoice(BuyerKind.PERSON.value, _l("A person")),
            SelectChoice(BuyerKind.COMPANY.value, _l("A company")),
        ],
        default=BuyerKind.PERSON.value,
    )
    buyer_name = StringField(_l("Buyer's name"), validators=[DataRequired(), Length(max=128)])
    buyer_identifier = StringField(
        _l("Buyer's resident ID number or USCC"), validators=[DataRequired(), Length(max=32)]
    )
    destination_province = SelectField(_l("Buyer's province"), validators=[DataRequired()])
    destination_city = SelectField(_l("Buyer's city"), validators=[DataRequired()])
    price = StringField(
        _l("Agreed price (yuan)"),
        validators=[
            InputRequired(_l("Enter the agreed price.")),
            Yuan(MIN_PRICE_YUAN, MAX_PRICE_YUAN, _l("Enter a price from 1 to 100,000,000 yuan.")),
        ],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    sale_date = DateField(_l("Sale date"), validators=[DataRequired()])
    mileage_km = IntegerField(
        _l("Odometer reading (km)"),
        validators=[
            InputRequired(),
            NumberRange(
                min=0, max=MAX_ODOMETER_KM, message=_l("Enter a reading from 0 to 2,000,000 km.")
            ),
        ],
    )
    dealer_temporary = BooleanField(_l("Our company holds the car temporarily first (单独签注)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.destination_province.choices = province_choices(_l("Choose a province"))
        self.destination_city.choices = city_choices(self.destination_province.data)

    def validate_buyer_identifier(self, field):
        parse = parse_resident_id if self.buyer_kind.data == BuyerKind.PERSON else parse_uscc
        try:
            parse(field.data)
        except InvalidIdentifier as error:
            raise ValidationError(translate(error)) from error

    def validate_sale_date(self, field):
        refuse_field(sale_date_problem(field.data, china_today()))


class ActionForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=NOTE_LENGTH)])


class PlateForm(Form):
    """The new plate: one of the offered numbers, or one the buyer composed (DOMAIN §2.3)."""

    plate = StringField(
        _l("Your number"),
        validators=[
            DataRequired(_l("Pick one of the numbers, or type one.")),
            Length(max=16, message=_l("A plate has at most 8 characters.")),
        ],
    )
    # Which of the page's two forms was sent, so an error shows next to that one.
    source = HiddenField(default="composed")


class EmissionRuleForm(Form):
    city_code = HiddenField(validators=[DataRequired(), Length(min=6, max=6)])
    acceptance = SelectField(
        _l("Accepts"),
        choices=[SelectChoice(a.value, a.value) for a in EmissionAcceptance],
        validators=[DataRequired()],
    )


class BulkForm(Form):
    file = FileField(
        _l("Sales to file (CSV, UTF-8)"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv"], _l("Only .csv files can be imported.")),
        ],
    )
