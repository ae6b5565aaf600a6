"""Template helpers: translated labels for stored codes, times in Asia/Shanghai, masks."""

from types import SimpleNamespace

from flask import Flask, g
from flask_babel import format_date, format_datetime, get_locale, get_translations
from flask_babel import lazy_gettext as _l

from portal import regions, web
from portal.accounts.models import Role
from portal.admin.models import JobStatus
from portal.db import COUNT_CAP
from portal.money import yuan
from portal.registry.terms import (
    Acquisition,
    BodyType,
    EmissionStandard,
    FuelType,
    Usage,
    VehicleStatus,
)
from portal.subsidy import terms as subsidy
from portal.subsidy.workflow import Action as SubsidyAction
from portal.transfer.terms import BuyerKind, DocumentKind, EmissionAcceptance, TransferStatus
from portal.transfer.workflow import Action
from portal.valuation.engine import Method
from portal.valuation.inspection import Condition, Grade, InspectionPart

# Labels per vocabulary: StrEnum members equal their strings, so one flat dict would
# mix up e.g. a vehicle's "registered" and a transfer case's "registered".
LABELS = {
    Role: {
        Role.OWNER: _l("Car owner"),
        Role.DEALER: _l("Dealer staff"),
        Role.REVIEWER: _l("Subsidy reviewer"),
        Role.OFFICER: _l("Transfer officer"),
        Role.ADMIN: _l("Administrator"),
    },
    BodyType: {
        BodyType.SEDAN: _l("Sedan"),
        BodyType.HATCHBACK: _l("Hatchback"),
        BodyType.SUV: _l("SUV"),
        BodyType.MPV: _l("MPV"),
        BodyType.WAGON: _l("Estate"),
        BodyType.COUPE: _l("Coupé"),
        BodyType.PICKUP: _l("Pickup"),
    },
    FuelType: {
        FuelType.PETROL: _l("Petrol"),
        FuelType.DIESEL: _l("Diesel"),
        FuelType.BEV: _l("Battery electric"),
        FuelType.PHEV: _l("Plug-in hybrid"),
        FuelType.EREV: _l("Range-extended electric"),
        FuelType.HEV: _l("Hybrid"),
    },
    EmissionStandard: {
        EmissionStandard.CN1: _l("China I"),
        EmissionStandard.CN2: _l("China II"),
        EmissionStandard.CN3: _l("China III"),
        EmissionStandard.CN4: _l("China IV"),
        EmissionStandard.CN5: _l("China V"),
        EmissionStandard.CN6A: _l("China VI-a"),
        EmissionStandard.CN6B: _l("China VI-b"),
    },
    Usage: {
        Usage.PRIVATE: _l("Private"),
        Usage.COMMERCIAL: _l("Commercial"),
    },
    VehicleStatus: {
        VehicleStatus.REGISTERED: _l("Registered"),
        VehicleStatus.TRANSFERRING: _l("Being transferred"),
        VehicleStatus.SCRAPPED: _l("Scrapped"),
        VehicleStatus.DEREGISTERED: _l("Deregistered"),
    },
    Acquisition: {
        Acquisition.NEW: _l("Registered new"),
        Acquisition.TRANSFER: _l("Transfer"),
        Acquisition.DEALER_TEMPORARY: _l("Dealer temporary ownership"),
    },
    JobStatus: {
        JobStatus.QUEUED: _l("Queued"),
        JobStatus.RUNNING: _l("Running"),
        JobStatus.DONE: _l("Finished"),
        JobStatus.FAILED: _l("Failed"),
    },
    TransferStatus: {
        TransferStatus.DRAFT: _l("Draft"),
        TransferStatus.SUBMITTED: _l("Submitted"),
        TransferStatus.FEE_PAID: _l("Fee paid"),
        TransferStatus.INSPECTED: _l("Inspected"),
        TransferStatus.RELEASED: _l("Released by origin"),
        TransferStatus.REGISTERED: _l("Registered at destination"),
        TransferStatus.COMPLETED: _l("Completed"),
        TransferStatus.RETURNED: _l("Returned for correction"),
        TransferStatus.REJECTED: _l("Rejected"),
        TransferStatus.WITHDRAWN: _l("Withdrawn"),
    },
    Action: {
        Action.SUBMIT: _l("Submit"),
        Action.PAY: _l("Fee paid"),
        Action.INSPECT: _l("Inspect"),
        Action.RELEASE: _l("Release the file"),
        Action.REGISTER: _l("Register"),
        Action.COMPLETE: _l("Complete"),
        Action.RETURN: _l("Return for correction"),
        Action.REJECT: _l("Reject"),
        Action.WITHDRAW: _l("Withdraw"),
    },
    BuyerKind: {BuyerKind.PERSON: _l("Person"), BuyerKind.COMPANY: _l("Company")},
    DocumentKind: {
        DocumentKind.APPLICATION_FORM: _l("Transfer application form"),
        DocumentKind.SELLER_ID: _l("Seller's ID card"),
        DocumentKind.BUYER_ID: _l("Buyer's ID card"),
        DocumentKind.DEALER_LICENCE: _l("Dealer's business licence (USCC)"),
        DocumentKind.REGISTRATION_CERTIFICATE: _l("Registration certificate"),
        DocumentKind.DRIVING_LICENCE: _l("Driving licence (行驶证)"),
        DocumentKind.SALES_INVOICE: _l("Used-car sales invoice"),
        DocumentKind.INSPECTION_RECORD: _l("Inspection record"),
        DocumentKind.VEHICLE_PHOTO: _l("Photo of the car"),
        DocumentKind.VIN_PHOTO: _l("Photo of the VIN"),
    },
    EmissionAcceptance: {
        EmissionAcceptance.ANY: _l("Any emission standard"),
        EmissionAcceptance.CN5_OR_BETTER: _l("National V or better"),
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
    Condition: {
        Condition.EXCELLENT: _l("Excellent"),
        Condition.GOOD: _l("Good"),
        Condition.FAIR: _l("Fair"),
        Condition.POOR: _l("Poor"),
        Condition.ACCIDENT: _l("Accident car"),
    },
    Grade: {
        Grade.I: _l("Grade I"),
        Grade.II: _l("Grade II"),
        Grade.III: _l("Grade III"),
        Grade.IV: _l("Grade IV"),
        Grade.V: _l("Grade V (accident car)"),
    },
    Method: {
        Method.REPLACEMENT_COST: _l("Replacement cost"),
        Method.MARKET: _l("Market comparables"),
    },
    InspectionPart: {
        InspectionPart.BODY: _l("Body and paint"),
        InspectionPart.ENGINE_BAY: _l("Engine bay"),
        InspectionPart.CABIN: _l("Cabin"),
        InspectionPart.START_UP: _l("Start-up"),
        InspectionPart.ROAD_TEST: _l("Road test"),
        InspectionPart.CHASSIS: _l("Chassis"),
    },
    # Audit actions that are not workflow actions.
    str: {
        "created": _l("Case opened"),
        "document_uploaded": _l("Document uploaded"),
        "submit": _l("Submitted"),
        "pay": _l("Fee paid"),
        "inspect": _l("Inspected"),
        "release": _l("Released by origin"),
        "register": _l("Registered at destination"),
        "complete": _l("Completed"),
        "return": _l("Returned for correction"),
        "reject": _l("Rejected"),
        "withdraw": _l("Withdrawn"),
    },
}


# What the audit events of an application mean, for its timeline.
SUBSIDY_EVENTS = {
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
}


def subsidy_event(action: str) -> str:
    """The label of an application's audit event."""
    return SUBSIDY_EVENTS.get(action, action)


def message(item) -> str:
    """A stored or computed message (an error, a rule's reason, a saved note) translated."""
    from portal.errors import translate

    if isinstance(item, dict):  # saved as JSON: {"message": ..., "params": {...}}
        item = SimpleNamespace(message=item["message"], params=item.get("params", {}))
    return translate(item)


def label(value) -> str:
    """The translated name of a stored code; unknown values are shown as they are."""
    if value is None:
        return "—"
    return LABELS.get(type(value), {}).get(value, value)


def region_name(code: str | None) -> str:
    """A city or province name in the user's language, from its administrative code."""

    place = regions.city(code) or regions.province(code) if code else None
    if place is None:
        return code or "—"
    return place.name_zh if str(get_locale()).startswith("zh") else place.name_en


def _translations():
    """The catalog of the request's language, looked up once per request and language.

    flask-babel looks it up again for every string (16 µs each, a millisecond or more
    per page); force_locale() gives another Locale object, so it is still obeyed.
    """
    locale = get_locale()
    cached = g.get("translations")
    if cached is None or cached[0] is not locale:
        cached = g.translations = (locale, get_translations())
    return cached[1]


# Dates nobody misreads (issue 14): "6 Dec 2026" in English, not "12/6/26", which half the
# world reads as June; 2026年12月6日 in Chinese. Times in 24 hours, in Beijing time.
DATE_PATTERNS = {"zh": "y年M月d日", "en": "d MMM y"}


def date_text(value) -> str:
    """A date (or the day of a datetime) in the reader's language, unambiguous."""
    if not value:
        return "—"
    return format_date(value, DATE_PATTERNS.get(get_locale().language, DATE_PATTERNS["en"]))


def datetime_text(value) -> str:
    """A moment in Beijing time: the unambiguous date, then the 24-hour time."""
    if not value:
        return "—"
    pattern = DATE_PATTERNS.get(get_locale().language, DATE_PATTERNS["en"])
    return format_datetime(value, f"{pattern} HH:mm")


def count_text(count: int) -> str:
    """A capped count (db.capped_count) as a person reads it: "1,000+" past the cap."""
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def register(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.install_gettext_callables(
        lambda string: _translations().ugettext(string),
        lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters.update(
        label=label,
        subsidy_event=subsidy_event,
        message=message,
        region=region_name,
        yuan=yuan,
        datetime=datetime_text,
        count=count_text,
        date=date_text,
    )
    app.jinja_env.globals.update(
        regions_provinces=regions.provinces, current_locale=get_locale, max_page=web.MAX_PAGE
    )
