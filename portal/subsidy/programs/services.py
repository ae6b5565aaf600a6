"""Programs as administrators run them: seed, edit (audited), and the dashboard figures."""

import statistics
from dataclasses import asdict, dataclass, fields
from itertools import pairwise

from sqlalchemy import delete, func
from sqlmodel import Session, select

from portal import audit, regions
from portal.accounts.models import User
from portal.audit import utcnow
from portal.db import fetch_page
from portal.errors import Conflict, DomainError, NotFound
from portal.messages import N_
from portal.money import yuan
from portal.subsidy import program_lookup
from portal.subsidy.models import Application, Program, ProgramTier
from portal.subsidy.rules import facts, national
from portal.subsidy.terms import AmountRule, Status

ENTITY = "subsidy_program"  # what the audit log calls a program
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
        for terms in national.national_programs(code):
            if (terms.year, terms.province_code, terms.kind) in existing:
                continue
            _add_program(session, terms)
            created += 1
    session.flush()
    return created


def _add_program(session: Session, terms: facts.ProgramTerms) -> None:
    values = {f.name: getattr(terms, f.name) for f in fields(terms) if f.name != "tiers"}
    program = Program(**values, budget_fen=national.DEMO_BUDGET_FEN[terms.year])
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


def programs_page(
    session: Session, *, province_code: str | None, year: int | None, page: int, page_size: int
):
    """One page of the programs list (every year of every province is 186 and growing)."""
    statement = select(Program).order_by(
        Program.year.desc(), Program.province_code, Program.kind, Program.id
    )
    if province_code:
        statement = statement.where(Program.province_code == province_code)
    if year:
        statement = statement.where(Program.year == year)
    return fetch_page(session, statement, page, page_size)


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
    _record_change(session, user=user, program=program, action="updated", detail=changes)


def _record_change(
    session: Session, *, user: User, program: Program, action: str, detail: dict
) -> None:
    """Stamp an administrator's change on the program and audit it (the program's history)."""
    program.updated_at = utcnow()
    session.add(program)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        entity=ENTITY,
        entity_id=program.id,
        action=action,
        detail=detail,
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


# --- price tiers ------------------------------------------------------------------------

MAX_TIERS = 10  # per kind of car: a province's table has three to five
CAP_EXCEEDED = {
    True: N_("The amount cannot be above the program's cap for new-energy cars, %(cap)s."),
    False: N_("The amount cannot be above the program's cap for fuel cars, %(cap)s."),
}


class InvalidTier(DomainError):
    """A price tier that cannot stand. index is its place in the list given (None: its
    kind of car has no tier at all); part is "min_price" or "amount"."""

    status = 422

    def __init__(self, message: str, *, new_energy: bool, index: int | None, part: str, **params):
        super().__init__(message, **params)
        self.new_energy, self.index, self.part = new_energy, index, part


def require_tiers(program: Program) -> None:
    """Refuse (409) a program whose amount does not come from price tiers."""
    if program.amount_rule is not AmountRule.TIERS:
        raise Conflict(N_("This program's amount does not come from price tiers."))


def update_tiers(
    session: Session, *, user: User, program: Program, tiers: list[facts.Tier]
) -> None:
    """Replace a TIERS program's invoice-price tiers after checking them; audited."""
    # Locked (PostgreSQL): a second edit at the same moment waits, then replaces these
    # tiers in turn, instead of mixing both. SQLite serialises writers already.
    session.exec(
        select(Program)
        .where(Program.id == program.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    require_tiers(program)
    _check_tiers(program, tiers)
    removed = session.execute(
        delete(ProgramTier)
        .where(ProgramTier.program_id == program.id)
        .returning(ProgramTier.new_energy, ProgramTier.min_price_fen, ProgramTier.amount_fen)
    ).all()
    session.add_all(ProgramTier(program_id=program.id, **asdict(tier)) for tier in tiers)
    session.flush()
    program_lookup.forget_tiers(session)
    before, after = _tier_list(facts.Tier(*row) for row in removed), _tier_list(tiers)
    if before == after:
        return  # saved as they were: nothing to record
    changes = {"tiers": [before, after]}
    _record_change(session, user=user, program=program, action="tiers_updated", detail=changes)


def _tier_list(tiers) -> list[dict]:
    """Tiers as the audit stores them: new-energy first, each kind from the lowest price."""
    ordered = sorted(tiers, key=lambda t: (not t.new_energy, t.min_price_fen))
    return [asdict(tier) for tier in ordered]


def _check_tiers(program: Program, tiers: list[facts.Tier]) -> None:
    """Each kind of car: within its cap, from 0 up, one tier per price, never less for more."""
    _check_kind(tiers, new_energy=True, cap=program.nev_amount_fen)
    _check_kind(tiers, new_energy=False, cap=program.fuel_amount_fen)


def _check_kind(tiers: list[facts.Tier], *, new_energy: bool, cap: int) -> None:
    def refuse(message: str, index: int | None, part: str, **params):
        raise InvalidTier(message, new_energy=new_energy, index=index, part=part, **params)

    mine = [(index, tier) for index, tier in enumerate(tiers) if tier.new_energy is new_energy]
    for index, tier in mine:
        if tier.min_price_fen < 0:
            refuse(N_("The price cannot be negative."), index, "min_price")
        if tier.amount_fen < 0:
            refuse(N_("The amount cannot be negative."), index, "amount")
        if tier.amount_fen > cap:
            refuse(CAP_EXCEEDED[new_energy], index, "amount", cap=yuan(cap))
    if not mine:
        refuse(N_("Enter at least one tier, from 0 yuan."), None, "min_price")
    if len(mine) > MAX_TIERS:
        refuse(N_("At most %(count)s tiers."), mine[MAX_TIERS][0], "min_price", count=MAX_TIERS)
    # By price; tiers of the same price keep the order given (sorted is stable).
    mine.sort(key=lambda pair: pair[1].min_price_fen)
    lowest_index, lowest = mine[0]
    if lowest.min_price_fen != 0:
        refuse(
            N_("The lowest tier must start at 0 yuan, so that every invoice price is covered."),
            lowest_index,
            "min_price",
        )
    for (_index, cheaper), (index, dearer) in pairwise(mine):
        if dearer.min_price_fen == cheaper.min_price_fen:
            refuse(N_("Another tier already starts at this price."), index, "min_price")
        if dearer.amount_fen < cheaper.amount_fen:
            refuse(
                N_(
                    "A more expensive car cannot get less than a cheaper one: the tier "
                    "from %(price)s gets %(amount)s."
                ),
                index,
                "amount",
                price=yuan(cheaper.min_price_fen),
                amount=yuan(cheaper.amount_fen),
            )


# --- dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramFigures:
    program: Program
    by_status: dict[Status, int]
    left_fen: int
    median_days_to_decision: float | None

    @property
    def left_share(self) -> float:
        """The share of the budget still free, 0 to 1 (1 when no budget is set)."""
        budget = self.program.budget_fen
        return self.left_fen / budget if budget else 1.0


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
