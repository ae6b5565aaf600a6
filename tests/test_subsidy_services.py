"""The subsidy services end to end below HTTP: submit, approve against the budget, pay."""

from datetime import date

from portal.accounts.models import Role
from portal.audit import china_today
from portal.subsidy import budget
from portal.subsidy.assessment import assess
from portal.subsidy.terms import Kind, Status
from tests import factories
from tests import subsidy_helpers as h


def test_submitted_application_is_numbered_and_priced(app, session):
    h.seed(session)
    applicant = h.Applicant(session)
    application = h.submitted(session, applicant, files=app.extensions["storage"])
    assert application.status is Status.SUBMITTED
    assert application.number.startswith("GD2026S")
    assert application.amount_fen == 2_000_000


def test_approval_reserves_the_amount(app, session):
    h.seed(session)
    reviewer = factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG)
    application = h.approved(
        session, h.Applicant(session), reviewer, files=app.extensions["storage"]
    )
    program = h.program(session)
    session.refresh(program)
    assert application.status is Status.APPROVED
    assert program.reserved_fen == 2_000_000
    assert budget.balance(session, program.id).matches(program)


def _sold_through_a_transfer(session, applicant, sale_date):
    """The applicant's old car sold to another province: a completed transfer case."""
    from portal.registry.models import Ownership

    buyer = factories.person(session, name="李娜")
    case = factories.transfer_case(
        session,
        applicant.old_car,
        price_fen=3_000_000,
        mileage_km=150_000,
        sale_date=sale_date,
        buyer=buyer,
    )
    held = session.get(Ownership, case.seller_ownership_id)
    held.end = sale_date
    session.add(held)
    session.flush()
    session.add(
        Ownership(
            vehicle_id=applicant.old_car.id,
            person_id=buyer.id,
            start=sale_date,
            acquired="transfer",
        )
    )
    session.commit()


def test_replacement_reads_the_old_cars_completed_transfer(app, session):
    h.seed(session)
    applicant = h.Applicant(session, first_registration=date(2018, 5, 6))
    application = h.draft(
        session, applicant, kind=Kind.REPLACEMENT, files=app.extensions["storage"]
    )
    before = assess(session, application, today=china_today())
    assert any("transfer" in reason.message for reason in before.reasons)
    _sold_through_a_transfer(session, applicant, sale_date=date(2026, 3, 2))
    after = assess(session, application, today=china_today())
    assert after.eligible, after.reasons
    assert after.amount.fen == 1_344_000  # 8 % of ¥168,000 = ¥13,440, under the ¥15,000 cap
