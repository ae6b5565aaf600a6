"""Translated names of the subsidy feature's stored codes: kinds, statuses, papers, events."""

from flask_babel import lazy_gettext as _l

from portal.subsidy import terms as subsidy
from portal.subsidy.rules.window import ProgramState
from portal.subsidy.workflow import Action as SubsidyAction

# The vocabulary of an application's audit actions (its timeline), kept as plain strings.
EVENT = "subsidy.event"

LABELS = {
    ProgramState: {
        ProgramState.UPCOMING: _l("Not open yet"),
        ProgramState.OPEN: _l("Open for applications"),
        ProgramState.PAUSED: _l("Paused"),
        ProgramState.CLOSED: _l("Closed"),
    },
    subsidy.Kind: {
        subsidy.Kind.SCRAPPING: _l("Scrapping renewal (报废更新)"),
        subsidy.Kind.REPLACEMENT: _l("Replacement renewal (置换更新)"),
    },
    subsidy.Status: {
        subsidy.Status.DRAFT: _l("Draft"),
        subsidy.Status.SUBMITTED: _l("Submitted, in review"),
        subsidy.Status.RETURNED: _l("Returned for correction"),
        subsidy.Status.APPROVED: _l("Approved"),
        subsidy.Status.REJECTED: _l("Rejected"),
        subsidy.Status.WITHDRAWN: _l("Withdrawn"),
        subsidy.Status.PAYING: _l("Payment sent to the bank"),
        subsidy.Status.PAID: _l("Paid"),
        subsidy.Status.PAYOUT_FAILED: _l("Payment failed"),
        subsidy.Status.ACCOUNT_RETURNED: _l("Bank card to be corrected"),
        subsidy.Status.PAYOUT_CANCELLED: _l("Payment cancelled"),
    },
    subsidy.DocumentKind: {
        subsidy.DocumentKind.RESIDENT_ID: _l("Resident ID card"),
        subsidy.DocumentKind.BANK_CARD: _l("Debit card (front)"),
        subsidy.DocumentKind.RECYCLING_CERTIFICATE: _l("Scrap vehicle recycling certificate"),
        subsidy.DocumentKind.DEREGISTRATION_CERTIFICATE: _l("Deregistration certificate"),
        subsidy.DocumentKind.NEW_CAR_INVOICE: _l("New car's sales invoice (机动车销售统一发票)"),
        subsidy.DocumentKind.NEW_CAR_REGISTRATION: _l(
            "New car's registration certificate, pages 1–2"
        ),
    },
    subsidy.RejectReason: {
        subsidy.RejectReason.NOT_ELIGIBLE: _l("Does not meet the program's rules"),
        subsidy.RejectReason.DOCUMENTS_INVALID: _l("Papers missing, unreadable or not genuine"),
        subsidy.RejectReason.DUPLICATE_CLAIM: _l("Already claimed"),
        subsidy.RejectReason.INVOICE_MISMATCH: _l("The invoice does not match the application"),
        subsidy.RejectReason.FRAUD_SUSPECTED: _l("Suspected fraud"),
        subsidy.RejectReason.OTHER: _l("Other reason"),
    },
    subsidy.Flag: {
        subsidy.Flag.ZERO_MILEAGE: _l("New car transferred soon after registration"),
        subsidy.Flag.INVOICE_REUSED: _l("Invoice number on another live application"),
        subsidy.Flag.CARD_REUSED: _l("Payout card used by another applicant"),
        subsidy.Flag.INVOICE_DATE_OUTSIDE: _l("Invoice date as read is outside the program window"),
        subsidy.Flag.BUYER_NOT_APPLICANT: _l("Buyer on the invoice as read is not the applicant"),
        subsidy.Flag.BUYER_NAME_DIFFERS: _l(
            "Buyer's name on the invoice as read differs from the applicant's"
        ),
        subsidy.Flag.OWNER_NAME_DIFFERS: _l(
            "Owner's name on the licence as read differs from the car's registered owner"
        ),
    },
    subsidy.AmountRule: {
        subsidy.AmountRule.FIXED: _l("Fixed amount"),
        subsidy.AmountRule.TIERS: _l("Price tiers"),
        subsidy.AmountRule.PERCENT: _l("Share of the price, capped"),
    },
    subsidy.ClaimLimit: {
        subsidy.ClaimLimit.NONE: _l("No limit per person"),
        subsidy.ClaimLimit.PER_YEAR_AND_KIND: _l("One per person per calendar year"),
        subsidy.ClaimLimit.PER_PROGRAM_YEAR: _l("One per person for the whole program"),
    },
    subsidy.BatchStatus: {
        subsidy.BatchStatus.OPEN: _l("Not yet sent"),
        subsidy.BatchStatus.SENT: _l("Sent to the bank"),
        subsidy.BatchStatus.SETTLED: _l("Settled"),
    },
    subsidy.PayoutResult: {
        subsidy.PayoutResult.PENDING: _l("Waiting for the bank"),
        subsidy.PayoutResult.PAID: _l("Paid"),
        subsidy.PayoutResult.FAILED: _l("Failed"),
    },
    SubsidyAction: {
        SubsidyAction.SUBMIT: _l("Submit"),
        SubsidyAction.WITHDRAW: _l("Withdraw"),
        SubsidyAction.APPROVE: _l("Approve"),
        SubsidyAction.REJECT: _l("Reject"),
        SubsidyAction.RETURN: _l("Return for correction"),
        SubsidyAction.BATCH: _l("Add to a payout batch"),
        SubsidyAction.PAY: _l("Mark paid"),
        SubsidyAction.FAIL: _l("Mark failed"),
        SubsidyAction.RETRY: _l("Retry the payment"),
        SubsidyAction.RETURN_ACCOUNT: _l("Return to the applicant to fix the card"),
        SubsidyAction.FIX_ACCOUNT: _l("Correct the bank card"),
        SubsidyAction.CANCEL_PAYOUT: _l("Cancel the payment"),
    },
    # What the audit events of an application mean, for its timeline.
    EVENT: {
        "created": _l("Draft started"),
        "document_uploaded": _l("Paper uploaded"),
        "submitted": _l("Submitted"),
        "withdrawn": _l("Withdrawn"),
        "first_approval": _l("First approval (a second reviewer must confirm)"),
        "approved": _l("Approved; amount reserved in the budget"),
        "rejected": _l("Rejected"),
        "returned": _l("Returned for correction"),
        "batched": _l("Added to a payout batch"),
        "paid": _l("Paid"),
        "payout_failed": _l("The bank could not pay"),
        "retry": _l("Payment to be retried"),
        "return_account": _l("Returned to correct the bank card"),
        "account_fixed": _l("Bank card corrected"),
        "cancel_payout": _l("Payment cancelled"),
    },
}
