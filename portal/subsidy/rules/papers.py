"""The papers an application needs, by kind of subsidy (DOMAIN §1.3)."""

from portal.subsidy.terms import DocumentKind, Kind


def required_documents(kind: Kind) -> list[DocumentKind]:
    """The papers an application of this kind needs (DOMAIN §1.3)."""
    papers = [DocumentKind.RESIDENT_ID, DocumentKind.BANK_CARD]
    if kind is Kind.SCRAPPING:
        papers += [DocumentKind.RECYCLING_CERTIFICATE, DocumentKind.DEREGISTRATION_CERTIFICATE]
    return papers + [DocumentKind.NEW_CAR_INVOICE, DocumentKind.NEW_CAR_REGISTRATION]
