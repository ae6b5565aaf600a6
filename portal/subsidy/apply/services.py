"""The owner's application: start a draft, fill it step by step, fix a returned card.

Every step saves the draft, so an application can be resumed on another day or device.
Scope, moves and audit are `applications`; the assessment is `assessment`, submission
and withdrawal `submission`.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from portal import uploads
from portal.accounts.models import User
from portal.audit import utcnow
from portal.cards import CardKeys, seal
from portal.db import Page, fetch_page
from portal.errors import Conflict, DomainError, NotFound
from portal.identifiers import mask_bank_card
from portal.messages import N_
from portal.registry.models import Ownership, Vehicle
from portal.registry.terms import BodyType, FuelType
from portal.storage import Storage
from portal.subsidy import applications, program_lookup
from portal.subsidy.models import Application, ApplicationDocument
from portal.subsidy.rules import window
from portal.subsidy.terms import DocumentKind, Kind, Status
from portal.subsidy.workflow import Action

EDITABLE = (Status.DRAFT, Status.RETURNED)


@dataclass(frozen=True)
class NewCarEntry:
    """What the owner types about the new car and its invoice (already parsed)."""

    vin: str
    plate: str
    brand: str
    model: str
    body_type: BodyType
    seats: int
    fuel_type: FuelType
    displacement_ml: int | None
    registration_date: date
    invoice_number: str
    invoice_date: date
    invoice_price_fen: int
    invoice_city_code: str
    invoice_buyer_id_hash: str


# --- the owner's list ------------------------------------------------------------------


def my_applications(session: Session, *, user: User, page: int, page_size: int) -> Page:
    """The owner's applications, newest first, one page."""
    statement = (
        select(Application)
        .where(Application.applicant_id == user.id)
        .order_by(Application.id.desc())
    )
    return fetch_page(session, statement, page, page_size)


# --- the draft --------------------------------------------------------------------------


def start(
    session: Session, *, user: User, kind: Kind, province_code: str, today: date
) -> Application:
    """Open a draft in the current program of that kind and province (§1.4 pause)."""
    if user.person_id is None:
        raise DomainError(N_("Link your account to your registry record before applying."))
    program = program_lookup.current_program(
        session, province_code=province_code, kind=kind, today=today
    )
    applications.refuse_if(window.may_start(program_lookup.program_terms(session, program), today))
    application = Application(
        program_id=program.id,
        province_code=program.province_code,
        applicant_id=user.id,
        person_id=user.person_id,
    )
    session.add(application)
    session.flush()
    applications.audit_event(session, user, application, "created", to_state=Status.DRAFT)
    return application


def editable(application: Application) -> bool:
    """Whether the owner may still change the draft: its cars, invoice and papers (§1.3)."""
    return application.status in EDITABLE


def card_locked(application: Application) -> bool:
    """The payout card is set in the draft and locked from submission on (§1.3)."""
    return application.status is not Status.DRAFT


def _editable(application: Application) -> None:
    if not editable(application):
        raise Conflict(
            N_("The application is %(status)s and can no longer be changed."),
            status=application.status,
        )


def unsaved_copy(application: Application) -> Application:
    """A copy of the draft the session never sees: a preview's typed values go on it (the
    steps' flush=False), the assessment reads it, and nothing reaches the database."""
    return Application.model_validate(application.model_dump())


def old_car_choices(session: Session, *, user: User) -> list[Vehicle]:
    """The cars the applicant holds or held: the old car must be one of them (§1.1)."""
    return session.exec(
        select(Vehicle)
        .join(Ownership, Ownership.vehicle_id == Vehicle.id)
        .where(Ownership.person_id == user.person_id)
        .order_by(Vehicle.first_registration)
        .distinct()
    ).all()


def choose_old_car(
    session: Session, *, application: Application, vehicle_id: int, flush: bool = True
) -> None:
    """Record the old car; it must be one the applicant holds or held."""
    _editable(application)
    held = session.exec(
        select(Ownership.id).where(
            Ownership.vehicle_id == vehicle_id, Ownership.person_id == application.person_id
        )
    ).first()
    vehicle = session.get(Vehicle, vehicle_id) if held else None
    if vehicle is None:
        raise NotFound(N_("This car is not one of yours in the registry."))
    application.old_vehicle_id, application.old_vin = vehicle.id, vehicle.vin
    _touch(session, application, flush)


def save_new_car(
    session: Session, *, application: Application, entry: NewCarEntry, flush: bool = True
) -> None:
    """Record the new car and its invoice; the registry's facts win where it knows the car."""
    _editable(application)
    known = session.exec(select(Vehicle).where(Vehicle.vin == entry.vin)).first()
    application.new_vin, application.new_plate = entry.vin, entry.plate
    application.new_brand, application.new_model = entry.brand, entry.model
    application.new_body_type = known.body_type if known else entry.body_type
    application.new_seats = known.seats if known else entry.seats
    application.new_fuel_type = known.fuel_type if known else entry.fuel_type
    application.new_displacement_ml = known.displacement_ml if known else entry.displacement_ml
    application.new_registration_date = (
        known.first_registration if known else entry.registration_date
    )
    application.invoice_number, application.invoice_date = (
        entry.invoice_number,
        entry.invoice_date,
    )
    application.invoice_price_fen = entry.invoice_price_fen
    application.invoice_city_code = entry.invoice_city_code
    application.invoice_buyer_id_hash = entry.invoice_buyer_id_hash
    _touch(session, application, flush)


def save_bank_card(
    session: Session,
    *,
    application: Application,
    card: str,
    bank: str,
    keys: CardKeys,
    fixing: bool = False,
) -> None:
    """Record the payout card, sealed; locked once submitted (§1.3), unless the bank returned it."""
    if fixing:
        if application.status is not Status.ACCOUNT_RETURNED:
            raise Conflict(N_("The payout account can only be changed when it is returned."))
    elif card_locked(application):
        raise Conflict(N_("The payout account cannot be changed after submission."))
    application.bank_card_sealed = seal(keys, card, row_id=application.id)
    application.bank_card_masked = mask_bank_card(card)
    application.bank_name = bank.strip()
    _touch(session, application)


def upload_document(
    session: Session,
    *,
    user: User,
    application: Application,
    kind: DocumentKind,
    filename: str,
    content: bytes,
    files: Storage,
    today: date,
) -> ApplicationDocument:
    """Store a paper (checked by content); accepted until the grace date of a pause (§1.4)."""
    _editable(application)
    program = program_lookup.program_of(session, application)
    applications.refuse_if(window.may_upload(program_lookup.program_terms(session, program), today))
    document = applications.documents_of(session, application).get(kind) or ApplicationDocument(
        application_id=application.id, kind=kind
    )
    replaced = document.stored_name if document.id else None
    stored = uploads.store(files, "subsidy", content)
    uploads.follow_transaction(session, files, "subsidy", new=stored.stored_name, replaced=replaced)
    document.filename = uploads.clean_filename(filename, kind.value)
    document.stored_name, document.content_type = stored.stored_name, stored.content_type
    document.size, document.uploaded_at = stored.size, utcnow()
    session.add(document)
    session.flush()
    applications.audit_event(
        session, user, application, "document_uploaded", detail={"kind": kind.value}
    )
    return document


def fix_account(
    session: Session,
    *,
    user: User,
    application: Application,
    card: str,
    bank: str,
    keys: CardKeys,
) -> None:
    """The applicant gives a new card after the bank returned the payment (back to approved)."""
    target = applications.allowed(Action.FIX_ACCOUNT, application, user)
    save_bank_card(session, application=application, card=card, bank=bank, keys=keys, fixing=True)
    applications.move(
        session, user=user, application=application, target=target, action="account_fixed"
    )


def _touch(session: Session, application: Application, flush: bool = True) -> None:
    """Mark the draft changed; flush=False keeps a preview's values out of the database."""
    application.updated_at = utcnow()
    if flush:
        session.add(application)
        session.flush()
