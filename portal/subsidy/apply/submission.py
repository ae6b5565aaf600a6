"""Submission: recheck an owner's draft on the server, number it, queue it; or withdraw it.

Submission recomputes the assessment rather than trusting the live panel, has registry
services put the new car in the registry when it is not there yet, and relies on the
partial unique indexes of `models.Application` for the claims that must not happen
twice (§1.5).
"""

from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal import regions
from portal.accounts.models import User
from portal.audit import utcnow
from portal.db import unique_or
from portal.errors import Conflict, DomainError
from portal.messages import N_
from portal.registry import services as registry
from portal.registry.models import Vehicle
from portal.subsidy import applications, notices, program_lookup, standing
from portal.subsidy.assessment import NotEligible, assess
from portal.subsidy.models import Application, Program
from portal.subsidy.rules import eligibility, papers, window
from portal.subsidy.terms import Kind, Status
from portal.subsidy.workflow import Action


def submit(session: Session, *, user: User, application: Application, today: date) -> None:
    """Recheck on the server, number it, freeze its papers and card, queue it (§1.4)."""
    program = program_lookup.program_of(session, application)
    terms = program_lookup.program_terms(session, program)
    applications.allowed(Action.SUBMIT, application, user)
    applications.refuse_if(window.may_submit(terms, today))
    missing = _missing_papers(session, application, program.kind)
    if missing:
        raise DomainError(N_("Upload these papers first: %(papers)s."), papers=missing)
    if not application.bank_card_sealed:
        raise DomainError(N_("Enter the bank card the subsidy is paid to."))
    assessment = assess(session, application, today=today)
    if not assessment.eligible:
        raise NotEligible(assessment.reasons)
    _record_new_car(session, application)
    before = application.status
    now = utcnow()
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
        claim_key=eligibility.claim_key(terms),
        # A resubmission keeps its place in the queue and restarts the clock (§1.4).
        submitted_at=application.submitted_at or now,
        clock_start=now,
        updated_at=now,
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
    # The place at submission is kept with the event: the receipt prints it (issue 13).
    position = standing.queue_position(session, application)
    applications.audit_event(
        session,
        user,
        application,
        "submitted",
        before,
        Status.SUBMITTED,
        detail={"queue_position": position},
    )
    notices.submitted(session, application, position=position)


def _missing_papers(session: Session, application: Application, kind: Kind) -> str:
    present = applications.documents_of(session, application)
    return ", ".join(k.value for k in papers.required_documents(kind) if k not in present)


def _number(program: Program, application: Application) -> str:
    """Province letters + year + kind + the id: unique without a counter row to fight over."""
    letters = regions.ISO_LETTERS[program.province_code]
    kind = "S" if program.kind is Kind.SCRAPPING else "R"
    return f"{letters}{program.year}{kind}{application.id:08d}"


def _record_new_car(session: Session, application: Application) -> None:
    """Put the new car in the registry in the applicant's name when it is not there yet."""
    known = session.exec(select(Vehicle).where(Vehicle.vin == application.new_vin)).first()
    if known is None:
        car = registry.NewVehicle(
            vin=application.new_vin,
            plate=application.new_plate,
            brand=application.new_brand,
            model=application.new_model,
            body_type=application.new_body_type,
            fuel_type=application.new_fuel_type,
            displacement_ml=application.new_displacement_ml,
            seats=application.new_seats,
            first_registration=application.new_registration_date,
        )
        try:
            known = registry.register_new_vehicle(session, car=car, person_id=application.person_id)
        except IntegrityError as error:
            raise _new_car_clash(session, application) from error
    application.new_vehicle_id = known.id


def _new_car_clash(session: Session, application: Application) -> Conflict:
    """Why the new car could not be added: its VIN came in meanwhile, or its plate is taken."""
    if session.exec(select(Vehicle.id).where(Vehicle.vin == application.new_vin)).first():
        return Conflict(
            N_(
                "Another application put this new car in the registry at the same moment. "
                "Reload the page to see whether it can still be claimed."
            )
        )
    return Conflict(N_("The new car's plate is registered to another vehicle."))


def withdraw(session: Session, *, user: User, application: Application) -> None:
    """The applicant takes the application back before a decision (frees its claims)."""
    target = applications.allowed(Action.WITHDRAW, application, user)
    applications.move(
        session, user=user, application=application, target=target, action="withdrawn"
    )
