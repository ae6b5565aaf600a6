"""The assessment: the registry's facts about an application, and what the rules say of them.

Gathers the old car as the registry sees it from the applicant, the new car and its
invoice, and the other live claims on the same cars or by the same person (§1.5), then
asks the pure `rules.eligibility.assess`. Read only: the live panel, the eligibility check, the
reviewer's page, submission and approval all ask it, and nothing here writes.
"""

from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from portal import regions
from portal.errors import DomainError
from portal.messages import N_
from portal.reading import services as reading_services
from portal.reading.terms import PaperKind
from portal.registry.models import Ownership, Person, Vehicle
from portal.registry.terms import Acquisition
from portal.subsidy import program_lookup
from portal.subsidy.models import Application, Program
from portal.subsidy.rules import eligibility, facts
from portal.subsidy.terms import NOT_LIVE
from portal.transfer.models import TransferCase
from portal.transfer.terms import TransferStatus


class NotEligible(DomainError):
    """The application fails the program's rules; reasons lists every one (§1.2)."""

    status = 422

    def __init__(self, reasons: tuple[facts.Reason, ...]):
        super().__init__(N_("The application does not meet the program's rules."))
        self.reasons = reasons


def assess(
    session: Session, application: Application, *, today: date, program: Program | None = None
) -> facts.Assessment:
    """What the rules say of the application as it stands (the live panel and submission).

    Under its own program, or under `program` (another year's of the same province and
    kind): reviewers check an application against the rules it was made under (issue 16).
    """
    program = program or program_lookup.program_of(session, application)
    return eligibility.assess(
        program_lookup.program_terms(session, program),
        old=old_car_facts(session, application),
        new=_new_car(session, application),
        claims=_live_claims(session, application, program),
        today=today,
        signals=signals(session, application),
    )


def signals(session: Session, application: Application) -> facts.Signals:
    """The anti-fraud signals (§1.5): reused invoice or card, and the papers as read."""
    invoice = reading_services.latest_for(
        session, application_id=application.id, kind=PaperKind.INVOICE
    )
    licence = reading_services.latest_for(
        session, application_id=application.id, kind=PaperKind.VEHICLE_LICENCE
    )
    numbers = {application.invoice_number, invoice.invoice_number if invoice else None}
    numbers.discard(None)
    person = session.get(Person, application.person_id)
    buyer_hash = invoice.buyer_id_hash if invoice else None
    return facts.Signals(
        invoice_reused=bool(numbers)
        and _other_live(session, application, Application.invoice_number.in_(numbers)),
        card_reused=bool(application.bank_card_hash)
        and _other_live(
            session,
            application,
            Application.bank_card_hash == application.bank_card_hash,
            Application.person_id != application.person_id,
        ),
        read_invoice_date=invoice.invoice_date if invoice else None,
        read_buyer_is_applicant=None if buyer_hash is None else person.id_hash == buyer_hash,
        read_buyer_name_agrees=invoice.name_agrees if invoice else None,
        read_owner_name_agrees=licence.name_agrees if licence else None,
    )


def _other_live(session: Session, application: Application, *conditions) -> bool:
    """Is there another live application matching the conditions (an index each)?"""
    found = session.exec(
        select(Application.id)
        .where(Application.id != application.id, Application.status.not_in(NOT_LIVE), *conditions)
        .limit(1)
    ).first()
    return found is not None


def old_car_facts(session: Session, application: Application) -> facts.OldCar | None:
    """The old car as the rules read it: registry facts seen from the applicant."""
    if application.old_vehicle_id is None:
        return None
    vehicle = session.get(Vehicle, application.old_vehicle_id)
    held = session.exec(
        select(Ownership)
        .where(Ownership.vehicle_id == vehicle.id, Ownership.person_id == application.person_id)
        .order_by(Ownership.start.desc())
    ).first()
    return facts.OldCar(
        vin=vehicle.vin,
        fuel_type=vehicle.fuel_type,
        first_registration=vehicle.first_registration,
        status=vehicle.status,
        held_since=held.start if held else None,
        transferred_on=_transferred_away_on(session, vehicle.id, held),
    )


def _transferred_away_on(session: Session, vehicle_id: int, held: Ownership | None):
    """The day a completed transfer took the car from the applicant (§1.3 replacement)."""
    if held is None or held.end is None:
        return None
    completed = session.exec(
        select(TransferCase.sale_date).where(
            TransferCase.vehicle_id == vehicle_id,
            TransferCase.seller_ownership_id == held.id,
            TransferCase.status == TransferStatus.COMPLETED,
        )
    ).first()
    return completed


def _new_car(session: Session, application: Application) -> facts.NewCar | None:
    if application.new_vin is None or application.invoice_price_fen is None:
        return None  # the new-car step saves all its fields at once, or none
    known = session.exec(select(Vehicle).where(Vehicle.vin == application.new_vin)).first()
    owner = _open_holder(session, known.id) if known else None
    plate_city = regions.city_for_plate_prefix((application.new_plate or "")[:2])
    invoice_city = regions.city(application.invoice_city_code or "")
    fuel = application.new_fuel_type
    return facts.NewCar(
        vin=application.new_vin,
        fuel_type=fuel,
        # The MIIT catalogue itself is not in the portal (the model catalog lists every
        # new-energy trim as in it), so a new-energy drive train stands for "listed".
        in_nev_catalogue=fuel.new_energy,
        displacement_ml=application.new_displacement_ml,
        registration_date=application.new_registration_date,
        registration_province_code=known.province_code
        if known
        else (plate_city.province_code if plate_city else ""),
        owner_is_applicant=owner is None or owner.person_id == application.person_id,
        invoice_date=application.invoice_date,
        invoice_price_fen=application.invoice_price_fen,
        invoice_province_code=invoice_city.province_code if invoice_city else "",
        invoice_buyer_is_applicant=_is_applicant_hash(session, application),
        transferred_on=_first_transfer_after(session, known) if known else None,
    )


def _open_holder(session: Session, vehicle_id: int) -> Ownership | None:
    return session.exec(
        select(Ownership).where(Ownership.vehicle_id == vehicle_id, Ownership.end.is_(None))
    ).first()


def _is_applicant_hash(session: Session, application: Application) -> bool:
    person = session.get(Person, application.person_id)
    return person is not None and person.id_hash == application.invoice_buyer_id_hash


def _first_transfer_after(session: Session, vehicle: Vehicle) -> date | None:
    """When the new car first changed hands after registration (zero-mileage, §1.5)."""
    return session.exec(
        select(Ownership.start)
        .where(Ownership.vehicle_id == vehicle.id, Ownership.acquired != Acquisition.NEW)
        .order_by(Ownership.start)
    ).first()


def _live_claims(
    session: Session, application: Application, program: Program
) -> list[facts.LiveClaim]:
    """Other live applications on the same cars, or of the same person (§1.5)."""
    key = eligibility.claim_key(program_lookup.program_terms(session, program))
    matches = [Application.person_id == application.person_id]
    if application.old_vin:
        matches.append(Application.old_vin == application.old_vin)
    if application.new_vin:
        matches.append(Application.new_vin == application.new_vin)
    rows = session.exec(
        select(Application).where(
            Application.id != application.id,
            Application.status.not_in(NOT_LIVE),
            or_(*matches),
        )
    ).all()
    return [
        facts.LiveClaim(
            # Someone else's application number is not the applicant's to know.
            number=(row.number or "") if row.person_id == application.person_id else "",
            old_vin=row.old_vin or "",
            new_vin=row.new_vin,
            claim_key=row.claim_key if row.claim_key == key else None,
        )
        for row in rows
    ]
