"""Payments: the fee schedule, one record per charge, its refunds and Stripe's events."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from portal.audit import utcnow
from portal.enums import enum_column
from portal.limits import NOTE_LENGTH
from portal.payments.rules import CURRENCY, OPEN, PaymentStatus, refundable_fen

# The condition of the partial unique index: the payment is pending or paid.
OPEN_PAYMENT = text("status IN ({})".format(", ".join(f"'{status.value}'" for status in OPEN)))


class FeeItem(SQLModel, table=True):
    """One fee of the schedule; the amount a feature charges is always read from here."""

    __tablename__ = "fee_item"
    __table_args__ = (CheckConstraint("amount_fen >= 0", name="ck_fee_item_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    amount_fen: int
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")


class Payment(SQLModel, table=True):
    """A charge for something another feature names by kind and id (e.g. a transfer case)."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="ck_payment_amount"),
        CheckConstraint(
            "refunded_fen >= 0 AND refunded_fen <= amount_fen", name="ck_payment_refunded"
        ),
        Index("ix_payment_purpose", "purpose_kind", "purpose_id"),
        # One open payment per purpose, even when two clicks or two tabs race.
        Index(
            "uq_payment_open_purpose",
            "purpose_kind",
            "purpose_id",
            unique=True,
            sqlite_where=OPEN_PAYMENT,
            postgresql_where=OPEN_PAYMENT,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    purpose_kind: str = Field(max_length=32)
    purpose_id: int
    amount_fen: int
    currency: str = Field(default=CURRENCY, max_length=3)
    status: PaymentStatus = Field(
        sa_type=enum_column(PaymentStatus), default=PaymentStatus.PENDING, index=True
    )
    refunded_fen: int = 0
    stripe_payment_intent_id: str | None = Field(default=None, max_length=255, unique=True)
    payer_id: int = Field(foreign_key="user_account.id", index=True)
    description: str = Field(max_length=255)
    # Where the payer goes after paying: a local path given by the purpose's feature.
    return_path: str | None = Field(default=None, max_length=512)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def refundable_fen(self) -> int:
        """How much can still be given back."""
        return refundable_fen(self.status, self.amount_fen, self.refunded_fen)


class Refund(SQLModel, table=True):
    """Money given back, whole or in part, with the reason and who decided it."""

    __tablename__ = "refund"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="ck_refund_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    amount_fen: int
    reason: str = Field(max_length=NOTE_LENGTH)
    stripe_refund_id: str | None = Field(default=None, max_length=255, unique=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class StripeEvent(SQLModel, table=True):
    """A webhook event already handled; stored with its effect, so a replay does nothing."""

    __tablename__ = "stripe_event"

    id: str = Field(primary_key=True, max_length=255)
    type: str = Field(max_length=64)
    payment_id: int | None = Field(default=None, foreign_key="payment.id", index=True)
    outcome: str = Field(default="received", max_length=32)
    received_at: datetime = Field(default_factory=utcnow)
