"""Counting working days on China's official calendar (DOMAIN §1.7). Pure: no database.

A `Schedule` knows, for the years it covers, which weekdays are public holidays and which
weekend days are worked to bridge them (调休). Outside its years a day is a working day
when it is Monday to Friday, and a deadline that needed such a day says it is estimated.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache


@dataclass(frozen=True)
class Schedule:
    """The official days off and worked weekend days of the years in `years`."""

    days_off: frozenset[date] = field(default_factory=frozenset)
    days_worked: frozenset[date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """A working day: worked on the official calendar, or Monday to Friday beyond it."""
        if day in self.days_worked:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def knows(self, day: date) -> bool:
        """Whether the official schedule of the day's year is known."""
        return day.year in self.years

    def merged(self, other: "Schedule") -> "Schedule":
        """This schedule with other's years replacing its own (administrators' corrections)."""
        kept_off = {day for day in self.days_off if day.year not in other.years}
        kept_worked = {day for day in self.days_worked if day.year not in other.years}
        return Schedule(
            days_off=frozenset(kept_off | other.days_off),
            days_worked=frozenset(kept_worked | other.days_worked),
            years=self.years | other.years,
        )


@dataclass(frozen=True)
class Deadline:
    """A due date, and whether it rests on the Monday-to-Friday fallback (not official)."""

    day: date
    estimated: bool


# Memoized: a queue page asks the same few start days for each of its rows, and a
# schedule (frozen, its sets' hashes kept) names its calendar exactly (issue 9).
@lru_cache(maxsize=4096)
def add_working_days(start: date, count: int, schedule: Schedule) -> Deadline:
    """The day `count` working days after `start` (counting from the next working day).

    DOMAIN §1.7: 15 working days from Tuesday 2026-02-10 end on 2026-03-09. A negative
    count goes back. `estimated` when a day counted lies in a year without a schedule.
    """
    step = timedelta(days=1 if count >= 0 else -1)
    day, left, estimated = start, abs(count), False
    while left:
        day += step
        if schedule.is_working_day(day):
            left -= 1
            estimated = estimated or not schedule.knows(day)
    return Deadline(day=day, estimated=estimated)


@lru_cache(maxsize=4096)
def working_days_between(start: date, end: date, schedule: Schedule) -> int:
    """Working days after start up to and including end; negative when end is earlier."""
    if end < start:
        return -working_days_between(end, start, schedule)
    days = (start + timedelta(days=offset) for offset in range(1, (end - start).days + 1))
    return sum(1 for day in days if schedule.is_working_day(day))


def parse_days(text: str) -> list[date]:
    """Dates typed one per line or separated by commas; `a..b` (or `a~b`) is a range.

    Raises ValueError naming the first piece that is not a date or a range.
    """
    days: list[date] = []
    for piece in _pieces(text):
        first, _, last = piece.replace("~", "..").partition("..")
        try:
            begin = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else begin
        except ValueError as error:
            raise ValueError(piece) from error
        if end < begin or (end - begin).days > 31:
            raise ValueError(piece)
        days.extend(begin + timedelta(days=n) for n in range((end - begin).days + 1))
    return days


def _pieces(text: str) -> Iterable[str]:
    for line in text.replace("，", ",").replace(",", "\n").splitlines():
        if line.strip():
            yield line.strip()
