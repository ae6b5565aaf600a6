"""Request and response bodies of the owner's subsidy endpoints (`subsidy.py`, DOMAIN §1).

The owner's side: check eligibility before applying, follow one's applications. Bounds
are the new-car page form's (portal/subsidy/apply/forms.py); its date and displacement
rules are `subsidy/rules/new_car.py`, which both call.
"""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from portal import regions
from portal.api.schemas import Strict, known_city, refuse, text
from portal.audit import china_today
from portal.identifiers import normalize, parse_plate, parse_resident_id, parse_vin
from portal.messages import N_, MessageError
from portal.registry.terms import BodyType, FuelType
from portal.subsidy.rules import new_car
from portal.subsidy.terms import Flag, Kind, RejectReason, Status


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
        return known_city(value)

    @field_validator("registration_date")
    @classmethod
    def _registration_not_future(cls, value: date):
        refuse(new_car.registration_date_problem(value, china_today()))
        return value

    @field_validator("invoice_date")
    @classmethod
    def _invoice_not_future(cls, value: date):
        refuse(new_car.invoice_date_problem(value, china_today()))
        return value

    @field_validator("displacement_ml")
    @classmethod
    def _engine_has_displacement(cls, value: int | None, info):
        fuel = info.data.get("fuel_type")
        if fuel is not None:
            refuse(new_car.displacement_problem(fuel, value))
        return value


class _TradeIn(Strict):
    """The facts both checks take: where, which old car, the new car, which year's rules."""

    province_code: str = Field(
        pattern=r"^[0-9]{6}$", description="Province where the new car is registered."
    )
    old_vin: text(17, min_length=17) = Field(
        description="VIN of a car the owner holds or held in the registry."
    )
    new_car: NewCarIn | None = Field(
        None, description="Without it only the old car and the claims are checked."
    )
    program_year: int | None = Field(
        None,
        ge=2024,
        le=2100,
        description="Check against that year's program (DOMAIN §1.2), e.g. the one an "
        "application was made under; this year's when left out.",
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


class EligibilityCheck(_TradeIn):
    """Would this application qualify today, and for how much? Nothing is saved."""

    kind: Kind


class CompareCheck(_TradeIn):
    """Scrap or sell (DOMAIN §3.5): both kinds for the old car, side by side. Nothing is saved."""

    new_car_price_fen: int | None = Field(
        None,
        ge=100,
        le=10_000_000_000,
        description="The new car's price with VAT, when new_car is left out; without either, "
        "the owner's newest draft application's, else today's guide price of the old car.",
    )
    new_car_fuel_type: FuelType | None = Field(
        None, description="When new_car is left out; the old car's when this is too."
    )
    mileage_km: int | None = Field(
        None,
        ge=0,
        le=2_000_000,
        description="The old car's odometer; 15,000 km a year if left out.",
    )


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


class CompareSide(BaseModel):
    """One choice: the subsidy and what the car fetches, each with how it was computed."""

    kind: Kind
    total_fen: int | None = Field(description="Subsidy + car; null if either is unknown.")
    subsidy_fen: int | None = Field(description="Null when the old car does not qualify.")
    subsidy_explanation: str | None
    car_fen: int | None = Field(
        description="Scrap value (scrapping) or the dealer's buying price (replacement)."
    )
    car_explanation: str | None
    reasons: list[ReasonOut] = Field(description="Why the old car would not qualify.")


class CompareOut(BaseModel):
    new_car_price_fen: int
    new_car_fuel_type: FuelType
    new_car_price_source: str = Field(description="typed, draft or guide (assumed).")
    mileage_km: int
    scrapping: CompareSide
    replacement: CompareSide
    better: Kind | None = Field(description="The choice that leaves more money; null on a tie.")
    valuation_url: str | None = Field(description="The valuation page of the old car.")


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
