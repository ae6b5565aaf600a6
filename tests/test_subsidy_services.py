"""The subsidy services end to end below HTTP: submit, approve against the budget, pay."""

from portal.accounts.models import Role
from portal.subsidy import budget
from portal.subsidy.terms import Status
from tests import factories
from tests import subsidy_helpers as h


def test_submitted_application_is_numbered_and_priced(app, session):
    h.seed(session)
    applicant = h.Applicant(session)
    application = h.submitted(session, applicant, folder=app.config["UPLOAD_FOLDER"])
    assert application.status is Status.SUBMITTED
    assert application.number.startswith("GD2026S")
    assert application.amount_fen == 2_000_000


def test_approval_reserves_the_amount(app, session):
    h.seed(session)
    reviewer = factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG)
    application = h.approved(
        session, h.Applicant(session), reviewer, folder=app.config["UPLOAD_FOLDER"]
    )
    program = h.program(session)
    session.refresh(program)
    assert application.status is Status.APPROVED
    assert program.reserved_fen == 2_000_000
    assert budget.balance(session, program.id).matches(program)
