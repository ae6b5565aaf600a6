"""Transfer cases, their documents, and the destination cities' emission rules."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from portal.audit import utcnow
from portal.enums import enum_column
from portal.limits import NOTE_LENGTH
from portal.transfer.terms import (
    QUEUES,
    BuyerKind,
    DocumentKind,
    EmissionAcceptance,
    NoValuation,
    TransferStatus,
)

OPEN_STATUSES = "status NOT IN ('completed', 'rejected', 'withdrawn')"
COMPLETED = "status = 'completed'"


def _in_queue(direction: str):
    """The statuses of an officers' queue as SQL, for the partial index that serves it."""
    return text("status IN ({})".format(", ".join(f"'{s.value}'" for s in QUEUES[direction])))


class TransferCase(SQLModel, table=True):
    """One inter-provincial transfer of a vehicle, filed by a dealer (DOMAIN §2)."""

    __tablename__ = "transfer_case"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    dealer_id: int = Field(foreign_key="dealer.id")
    created_by: int = Field(foreign_key="user_account.id")
    vehicle_id: int = Field(foreign_key="vehicle.id", index=True)
    seller_ownership_id: int = Field(foreign_key="ownership.id")
    buyer_kind: BuyerKind = Field(sa_type=enum_column(BuyerKind))
    buyer_name: str = Field(max_length=128)
    buyer_id_hash: str | None = Field(default=None, max_length=64)
    buyer_id_masked: str | None = Field(default=None, max_length=18)
    buyer_uscc: str | None = Field(default=None, max_length=18)
    origin_province_code: str = Field(foreign_key="province.code", max_length=6)
    origin_city_code: str = Field(foreign_key="city.code", max_length=6)
    destination_province_code: str = Field(foreign_key="province.code", max_length=6)
    destination_city_code: str = Field(foreign_key="city.code", max_length=6)
    price_fen: int
    sale_date: date
    mileage_km: int
    dealer_temporary: bool = False
    # The car's family and first registration as filed (facts that never change), so the
    # valuation finds comparable sales on this table's own index (DOMAIN §3.1), not by
    # visiting every car of the family in the registry.
    vehicle_brand: str | None = Field(default=None, max_length=32)
    vehicle_model: str | None = Field(default=None, max_length=64)
    vehicle_registered: date | None = None
    status: TransferStatus = Field(sa_type=enum_column(TransferStatus))
    reason: str | None = Field(default=None, max_length=NOTE_LENGTH)
    new_plate: str | None = Field(default=None, max_length=8)
    # DOMAIN §2.2: the private-sale valuation when filed; a price far below it is flagged.
    valuation_fen: int | None = None
    undervalued: bool = False
    # Why there is no valuation (and so no flag); a filing is never refused for it.
    no_valuation_reason: NoValuation | None = Field(default=None, sa_type=enum_column(NoValuation))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    completed_at: datetime | None = None

    __table_args__ = (
        CheckConstraint("price_fen > 0", name="ck_transfer_price"),
        CheckConstraint("mileage_km >= 0", name="ck_transfer_mileage"),
        CheckConstraint(
            "(buyer_kind = 'person') = (buyer_id_hash IS NOT NULL)", name="ck_transfer_buyer"
        ),
        Index("ix_transfer_dealer_id", "dealer_id", "id"),
        Index("ix_transfer_origin_status", "origin_province_code", "status", "id"),
        Index("ix_transfer_destination_status", "destination_province_code", "status", "id"),
        Index(
            "ix_transfer_comparables",
            "vehicle_brand",
            "vehicle_model",
            "sale_date",
            sqlite_where=text(COMPLETED),
            postgresql_where=text(COMPLETED),
        ),
        # The officers' queues, newest first, however many cases a province has closed.
        Index(
            "ix_transfer_outgoing_queue",
            "origin_province_code",
            "id",
            sqlite_where=_in_queue("outgoing"),
            postgresql_where=_in_queue("outgoing"),
        ),
        Index(
            "ix_transfer_incoming_queue",
            "destination_province_code",
            "id",
            sqlite_where=_in_queue("incoming"),
            postgresql_where=_in_queue("incoming"),
        ),
        # One open case per vehicle, even when two clerks file it at once (issue: the case).
        Index(
            "uq_transfer_open_vehicle",
            "vehicle_id",
            unique=True,
            sqlite_where=text(OPEN_STATUSES),
            postgresql_where=text(OPEN_STATUSES),
        ),
    )


# A number is live while an open case holds it or once it is issued; a changed choice or a
# closed case releases it (released_at).
LIVE = "released_at IS NULL"


class PlateReservation(SQLModel, table=True):
    """A new plate number held for a case: chosen by the buyer or drawn at registration.

    DOMAIN §2.3: a number is reserved while the buyer chooses and then issued, never twice.
    The partial unique index on the plate is what stops two cases holding one number when
    they race; the registry's unique plate stops a number a car already carries.
    """

    __tablename__ = "plate_reservation"

    id: int | None = Field(default=None, primary_key=True)
    plate: str = Field(max_length=8)
    case_id: int = Field(foreign_key="transfer_case.id")
    reserved_by: int | None = Field(default=None, foreign_key="user_account.id")
    reserved_at: datetime = Field(default_factory=utcnow)
    released_at: datetime | None = None

    __table_args__ = (
        Index(
            "uq_plate_reservation_live_plate",
            "plate",
            unique=True,
            sqlite_where=text(LIVE),
            postgresql_where=text(LIVE),
        ),
        Index(
            "uq_plate_reservation_live_case",
            "case_id",
            unique=True,
            sqlite_where=text(LIVE),
            postgresql_where=text(LIVE),
        ),
    )


class TransferDocument(SQLModel, table=True):
    """An uploaded paper of a case; one current file per kind (a new upload replaces it)."""

    __tablename__ = "transfer_document"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="transfer_case.id")
    kind: DocumentKind = Field(sa_type=enum_column(DocumentKind))
    filename: str = Field(max_length=255)
    stored_name: str = Field(max_length=64)
    content_type: str = Field(max_length=32)
    size: int
    uploaded_by: int = Field(foreign_key="user_account.id")
    uploaded_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (UniqueConstraint("case_id", "kind", name="uq_transfer_document_kind"),)


class EmissionRule(SQLModel, table=True):
    """What a destination city accepts; a city without a row accepts its default (§2.1)."""

    __tablename__ = "emission_rule"

    city_code: str = Field(foreign_key="city.code", primary_key=True, max_length=6)
    acceptance: EmissionAcceptance = Field(sa_type=enum_column(EmissionAcceptance))
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow)
