"""Every role's main journey through the real pages in Chromium, on a phone (issue 14).

Each waits for what the page shows, never for time, and ends with `Journey.finish`: no
page wider than the phone, no console error, no 404 or 5xx, no serious axe-core finding.
"""

from datetime import timedelta

from portal.accounts.models import Role
from portal.audit import china_today
from tests import subsidy_helpers as subsidy
from tests.e2e.conftest import needs_chromium

pytestmark = needs_chromium

PDF = {"name": "paper.pdf", "mimeType": "application/pdf", "buffer": subsidy.PDF}


def save_and_continue(page, next_step: str) -> None:
    with page.expect_navigation(url=f"**/step/{next_step}*"):  # with #step-form, if skipped
        # The step's own form, not the paper-reading upload above it (form.upload).
        page.click("main section.panel form:not(.upload) button.button")


def start_a_scrapping_application(owner) -> None:
    """The wizard's first step: scrapping renewal in Guangdong, then on to the old car."""
    owner.open("/subsidies/new")
    owner.page.check("input[name=kind][value=scrapping]")
    owner.page.select_option("#province", subsidy.GUANGDONG)
    save_and_continue(owner.page, "old-car")


def enter_the_bank_card(page) -> None:
    """The bank step: the demo Type-I card, then on to the papers."""
    page.fill("#card", subsidy.CARD)
    page.fill("#bank", "中国工商银行")
    save_and_continue(page, "documents")


def upload_every_paper(page) -> None:
    """The papers step: a PDF into each paper's upload form, one after another."""
    uploads = page.locator("form.upload")
    for index in range(uploads.count()):
        form = uploads.nth(index)
        form.locator("input[type=file]").set_input_files(PDF)
        with page.expect_navigation(url="**/step/documents*"):
            form.locator("button").click()


def test_an_owner_applies_from_the_first_step_to_submission(journey, session):
    subsidy.seed(session)
    applicant = subsidy.Applicant(session)
    owner = journey()
    page = owner.page
    owner.sign_in(applicant.email)

    start_a_scrapping_application(owner)
    page.check(f"input[name=vehicle_id][value='{applicant.old_car.id}']")
    save_and_continue(page, "new-car")

    # The first Tab reaches the skip link, which lands on the step's form (point 11): its
    # first field is the invoice to read (issue 15), the typed fields follow.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#step-form') !== null")
    assert page.evaluate("document.activeElement.type") == "file"
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
    enter_the_bank_card(page)

    upload_every_paper(page)
    assert page.locator(".checklist li.missing").count() == 0
    owner.assert_fits()
    with page.expect_navigation(url="**/step/review*"):
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


def test_a_reviewer_opens_returns_and_approves(journey, session, app):
    subsidy.seed(session)
    files = app.extensions["storage"]
    to_return = subsidy.submitted(session, subsidy.Applicant(session), files=files)
    to_approve = subsidy.submitted(session, subsidy.Applicant(session), files=files)
    subsidy.factories.user(session, Role.REVIEWER, email="reviewer@example.cn")
    session.commit()
    reviewer = journey()
    page = reviewer.page
    reviewer.sign_in("reviewer@example.cn")

    reviewer.open("/review/")
    with page.expect_navigation(url=f"**/review/{to_return.id}"):
        page.click(f"text={to_return.number}")
    reviewer.assert_fits()
    reviewer.assert_accessible()
    page.fill("#return-note", "新车发票照片不清晰，请重新上传。")
    with page.expect_navigation():
        page.click("text=退回补正 >> nth=-1")
    assert "退回补正" in page.inner_text("main .status")

    # Approving from a queue row asks first, naming the application, then swaps the row.
    reviewer.open("/review/")
    row = page.locator(f"#application-{to_approve.id}")
    row.locator("button").click()
    dialog = page.locator("dialog#confirm")
    dialog.wait_for(state="visible")
    assert to_approve.number in dialog.inner_text()
    with page.expect_response(lambda r: r.url.endswith(f"/review/{to_approve.id}/approve")):
        dialog.locator("button[value=yes]").click()
    row.locator(".status-subsidy-approved").wait_for()
    reviewer.finish()


def test_an_administrator_batches_a_payout_and_uploads_the_results(journey, session, app):
    subsidy.seed(session)
    reviewer = subsidy.factories.user(session, Role.REVIEWER)
    files = app.extensions["storage"]
    paid, failed = (
        subsidy.approved(session, subsidy.Applicant(session), reviewer, files=files)
        for _ in range(2)
    )
    subsidy.factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    admin = journey()
    page = admin.page
    admin.sign_in("admin@example.cn")

    admin.open("/admin/subsidies/payouts")
    page.select_option("#make-batch select", subsidy.GUANGDONG)
    with page.expect_navigation(url="**/payouts/*"):
        page.click("#make-batch button")
    assert paid.number in page.inner_text("main") and failed.number in page.inner_text("main")
    page.click(".batch-actions form button")
    dialog = page.locator("dialog#confirm")
    dialog.wait_for(state="visible")
    with page.expect_navigation():
        dialog.locator("button[value=yes]").click()

    results = f"application,result,reason\n{paid.number},paid,\n{failed.number},failed,账户已销户\n"
    page.set_input_files(
        "#results input[type=file]",
        {"name": "results.csv", "mimeType": "text/csv", "buffer": results.encode()},
    )
    with page.expect_navigation():
        page.click("#results button")
    page.locator("#results .report").wait_for()
    assert "账户已销户" in page.inner_text("#failed")
    admin.finish()
