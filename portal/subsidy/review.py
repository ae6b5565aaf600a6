"""The reviewer's side: the province's queue, and approve, reject or return (DOMAIN §1.4).

Approval reserves the amount in the budget ledger and moves the application in the
same transaction; a flagged application needs two approvals by two reviewers. An
approved scrapping marks the old car scrapped in the registry in that transaction too.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, update
from sqlmodel import Session, select

from portal import audit
from portal.accounts.models import Role, User
from portal.audit import china_date, china_midnight, utcnow
from portal.db import capped_count, page_of, savepoint
from portal.errors import Conflict, DomainError
from portal.identifiers import (
    VIN_LENGTH,
    InvalidIdentifier,
    normalize,
    parse_resident_id,
    resident_id_hash,
)
from portal.messages import N_
from portal.registry.models import Ownership, Person, Vehicle
from portal.registry.terms import VehicleStatus
from portal.subsidy import budget, program_lookup, services, window, workflow
from portal.subsidy.assessment import NotEligible, assess
from portal.subsidy.models import Application, Program
from portal.subsidy.terms import Kind, RejectReason, Status
from portal.subsidy.workflow import Action

QUEUE_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.APPROVED, Status.REJECTED)
# Each order ends on the id in the same direction, so one index serves it (ix_application_queue_*).
SORTS = {
    "oldest": (Application.clock_start.asc(), Application.id.asc()),
    "newest": (Application.clock_start.desc(), Application.id.desc()),
    "amount": (Application.amount_fen.desc(), Application.id.desc()),
}


@dataclass(frozen=True)
class QueueFilter:
    kind: Kind | None = None
    status: Status | None = Status.SUBMITTED
    flagged: bool | None = None
    overdue: bool = False  # past the 15-working-day review target
    query: str = ""
    sort: str = "oldest"


@dataclass(frozen=True)
class QueueRow:
    application: Application
    kind: Kind
    applicant: str  # name and masked ID
    days_left: int | None  # working days to the review target; None when decided


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    number: int
    has_next: bool


def queue(
    session: Session,
    *,
    user: User,
    filters: QueueFilter,
    key: bytes,
    today: date,
    page: int,
    page_size: int,
) -> QueuePage:
    """The province's applications, filtered and sorted, one page in one query."""
    # A reviewer's province; an administrator's every province (ARCHITECTURE, Roles).
    where = [services.in_scope(user), Application.status != Status.DRAFT]
    if filters.status:
        where.append(Application.status == filters.status)
    if filters.kind:
        where.append(Program.kind == filters.kind)
    if filters.flagged is not None:
        where.append(Application.flagged == filters.flagged)
    if filters.overdue:
        where.append(Application.clock_start < _review_cutoff(today))
    if filters.query:
        where.append(_search(filters.query, key))
    statement = (
        select(Application, Program.kind, Person.name, Person.id_masked)
        .join(Program, Program.id == Application.program_id)
        .join(Person, Person.id == Application.person_id)
        .where(*where)
        .order_by(*SORTS.get(filters.sort, SORTS["oldest"]))
    )
    rows = [
        QueueRow(application, kind, f"{name} {masked}", _days_left(application, today))
        for application, kind, name, masked in session.exec(page_of(statement, page, page_size))
    ]
    return QueuePage(rows=rows[:page_size], number=page, has_next=len(rows) > page_size)


def queue_counts(session: Session, *, user: User, today: date) -> dict[str, int]:
    """The queue at a glance (home page): submitted applications waiting for a decision,
    those past the 15-working-day target, and (for an administrator) approved ones waiting
    for a payout batch. Capped counts over the queue indexes, never a count of the table."""
    scope = select(Application.id).where(services.in_scope(user))
    waiting = scope.where(Application.status == Status.SUBMITTED)
    counts = {
        "waiting": capped_count(session, waiting),
        "overdue": capped_count(
            session, waiting.where(Application.clock_start < _review_cutoff(today))
        ),
    }
    if user.role is Role.ADMIN:
        counts["to_pay"] = capped_count(session, scope.where(Application.status == Status.APPROVED))
    return counts


def _review_cutoff(today: date) -> datetime:
    """Submitted before this instant (China's midnight) the 15-working-day target passed."""
    return china_midnight(window.add_working_days(today, -window.REVIEW_WORKING_DAYS))


def _days_left(application: Application, today: date) -> int | None:
    if application.status is not Status.SUBMITTED or application.clock_start is None:
        return None
    started = china_date(application.clock_start)
    return window.working_days_left(started, window.REVIEW_WORKING_DAYS, today)


def _search(query: str, key: bytes):
    """An application number, a VIN (old or new), or an ID number: full or as masked.

    Only what the term can be is asked, each on its own index: an OR across the
    application and the person would scan every person of the country.
    """
    term = normalize(query)[:20]
    if "*" in term:  # 4401**********213X, as the queue shows it
        return Application.person_id.in_(select(Person.id).where(Person.id_masked == term))
    try:
        id_hash = resident_id_hash(parse_resident_id(term).value, key)
        return Application.person_id.in_(select(Person.id).where(Person.id_hash == id_hash))
    except InvalidIdentifier:
        pass
    if len(term) == VIN_LENGTH:
        return or_(Application.old_vin == term, Application.new_vin == term)
    return Application.number == term


# --- decisions --------------------------------------------------------------------------


def approve(session: Session, *, user: User, application: Application, today: date) -> Status:
    """Approve (or give the first of two approvals to) a submitted application."""
    services.allowed(Action.APPROVE, application, user)
    assessment = assess(session, application, today=today)
    if assessment.reasons:
        raise NotEligible(assessment.reasons)
    if workflow.needs_second_approval(application.flagged, application.first_approver_id):
        _first_approval(session, user, application)
        return application.status
    if application.first_approver_id == user.id:
        raise Conflict(N_("A flagged application needs a second reviewer's approval, not yours."))
    budget.reserve(session, application=application, actor_id=user.id)
    services.move(
        session,
        user=user,
        application=application,
        target=Status.APPROVED,
        action="approved",
        decided_by=user.id,
        decided_at=utcnow(),
    )
    if program_lookup.program_of(session, application).kind is Kind.SCRAPPING:
        _scrap_old_car(session, application, user, today)
    return application.status


def _first_approval(session: Session, user: User, application: Application) -> None:
    moved = session.execute(
        update(Application)
        .where(
            Application.id == application.id,
            Application.status == Status.SUBMITTED,
            Application.first_approver_id.is_(None),
        )
        .values(first_approver_id=user.id, updated_at=utcnow())
    )
    if moved.rowcount != 1:
        raise Conflict(N_("Someone else changed this application just now. Reload and try again."))
    session.refresh(application)
    audit.record(
        session,
        actor_id=user.id,
        entity=services.ENTITY,
        entity_id=application.id,
        action="first_approval",
    )


def _scrap_old_car(session: Session, application: Application, user: User, today: date):
    """An approved scrapping deregisters the old car in the registry (ARCHITECTURE)."""
    vehicle = session.get(Vehicle, application.old_vehicle_id)
    if vehicle.status is VehicleStatus.SCRAPPED:
        return
    before = vehicle.status
    vehicle.status, vehicle.updated_at = VehicleStatus.SCRAPPED, utcnow()
    current = session.exec(
        select(Ownership).where(Ownership.vehicle_id == vehicle.id, Ownership.end.is_(None))
    ).first()
    if current is not None:
        current.end = today
        session.add(current)
    session.add(vehicle)
    audit.record(
        session,
        actor_id=user.id,
        entity="vehicle",
        entity_id=vehicle.id,
        action="scrapped",
        from_state=before.value,
        to_state=VehicleStatus.SCRAPPED.value,
        detail={"application": application.number},
    )


def reject(
    session: Session, *, user: User, application: Application, reason: RejectReason, note: str
) -> None:
    """Refuse the application for a reason from the list, with the reviewer's words."""
    text = note.strip()[:500]
    services.allowed(Action.REJECT, application, user, reason=text or reason.value)
    services.move(
        session,
        user=user,
        application=application,
        target=Status.REJECTED,
        action="rejected",
        reject_reason=reason,
        decision_note=text,
        decided_by=user.id,
        decided_at=utcnow(),
        first_approver_id=None,  # four eyes guard approvals; one reviewer may reject alone
    )


def return_for_correction(session: Session, *, user: User, application: Application, note: str):
    """Send the application back to the applicant saying what to fix (the clock restarts)."""
    text = note.strip()[:500]
    services.allowed(Action.RETURN, application, user, reason=text)
    services.move(
        session,
        user=user,
        application=application,
        target=Status.RETURNED,
        action="returned",
        decision_note=text,
        first_approver_id=None,
    )


@dataclass(frozen=True)
class BulkResult:
    approved: list[str]
    skipped: list[tuple[str, DomainError]]  # number and why


def approve_unflagged(
    session: Session, *, user: User, application_ids: list[int], today: date
) -> BulkResult:
    """Approve the selected applications without flags, each checked on its own."""
    approved, skipped = [], []
    for application_id in application_ids[:200]:
        application = services.application_for(session, user=user, application_id=application_id)
        if application.flagged:
            skipped.append((application.number, DomainError(N_("Flagged: review it alone."))))
            continue
        try:
            with savepoint(session):
                approve(session, user=user, application=application, today=today)
            approved.append(application.number)
        except DomainError as error:
            session.refresh(application)
            skipped.append((application.number, error))
    return BulkResult(approved=approved, skipped=skipped)
