"""The working-day calendar the portal counts on (DOMAIN §1.7).

The `chinesecalendar` package carries the State Council's schedules it was released
with; a year published after that release is entered by an administrator and replaces
the package's for that year; beyond both, Monday to Friday (and the deadline says so).
The merged schedule is kept per process and reloaded when an administrator saves a year.
"""

from datetime import date
from functools import cache

import chinese_calendar
from sqlalchemy import delete
from sqlmodel import Session, select

from portal import audit
from portal import cache as shared_cache
from portal.db import on_outcome
from portal.errors import DomainError
from portal.messages import N_
from portal.workdays.models import CalendarYear, OfficialDay
from portal.workdays.rules import Deadline, Schedule, add_working_days, working_days_between

CACHE_NAME = "workdays"


@cache
def package_schedule() -> Schedule:
    """The schedule shipped in `chinesecalendar` (its holidays include weekend days off)."""
    days_off = frozenset(chinese_calendar.holidays)
    return Schedule(
        days_off=days_off,
        days_worked=frozenset(chinese_calendar.workdays),
        years=frozenset(day.year for day in days_off),
    )


def schedule(session: Session) -> Schedule:
    """The package's schedule with the administrators' years over it."""
    return shared_cache.versioned(CACHE_NAME, lambda: package_schedule().merged(_entered(session)))


def _entered(session: Session) -> Schedule:
    days = session.exec(select(OfficialDay)).all()
    years = session.exec(select(CalendarYear.year)).all()
    return Schedule(
        days_off=frozenset(row.day for row in days if not row.worked),
        days_worked=frozenset(row.day for row in days if row.worked),
        years=frozenset(years),
    )


def deadline(session: Session, start: date, working_days: int) -> Deadline:
    """The day `working_days` working days after `start` (DOMAIN §1.4, §1.7)."""
    return add_working_days(start, working_days, schedule(session))


def days_left(session: Session, deadline_day: date, today: date) -> int:
    """Working days from today to the deadline; negative when it has passed."""
    return working_days_between(today, deadline_day, schedule(session))


def entered_years(session: Session) -> list[CalendarYear]:
    """The years administrators entered, newest first (a few dozen at most)."""
    return list(session.exec(select(CalendarYear).order_by(CalendarYear.year.desc())))


def entered_days(session: Session, year: int) -> tuple[list[date], list[date]]:
    """An entered year's days off and worked days, in order (empty when not entered)."""
    rows = session.exec(
        select(OfficialDay).where(OfficialDay.year == year).order_by(OfficialDay.day)
    ).all()
    return [r.day for r in rows if not r.worked], [r.day for r in rows if r.worked]


def enter_year(
    session: Session, *, year: int, days_off: list[date], days_worked: list[date], actor_id: int
) -> None:
    """Save a year's official schedule, replacing any entered before (DOMAIN §1.7)."""
    _check_year(year, days_off, days_worked)
    row = session.get(CalendarYear, year) or CalendarYear(year=year)
    row.entered_by, row.entered_at = actor_id, audit.utcnow()
    session.add(row)
    session.exec(delete(OfficialDay).where(OfficialDay.year == year))
    session.flush()
    days = [(day, False) for day in set(days_off)] + [(day, True) for day in set(days_worked)]
    session.add_all(OfficialDay(day=day, year=year, worked=worked) for day, worked in days)
    audit.record(
        session,
        actor_id=actor_id,
        entity="calendar_year",
        entity_id=year,
        action="entered",
        detail={"days_off": len(set(days_off)), "days_worked": len(set(days_worked))},
    )
    on_outcome(session, committed=lambda: shared_cache.bump(CACHE_NAME), rolled_back=_nothing)


class ScheduleError(DomainError):
    """A schedule that cannot be right; `field` names the list it is about."""

    status = 422

    def __init__(self, message: str, *, field: str, **params):
        super().__init__(message, **params)
        self.field = field


def _check_year(year: int, days_off: list[date], days_worked: list[date]) -> None:
    if not days_off:
        raise ScheduleError(N_("Enter the public holidays of the year."), field="days_off")
    for name, days in (("days_off", days_off), ("days_worked", days_worked)):
        outside = [day for day in days if day.year != year]
        if outside:
            message = N_("%(day)s is not in %(year)s.")
            raise ScheduleError(message, field=name, day=outside[0].isoformat(), year=year)
    both = set(days_off) & set(days_worked)
    if both:
        message = N_("%(day)s is both off and worked.")
        raise ScheduleError(message, field="days_worked", day=min(both).isoformat())
    weekdays = [day for day in days_worked if day.weekday() < 5]
    if weekdays:
        message = N_("%(day)s is a weekday: only Saturdays and Sundays are entered as worked.")
        raise ScheduleError(message, field="days_worked", day=weekdays[0].isoformat())


def _nothing() -> None:
    """Nothing to undo outside the database."""
