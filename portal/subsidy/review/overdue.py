"""Each working morning, reviewers hear how many applications in their queue are past
the 15-working-day review target (DOMAIN §1.4, §6)."""

from datetime import date

from sqlalchemy import String, func
from sqlmodel import Session, select

from portal.accounts.models import Role, User
from portal.audit import china_midnight
from portal.db import inline
from portal.notices import services as notices
from portal.notices.services import Tell
from portal.subsidy import standing
from portal.subsidy.models import Application
from portal.subsidy.terms import Status
from portal.workdays import services as workdays


def tell_reviewers(session: Session, today: date) -> int:
    """One notice per reviewer of each province with overdue applications; how many sent."""
    if not workdays.schedule(session).is_working_day(today):
        return 0
    cutoff = china_midnight(standing.review_cutoff(session, today))
    overdue = dict(
        session.exec(
            select(Application.province_code, func.count())
            .where(
                Application.status == inline(Status.SUBMITTED.value, String()),
                Application.clock_start < cutoff,
            )
            .group_by(Application.province_code)
        ).all()
    )
    if not overdue:
        return 0
    reviewers = session.exec(
        select(User.id, User.province_code).where(
            User.role == Role.REVIEWER, User.active, User.province_code.in_(sorted(overdue))
        )
    ).all()
    tells = [
        Tell(
            user_id,
            "queue_overdue",
            {"count": overdue[province], "province": {"region": province}},
            "/review/?overdue=1",
        )
        for user_id, province in reviewers
    ]
    notices.notify_all(session, tells)
    return len(tells)
