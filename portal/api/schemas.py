"""Request and response bodies of the JSON API v1; the OpenAPI document is generated from them.

Requests are validated strictly (no unknown fields, no "12" for 12) so a partner's bug
shows as a 422 naming the field rather than as a surprise. Validators raise the
portal's own translatable errors (`MessageError`), which `problems.py` renders.
"""

import re
from datetime import date, datetime
from types import SimpleNamespace
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic import model_validator as _model_validator

from portal import regions
from portal.identifiers import normalize, parse_plate, parse_resident_id, parse_uscc, parse_vin
from portal.messages import N_, MessageError
from portal.registry.terms import BodyType, EmissionStandard, FuelType
from portal.subsidy.forms import NewCarForm
from portal.subsidy.terms import Flag, Kind, RejectReason, Status
from portal.transfer.forms import CaseForm
from portal.transfer.terms import BuyerKind, DocumentKind, TransferStatus
from portal.valuation.engine import MAX_MILEAGE_KM, Method
from portal.valuation.inspection import INSPECTION_PARTS, Condition, Grade, InspectionPart

# Printable text with at least one visible character: control characters (NUL above all,
# which PostgreSQL refuses in text) never reach the database.
PRINTABLE = r"^[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s][^\x00-\x1f\x7f]*$"
MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL


def text(max_length: int, min_length: int = 1):
    """A printable string of bounded length."""
    return Annotated[
        str, StringConstraints(min_length=min_length, max_length=max_length, pattern=PRINTABLE)
    ]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class BuyerIn(Strict):
    """The buyer: a person (resident ID number) or a company (USCC)."""

    type: BuyerKind
    name: text(128)
    id: text(32) = Field(description="Resident ID number of a person, USCC of a company.")

    @field_validator("id")
    @classmethod
    def _valid_identifier(cls, value: str, info):
        kind = info.data.get("type")
        if kind is not None:
            (parse_resident_id if kind is BuyerKind.PERSON else parse_uscc)(value)
        return value


class TransferCreate(Strict):
    """A case to file: the car by VIN or plate, the parties, the destination, the sale."""

    vin: text(17, min_length=17) | None = None
    plate: text(10, min_length=2) | None = None
    seller_name: text(128)
    seller_id: text(32) = Field(description="Resident ID number or USCC of the registered owner.")
    buyer: BuyerIn
    destination_city_code: str = Field(pattern=r"^[0-9]{6}$")
    price_fen: int = Field(gt=0, le=10_000_000_000, description="Agreed price in fen.")
    sale_date: date = Field(description="Not in the future, at most 30 days ago.")
    mileage_km: int = Field(ge=0, le=2_000_000)
    dealer_temporary: bool = False

    @_model_validator(mode="after")
    def _one_way_to_the_car(self):
        if (self.vin is None) == (self.plate is None):
            raise MessageError(N_("Give either the VIN or the plate of the car."))
        return self

    @field_validator("destination_city_code")
    @classmethod
    def _known_city(cls, value: str):
        if regions.city(value) is None:
            raise MessageError(N_("There is no city with this code."))
        return value

    @field_validator("sale_date")
    @classmethod
    def _sale_date_rule(cls, value: date):
        # The pages' rule, called rather than copied (no rule twice); it uses only the field.
        CaseForm.validate_sale_date(None, SimpleNamespace(data=value))
        return value


class ListQuery(BaseModel):
    """Query parameters of the case list (strings from the URL, so not strict types).

    Unknown parameters are refused like unknown body fields: a misspelt filter should not
    quietly list everything.
    """

    model_config = ConfigDict(extra="forbid")

    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)
    status: TransferStatus | None = None
    q: str = Field("", max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$")


class DocumentUpload(BaseModel):
    """A multipart upload: the kind of paper and the file (PDF, JPEG or PNG, at most 10 MB)."""

    kind: DocumentKind
    file: bytes


# --- responses ------------------------------------------------------------------------


class VehicleOut(BaseModel):
    vin: str
    plate: str | None


class BuyerOut(BaseModel):
    type: BuyerKind
    name: str
    id: str | None = Field(description="Masked resident ID number, or the USCC.")


class TransferOut(BaseModel):
    """A transfer case as the dealer's system sees it."""

    id: int
    number: str
    status: TransferStatus
    vehicle: VehicleOut
    buyer: BuyerOut
    origin_city_code: str
    destination_city_code: str
    price_fen: int
    sale_date: date
    mileage_km: int
    dealer_temporary: bool
    new_plate: str | None
    reason: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    completed_at: datetime | None


class TransferPage(BaseModel):
    items: list[TransferOut]
    page: int
    page_size: int
    has_next: bool


class DocumentOut(BaseModel):
    id: int
    kind: DocumentKind
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class DocumentList(BaseModel):
    """The case's papers, and which kinds the checklist still misses."""

    items: list[DocumentOut]
    required: list[DocumentKind]
    missing: list[DocumentKind]


class FieldError(BaseModel):
    field: str | None = Field(description="Dotted path of the field; null for the whole body.")
    message: str
    type: str = Field(description="A stable code of the error, e.g. missing, string_too_long.")


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(None, description="Invalid fields (422).")
    reasons: list[str] | None = Field(None, description="Why a case cannot be filed (422).")


# --- subsidies (DOMAIN §1) --------------------------------------------------------------
# The owner's side: check eligibility before applying, follow one's applications. Bounds
# are the new-car page form's (portal/subsidy/forms.py); its date and displacement
# checks are called, not copied.


class NewCarIn(Strict):
    """The new car and its invoice, as the owner's papers give them (DOMAIN §1.3)."""

    vin: text(17, min_length=17)
    plate: text(10, min_length=2)
    brand: text(32)
    model: text(64)
    body_type: BodyType
    seats: int = Field(ge=2, le=9)
    fuel_type: FuelType
    displacement_ml: int | None = Field(
        None, ge=600, le=8000, validate_default=True, description="Required for a fuel car."
    )
    registration_date: date = Field(description="Not in the future.")
    invoice_number: text(20, min_length=8)
    invoice_date: date = Field(description="Not in the future.")
    invoice_price_fen: int = Field(
        ge=100, le=10_000_000_000, description="Price on the invoice, with VAT, in fen."
    )
    invoice_city_code: str = Field(pattern=r"^[0-9]{6}$")
    invoice_buyer_id_number: text(32) = Field(
        description="Buyer's resident ID number on the invoice; compared by keyed hash, "
        "never stored or returned."
    )

    @field_validator("vin")
    @classmethod
    def _valid_vin(cls, value: str):
        return parse_vin(value).value

    @field_validator("plate")
    @classmethod
    def _valid_plate(cls, value: str):
        return parse_plate(value).value

    @field_validator("invoice_buyer_id_number")
    @classmethod
    def _valid_resident_id(cls, value: str):
        return parse_resident_id(value).value

    @field_validator("brand", "model")
    @classmethod
    def _trimmed(cls, value: str):
        return value.strip()

    @field_validator("invoice_number")
    @classmethod
    def _normalized(cls, value: str):
        return normalize(value)

    @field_validator("invoice_city_code")
    @classmethod
    def _known_city(cls, value: str):
        return TransferCreate._known_city(value)

    @field_validator("registration_date")
    @classmethod
    def _registration_not_future(cls, value: date):
        NewCarForm.validate_registration_date(None, SimpleNamespace(data=value))
        return value

    @field_validator("invoice_date")
    @classmethod
    def _invoice_not_future(cls, value: date):
        NewCarForm.validate_invoice_date(None, SimpleNamespace(data=value))
        return value

    @field_validator("displacement_ml")
    @classmethod
    def _engine_has_displacement(cls, value: int | None, info):
        fuel = info.data.get("fuel_type")
        if fuel is not None:
            form = SimpleNamespace(fuel_type=SimpleNamespace(data=fuel.value))
            NewCarForm.validate_displacement_ml(form, SimpleNamespace(data=value))
        return value


class EligibilityCheck(Strict):
    """Would this application qualify today, and for how much? Nothing is saved."""

    kind: Kind
    province_code: str = Field(
        pattern=r"^[0-9]{6}$", description="Province where the new car is registered."
    )
    old_vin: text(17, min_length=17) = Field(
        description="VIN of a car the owner holds or held in the registry."
    )
    new_car: NewCarIn | None = Field(
        None, description="Without it only the old car and the claims are checked."
    )

    @field_validator("province_code")
    @classmethod
    def _known_province(cls, value: str):
        if regions.province(value) is None:
            raise MessageError(N_("There is no province with this code."))
        return value

    @field_validator("old_vin")
    @classmethod
    def _valid_vin(cls, value: str):
        return parse_vin(value).value


class SubsidyListQuery(BaseModel):
    """Query parameters of the owner's application list; unknown ones are refused."""

    model_config = ConfigDict(extra="forbid")

    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


class ReasonOut(BaseModel):
    """One rule the application fails."""

    message: str = Field(description="In the request's language.")
    template: str = Field(description="The English template: a stable key for machines.")
    params: dict[str, str | int] = Field(description="The values that fill the template.")


class EligibilityOut(BaseModel):
    eligible: bool = Field(description="True only with the new car given and no reason.")
    amount_fen: int | None = Field(description="Null until the new car is given.")
    amount_explanation: str | None = Field(description="How the amount was computed.")
    reasons: list[ReasonOut]
    flags: list[Flag] = Field(description="What would make a second reviewer look at it.")


class ApplicationSummary(BaseModel):
    """An owner's application in a list."""

    id: int
    number: str | None = Field(description="Given on submission.")
    kind: Kind
    status: Status
    amount_fen: int | None
    old_vin: str | None
    new_vin: str | None
    submitted_at: datetime | None
    decided_at: datetime | None


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    page: int
    page_size: int
    has_next: bool


class TimelineEvent(BaseModel):
    at: datetime
    action: str = Field(description="A stable code, e.g. submitted, returned, approved.")
    label: str = Field(description="The action in the request's language.")
    from_status: Status | None
    to_status: Status | None


class ApplicationOut(ApplicationSummary):
    """One application: the cars, the amount and why, the decision, the payout, the timeline."""

    year: int
    province_code: str
    new_plate: str | None
    new_brand: str | None
    new_model: str | None
    new_fuel_type: FuelType | None
    invoice_date: date | None
    invoice_price_fen: int | None
    amount_explanation: str | None
    flags: list[Flag]
    reject_reason: RejectReason | None = Field(description="Set when rejected.")
    decision_note: str | None = Field(description="The reviewer's words on a return or rejection.")
    bank_card: str | None = Field(description="Masked: 6217 **** **** 1234.")
    bank_name: str | None
    created_at: datetime
    updated_at: datetime
    paid_at: datetime | None
    timeline: list[TimelineEvent] = Field(description="Oldest first.")


# --- valuations (DOMAIN §3) -------------------------------------------------------------
# Anyone may ask. The bounds are the engine's (valuation/engine.py, inspection.py): the mileage
# limit and the points of each inspection part are read from it, not copied. Whether the
# first registration is in the future is the engine's call too (its refusal is a 422).

MONTH_OR_DATE = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?$"


def _month_or_date(value) -> date:
    """'2019-06' (read as the first of the month) or '2019-06-15', as a date."""
    if not isinstance(value, str) or re.fullmatch(MONTH_OR_DATE, value) is None:
        raise MessageError(N_("Enter the first registration as YYYY-MM or YYYY-MM-DD."))
    year, month, day = (*(int(part) for part in value.split("-")), 1)[:3]
    try:
        return date(year, month, day)
    except ValueError:
        raise MessageError(N_("There is no such day: %(value)s."), value=value) from None


FirstRegistration = Annotated[
    date,
    PlainValidator(_month_or_date),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MONTH_OR_DATE,
            "description": "YYYY-MM (read as the first of the month) or YYYY-MM-DD.",
            "examples": ["2019-06", "2019-06-15"],
        }
    ),
]


def _points(part: InspectionPart):
    maximum = INSPECTION_PARTS[part]
    return Field(ge=0, le=maximum, description=f"0 to {maximum} points.")


class InspectionIn(Strict):
    """A technical inspection: six parts, 100 points in all (DOMAIN §3.2)."""

    body: int = _points(InspectionPart.BODY)
    engine_bay: int = _points(InspectionPart.ENGINE_BAY)
    cabin: int = _points(InspectionPart.CABIN)
    start_up: int = _points(InspectionPart.START_UP)
    road_test: int = _points(InspectionPart.ROAD_TEST)
    chassis: int = _points(InspectionPart.CHASSIS)


class ValuationCreate(Strict):
    """A car to value: a registry car by VIN, or a catalog trim with its first registration."""

    vin: text(17, min_length=17) | None = Field(
        None,
        description="A car in the registry: its catalog trim and first registration are "
        "the registry's. Leave out car_model_id and first_registration.",
    )
    car_model_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="A trim of GET /models; with first_registration."
    )
    first_registration: FirstRegistration | None = None
    mileage_km: int = Field(ge=0, le=MAX_MILEAGE_KM)
    city_code: str = Field(
        pattern=r"^[0-9]{6}$", description="The city of the sale (demand differs by city)."
    )
    condition: Condition | None = Field(
        None, description="Without an inspection: the owner's word; good when neither is given."
    )
    inspection: InspectionIn | None = Field(None, description="Instead of a condition.")
    battery_health_pct: int | None = Field(
        None, ge=0, le=100, description="Counted for new-energy cars only."
    )

    @field_validator("vin")
    @classmethod
    def _valid_vin(cls, value: str | None):
        return None if value is None else parse_vin(value).value

    @field_validator("city_code")
    @classmethod
    def _known_city(cls, value: str):
        return TransferCreate._known_city(value)


class CatalogQuery(BaseModel):
    """Query parameters of the catalog search; unknown ones are refused."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        "",
        max_length=32,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="The start of the brand or the series, e.g. 大众 or 朗逸; empty for all.",
    )
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


class PriceRangeOut(BaseModel):
    """A price and its range, in fen, each a whole yuan."""

    low_fen: int
    mid_fen: int
    high_fen: int


class PricesOut(BaseModel):
    """The three prices the market quotes (DOMAIN §3.3); dealer_buy < private < retail."""

    dealer_buy: PriceRangeOut = Field(description="What a dealer pays to buy the car.")
    private: PriceRangeOut = Field(description="What a private buyer pays a private seller.")
    retail: PriceRangeOut = Field(description="A dealer's retail price.")


class StepOut(BaseModel):
    """One line of the arithmetic, so a person can redo it by hand."""

    text: str = Field(description="The line in the request's language.")
    template: str = Field(description="The English template: a stable key for machines.")
    params: dict[str, str] = Field(description="The numbers that fill the template.")
    result: str


class ComparableOut(BaseModel):
    """A completed transfer of the same family used by the market method."""

    price_fen: int
    first_registration: date
    mileage_km: int
    sold_on: date


class ModelRef(BaseModel):
    id: int
    brand: str
    series: str
    model_year: int
    trim: str


class ValuationOut(BaseModel):
    """A valuation: method, grade, the three prices with ranges, and how they were reached."""

    method: Method
    grade: Grade = Field(description="I to IV by score; V for structural accident damage.")
    score: int = Field(description="The technical score out of 100.")
    prices: PricesOut
    steps: list[StepOut]
    comparables: list[ComparableOut] = Field(description="Empty for the replacement-cost method.")
    model: ModelRef = Field(description="The catalog trim valued.")
    first_registration: date = Field(description="As given, or the registry's for a VIN.")
    valued_on: date
    record_id: int | None = Field(
        description="The valuation kept in the token user's history; null when anonymous."
    )


class CatalogModelOut(ModelRef):
    """A trim of the model catalog with its guide prices."""

    body_type: BodyType
    fuel_type: FuelType
    displacement_ml: int | None
    battery_kwh: float | None
    emission_standard: EmissionStandard | None
    current_price_fen: int = Field(description="Today's guide price, in fen.")
    launch_price_fen: int
    nev_catalogue: bool = Field(description="In the MIIT new-energy vehicle catalogue.")


class CatalogPage(BaseModel):
    items: list[CatalogModelOut]
    page: int
    page_size: int
    has_next: bool
