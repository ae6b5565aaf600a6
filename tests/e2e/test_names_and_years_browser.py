"""In Chromium on a phone: English pages name cars in English (issue 14, point 10), and a
reviewer checks an application against an earlier year's program (issue 16). Screenshots
go to $SCREENSHOTS when it is set."""

from portal.accounts.models import Role
from portal.valuation import services as valuation
from tests import factories
from tests import subsidy_helpers as h
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_phone_widths import shoot

pytestmark = needs_chromium


def test_a_reviewer_reads_english_names_and_checks_an_earlier_year(app, session, journey):
    valuation.load_catalog(session)
    h.seed(session)
    factories.user(session, Role.REVIEWER, email="gd@example.cn")
    application = h.submitted(session, h.Applicant(session), files=app.extensions["storage"])
    reviewer = journey(locale="en")
    reviewer.sign_in("gd@example.cn")
    reviewer.open(f"/review/{application.id}")
    page = reviewer.page
    assert page.get_by_text("Volkswagen Lavida").count() and page.get_by_text("BYD Seal").count()
    page.select_option("#program_year", "2024")
    with page.expect_navigation():
        page.click("#rules form button")
    page.wait_for_selector("text=Checked against the 2024 program")
    assert page.locator("#rules .rule-failed").count() > 0
    assert page.input_value("#program_year") == "2024"
    shoot(reviewer, "review-program-2024-en")
    reviewer.finish()
