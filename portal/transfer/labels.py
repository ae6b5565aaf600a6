"""Translated names of the transfer feature's stored codes: statuses, actions, papers, events."""

from flask_babel import lazy_gettext as _l

from portal.transfer.terms import BuyerKind, DocumentKind, EmissionAcceptance, TransferStatus
from portal.transfer.workflow import Action

# The vocabulary of a case's audit actions, kept as plain strings.
EVENT = "transfer.event"

LABELS = {
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
    # Audit actions that are not workflow actions (the case timeline).
    EVENT: {
        "created": _l("Case opened"),
        "document_uploaded": _l("Document uploaded"),
        "plate_chosen": _l("New plate chosen"),
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
