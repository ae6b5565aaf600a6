"""The transfer feature's vocabularies (pure enums), shared by models, workflow and forms."""

from enum import StrEnum


class TransferStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    FEE_PAID = "fee_paid"
    INSPECTED = "inspected"
    RELEASED = "released"
    REGISTERED = "registered"
    COMPLETED = "completed"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def open(self) -> bool:
        """A case that still holds its vehicle (one open case per vehicle)."""
        return self not in CLOSED


CLOSED = (TransferStatus.COMPLETED, TransferStatus.REJECTED, TransferStatus.WITHDRAWN)

# The officers' queues: what waits for the origin's office, what waits for the destination's.
QUEUES = {
    "outgoing": (TransferStatus.FEE_PAID, TransferStatus.INSPECTED),
    "incoming": (TransferStatus.RELEASED, TransferStatus.REGISTERED),
}


class NoValuation(StrEnum):
    """Why a case carries no under-price check (DOMAIN §2.2: the flag is advisory)."""

    NOT_IN_CATALOG = "not_in_catalog"  # the registry car has no catalog model
    CANNOT_VALUE = "cannot_value"  # the valuation refused the car's facts


class BuyerKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class DocumentKind(StrEnum):
    """The paperwork of a transfer case (DOMAIN §2.2)."""

    APPLICATION_FORM = "application_form"
    SELLER_ID = "seller_id"
    BUYER_ID = "buyer_id"
    DEALER_LICENCE = "dealer_licence"
    REGISTRATION_CERTIFICATE = "registration_certificate"
    DRIVING_LICENCE = "driving_licence"
    SALES_INVOICE = "sales_invoice"
    INSPECTION_RECORD = "inspection_record"
    VEHICLE_PHOTO = "vehicle_photo"
    VIN_PHOTO = "vin_photo"


class EmissionAcceptance(StrEnum):
    """What a destination city accepts (DOMAIN §2.1): never stricter than National V."""

    ANY = "any"
    CN5_OR_BETTER = "cn5_or_better"
