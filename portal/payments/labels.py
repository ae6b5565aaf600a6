"""Translated names of the payments feature's stored codes (fee codes, statuses, kinds).

Registered in `portal/labels.py` like every feature's: the statuses by their enum, and
everything payments stores as a plain string (fee codes, what a payment is for, audit
actions and the states they record) as the vocabulary PAYMENT.
"""

from flask_babel import lazy_gettext as _l

from portal.labels import label
from portal.payments.rules import PaymentStatus

PAYMENT = "payment"

FEE_LABELS = {
    "transfer_filing": _l("Transfer filing fee"),
    "plate_pair": _l("Number plates (a pair)"),
    "temporary_plate": _l("Temporary plate (paper)"),
    "registration_certificate": _l("Registration certificate"),
    "driving_licence": _l("Driving licence of the vehicle"),
    "valuation_report": _l("Valuation report"),
}

STATUSES = {
    PaymentStatus.PENDING: _l("Awaiting payment"),
    PaymentStatus.SUCCEEDED: _l("Paid"),
    PaymentStatus.FAILED: _l("Payment failed"),
    PaymentStatus.REFUNDED: _l("Refunded"),
    PaymentStatus.PARTIALLY_REFUNDED: _l("Partly refunded"),
}

LABELS = {
    PaymentStatus: STATUSES,
    PAYMENT: STATUSES
    | {
        "transfer_case": _l("Transfer case"),
        # Audit actions on a payment ("failed" and "refunded" read as the statuses above).
        "created": _l("Payment started"),
        "paid": _l("Paid"),
        "payer_changed": _l("Taken over by another user"),
    }
    | FEE_LABELS,
}


def payment_label(value) -> str:
    """The translated name of a payment status, purpose kind or fee code; else the value."""
    return label(value, PAYMENT)
