"""When a program takes applications and papers, and the review clock (DOMAIN §1.4)."""

from datetime import date

from portal.messages import N_
from portal.subsidy.rules.facts import ProgramTerms, Reason

# DOMAIN §1.4, 2026 targets.
REVIEW_WORKING_DAYS = 15


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


# --- The review clock (DOMAIN §1.4) ---
# Working days are Monday to Friday. There is no holiday calendar (Spring Festival,
# National Day and their make-up working Saturdays are not modelled), so deadlines
# across holidays come out early: the queue errs on the side of urgency.


def add_working_days(start: date, n: int) -> date:
    """The day n working days after start (Friday + 1 = Monday); n may be negative."""
    step = 1 if n >= 0 else -1
    day, left = start, abs(n)
    while left:
        day = date.fromordinal(day.toordinal() + step)
        if day.weekday() < 5:
            left -= 1
    return day


def working_days_left(start: date, target: int, today: date) -> int:
    """Working days from today to the deadline start + target; negative when overdue."""
    deadline = add_working_days(start, target)
    return _weekdays_through(deadline) - _weekdays_through(today)


def _weekdays_through(day: date) -> int:
    """Working days from 0001-01-01 (a Monday) up to and including day."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _iso(day: date) -> str:
    return day.isoformat()
