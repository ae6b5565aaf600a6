"""Pure decisions about payments: states, which event may move which state, refund limits.

No Flask, no database: the services load, ask these functions, then write. Refusals are
returned as an English message template (marked with N_) and its parameters, so the
service can raise them as a translated domain error.
"""

from enum import StrEnum

from portal.messages import N_
from portal.money import yuan


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


S = PaymentStatus

# A purpose has at most one payment in these states (a partial unique index says so).
OPEN = (S.PENDING, S.SUCCEEDED, S.PARTIALLY_REFUNDED)
# Money was taken and not all of it given back.
REFUNDABLE = (S.SUCCEEDED, S.PARTIALLY_REFUNDED)
# No webhook will change these on its own; the status page stops refreshing.
SETTLED = (S.SUCCEEDED, S.FAILED, S.REFUNDED, S.PARTIALLY_REFUNDED)

CURRENCY = "cny"

# The fee schedule's codes and their amounts before an admin edits them (DOMAIN §2.2).
DEFAULT_FEES = {
    "transfer_filing": 5_000,
    "plate_pair": 10_000,
    "temporary_plate": 500,
    "registration_certificate": 1_000,
    "driving_licence": 1_000,
    "valuation_report": 3_000,
}
MAX_FEE_FEN = 100_000 * 100  # no fee of the schedule comes near 100,000 yuan


def fee_refusal(amount_fen: int) -> tuple[str, dict[str, object]] | None:
    """Why this amount cannot be a fee of the schedule, or None."""
    if amount_fen < 0:
        return N_("The amount cannot be negative."), {}
    if amount_fen > MAX_FEE_FEN:
        return N_("A fee can be at most %(maximum)s."), {"maximum": yuan(MAX_FEE_FEN)}
    return None


def accepts_success(status: PaymentStatus) -> bool:
    """A verified success settles a pending payment, or one whose earlier attempt failed."""
    return status in (S.PENDING, S.FAILED)


def accepts_failure(status: PaymentStatus) -> bool:
    """A failed attempt matters only while nothing else has settled the payment."""
    return status is S.PENDING


def refundable_fen(status: PaymentStatus, amount_fen: int, refunded_fen: int) -> int:
    """How much can still be given back."""
    return amount_fen - refunded_fen if status in REFUNDABLE else 0


def refund_refusal(
    *, status: PaymentStatus, amount_fen: int, refunded_fen: int, requested_fen: int
) -> tuple[str, dict[str, object]] | None:
    """Why this refund cannot be made, or None."""
    if status not in REFUNDABLE:
        return N_("Only a paid payment can be refunded."), {}
    if requested_fen <= 0:
        return N_("Enter an amount above zero."), {}
    left = refundable_fen(status, amount_fen, refunded_fen)
    if requested_fen > left:
        return N_("At most %(left)s is left to refund."), {"left": yuan(left)}
    return None


def status_after_refund(amount_fen: int, refunded_fen: int) -> PaymentStatus:
    """Refunded when everything went back, partially refunded otherwise."""
    return S.REFUNDED if refunded_fen >= amount_fen else S.PARTIALLY_REFUNDED


# What Stripe's PaymentIntent status says about a local payment (for reconciliation).
_STRIPE_AGREES = {
    "succeeded": REFUNDABLE + (S.REFUNDED,),
    "canceled": (S.FAILED,),
    "processing": (S.PENDING,),
    "requires_payment_method": (S.PENDING, S.FAILED),
    "requires_confirmation": (S.PENDING,),
    "requires_action": (S.PENDING,),
    "requires_capture": (S.PENDING,),
}


def stripe_agrees(local: PaymentStatus, stripe_status: str) -> bool:
    """Whether the local status is one that Stripe's intent status allows."""
    return local in _STRIPE_AGREES.get(stripe_status, ())
