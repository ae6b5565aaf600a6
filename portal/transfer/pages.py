"""What the case page and the printed paperwork show of a case: a read model, no writes.

`case_view` gathers the seller as a Party, the document checklist, the next steps the
user may take, the fees and their payment, and the timeline of audit events; `sheet_for`
turns it into the translated CaseSheet that `pdf.py` prints.
"""

from itertools import pairwise

from flask_babel import gettext as _
from sqlmodel import Session, select

from portal.accounts.models import User
from portal.audit import AuditEvent, utcnow
from portal.formatting import region_name
from portal.labels import label
from portal.payments import services as payments
from portal.payments.labels import payment_label
from portal.registry import services as registry
from portal.registry.models import Dealer, Ownership, Person, PlateHistory, Vehicle
from portal.transfer import documents, fees, services, workflow
from portal.transfer.labels import EVENT
from portal.transfer.models import TransferCase
from portal.transfer.pdf import CaseSheet, Party
from portal.transfer.terms import BuyerKind
from portal.transfer.workflow import Actor


def case_view(session: Session, *, case: TransferCase, user: User | None = None) -> dict:
    """Everything the case page and its paperwork show, in a handful of queries."""
    actors = services.actors_for(user, case) if user else set()
    held = documents.documents_of(session, case)
    required = documents.required_documents(session, case)
    vehicle = session.get(Vehicle, case.vehicle_id)
    history = registry.plate_history(session, case.vehicle_id)
    old_plate, new_plate = plates_of(case, vehicle, history)
    return {
        "case": case,
        "vehicle": vehicle,
        "old_plate": old_plate,
        "new_plate": new_plate,
        "dealer": session.get(Dealer, case.dealer_id),
        "seller": seller_of(session, case),
        "checklist": [(kind, held.get(kind)) for kind in required],
        "documents_complete": all(kind in held for kind in required),
        "actions": workflow.available_actions(case.status, actors),
        "is_dealer": Actor.DEALER in actors,
        "may_choose_plate": workflow.plate_choosable(case.status, actors),
        # Before registration the new number is only reserved; registration issues it.
        "plate_reserved_only": case.status in workflow.PLATE_CHOICE_OPEN,
        "fees": fees.case_fees(session, case),
        "payment": next(iter(payments.payments_of(session, fees.PURPOSE, case.id)), None),
        "timeline": timeline(session, case),
        "plates": history,
    }


def plates_of(
    case: TransferCase, vehicle: Vehicle, history: list[PlateHistory]
) -> tuple[str | None, str | None]:
    """The plate the car carried when the case was filed, and its new one: the number
    the case issued (DOMAIN §2.3), or, before registration, the one chosen if any.

    The car may have changed plates since (a later case, an import), so both come from
    the history, newest first: a registered case's row and the row before it; else the
    plate that had started by the day of filing (a row without a start is the one the car
    had before the registry kept plates). No history: the car never changed plates."""
    for newer, older in pairwise([*history, None]):
        if newer.reference == case.number:
            return (older.plate if older else None), newer.plate
    filed = case.created_at.date()
    carried = (row.plate for row in history if row.start is None or row.start <= filed)
    return next(carried, vehicle.plate), case.new_plate


def _new_plate_pending(case: TransferCase) -> str:
    """What the paperwork prints while no number is chosen: one will be drawn at
    registration, unless the case closed without one."""
    return _("issued at registration") if case.status in workflow.PLATE_CHOICE_OPEN else "—"


def seller_of(session: Session, case: TransferCase) -> Party:
    """The seller as shown: a person with a masked ID number, or a company with its USCC."""
    ownership = session.get(Ownership, case.seller_ownership_id)
    if ownership.person_id is not None:
        person = session.get(Person, ownership.person_id)
        return Party(name=person.name, identifier=person.id_masked, kind="person")
    company = session.get(Dealer, ownership.dealer_id)
    return Party(name=company.name, identifier=company.uscc, kind="company")


def timeline(session: Session, case: TransferCase) -> list[tuple[AuditEvent, str | None]]:
    """The case's audit events, oldest first, with who made each."""
    statement = (
        select(AuditEvent, User.display_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.entity == "transfer_case", AuditEvent.entity_id == case.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(session.execute(statement).all())


def sheet_for(session: Session, case: TransferCase) -> CaseSheet:
    """The CaseSheet the PDF builders print."""
    view = case_view(session, case=case)
    vehicle, dealer = view["vehicle"], view["dealer"]
    return CaseSheet(
        number=case.number,
        status=str(label(case.status)),
        vehicle={
            _("Plate"): view["old_plate"] or "—",
            _("New plate"): view["new_plate"] or _new_plate_pending(case),
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
