"""The owner's application: start a draft, fill it step by step, assess it, submit it.

Every step saves the draft, so an application can be resumed on another day or device.
Submission recomputes the assessment on the server and relies on the partial unique
indexes of `models.Application` for the claims that must not happen twice (§1.5).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, update
from sqlmodel import Session, select

from portal import audit, regions
from portal.accounts.models import Role, User
from portal.audit import utcnow
from portal.db import unique_or
from portal.errors import Conflict, DomainError, NotFound
from portal.messages import N_
from portal.registry.models import Ownership, Person, Vehicle
from portal.registry.terms import Acquisition, BodyType, FuelType, Usage, VehicleStatus
from portal.subsidy import facts, rules, window, workflow
from portal.subsidy.models import Application, ApplicationDocument, Program, ProgramTier
from portal.subsidy.terms import NOT_LIVE, DocumentKind, Kind, Status
from portal.subsidy.workflow import Action, Actor, IllegalTransition
from portal.transfer.models import TransferCase
from portal.transfer.terms import TransferStatus
from portal.uploads import store

ENTITY = "subsidy_application"
EDITABLE = (Status.DRAFT, Status.RETURNED)


class NotEligible(DomainError):
    """The application fails the program's rules; reasons lists every one (§1.2)."""

    status = 422

    def __init__(self, reasons: tuple[facts.Reason, ...]):
        super().__init__(N_("The application does not meet the program's rules."))
        self.reasons = reasons


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


# --- programs ---------------------------------------------------------------------------


def program_terms(session: Session, program: Program) -> facts.ProgramTerms:
    """The program as the pure rules read it."""
    tiers = session.exec(select(ProgramTier).where(ProgramTier.program_id == program.id)).all()
    fields = {
        name: getattr(program, name)
        for name in facts.ProgramTerms.__dataclass_fields__
        if name != "tiers"
    }
    fields["tiers"] = tuple(
        facts.Tier(t.new_energy, t.min_price_fen, t.amount_fen)
        for t in sorted(tiers, key=lambda t: t.min_price_fen)
    )
    return facts.ProgramTerms(**fields)


def current_program(session: Session, *, province_code: str, kind: Kind, today: date) -> Program:
    """This year's program of that kind in the province; NotFound when there is none."""
    program = session.exec(
        select(Program).where(
            Program.year == today.year,
            Program.province_code == province_code,
            Program.kind == kind,
        )
    ).first()
    if program is None:
        raise NotFound(N_("There is no program of this kind in that province this year."))
    return program


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
    rows = session.exec(
        select(Application)
        .where(Application.applicant_id == user.id)
        .order_by(Application.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    ).all()
    return rows[:page_size], len(rows) > page_size


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
    program = current_program(session, province_code=province_code, kind=kind, today=today)
    refusal = window.may_start(program_terms(session, program), today)
    if refusal:
        raise DomainError(refusal.message, **refusal.params)
    application = Application(
        program_id=program.id,
        province_code=program.province_code,
        applicant_id=user.id,
        person_id=user.person_id,
    )
    session.add(application)
    session.flush()
    _audit(session, user, application, "created", to_state=Status.DRAFT)
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
    session: Session, *, application: Application, card: str, bank: str, fixing: bool = False
) -> None:
    """Record the payout card; locked once submitted (§1.3), unless the bank returned it."""
    if fixing:
        if application.status is not Status.ACCOUNT_RETURNED:
            raise Conflict(N_("The payout account can only be changed when it is returned."))
    elif application.status is not Status.DRAFT:
        raise Conflict(N_("The payout account cannot be changed after submission."))
    application.bank_card, application.bank_name = card, bank.strip()
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
    refusal = window.may_upload(program_terms(session, program_of(session, application)), today)
    if refusal:
        raise DomainError(refusal.message, **refusal.params)
    stored = store(folder, "subsidy", content)
    document = documents_of(session, application).get(kind) or ApplicationDocument(
        application_id=application.id, kind=kind
    )
    document.filename = filename[-255:] or kind.value
    document.stored_name, document.content_type = stored.stored_name, stored.content_type
    document.size, document.uploaded_at = stored.size, utcnow()
    session.add(document)
    session.flush()
    _audit(session, user, application, "document_uploaded", detail={"kind": kind.value})
    return document


# --- assessment and submission ----------------------------------------------------------


def assess(session: Session, application: Application, *, today: date) -> facts.Assessment:
    """What the rules say of the application as it stands (the live panel and submission)."""
    program = program_of(session, application)
    return rules.assess(
        program_terms(session, program),
        old=old_car_facts(session, application),
        new=_new_car(session, application),
        claims=_live_claims(session, application),
        today=today,
    )


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


def _live_claims(session: Session, application: Application) -> list[facts.LiveClaim]:
    """Other live applications on the same cars, or of the same person (§1.5)."""
    key = rules.claim_key(program_terms(session, program_of(session, application)))
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


def submit(session: Session, *, user: User, application: Application, today: date) -> None:
    """Recheck on the server, number it, freeze its papers and card, queue it (§1.4)."""
    program = program_of(session, application)
    terms = program_terms(session, program)
    allowed(Action.SUBMIT, application, user)
    refusal = window.may_submit(terms, today)
    if refusal:
        raise DomainError(refusal.message, **refusal.params)
    missing = _missing_papers(session, application, program.kind)
    if missing:
        raise DomainError(N_("Upload these papers first: %(papers)s."), papers=missing)
    if not application.bank_card:
        raise DomainError(N_("Enter the bank card the subsidy is paid to."))
    assessment = assess(session, application, today=today)
    if not assessment.eligible:
        raise NotEligible(assessment.reasons)
    _record_new_car(session, application)
    before = application.status
    values = dict(
        status=Status.SUBMITTED,
        number=application.number or _number(program, application),
        amount_fen=assessment.amount.fen,
        amount_note={
            "message": assessment.amount.explanation.message,
            "params": assessment.amount.explanation.params,
        },
        flags=",".join(flag.value for flag in assessment.flags),
        flagged=bool(assessment.flags),
        claim_key=rules.claim_key(terms),
        submitted_at=application.submitted_at or utcnow(),
        clock_start=utcnow(),
        updated_at=utcnow(),
    )
    duplicate = Conflict(N_("One of these cars or this program is already claimed."))
    with unique_or(session, duplicate):
        moved = session.execute(
            update(Application)
            .where(Application.id == application.id, Application.status == before)
            .values(**values)
        )
    if moved.rowcount != 1:
        raise Conflict(N_("The application changed just now. Reload and try again."))
    session.refresh(application)
    _audit(session, user, application, "submitted", before, Status.SUBMITTED)


def _missing_papers(session: Session, application: Application, kind: Kind) -> str:
    present = documents_of(session, application)
    return ", ".join(k.value for k in required_documents(application, kind) if k not in present)


def _number(program: Program, application: Application) -> str:
    """Province letters + year + kind + the id: unique without a counter row to fight over."""
    letters = regions.ISO_LETTERS[program.province_code]
    kind = "S" if program.kind is Kind.SCRAPPING else "R"
    return f"{letters}{program.year}{kind}{application.id:08d}"


def _record_new_car(session: Session, application: Application) -> None:
    """Put the new car in the registry in the applicant's name when it is not there yet."""
    known = session.exec(select(Vehicle).where(Vehicle.vin == application.new_vin)).first()
    if known is None:
        city = regions.city_for_plate_prefix(application.new_plate[:2])
        known = Vehicle(
            vin=application.new_vin,
            plate=application.new_plate,
            brand=application.new_brand,
            model=application.new_model,
            body_type=application.new_body_type,
            fuel_type=application.new_fuel_type,
            displacement_ml=application.new_displacement_ml,
            seats=application.new_seats,
            usage=Usage.PRIVATE,
            first_registration=application.new_registration_date,
            province_code=city.province_code,
            city_code=city.code,
            status=VehicleStatus.REGISTERED,
        )
        duplicate = Conflict(N_("The new car's plate is registered to another vehicle."))
        with unique_or(session, duplicate):
            session.add(known)
            session.flush()
        session.add(
            Ownership(
                vehicle_id=known.id,
                person_id=application.person_id,
                start=application.new_registration_date,
                acquired=Acquisition.NEW,
            )
        )
    application.new_vehicle_id = known.id


def withdraw(session: Session, *, user: User, application: Application) -> None:
    """The applicant takes the application back before a decision (frees its claims)."""
    target = allowed(Action.WITHDRAW, application, user)
    move(session, user=user, application=application, target=target, action="withdrawn")


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
    _audit(session, user, application, action, before, target)


def program_of(session: Session, application: Application) -> Program:
    """The program the application belongs to."""
    return session.get(Program, application.program_id)


def old_vehicle(session: Session, application: Application) -> Vehicle | None:
    """The registry's record of the old car, for the pages that show its facts."""
    return session.get(Vehicle, application.old_vehicle_id) if application.old_vehicle_id else None


def _touch(session: Session, application: Application, flush: bool = True) -> None:
    """Mark the draft changed; flush=False keeps a preview's values out of the database."""
    application.updated_at = utcnow()
    if flush:
        session.add(application)
        session.flush()


def _audit(session, user, application, action, from_state=None, to_state=None, detail=None):
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
