"""Where an application stands: its place in the queue, and when a decision and the
money are due (DOMAIN §1.4, §1.7).

The place is first in, first out by submission time among the program's pending
applications; a returned application that is resubmitted keeps its first submission
time (`submitted_at`), so it keeps its place. It is one count over the partial index
`ix_application_program_pending`, never a count per row of a list, and on the applicant's
pages at most one every few seconds, shared (`shared_queue_position`); the receipt counts
the place at submission itself.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, func, tuple_
from sqlmodel import Session, select

from portal import cache
from portal.audit import china_date, utcnow
from portal.db import inline
from portal.subsidy.models import Application
from portal.subsidy.rules import window
from portal.subsidy.terms import Status
from portal.workdays import services as workdays
from portal.workdays.rules import Deadline

# After approval, the money is what the applicant waits for (DOMAIN §1.4: 30 working days).
PAYOUT_STAGES = (
    Status.APPROVED,
    Status.PAYING,
    Status.PAYOUT_FAILED,
    Status.ACCOUNT_RETURNED,
    Status.PAID,
)
DECIDED_WINDOW = timedelta(days=7)
DECIDED_CACHE_SECONDS = 60  # the same figure for everyone in the program
# An applicant refreshing her page, on every machine, costs one count per this many seconds.
PLACE_CACHE_SECONDS = 10


@dataclass(frozen=True)
class Standing:
    position: int | None  # 1 = next to be reviewed; None when not waiting for review
    resubmitted: bool  # returned and submitted again: kept its original place
    decided_last_week: int  # of the same program, for a sense of the pace
    decision_due: Deadline | None
    payout_due: Deadline | None


def standing(session: Session, application: Application) -> Standing:
    """Everything an applicant wants to know about the wait, in two small queries."""
    return Standing(
        position=shared_queue_position(session, application),
        resubmitted=application.clock_start != application.submitted_at,
        decided_last_week=decided_recently(session, application.program_id),
        decision_due=decision_due(session, application),
        payout_due=payout_due(session, application),
    )


def shared_queue_position(session: Session, application: Application) -> int | None:
    """The place as the applicant's pages show it: counted at most every few seconds and
    shared by the web machines (issue 9: no count per request); last of 50,000 in a
    program, the count is 5 ms of index scan."""
    if not _in_queue(application):
        return None
    key = f"subsidy:place:{application.id}:{application.submitted_at.isoformat()}"
    return cache.remembered(key, PLACE_CACHE_SECONDS, lambda: queue_position(session, application))


def queue_position(session: Session, application: Application) -> int | None:
    """1 + the program's pending applications submitted before this one."""
    if not _in_queue(application):
        return None
    ahead = (
        select(func.count())
        .select_from(Application)
        .where(
            Application.program_id == application.program_id,
            # Written into the SQL, so PostgreSQL sees that the partial index fits.
            Application.status == inline(Status.SUBMITTED.value, String()),
            tuple_(Application.submitted_at, Application.id)
            < tuple_(application.submitted_at, application.id),
        )
    )
    return session.exec(ahead).one() + 1


def _in_queue(application: Application) -> bool:
    """Waiting for review, so it has a place (a returned one waits for its owner)."""
    return application.status is Status.SUBMITTED and application.submitted_at is not None


def decided_recently(session: Session, program_id: int) -> int:
    """Applications of the program decided in the last 7 days (shared, a minute old at most)."""

    def count() -> int:
        since = utcnow() - DECIDED_WINDOW
        statement = select(func.count()).where(
            Application.program_id == program_id, Application.decided_at >= since
        )
        return session.exec(statement.select_from(Application)).one()

    return cache.remembered(f"subsidy:decided:{program_id}", DECIDED_CACHE_SECONDS, count)


def decision_due(session: Session, application: Application) -> Deadline | None:
    """15 working days from (re)submission while the review runs (DOMAIN §1.4)."""
    if application.status is not Status.SUBMITTED or application.clock_start is None:
        return None
    started = china_date(application.clock_start)
    return workdays.deadline(session, started, window.REVIEW_WORKING_DAYS)


def payout_due(session: Session, application: Application) -> Deadline | None:
    """30 working days from approval, once approved (DOMAIN §1.4)."""
    if application.status not in PAYOUT_STAGES or application.decided_at is None:
        return None
    approved = china_date(application.decided_at)
    return workdays.deadline(session, approved, window.PAYOUT_WORKING_DAYS)


def review_days_left(session: Session, application: Application, today: date) -> int | None:
    """Working days to the review target; negative when overdue; None when not in review."""
    due = decision_due(session, application)
    return None if due is None else workdays.days_left(session, due.day, today)


def review_cutoff(session: Session, today: date):
    """Submitted before this day (China's midnight) the 15-working-day target has passed."""
    return workdays.deadline(session, today, -window.REVIEW_WORKING_DAYS).day
