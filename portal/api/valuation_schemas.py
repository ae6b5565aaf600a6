"""Request and response bodies of the valuation endpoints (`valuation.py`, DOMAIN §3).

Anyone may ask. The bounds are the engine's (valuation/rules/engine.py and inspection.py):
the mileage limit and the points of each inspection part are read from it, not copied.
Whether the first registration is in the future is the engine's call too (a 422).
"""

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, field_validator

from portal.api.schemas import Strict, known_city, text
from portal.identifiers import parse_vin
from portal.limits import MAX_ID
from portal.messages import N_, MessageError
from portal.registry.terms import BodyType, EmissionStandard, FuelType
from portal.valuation.rules.engine import MAX_MILEAGE_KM
from portal.valuation.rules.inspection import INSPECTION_PARTS
from portal.valuation.terms import Condition, Grade, InspectionPart, Method

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
        return known_city(value)


class CatalogQuery(BaseModel):
    """Query parameters of the catalog search; unknown ones are refused."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        "",
        max_length=32,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description=(
            "The start of the brand or the series, in Chinese or English, e.g. 大众, 朗逸 or "
            "toyota; empty for all."
        ),
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
    brand_en: str = Field(
        description="The maker's English or pinyin name; empty when it is the brand itself."
    )
    series_en: str = Field(description="Likewise for the series; empty when it has none.")
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
