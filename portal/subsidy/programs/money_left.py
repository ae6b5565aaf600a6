"""Money left, for everyone: each province's programs of the year, from the shared cache.

CARS (2009) lost the order of claims and Germany's 2009 portal drowned in people
refreshing to see whether money was left (DOMAIN §1.4, §1.6): the figures are public,
and on opening day every visitor reads the same copy, computed at most once every
`SECONDS` for all web workers (portal.cache, Redis when configured), never a query per
visitor. The programs of a year are 31 provinces × 2 kinds: one small read.
"""

from datetime import date

from sqlmodel import Session, select

from portal import cache
from portal.audit import utcnow
from portal.subsidy.models import Program
from portal.subsidy.rules.window import program_state

SECONDS = 5


def figures(session: Session, today: date) -> dict:
    """The year's programs with budget, reserved, paid and left, and when they were read."""
    return cache.remembered(
        f"subsidy:budget:{today.isoformat()}", SECONDS, lambda: _read(session, today)
    )


def programs_in(figures: dict, province_code: str | None) -> list[dict]:
    """The figures' programs of one province, or of every province (None)."""
    return [row for row in figures["programs"] if province_code in (None, row["province_code"])]


def _read(session: Session, today: date) -> dict:
    programs = session.exec(
        select(Program)
        .where(Program.year == today.year)
        .order_by(Program.province_code, Program.kind)
    ).all()
    return {
        "year": today.year,
        "as_of": utcnow().isoformat(),
        "programs": [_row(p, today) for p in programs],
    }


def _row(program: Program, today: date) -> dict:
    left = program.budget_fen - program.reserved_fen - program.paid_fen
    return {
        "province_code": program.province_code,
        "kind": program.kind.value,
        "budget_fen": program.budget_fen,
        "reserved_fen": program.reserved_fen,
        "paid_fen": program.paid_fen,
        "left_fen": left,
        "left_percent": 100 * left // program.budget_fen if program.budget_fen else 0,
        "state": program_state(
            opens=program.opens, closes=program.closes, pause_at=program.pause_at, today=today
        ).value,
        "pause_at": _iso(program.pause_at),
        "grace_until": _iso(program.grace_until or program.pause_at),
        "closes": program.closes.isoformat(),
        "updated_at": program.updated_at.isoformat(),
    }


def running_low(figures: dict, share_percent: int, province_code: str | None = None) -> list[dict]:
    """Open programs whose money left is under the share (of one province, if given)."""
    return [
        row
        for row in figures["programs"]
        if row["state"] == "open"
        and row["left_percent"] < share_percent
        and province_code in (None, row["province_code"])
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
