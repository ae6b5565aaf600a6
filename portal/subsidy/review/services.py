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
from portal.audit import china_midnight, utcnow
from portal.db import Page, capped_count, fetch_page, savepoint
from portal.errors import Conflict, DomainError
from portal.identifiers import (
    VIN_LENGTH,
    InvalidIdentifier,
    normalize,
    parse_resident_id,
    resident_id_hash,
)
from portal.limits import NOTE_LENGTH
from portal.messages import N_
from portal.registry import services as registry
from portal.registry.models import Person
from portal.subsidy import applications, budget, notices, program_lookup, standing, workflow
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

    @property
    def awaits_decision(self) -> bool:
        """It may be ticked for a bulk approval (a flagged one is then skipped, saying why)."""
        return workflow.awaits_decision(self.application.status)

    @property
    def approvable_here(self) -> bool:
        """The queue's own Approve button may approve it."""
        return workflow.approvable_from_queue(self.application.status, self.application.flagged)


def queue(
    session: Session,
    *,
    user: User,
    filters: QueueFilter,
    key: bytes,
    today: date,
    page: int,
    page_size: int,
) -> Page:
    """The province's applications, filtered and sorted, one page in one query."""
    # A reviewer's province; an administrator's every province (ARCHITECTURE, Roles).
    where = [applications.in_scope(user), Application.status != Status.DRAFT]
    if filters.status:
        where.append(Application.status == filters.status)
    if filters.kind:
        where.append(Program.kind == filters.kind)
    if filters.flagged is not None:
        where.append(Application.flagged == filters.flagged)
    if filters.overdue:
        where.append(Application.clock_start < _review_cutoff(session, today))
    if filters.query:
        where.append(_search(filters.query, key))
    statement = (
        select(Application, Program.kind, Person.name, Person.id_masked)
        .join(Program, Program.id == Application.program_id)
        .join(Person, Person.id == Application.person_id)
        .where(*where)
        .order_by(*SORTS.get(filters.sort, SORTS["oldest"]))
    )

    def row(application: Application, kind: Kind, name: str, masked: str) -> QueueRow:
        days_left = standing.review_days_left(session, application, today)
        return QueueRow(application, kind, f"{name} {masked}", days_left)

    return fetch_page(session, statement, page, page_size, row=row)


def queue_counts(session: Session, *, user: User, today: date) -> dict[str, int]:
    """The queue at a glance (home page): submitted applications waiting for a decision,
    those past the 15-working-day target, and (for an administrator) approved ones waiting
    for a payout batch. Capped counts over the queue indexes, never a count of the table."""
    scope = select(Application.id).where(applications.in_scope(user))
    waiting = scope.where(Application.status == Status.SUBMITTED)
    counts = {
        "waiting": capped_count(session, waiting),
        "overdue": capped_count(
            session, waiting.where(Application.clock_start < _review_cutoff(session, today))
        ),
    }
    if user.role is Role.ADMIN:
        counts["to_pay"] = capped_count(session, scope.where(Application.status == Status.APPROVED))
    return counts


def _review_cutoff(session: Session, today: date) -> datetime:
    """Submitted before this instant (China's midnight) the 15-working-day target passed."""
    return china_midnight(standing.review_cutoff(session, today))


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
    applications.allowed(Action.APPROVE, application, user)
    assessment = assess(session, application, today=today)
    if assessment.reasons:
        raise NotEligible(assessment.reasons)
    if workflow.needs_second_approval(application.flagged, application.first_approver_id):
        _first_approval(session, user, application)
        return application.status
    if application.first_approver_id == user.id:
        raise Conflict(N_("A flagged application needs a second reviewer's approval, not yours."))
    with savepoint(session):  # another reviewer decided just now: nothing stays reserved
        _approve(session, user, application, today)
    return application.status


def _approve(session: Session, user: User, application: Application, today: date) -> None:
    """Reserve, approve and, for a scrapping, deregister the old car: all or nothing."""
    budget.reserve(session, application=application, actor_id=user.id)
    applications.move(
        session,
        user=user,
        application=application,
        target=Status.APPROVED,
        action="approved",
        decided_by=user.id,
        decided_at=utcnow(),
    )
    if program_lookup.program_of(session, application).kind is Kind.SCRAPPING:
        registry.scrap_vehicle(
            session,
            vehicle_id=application.old_vehicle_id,
            day=today,
            actor_id=user.id,
            detail={"application": application.number},
        )
    notices.approved(session, application)


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
        entity=applications.ENTITY,
        entity_id=application.id,
        action="first_approval",
    )


def reject(
    session: Session, *, user: User, application: Application, reason: RejectReason, note: str
) -> None:
    """Refuse the application for a reason from the list, with the reviewer's words."""
    text = note.strip()[:NOTE_LENGTH]
    applications.allowed(Action.REJECT, application, user, reason=text or reason.value)
    applications.move(
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
    notices.rejected(session, application)


def return_for_correction(session: Session, *, user: User, application: Application, note: str):
    """Send the application back to the applicant saying what to fix (the clock restarts)."""
    text = note.strip()[:NOTE_LENGTH]
    applications.allowed(Action.RETURN, application, user, reason=text)
    applications.move(
        session,
        user=user,
        application=application,
        target=Status.RETURNED,
        action="returned",
        decision_note=text,
        first_approver_id=None,
    )
    notices.returned(session, application)


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
        application = applications.application_for(
            session, user=user, application_id=application_id
        )
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
