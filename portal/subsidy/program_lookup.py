"""Programs as stored: this year's program, an application's program, and its terms.

The database side of `rules.facts.ProgramTerms`, shared by every room (`apply`,
`review`, `programs`) and the assessment. `rules.national` is the other, pure side: the
national rule sets the programs are seeded from; `programs.services` edits them.
"""

from datetime import date

from sqlalchemy import event
from sqlmodel import Session, select

from portal.errors import NotFound
from portal.messages import N_
from portal.subsidy.models import Application, Program, ProgramTier
from portal.subsidy.rules import facts
from portal.subsidy.terms import Kind


def program_terms(session: Session, program: Program) -> facts.ProgramTerms:
    """The program as the pure rules read it (its tiers read once per transaction)."""
    tiers = _tiers_of(session, program.id)
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


_TIERS = "portal.subsidy.tiers"


def _tiers_of(session: Session, program_id: int) -> list[ProgramTier]:
    """A submission asks for the terms three times (its checks, the assessment, the claim
    key): the tiers are read once and kept with the session until it commits or rolls
    back, or until `forget_tiers` after they are replaced."""
    kept = session.info.setdefault(_TIERS, {})
    if program_id not in kept:
        statement = select(ProgramTier).where(ProgramTier.program_id == program_id)
        kept[program_id] = session.exec(statement).all()
    return kept[program_id]


def forget_tiers(session: Session) -> None:
    """Read the tiers again at the next use (they were just replaced)."""
    session.info.pop(_TIERS, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_with_transaction(session: Session, transaction) -> None:
    if transaction.parent is None:
        forget_tiers(session)


def current_program(session: Session, *, province_code: str, kind: Kind, today: date) -> Program:
    """This year's program of that kind in the province; NotFound when there is none."""
    return program_of_year(session, province_code=province_code, kind=kind, year=today.year)


def program_of_year(session: Session, *, province_code: str, kind: Kind, year: int) -> Program:
    """The program of that kind, province and year (DOMAIN §1.2); NotFound when none."""
    program = session.exec(
        select(Program).where(
            Program.year == year,
            Program.province_code == province_code,
            Program.kind == kind,
        )
    ).first()
    if program is None:
        raise NotFound(N_("There is no program of this kind in that province that year."))
    return program


def program_years(session: Session, *, province_code: str, kind: Kind) -> list[int]:
    """The years the province has a program of that kind, newest first (a handful)."""
    return list(
        session.exec(
            select(Program.year)
            .where(Program.province_code == province_code, Program.kind == kind)
            .order_by(Program.year.desc())
        ).all()
    )


def program_of(session: Session, application: Application) -> Program:
    """The program the application belongs to."""
    return session.get(Program, application.program_id)
