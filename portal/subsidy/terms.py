"""The subsidy feature's vocabularies (pure enums), shared by models, rules and forms."""

from enum import StrEnum


class Kind(StrEnum):
    """DOMAIN §1.1: scrap the old car, or sell it, and buy a new one."""

    SCRAPPING = "scrapping"
    REPLACEMENT = "replacement"


class AmountRule(StrEnum):
    """How a program computes the subsidy (DOMAIN §1.2)."""

    FIXED = "fixed"  # one amount per NEV / fuel car
    TIERS = "tiers"  # by the new car's invoice price, capped
    PERCENT = "percent"  # a share of the invoice price, capped


class ClaimLimit(StrEnum):
    """How often one person may claim (DOMAIN §1.2 "how often")."""

    NONE = "none"
    PER_YEAR_AND_KIND = "per_year_and_kind"  # 2025: one replacement subsidy a calendar year
    PER_PROGRAM_YEAR = "per_program_year"  # 2026: one subsidy for the whole program


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    PAYING = "paying"  # in a batch sent to the bank
    PAID = "paid"
    PAYOUT_FAILED = "payout_failed"
    ACCOUNT_RETURNED = "account_returned"  # the applicant must fix the bank card
    PAYOUT_CANCELLED = "payout_cancelled"

    @property
    def live(self) -> bool:
        """A claim that holds its old car, new car and the person's quota (DOMAIN §1.5)."""
        return self not in NOT_LIVE


NOT_LIVE = (Status.DRAFT, Status.REJECTED, Status.WITHDRAWN, Status.PAYOUT_CANCELLED)


class DocumentKind(StrEnum):
    """The papers of an application (DOMAIN §1.3)."""

    RESIDENT_ID = "resident_id"
    BANK_CARD = "bank_card"
    RECYCLING_CERTIFICATE = "recycling_certificate"
    DEREGISTRATION_CERTIFICATE = "deregistration_certificate"
    NEW_CAR_INVOICE = "new_car_invoice"
    NEW_CAR_REGISTRATION = "new_car_registration"


class RejectReason(StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    DOCUMENTS_INVALID = "documents_invalid"
    DUPLICATE_CLAIM = "duplicate_claim"
    INVOICE_MISMATCH = "invoice_mismatch"
    FRAUD_SUSPECTED = "fraud_suspected"
    OTHER = "other"


class Flag(StrEnum):
    """What makes an application need a second reviewer (DOMAIN §1.5)."""

    ZERO_MILEAGE = "zero_mileage"  # the new car was transferred soon after registration
    INVOICE_REUSED = "invoice_reused"  # its number is on another live application
    CARD_REUSED = "card_reused"  # the payout card is another applicant's too
    INVOICE_DATE_OUTSIDE = "invoice_date_outside"  # the date read is outside the window
    BUYER_NOT_APPLICANT = "buyer_not_applicant"  # the buyer ID read is not the applicant's
    BUYER_NAME_DIFFERS = "buyer_name_differs"  # the buyer name read is not the applicant's
    OWNER_NAME_DIFFERS = "owner_name_differs"  # the licence's owner is not the registry's


class LedgerKind(StrEnum):
    """Budget ledger movements (ARCHITECTURE, Data)."""

    RESERVE = "reserve"
    RELEASE = "release"
    PAY = "pay"


class BatchStatus(StrEnum):
    OPEN = "open"  # made, not yet sent
    SENT = "sent"
    SETTLED = "settled"  # every line has a result


class PayoutResult(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
