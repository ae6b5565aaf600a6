"""Programs as administrators run them: seed, edit (audited), and the dashboard figures."""

import statistics
from dataclasses import dataclass, fields

from sqlalchemy import func
from sqlmodel import Session, select

from portal import audit, regions
from portal.accounts.models import User
from portal.audit import utcnow
from portal.errors import DomainError, NotFound
from portal.messages import N_
from portal.money import yuan
from portal.subsidy import facts, programs
from portal.subsidy.models import Application, Program, ProgramTier
from portal.subsidy.terms import Status

DATE_FIELDS = (
    "opens",
    "closes",
    "pause_at",
    "grace_until",
    "documents_from",
    "held_before",
    "petrol_registered_by",
    "other_fuel_registered_by",
    "nev_registered_by",
)
EDITABLE_FIELDS = DATE_FIELDS + (
    "min_holding_months",
    "max_displacement_ml",
    "nev_amount_fen",
    "fuel_amount_fen",
    "nev_rate_bp",
    "fuel_rate_bp",
    "zero_mileage_days",
    "budget_fen",
)


def seed_programs(session: Session, province_codes: list[str] | None = None) -> int:
    """Create the national programs of DOMAIN §1.2 for every province; idempotent."""
    existing = set(session.exec(select(Program.year, Program.province_code, Program.kind)).all())
    created = 0
    for code in province_codes or [p.code for p in regions.provinces()]:
        for terms in programs.national_programs(code):
            if (terms.year, terms.province_code, terms.kind) in existing:
                continue
            _add_program(session, terms)
            created += 1
    session.flush()
    return created


def _add_program(session: Session, terms: facts.ProgramTerms) -> None:
    values = {f.name: getattr(terms, f.name) for f in fields(terms) if f.name != "tiers"}
    program = Program(**values, budget_fen=programs.DEMO_BUDGET_FEN[terms.year])
    session.add(program)
    session.flush()
    session.add_all(
        ProgramTier(
            program_id=program.id,
            new_energy=tier.new_energy,
            min_price_fen=tier.min_price_fen,
            amount_fen=tier.amount_fen,
        )
        for tier in terms.tiers
    )


def programs_list(session: Session, *, province_code: str | None, year: int | None):
    """Programs, newest year first, optionally of one province and year."""
    statement = select(Program).order_by(Program.year.desc(), Program.province_code, Program.kind)
    if province_code:
        statement = statement.where(Program.province_code == province_code)
    if year:
        statement = statement.where(Program.year == year)
    return session.exec(statement).all()


def program(session: Session, program_id: int) -> Program:
    """A program by id; NotFound when there is none."""
    found = session.get(Program, program_id)
    if found is None:
        raise NotFound(N_("There is no such program."))
    return found


class InvalidProgram(DomainError):
    """A program setting that contradicts another; field names the form field."""

    status = 422

    def __init__(self, field: str, message: str, **params):
        super().__init__(message, **params)
        self.field = field


def update_program(session: Session, *, user: User, program: Program, values: dict) -> None:
    """Change a program's settings after checking they hold together; audited."""
    merged = {name: values.get(name, getattr(program, name)) for name in EDITABLE_FIELDS}
    _check(program, merged)
    changes = {
        name: [_plain(getattr(program, name)), _plain(value)]
        for name, value in merged.items()
        if getattr(program, name) != value
    }
    if not changes:
        return
    for name, value in merged.items():
        setattr(program, name, value)
    program.updated_at = utcnow()
    session.add(program)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        entity="subsidy_program",
        entity_id=program.id,
        action="updated",
        detail=changes,
    )


def _check(program: Program, v: dict) -> None:
    """Cross-field checks; each names the field to show the message next to."""
    if v["closes"] < v["opens"]:
        raise InvalidProgram("closes", N_("The program cannot close before it opens."))
    if v["pause_at"] and not v["opens"] <= v["pause_at"] <= v["closes"]:
        raise InvalidProgram("pause_at", N_("The pause must fall inside the program's window."))
    if v["grace_until"] and not v["pause_at"]:
        raise InvalidProgram("grace_until", N_("A grace date needs a pause date."))
    if v["grace_until"] and not v["pause_at"] <= v["grace_until"] <= v["closes"]:
        raise InvalidProgram(
            "grace_until", N_("The grace date must fall between the pause and the closing day.")
        )
    committed = program.reserved_fen + program.paid_fen
    if v["budget_fen"] < committed:
        raise InvalidProgram(
            "budget_fen",
            # People type and read the budget in yuan, so the message says yuan too.
            N_("The budget cannot be less than what is already reserved and paid (%(amount)s)."),
            amount=yuan(committed),
        )


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramFigures:
    program: Program
    by_status: dict[Status, int]
    left_fen: int
    median_days_to_decision: float | None


def dashboard(session: Session, *, province_code: str | None, year: int) -> list[ProgramFigures]:
    """Per program: applications by status, budget, median days to decision."""
    listed = programs_list(session, province_code=province_code, year=year)
    ids = [p.id for p in listed]
    counts: dict[int, dict[Status, int]] = {i: {} for i in ids}
    for program_id, status, count in session.execute(
        select(Application.program_id, Application.status, func.count())
        .where(Application.program_id.in_(ids))
        .group_by(Application.program_id, Application.status)
    ):
        counts[program_id][status] = count
    medians = _median_days(session, ids)
    return [
        ProgramFigures(
            program=p,
            by_status=counts[p.id],
            left_fen=p.budget_fen - p.reserved_fen - p.paid_fen,
            median_days_to_decision=medians.get(p.id),
        )
        for p in listed
    ]


# The median is taken over the latest decisions, so the page stays fast at any volume.
MEDIAN_SAMPLE = 2000


def _median_days(session: Session, program_ids: list[int]) -> dict[int, float]:
    """Median days from submission to decision per program, in one query."""
    latest = (
        select(
            Application.program_id,
            Application.submitted_at,
            Application.decided_at,
            func.row_number()
            .over(partition_by=Application.program_id, order_by=Application.decided_at.desc())
            .label("n"),
        )
        .where(Application.program_id.in_(program_ids), Application.decided_at.is_not(None))
        .subquery()
    )
    days: dict[int, list[float]] = {}
    for program_id, submitted, decided in session.execute(
        select(latest.c.program_id, latest.c.submitted_at, latest.c.decided_at).where(
            latest.c.n <= MEDIAN_SAMPLE
        )
    ):
        days.setdefault(program_id, []).append((decided - submitted).total_seconds() / 86400)
    return {program_id: round(statistics.median(d), 1) for program_id, d in days.items()}
