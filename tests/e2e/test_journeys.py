"""Every role's main journey through the real pages in Chromium, on a phone (issue 14).

Each waits for what the page shows, never for time, and ends with `Journey.finish`: no
page wider than the phone, no console error, no 404 or 5xx, no serious axe-core finding.
"""

from datetime import timedelta

from portal.audit import china_today
from tests import subsidy_helpers as subsidy
from tests.e2e.conftest import needs_chromium

pytestmark = needs_chromium

PDF = {"name": "paper.pdf", "mimeType": "application/pdf", "buffer": subsidy.PDF}


def save_and_continue(page, next_step: str) -> None:
    with page.expect_navigation(url=f"**/step/{next_step}"):
        page.click("main section.panel form button.button")


def test_an_owner_applies_from_the_first_step_to_submission(journey, session):
    subsidy.seed(session)
    applicant = subsidy.Applicant(session)
    owner = journey()
    page = owner.page
    owner.sign_in(applicant.email)

    owner.open("/subsidies/new")
    page.check("input[name=kind][value=scrapping]")
    page.select_option("#province", subsidy.GUANGDONG)
    save_and_continue(page, "old-car")
    page.check(f"input[name=vehicle_id][value='{applicant.old_car.id}']")
    save_and_continue(page, "new-car")

    today = china_today()
    page.fill("#vin", subsidy.factories.vin(wmi="LC0"))
    page.fill("#plate", "粤AD12345")
    page.fill("#brand", "比亚迪")
    page.fill("#model", "海豹")
    page.select_option("#body_type", "sedan")
    page.fill("#seats", "5")
    page.select_option("#fuel_type", "bev")
    page.fill("#registration_date", (today - timedelta(days=2)).isoformat())
    page.fill("#invoice_number", "44001234")
    page.fill("#invoice_date", (today - timedelta(days=5)).isoformat())
    page.fill("#invoice_price", "168000")
    page.select_option("#invoice_city", "440100")
    page.fill("#invoice_buyer_id", applicant.id_number)
    save_and_continue(page, "bank")
    page.fill("#card", subsidy.CARD)
    page.fill("#bank", "中国工商银行")
    save_and_continue(page, "documents")

    uploads = page.locator("form.upload")
    for index in range(uploads.count()):
        form = uploads.nth(index)
        form.locator("input[type=file]").set_input_files(PDF)
        with page.expect_navigation(url="**/step/documents"):
            form.locator("button").click()
    assert page.locator(".checklist li.missing").count() == 0
    owner.assert_fits()
    with page.expect_navigation(url="**/step/review"):
        page.click("main section.panel a.button")
    assert "¥20,000.00" in page.inner_text("main")
    owner.assert_accessible()
    with page.expect_navigation(url="**/subsidies/*"):
        page.click("main section.panel form button.button")
    assert "GD2026S" in page.inner_text("main h1, main .meta, main")

    # Withdrawing asks first; cancelling leaves the application as it was.
    page.click("text=撤回申请")
    dialog = page.locator("dialog#confirm")
    dialog.wait_for(state="visible")
    assert "撤回" in dialog.inner_text()
    owner.assert_accessible()
    dialog.locator("button[value=no]").click()
    dialog.wait_for(state="hidden")
    assert "已提交" in page.inner_text("main")
    owner.finish()
