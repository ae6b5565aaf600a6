"""The owner's application: who may see it, start a draft, fill it step by step.

Every step saves the draft, so an application can be resumed on another day or device.
`move` is the one conditional status change that withdrawal, review and payouts share.
The assessment lives in `assessment`, submission and withdrawal in `submission`.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, select

from portal import audit, uploads
from portal.accounts.models import Role, User
from portal.audit import utcnow
from portal.cards import CardKeys, seal
from portal.db import page_of
from portal.errors import Conflict, DomainError, NotFound
from portal.identifiers import bank_card_hash, mask_bank_card
from portal.messages import N_
from portal.registry.models import Ownership, Vehicle
from portal.registry.terms import BodyType, FuelType
from portal.subsidy import facts, program_lookup, window, workflow
from portal.subsidy.models import Application, ApplicationDocument
from portal.subsidy.terms import DocumentKind, Kind, Status
from portal.subsidy.workflow import Action, Actor
from portal.workflow import IllegalTransition

ENTITY = "subsidy_application"
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


# --- scope ------------------------------------------------------------------------------


def in_scope(user: User):
    """The condition on applications this user may see (ARCHITECTURE, Roles)."""
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.OWNER:
        return Application.applicant_id == user.id
    if user.role is Role.REVIEWER:
        # Drafts are the applicant's own business until they are submitted.
        return (Application.province_code == user.province_code) & (
            Application.status != Status.DRAFT
        )
    return False


def application_for(session: Session, *, user: User, application_id: int) -> Application:
    """The application if the user may see it; NotFound otherwise (ARCHITECTURE, Roles)."""
    application = session.exec(
        select(Application).where(Application.id == application_id, in_scope(user))
    ).first()
    if application is None:
        raise NotFound(N_("There is no such application, or you cannot see it."))
    return application


def actors_for(user: User, application: Application) -> set[Actor]:
    """The workflow roles this user holds on this application."""
    if user.role is Role.OWNER and user.id == application.applicant_id:
        return {Actor.APPLICANT}
    if user.role is Role.REVIEWER and user.province_code == application.province_code:
        return {Actor.REVIEWER}
    if user.role is Role.ADMIN:
        return {Actor.ADMIN}
    return set()


def my_applications(session: Session, *, user: User, page: int, page_size: int):
    """The owner's applications, newest first, one page (page_size + 1 to see a next)."""
    statement = (
        select(Application)
        .where(Application.applicant_id == user.id)
        .order_by(Application.id.desc())
    )
    rows = session.exec(page_of(statement, page, page_size)).all()
    return rows[:page_size], len(rows) > page_size


def refuse_if(reason: facts.Reason | None) -> None:
    """Turn a rule's refusal (a window that is shut) into the domain error the pages show."""
    if reason is not None:
        raise DomainError(reason.message, **reason.params)


def allowed(action: Action, application: Application, user: User, reason: str = "") -> Status:
    """The status action leads to, or a Conflict saying why the user cannot take it."""
    try:
        return workflow.next_status(
            action, application.status, actors_for(user, application), reason=reason
        )
    except IllegalTransition as error:
        raise Conflict(error.message, **error.params) from error


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
    refuse_if(window.may_start(program_lookup.program_terms(session, program), today))
    application = Application(
        program_id=program.id,
        province_code=program.province_code,
        applicant_id=user.id,
        person_id=user.person_id,
    )
    session.add(application)
    session.flush()
    audit_event(session, user, application, "created", to_state=Status.DRAFT)
    return application


def _editable(application: Application) -> None:
    if application.status not in EDITABLE:
        raise Conflict(
            N_("The application is %(status)s and can no longer be changed."),
            status=application.status,
        )


def old_car_choices(session: Session, *, user: User) -> list[Vehicle]:
    """The cars the applicant holds or held: the old car must be one of them (§1.1)."""
    return session.exec(
        select(Vehicle)
        .join(Ownership, Ownership.vehicle_id == Vehicle.id)
        .where(Ownership.person_id == user.person_id)
        .order_by(Vehicle.first_registration)
        .distinct()
    ).all()


def old_vehicle(session: Session, application: Application) -> Vehicle | None:
    """The registry's record of the old car, for the pages that show its facts."""
    return session.get(Vehicle, application.old_vehicle_id) if application.old_vehicle_id else None


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
    id_key: bytes,
    fixing: bool = False,
) -> None:
    """Record the payout card, sealed; locked once submitted (§1.3), unless the bank returned it."""
    if fixing:
        if application.status is not Status.ACCOUNT_RETURNED:
            raise Conflict(N_("The payout account can only be changed when it is returned."))
    elif application.status is not Status.DRAFT:
        raise Conflict(N_("The payout account cannot be changed after submission."))
    application.bank_card_sealed = seal(keys, card, row_id=application.id)
    application.bank_card_masked = mask_bank_card(card)
    application.bank_card_hash = bank_card_hash(card, id_key)
    application.bank_name = bank.strip()
    _touch(session, application)


def required_documents(application: Application, kind: Kind) -> list[DocumentKind]:
    """The papers this application needs (DOMAIN §1.3)."""
    papers = [DocumentKind.RESIDENT_ID, DocumentKind.BANK_CARD]
    if kind is Kind.SCRAPPING:
        papers += [DocumentKind.RECYCLING_CERTIFICATE, DocumentKind.DEREGISTRATION_CERTIFICATE]
    return papers + [DocumentKind.NEW_CAR_INVOICE, DocumentKind.NEW_CAR_REGISTRATION]


def documents_of(
    session: Session, application: Application
) -> dict[DocumentKind, ApplicationDocument]:
    """The current paper of each kind uploaded to the application."""
    rows = session.exec(
        select(ApplicationDocument).where(ApplicationDocument.application_id == application.id)
    ).all()
    return {row.kind: row for row in rows}


def upload_document(
    session: Session,
    *,
    user: User,
    application: Application,
    kind: DocumentKind,
    filename: str,
    content: bytes,
    folder: str,
    today: date,
) -> ApplicationDocument:
    """Store a paper (checked by content); accepted until the grace date of a pause (§1.4)."""
    _editable(application)
    program = program_lookup.program_of(session, application)
    refuse_if(window.may_upload(program_lookup.program_terms(session, program), today))
    document = documents_of(session, application).get(kind) or ApplicationDocument(
        application_id=application.id, kind=kind
    )
    replaced = document.stored_name if document.id else None
    stored = uploads.store(folder, "subsidy", content)
    uploads.follow_transaction(
        session, folder, "subsidy", new=stored.stored_name, replaced=replaced
    )
    document.filename = uploads.clean_filename(filename, kind.value)
    document.stored_name, document.content_type = stored.stored_name, stored.content_type
    document.size, document.uploaded_at = stored.size, utcnow()
    session.add(document)
    session.flush()
    audit_event(session, user, application, "document_uploaded", detail={"kind": kind.value})
    return document


# --- status changes ---------------------------------------------------------------------


def move(
    session: Session,
    *,
    user: User | None,
    application: Application,
    target: Status,
    action: str,
    **values,
) -> None:
    """One conditional UPDATE from the status it had to target, and its audit event."""
    before = application.status
    moved = session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status == before)
        .values(status=target, updated_at=utcnow(), **values)
    )
    if moved.rowcount != 1:
        raise Conflict(N_("Someone else changed this application just now. Reload and try again."))
    session.refresh(application)
    audit_event(session, user, application, action, before, target)


def _touch(session: Session, application: Application, flush: bool = True) -> None:
    """Mark the draft changed; flush=False keeps a preview's values out of the database."""
    application.updated_at = utcnow()
    if flush:
        session.add(application)
        session.flush()


def audit_event(session, user, application, action, from_state=None, to_state=None, detail=None):
    """One audit event on the application, by user (None for the system)."""
    audit.record(
        session,
        actor_id=user.id if user else None,
        entity=ENTITY,
        entity_id=application.id,
        action=action,
        from_state=from_state.value if from_state else None,
        to_state=to_state.value if to_state else None,
        detail=detail,
    )
