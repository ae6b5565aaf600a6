"""Issue 15's done-when in Chromium: the owner photographs the old car's licence and
uploads the new car's e-invoice PDF, sees the fields filled, corrects one and submits;
the reviewer sees the corrected field flagged. (tests/test_reading_wizard.py proves the
same through HTTP on both databases; here a person's clicks do it, on a phone.)

The tests run jobs at once (HUEY_IMMEDIATE), so each reading ends within its upload.
"""

from datetime import timedelta

from portal.accounts.models import Role
from portal.audit import china_today
from tests import papers
from tests import subsidy_helpers as subsidy
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_journeys import (
    enter_the_bank_card,
    save_and_continue,
    start_a_scrapping_application,
    upload_every_paper,
)
from tests.test_reading_flags import licence_of
from tests.test_reading_wizard import demo_invoice

pytestmark = needs_chromium

READ_MARK = "Read from your invoice — check it."


def test_the_owner_applies_from_read_papers_and_the_reviewer_sees_the_correction(journey, session):
    subsidy.seed(session)
    applicant = subsidy.Applicant(session)
    subsidy.factories.user(session, Role.REVIEWER, email="reviewer@example.cn")
    session.commit()
    car = applicant.old_car
    invoice = demo_invoice(buyer_id=applicant.id_number, buyer_name=applicant.person.name)

    owner = journey(locale="en")
    page = owner.page
    owner.sign_in(applicant.email)
    start_a_scrapping_application(owner)

    # The licence, photographed: the portal picks the car it names.
    photo = licence_of(applicant)
    upload_paper(page, {"name": "licence.jpg", "mimeType": "image/jpeg", "buffer": photo})
    page.get_by_text("The car on your licence — check it.").wait_for()
    assert page.is_checked(f"input[name=vehicle_id][value='{car.id}']")
    save_and_continue(page, "new-car")

    # The e-invoice PDF fills the new car's step, each field marked to check.
    pdf = papers.invoice_pdf(invoice)
    upload_paper(page, {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": pdf})
    page.get_by_text(READ_MARK).first.wait_for()
    assert page.input_value("#vin") == invoice.vin
    assert page.input_value("#invoice_number") == invoice.number
    assert page.input_value("#invoice_date") == invoice.issued.isoformat()
    owner.assert_fits()
    owner.assert_accessible()

    # The invoice says 汉; the car is a 汉EV: the owner corrects it and goes on.
    page.fill("#model", "汉EV")
    page.fill("#plate", "粤AD54321")
    page.select_option("#body_type", "sedan")
    page.fill("#seats", "5")
    page.select_option("#fuel_type", "bev")
    page.fill("#registration_date", (china_today() - timedelta(days=2)).isoformat())
    page.select_option("#invoice_city", "440100")
    page.fill("#invoice_buyer_id", applicant.id_number)
    save_and_continue(page, "bank")
    enter_the_bank_card(page)
    upload_every_paper(page)
    with page.expect_navigation(url="**/step/review*"):
        page.click("main section.panel a.button")
    with page.expect_navigation(url="**/subsidies/*"):
        page.click("main section.panel form button.button")
    assert "GD2026S" in page.inner_text("main")
    number = page.url.rstrip("/").rsplit("/", 1)[1]
    owner.finish()

    # The reviewer sees what was read beside what was confirmed: the model is flagged.
    reviewer = journey(locale="en")
    reviewer.sign_in("reviewer@example.cn")
    reviewer.open(f"/review/{number}")
    read = reviewer.page.locator("#read-invoice")
    model_row = read.locator("tr", has_text="Model")
    assert "Changed by the applicant" in model_row.inner_text()
    assert "汉EV" in model_row.inner_text()
    assert "Changed by the applicant" not in read.locator("tr", has_text="VIN").inner_text()
    reviewer.finish()


def upload_paper(page, file: dict) -> None:
    """The step's paper-reading form (form.upload above the step's own form)."""
    form = page.locator("main form.upload").first
    form.locator("input[type=file]").set_input_files(file)
    with page.expect_navigation():
        form.locator("button").click()
