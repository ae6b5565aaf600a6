"""Subsidy programs, applications and their papers, the budget ledger, payout batches."""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from portal.audit import utcnow
from portal.enums import enum_column
from portal.limits import NOTE_LENGTH
from portal.registry.terms import BodyType, FuelType
from portal.subsidy.terms import (
    NOT_LIVE,
    AmountRule,
    BatchStatus,
    ClaimLimit,
    DocumentKind,
    Flag,
    Kind,
    LedgerKind,
    PayoutResult,
    RejectReason,
    Status,
)

# The condition of the anti-fraud partial unique indexes (DOMAIN §1.5): a live claim.
LIVE = text("status NOT IN ({})".format(", ".join(f"'{status.value}'" for status in NOT_LIVE)))
UNSETTLED_OR_PAID = text("result IN ('pending', 'paid')")


class Program(SQLModel, table=True):
    """A year's subsidy of one kind in one province: window, rules, amount, budget (§1.2)."""

    __tablename__ = "subsidy_program"

    id: int | None = Field(default=None, primary_key=True)
    year: int
    province_code: str = Field(foreign_key="province.code", max_length=6)
    kind: Kind = Field(sa_type=enum_column(Kind))
    opens: date
    closes: date
    pause_at: date | None = None
    grace_until: date | None = None
    documents_from: date
    held_before: date
    petrol_registered_by: date
    other_fuel_registered_by: date
    nev_registered_by: date
    min_holding_months: int
    max_displacement_ml: int
    amount_rule: AmountRule = Field(sa_type=enum_column(AmountRule))
    nev_amount_fen: int
    fuel_amount_fen: int
    nev_rate_bp: int = 0
    fuel_rate_bp: int = 0
    claim_limit: ClaimLimit = Field(sa_type=enum_column(ClaimLimit))
    same_province: bool
    zero_mileage_days: int
    # The ledger's running totals; approval reserves with one conditional UPDATE.
    budget_fen: int = Field(sa_type=BigInteger)  # fen: a province's budget exceeds 2^31
    reserved_fen: int = Field(default=0, sa_type=BigInteger)
    paid_fen: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        UniqueConstraint("year", "province_code", "kind", name="uq_subsidy_program"),
        CheckConstraint("opens <= closes", name="ck_program_window"),
        CheckConstraint(
            "reserved_fen >= 0 AND paid_fen >= 0 AND reserved_fen + paid_fen <= budget_fen",
            name="ck_program_budget",
        ),
        CheckConstraint("nev_amount_fen >= 0 AND fuel_amount_fen >= 0", name="ck_program_amounts"),
        CheckConstraint(
            "nev_rate_bp BETWEEN 0 AND 10000 AND fuel_rate_bp BETWEEN 0 AND 10000",
            name="ck_program_rates",
        ),
    )


class ProgramTier(SQLModel, table=True):
    """An invoice-price tier of a TIERS program (DOMAIN §1.2, replacement)."""

    __tablename__ = "subsidy_tier"

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="subsidy_program.id", index=True)
    new_energy: bool
    min_price_fen: int
    amount_fen: int

    __table_args__ = (
        UniqueConstraint("program_id", "new_energy", "min_price_fen", name="uq_subsidy_tier"),
        CheckConstraint("min_price_fen >= 0 AND amount_fen >= 0", name="ck_subsidy_tier"),
    )


class Application(SQLModel, table=True):
    """An owner's claim: the old car, the new car and its invoice, the payout card."""

    __tablename__ = "subsidy_application"

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=20, unique=True)
    program_id: int = Field(foreign_key="subsidy_program.id")
    province_code: str = Field(foreign_key="province.code", max_length=6)
    applicant_id: int = Field(foreign_key="user_account.id")
    person_id: int = Field(foreign_key="person.id")
    status: Status = Field(sa_type=enum_column(Status), default=Status.DRAFT)
    old_vehicle_id: int | None = Field(default=None, foreign_key="vehicle.id")
    old_vin: str | None = Field(default=None, max_length=17)
    new_vin: str | None = Field(default=None, max_length=17)
    new_plate: str | None = Field(default=None, max_length=8)
    new_brand: str | None = Field(default=None, max_length=32)
    new_model: str | None = Field(default=None, max_length=64)
    new_body_type: BodyType | None = Field(default=None, sa_type=enum_column(BodyType))
    new_seats: int | None = None
    new_fuel_type: FuelType | None = Field(default=None, sa_type=enum_column(FuelType))
    new_displacement_ml: int | None = None
    new_registration_date: date | None = None
    new_vehicle_id: int | None = Field(default=None, foreign_key="vehicle.id")
    invoice_number: str | None = Field(default=None, max_length=20)
    invoice_date: date | None = None
    invoice_price_fen: int | None = None
    invoice_city_code: str | None = Field(default=None, foreign_key="city.code", max_length=6)
    invoice_buyer_id_hash: str | None = Field(default=None, max_length=64)
    # The payout card, sealed at rest (portal/cards.py); every page shows the mask only.
    bank_card_sealed: str | None = Field(default=None, max_length=128)
    bank_card_masked: str | None = Field(default=None, max_length=24)
    bank_name: str | None = Field(default=None, max_length=64)
    amount_fen: int | None = None
    amount_note: dict | None = Field(default=None, sa_column=Column(JSON))
    flags: str = Field(default="", max_length=64)  # comma-separated Flag values
    flagged: bool = False
    claim_key: str | None = Field(default=None, max_length=32)
    first_approver_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_by: int | None = Field(default=None, foreign_key="user_account.id")
    reject_reason: RejectReason | None = Field(default=None, sa_type=enum_column(RejectReason))
    decision_note: str | None = Field(default=None, max_length=NOTE_LENGTH)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    clock_start: datetime | None = None  # submission or the latest resubmission (§1.4)
    decided_at: datetime | None = None
    paid_at: datetime | None = None

    __table_args__ = (
        CheckConstraint("amount_fen IS NULL OR amount_fen >= 0", name="ck_application_amount"),
        # Four eyes (issue: review): the second approval is somebody else's.
        CheckConstraint(
            "first_approver_id IS NULL OR decided_by IS NULL OR first_approver_id <> decided_by",
            name="ck_application_four_eyes",
        ),
        Index("ix_application_queue", "province_code", "status", "id"),
        # The reviewer's queue in each of its orders (review.SORTS), one page at a time,
        # with a status chosen or any status; and its searches by person and by car.
        Index("ix_application_queue_clock", "province_code", "status", "clock_start", "id"),
        Index("ix_application_queue_amount", "province_code", "status", "amount_fen", "id"),
        Index("ix_application_province_clock", "province_code", "clock_start", "id"),
        Index("ix_application_person", "person_id", "id"),
        Index("ix_application_old_vin", "old_vin"),
        Index("ix_application_new_vin", "new_vin"),
        Index("ix_application_applicant", "applicant_id", "id"),
        Index("ix_application_program_status", "program_id", "status"),
        # DOMAIN §1.5: one live claim per old car, per new car, per person where limited.
        Index(
            "uq_application_old_vin",
            "old_vin",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "uq_application_new_vin",
            "new_vin",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "uq_application_claim_key",
            "person_id",
            "claim_key",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
    )

    @property
    def flag_list(self) -> list[Flag]:
        """The stored flags; a code this version does not know is left out, not a crash."""
        return [Flag(code) for code in self.flags.split(",") if code in Flag._value2member_map_]


class ApplicationDocument(SQLModel, table=True):
    """An uploaded paper of an application; one current file per kind (DOMAIN §1.3)."""

    __tablename__ = "subsidy_document"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="subsidy_application.id")
    kind: DocumentKind = Field(sa_type=enum_column(DocumentKind))
    filename: str = Field(max_length=255)
    stored_name: str = Field(max_length=64)
    content_type: str = Field(max_length=32)
    size: int
    uploaded_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (UniqueConstraint("application_id", "kind", name="uq_subsidy_document_kind"),)


class LedgerEntry(SQLModel, table=True):
    """One movement of a program's budget: reserve, release or pay (ARCHITECTURE, Data)."""

    __tablename__ = "budget_ledger"

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="subsidy_program.id")
    application_id: int = Field(foreign_key="subsidy_application.id", index=True)
    kind: LedgerKind = Field(sa_type=enum_column(LedgerKind))
    amount_fen: int
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="ck_ledger_amount"),
        Index("ix_budget_ledger_program", "program_id", "id"),
    )


class PayoutBatch(SQLModel, table=True):
    """Approved applications of a province sent to the bank together (DOMAIN §1.4)."""

    __tablename__ = "payout_batch"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    province_code: str = Field(foreign_key="province.code", max_length=6)
    status: BatchStatus = Field(sa_type=enum_column(BatchStatus), default=BatchStatus.OPEN)
    line_count: int
    total_fen: int = Field(sa_type=BigInteger)
    created_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    settled_at: datetime | None = None

    __table_args__ = (Index("ix_payout_batch_province", "province_code", "id"),)


class PayoutLine(SQLModel, table=True):
    """One application in a batch, with what the bank said about it."""

    __tablename__ = "payout_line"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="payout_batch.id")
    application_id: int = Field(foreign_key="subsidy_application.id")
    amount_fen: int
    result: PayoutResult = Field(sa_type=enum_column(PayoutResult), default=PayoutResult.PENDING)
    failure_reason: str | None = Field(default=None, max_length=200)
    settled_at: datetime | None = None

    __table_args__ = (
        UniqueConstraint("batch_id", "application_id", name="uq_payout_line"),
        CheckConstraint("amount_fen > 0", name="ck_payout_line_amount"),
        # Never pay twice: an application is in at most one batch not failed.
        Index(
            "uq_payout_line_application",
            "application_id",
            unique=True,
            sqlite_where=UNSETTLED_OR_PAID,
            postgresql_where=UNSETTLED_OR_PAID,
        ),
    )
