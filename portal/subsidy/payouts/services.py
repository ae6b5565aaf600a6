"""Disbursement batches: approved applications out to the bank, its results back in (§1.4).

A batch takes the approved applications of a province (approved → paying), exports
them as CSV for the bank and is marked sent; the bank's results CSV marks each line
paid (ledger: reserved → paid) or failed. A failed payment is retried (back to
approved, for the next batch), returned to the applicant to fix the card, or cancelled
(the reservation is released). A partial unique index keeps an application in at most
one batch line that is pending or paid: never paid twice.
"""

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import func, update
from sqlmodel import Session, select

from portal import audit, csvfiles
from portal.accounts.models import User
from portal.audit import utcnow
from portal.cards import CardKeys, unseal
from portal.db import fetch_page, savepoint, unique_or
from portal.errors import Conflict, DomainError, NotFound
from portal.limits import NOTE_LENGTH
from portal.messages import N_, MessageError
from portal.money import yuan_input
from portal.registry.models import Person
from portal.subsidy import applications, budget
from portal.subsidy.models import Application, PayoutBatch, PayoutLine
from portal.subsidy.terms import BatchStatus, PayoutResult, Status
from portal.subsidy.workflow import Action

BATCH_LIMIT = 5000  # lines per batch: a bank file a clerk can still check by hand
EXPORT_HEADER = ("payee", "id_masked", "card_number", "bank", "amount_yuan", "application")
RESULT_HEADER = ("application", "result", "reason")


def make_batch(session: Session, *, user: User, province_code: str) -> PayoutBatch:
    """Put the province's approved applications (oldest first) into a new batch."""
    candidates = session.exec(
        select(Application.id)
        .where(Application.province_code == province_code, Application.status == Status.APPROVED)
        .order_by(Application.decided_at, Application.id)
        .limit(BATCH_LIMIT)
    ).all()
    if not candidates:
        raise DomainError(N_("No approved application in this province is waiting for payment."))
    with savepoint(session):  # an application in another batch: nothing is left behind
        return _new_batch(session, user, province_code, list(candidates))


def _new_batch(session: Session, user: User, province_code: str, ids: list[int]) -> PayoutBatch:
    """The batch of those applications that are still approved, with a line for each."""
    batch = PayoutBatch(
        number=f"pending-{utcnow():%H%M%S%f}",
        province_code=province_code,
        line_count=0,
        total_fen=0,
        created_by=user.id,
    )
    session.add(batch)
    session.flush()
    batch.number = f"PB{province_code[:2]}{batch.created_at:%Y%m%d}{batch.id:06d}"
    # Only rows still approved move; a row changed meanwhile stays out of the batch.
    moved = session.execute(
        update(Application)
        .where(Application.id.in_(ids), Application.status == Status.APPROVED)
        .values(status=Status.PAYING, updated_at=utcnow())
        .returning(Application.id, Application.amount_fen)
    ).all()
    with unique_or(session, Conflict(N_("An application is already in another batch."))):
        session.add_all(
            PayoutLine(batch_id=batch.id, application_id=i, amount_fen=a) for i, a in moved
        )
        session.flush()
    batch.line_count, batch.total_fen = len(moved), sum(a for _, a in moved)
    session.add(batch)
    for application_id, _ in moved:
        _audit_application(session, user, application_id, "batched", Status.APPROVED, Status.PAYING)
    _audit_batch(session, user, batch, "created")
    return batch


def batch_for(session: Session, batch_id: int) -> PayoutBatch:
    """A batch by id (administrators see every batch)."""
    batch = session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound(N_("There is no such payout batch."))
    return batch


def recent_batches(session: Session, *, page: int, page_size: int):
    """Batches, newest first, one page."""
    statement = select(PayoutBatch).order_by(PayoutBatch.id.desc())
    return fetch_page(session, statement, page, page_size)


@dataclass(frozen=True)
class Waiting:
    province_code: str
    count: int
    total_fen: int


def waiting(session: Session, *, province_code: str | None = None) -> list[Waiting]:
    """Approved applications not yet in a batch, per province: how many and how much."""
    statement = (
        select(Application.province_code, func.count(), func.sum(Application.amount_fen))
        .where(Application.status == Status.APPROVED)
        .group_by(Application.province_code)
        .order_by(Application.province_code)
    )
    if province_code:
        statement = statement.where(Application.province_code == province_code)
    return [Waiting(code, count, total or 0) for code, count, total in session.exec(statement)]


def lines_of(session: Session, batch: PayoutBatch):
    """The batch's lines with their application and payee, in one query."""
    return session.exec(
        select(PayoutLine, Application, Person)
        .join(Application, Application.id == PayoutLine.application_id)
        .join(Person, Person.id == Application.person_id)
        .where(PayoutLine.batch_id == batch.id)
        .order_by(PayoutLine.id)
    ).all()


def export_csv(session: Session, batch: PayoutBatch, *, keys: CardKeys) -> str:
    """The bank's file: payee, masked ID, card, bank, amount in yuan, application number.

    The one place a sealed card number is opened (docs/security.md).
    """
    rows = (
        (
            person.name,
            person.id_masked,
            unseal(keys, application.bank_card_sealed, row_id=application.id),
            application.bank_name,
            yuan_input(line.amount_fen),
            application.number,
        )
        for line, application, person in lines_of(session, batch)
    )
    return csvfiles.text([EXPORT_HEADER, *rows])


def mark_sent(session: Session, *, user: User, batch: PayoutBatch) -> None:
    """Record that the file went to the bank."""
    moved = session.execute(
        update(PayoutBatch)
        .where(PayoutBatch.id == batch.id, PayoutBatch.status == BatchStatus.OPEN)
        .values(status=BatchStatus.SENT, sent_at=utcnow())
    )
    if moved.rowcount != 1:
        raise Conflict(N_("This batch was already sent."))
    session.refresh(batch)
    _audit_batch(session, user, batch, "sent")


@dataclass
class ResultReport:
    paid: int = 0
    failed: int = 0
    problems: list[tuple[int, MessageError]] = field(default_factory=list)  # line, why


class InvalidResults(DomainError):
    """The uploaded results file cannot be read as the bank's CSV."""

    status = 422


def apply_results(session: Session, *, user: User, batch: PayoutBatch, text: str) -> ResultReport:
    """Read the bank's results CSV: each line paid or failed (with a reason).

    All or nothing: a file that breaks off half-way (InvalidResults) changes no line.
    """
    if batch.status is BatchStatus.OPEN:
        raise Conflict(N_("Mark the batch as sent before reading the bank's results."))
    pending = {
        application.number: (line, application)
        for line, application, _ in lines_of(session, batch)
        if line.result is PayoutResult.PENDING
    }
    report = ResultReport()
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ())[:3] != RESULT_HEADER:
        raise DomainError(
            N_("The results file must start with the columns %(columns)s."),
            columns=", ".join(RESULT_HEADER),
        )
    try:
        with savepoint(session):
            for number, row in enumerate(reader, start=2):
                try:
                    _apply_row(session, user, pending, row, report)
                except MessageError as error:
                    report.problems.append((number, error))
    except csv.Error as error:  # e.g. a field beyond the csv module's size limit
        raise InvalidResults(
            N_("The results file is not a CSV file the portal can read.")
        ) from error
    _settle_if_done(session, batch)
    return report


def _apply_row(session, user, pending, row, report: ResultReport) -> None:
    number = (row.get("application") or "").strip()
    if number not in pending:
        raise DomainError(N_("%(number)s is not a pending line of this batch."), number=number)
    result = (row.get("result") or "").strip().lower()
    if result not in (PayoutResult.PAID, PayoutResult.FAILED):
        raise DomainError(N_("The result must be paid or failed, not %(result)s."), result=result)
    line, application = pending.pop(number)
    reason = (row.get("reason") or "").strip()[:200] or None
    # One row, all or nothing: the conditional move first (a second upload of the same
    # results, or a racing one, stops there), then the line and the ledger.
    paid = result == PayoutResult.PAID
    with savepoint(session):
        target = applications.allowed(Action.PAY if paid else Action.FAIL, application, user)
        applications.move(
            session,
            user=user,
            application=application,
            target=target,
            action="paid" if paid else "payout_failed",
            **({"paid_at": utcnow()} if paid else {"decision_note": reason}),
        )
        if paid:
            budget.pay(session, application=application, actor_id=user.id)
        line.result, line.settled_at, line.failure_reason = PayoutResult(result), utcnow(), reason
        session.add(line)
        session.flush()
    if paid:
        report.paid += 1
    else:
        report.failed += 1


def _settle_if_done(session: Session, batch: PayoutBatch) -> None:
    session.flush()
    waiting = session.exec(
        select(PayoutLine.id).where(
            PayoutLine.batch_id == batch.id, PayoutLine.result == PayoutResult.PENDING
        )
    ).first()
    if waiting is None and batch.status is BatchStatus.SENT:
        batch.status, batch.settled_at = BatchStatus.SETTLED, utcnow()
        session.add(batch)
        session.flush()  # services flush (STYLE 4): a caller's refresh must not lose it


def after_failure(
    session: Session, *, user: User, application: Application, action: Action, note: str = ""
) -> None:
    """Retry a failed payment, return it to the applicant, or cancel it (releases budget)."""
    target = applications.allowed(action, application, user, reason=note)
    with savepoint(session):  # someone else moved it just now: the budget is not released
        if action is Action.CANCEL_PAYOUT:
            budget.release(session, application=application, actor_id=user.id)
        applications.move(
            session,
            user=user,
            application=application,
            target=target,
            action=action.value,
            decision_note=note.strip()[:NOTE_LENGTH] or application.decision_note,
        )


def _audit_application(session, user, application_id, action, before, after) -> None:
    audit.record(
        session,
        actor_id=user.id,
        entity=applications.ENTITY,
        entity_id=application_id,
        action=action,
        from_state=before.value,
        to_state=after.value,
    )


def _audit_batch(session, user, batch, action) -> None:
    audit.record(
        session,
        actor_id=user.id,
        entity="payout_batch",
        entity_id=batch.id,
        action=action,
        to_state=batch.status.value,
        detail={"number": batch.number, "lines": batch.line_count, "total_fen": batch.total_fen},
    )
