"""Eligibility without applying: would this old car and new car earn a subsidy, and how much?

The owner states the kind, the province, the old car by VIN and, optionally, the new car;
the answer is what an application with those facts would be told today (DOMAIN §1.2).
It comes from the application's own code: the old car is chosen and the new car saved on
an `Application` that is never added to the session, and `assessment.assess` reads it as
it reads a draft. So the checks, the registry look-ups and the rules exist once, and
nothing is written. Used by the JSON API; the pages can call it before a draft exists.
"""

from dataclasses import replace
from datetime import date

from sqlmodel import Session

from portal.accounts.models import User
from portal.errors import DomainError, NotFound
from portal.messages import N_
from portal.subsidy import program_lookup
from portal.subsidy.apply import services
from portal.subsidy.assessment import assess
from portal.subsidy.models import Application
from portal.subsidy.rules import facts, window
from portal.subsidy.terms import Kind


def check(
    session: Session,
    *,
    user: User,
    kind: Kind,
    province_code: str,
    old_vin: str,
    new: services.NewCarEntry | None,
    today: date,
    program_year: int | None = None,
) -> facts.Assessment:
    """What the rules say of this application if the owner made it today; nothing is saved.

    NotFound when the province has no program of this kind that year (this year unless
    `program_year` names one: reviewers and auditors check an application against the
    rules it was made under), or when the old car is not one the owner holds or held. A
    program that takes no new applications today (closed, paused) adds its reason first:
    the owner could not apply for the amount.
    """
    if user.person_id is None:
        raise DomainError(N_("Link your account to your registry record before applying."))
    program = program_lookup.program_of_year(
        session, province_code=province_code, kind=kind, year=program_year or today.year
    )
    # Transient: never session.add()ed, so nothing here reaches the database. Its id is
    # None, so the assessment's `Application.id != application.id` becomes IS NOT NULL and
    # every live claim counts (tests/test_api_subsidy.py checks both).
    application = Application(
        program_id=program.id,
        province_code=program.province_code,
        applicant_id=user.id,
        person_id=user.person_id,
    )
    services.choose_old_car(
        session,
        application=application,
        vehicle_id=_held_car_id(session, user, old_vin),
        flush=False,
    )
    if new is not None:
        services.save_new_car(session, application=application, entry=new, flush=False)
    assessment = assess(session, application, today=today)
    closed = window.may_start(program_lookup.program_terms(session, program), today)
    if closed is None:
        return assessment
    return replace(assessment, reasons=(closed, *assessment.reasons))


def _held_car_id(session: Session, user: User, vin: str) -> int:
    """The id of the car with this VIN among those the owner holds or held (§1.1)."""
    for car in services.old_car_choices(session, user=user):
        if car.vin == vin:
            return car.id
    raise NotFound(N_("This car is not one of yours in the registry."))
