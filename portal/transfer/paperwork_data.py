"""The data of a case's printed paperwork, gathered from the database and translated."""

from flask_babel import gettext as _
from sqlmodel import Session

from portal.audit import utcnow
from portal.formatting import region_name
from portal.labels import label
from portal.payments.labels import payment_label
from portal.transfer.case_view import case_view
from portal.transfer.labels import EVENT
from portal.transfer.models import TransferCase
from portal.transfer.paperwork import CaseSheet, Party
from portal.transfer.terms import BuyerKind


def sheet_for(session: Session, case: TransferCase) -> CaseSheet:
    """The CaseSheet the PDF builders print."""
    view = case_view(session, case=case)
    vehicle, dealer = view["vehicle"], view["dealer"]
    return CaseSheet(
        number=case.number,
        status=str(label(case.status)),
        vehicle={
            _("Plate"): vehicle.plate or "—",
            _("VIN"): vehicle.vin,
            _("Make and model"): f"{vehicle.brand} {vehicle.model}",
            _("Body"): str(label(vehicle.body_type)),
            _("Fuel"): str(label(vehicle.fuel_type)),
            _("Emission standard"): str(label(vehicle.emission_standard)),
            _("First registration"): vehicle.first_registration.isoformat(),
            _("Usage"): str(label(vehicle.usage)),
        },
        seller=view["seller"],
        buyer=Party(
            name=case.buyer_name,
            identifier=case.buyer_id_masked or case.buyer_uscc,
            kind="person" if case.buyer_kind is BuyerKind.PERSON else "company",
        ),
        origin=f"{region_name(case.origin_province_code)} {region_name(case.origin_city_code)}",
        destination=(
            f"{region_name(case.destination_province_code)} "
            f"{region_name(case.destination_city_code)}"
        ),
        price_fen=case.price_fen,
        sale_date=case.sale_date,
        mileage_km=case.mileage_km,
        dealer_name=dealer.name,
        dealer_uscc=dealer.uscc,
        dealer_temporary=case.dealer_temporary,
        fees=[(str(payment_label(code)), amount) for code, amount in view["fees"]],
        documents=[
            (str(label(kind)), doc.filename if doc else None) for kind, doc in view["checklist"]
        ],
        timeline=[
            (event.at, str(label(event.action, EVENT)), actor or "—")
            for event, actor in view["timeline"]
        ],
        generated_at=utcnow(),
    )
