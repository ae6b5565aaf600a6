"""When a program takes applications and papers, and the review clock (DOMAIN §1.4)."""

from datetime import date
from enum import StrEnum

from portal.messages import N_
from portal.subsidy.rules.facts import ProgramTerms, Reason

# DOMAIN §1.4, 2026 targets; working days count on the official calendar (portal.workdays).
ACCEPT_DAYS = 3  # calendar days to accept or return
REVIEW_WORKING_DAYS = 15
PAYOUT_WORKING_DAYS = 30  # from approval


# --- The program window (DOMAIN §1.4, pause) ---


def may_start(program: ProgramTerms, today: date) -> Reason | None:
    """Why no new application may start today, or None."""
    closed = _outside_window(program, today)
    if closed is not None:
        return closed
    if program.pause_at is not None and today >= program.pause_at:
        message = N_("The %(year)s program is paused since %(date)s: no new applications.")
        return Reason(message, {"year": program.year, "date": _iso(program.pause_at)})
    return None


def may_submit(program: ProgramTerms, today: date) -> Reason | None:
    """Why an application already started (draft or returned) may not submit today, or None."""
    closed = _outside_window(program, today)
    if closed is not None or program.pause_at is None or today < program.pause_at:
        return closed
    # Without a grace date the pause day itself is the last day for started applications.
    last = program.grace_until or program.pause_at
    if today <= last:
        return None
    message = N_(
        "The %(year)s program is paused since %(pause)s; started applications could "
        "submit until %(date)s."
    )
    return Reason(
        message, {"year": program.year, "pause": _iso(program.pause_at), "date": _iso(last)}
    )


def may_upload(program: ProgramTerms, today: date) -> Reason | None:
    """Documents are accepted exactly as long as submissions are (DOMAIN §1.4 grace date)."""
    return may_submit(program, today)


def _outside_window(program: ProgramTerms, today: date) -> Reason | None:
    """Before the program opens or after it closes."""
    if today < program.opens:
        message = N_("The %(year)s program opens on %(date)s.")
        return Reason(message, {"year": program.year, "date": _iso(program.opens)})
    if today > program.closes:
        message = N_("The %(year)s program closed on %(date)s.")
        return Reason(message, {"year": program.year, "date": _iso(program.closes)})
    return None


class ProgramState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    PAUSED = "paused"  # no new applications; started ones until the grace date
    CLOSED = "closed"


def program_state(*, opens: date, closes: date, pause_at: date | None, today: date) -> ProgramState:
    """Where a program is in its window today (DOMAIN §1.4), for the public budget page."""
    if today < opens:
        return ProgramState.UPCOMING
    if today > closes:
        return ProgramState.CLOSED
    if pause_at is not None and today >= pause_at:
        return ProgramState.PAUSED
    return ProgramState.OPEN


def _iso(day: date) -> str:
    return day.isoformat()
