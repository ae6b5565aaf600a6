"""The budget ledger of a program: reserve on approval, release, pay (ARCHITECTURE, Data).

Each movement is one conditional UPDATE of the program's running totals plus a ledger
row in the same transaction, so two reviewers approving at once can never reserve more
than the budget, and the rows always add up to the totals (`balance`).
"""

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, select

from portal.audit import utcnow
from portal.errors import Conflict, DomainError
from portal.messages import N_
from portal.money import yuan
from portal.subsidy.models import Application, LedgerEntry, Program
from portal.subsidy.terms import LedgerKind


class BudgetExhausted(DomainError):
    """Approving would spend more than the program's budget; nothing was changed."""

    status = 409


def reserve(session: Session, *, application: Application, actor_id: int) -> None:
    """Reserve the application's amount, or BudgetExhausted when what is left cannot cover it."""
    program_id, amount_fen = application.program_id, application.amount_fen
    moved = session.execute(
        update(Program)
        .where(
            Program.id == program_id,
            Program.reserved_fen + Program.paid_fen + amount_fen <= Program.budget_fen,
        )
        .values(reserved_fen=Program.reserved_fen + amount_fen)
    )
    if moved.rowcount != 1:
        left = left_fen(session, program_id)
        raise BudgetExhausted(
            N_("The budget has %(left)s left, not enough for %(amount)s. Nothing was approved."),
            left=yuan(left),
            amount=yuan(amount_fen),
        )
    _entry(session, application, LedgerKind.RESERVE, actor_id)


def release(session: Session, *, application: Application, actor_id: int) -> None:
    """Give the application's reservation back to the budget (a final payout failure)."""
    _move(session, application.program_id, reserved=-application.amount_fen, paid=0)
    _entry(session, application, LedgerKind.RELEASE, actor_id)


def pay(session: Session, *, application: Application, actor_id: int) -> None:
    """Turn the application's reservation into money paid out."""
    amount = application.amount_fen
    _move(session, application.program_id, reserved=-amount, paid=amount)
    _entry(session, application, LedgerKind.PAY, actor_id)


def _move(session: Session, program_id: int, *, reserved: int, paid: int) -> None:
    moved = session.execute(
        update(Program)
        .where(Program.id == program_id, Program.reserved_fen + reserved >= 0)
        .values(
            reserved_fen=Program.reserved_fen + reserved,
            paid_fen=Program.paid_fen + paid,
            updated_at=utcnow(),  # the public budget page says when the money last moved
        )
    )
    if moved.rowcount != 1:
        raise Conflict(N_("The budget ledger does not hold this reservation."))


def _entry(session: Session, application: Application, kind: LedgerKind, actor_id) -> None:
    session.add(
        LedgerEntry(
            program_id=application.program_id,
            application_id=application.id,
            kind=kind,
            amount_fen=application.amount_fen,
            actor_id=actor_id,
        )
    )


def left_fen(session: Session, program_id: int) -> int:
    """What the budget can still reserve."""
    program = session.get(Program, program_id)
    session.refresh(program)
    return program.budget_fen - program.reserved_fen - program.paid_fen


@dataclass(frozen=True)
class Balance:
    reserved_fen: int  # reservations still open, by the ledger rows
    paid_fen: int

    def matches(self, program: Program) -> bool:
        """Whether the ledger rows add up to the program's running totals."""
        return (self.reserved_fen, self.paid_fen) == (program.reserved_fen, program.paid_fen)


def balance(session: Session, program_id: int) -> Balance:
    """The reserved and paid totals recomputed from the ledger rows."""
    sums = dict(
        session.execute(
            select(LedgerEntry.kind, func.sum(LedgerEntry.amount_fen))
            .where(LedgerEntry.program_id == program_id)
            .group_by(LedgerEntry.kind)
        ).all()
    )
    reserved, released, paid = (sums.get(kind, 0) or 0 for kind in LedgerKind)
    return Balance(reserved_fen=reserved - released - paid, paid_fen=paid)
