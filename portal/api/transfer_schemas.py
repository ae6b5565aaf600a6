"""Request and response bodies of the transfer endpoints (`transfers.py`): dealers file cases."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import model_validator as _model_validator

from portal.api.schemas import Strict, known_city, refuse, text
from portal.audit import china_today
from portal.identifiers import parse_resident_id, parse_uscc
from portal.messages import N_, MessageError
from portal.money import FEN_PER_YUAN
from portal.transfer.rules import (
    MAX_ODOMETER_KM,
    MAX_PRICE_YUAN,
    MIN_PRICE_YUAN,
    sale_date_problem,
)
from portal.transfer.terms import BuyerKind, DocumentKind, TransferStatus


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
    price_fen: int = Field(
        ge=MIN_PRICE_YUAN * FEN_PER_YUAN,
        le=MAX_PRICE_YUAN * FEN_PER_YUAN,
        description="Agreed price in fen (the form's bounds: 1 to 100,000,000 yuan).",
    )
    sale_date: date = Field(description="Not in the future, at most 30 days ago.")
    mileage_km: int = Field(ge=0, le=MAX_ODOMETER_KM)
    dealer_temporary: bool = False

    @_model_validator(mode="after")
    def _one_way_to_the_car(self):
        if (self.vin is None) == (self.plate is None):
            raise MessageError(N_("Give either the VIN or the plate of the car."))
        return self

    @field_validator("destination_city_code")
    @classmethod
    def _known_city(cls, value: str):
        return known_city(value)

    @field_validator("sale_date")
    @classmethod
    def _sale_date_rule(cls, value: date):
        refuse(sale_date_problem(value, china_today()))  # the pages' rule (§2.2)
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


class PlateChoice(Strict):
    """The new plate the buyer chose: one of the offered numbers, or one composed (§2.3)."""

    plate: text(16) = Field(
        description="The whole plate (浙A12345) or what follows the destination's prefix "
        "(12345); checked against the city's format and reserved for the case if free."
    )


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


class PlateOffer(BaseModel):
    """Free numbers of the destination for the case's new plate, drawn at random (§2.3)."""

    prefix: str = Field(description="The destination city's plate prefix, e.g. 浙A.")
    new_energy: bool = Field(description="Whether the car takes a green, 8-character plate.")
    numbers: list[str] = Field(
        description="Free numbers, drawn anew on each request; offered, not reserved."
    )
    chosen: str | None = Field(description="The number reserved for the case, if one was chosen.")
