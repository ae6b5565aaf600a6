"""The transfer's people in Chromium on a phone: the dealer files, uploads and pays
(against localstripe), then the origin's and the destination's officers finish the case."""

from datetime import timedelta

from portal.accounts.models import Role
from portal.audit import china_today
from tests import factories
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_journeys import PDF
from tests.payments_helpers import (  # noqa: F401  (fixtures: the app talks to localstripe)
    live_server_fixture,
    localstripe_fixture,
    stripe_app_fixture,
)

pytestmark = needs_chromium


def file_a_case(dealer, car, seller_id: str) -> None:
    """The dealer finds the car by its plate and files the sale to Chengdu."""
    page = dealer.page
    dealer.open("/transfers/new")
    page.fill("#q", car.plate)
    with page.expect_navigation():
        page.click("main form.search button")
    page.fill("#seller_name", "李娜")
    page.fill("#seller_identifier", seller_id)
    page.check("input[name=buyer_kind][value=person]")
    page.fill("#buyer_name", "王钰萱")
    page.fill("#buyer_identifier", factories.resident_id(region="510104"))
    with page.expect_response(lambda r: "/cities?" in r.url):
        page.select_option("#destination_province", "510000")
    page.select_option("#destination_city", "510100")
    page.fill("#price", "86500")
    page.fill("#sale_date", (china_today() - timedelta(days=2)).isoformat())
    page.fill("#mileage_km", "68000")
    with page.expect_navigation(url="**/transfers/*"):
        page.click("main form[method=post] button.button")


def test_a_dealer_files_uploads_and_pays_then_both_officers_finish(
    journey, session, localstripe, live_server
):
    localstripe.send_webhooks_to(live_server + "/payments/stripe/webhook")
    seller_id = factories.resident_id()
    car = factories.vehicle(
        session, owner=factories.person(session, name="李娜", id_number=seller_id), plate="粤B12345"
    )
    factories.user(
        session, Role.DEALER, email="dealer@example.cn", dealer_row=factories.dealer(session)
    )
    factories.user(session, Role.OFFICER, email="gd@example.cn", province_code="440000")
    factories.user(session, Role.OFFICER, email="sc@example.cn", province_code="510000")
    session.commit()

    dealer = journey()
    page = dealer.page
    dealer.sign_in("dealer@example.cn")
    file_a_case(dealer, car, seller_id)
    case_path = page.url.removeprefix(dealer.base)
    uploads = page.locator("#documents form.upload")
    for index in range(uploads.count()):
        form = page.locator("#documents form.upload").nth(index)
        form.locator("input[type=file]").set_input_files(PDF)
        with page.expect_navigation():
            form.locator("button").click()
    assert page.locator("#documents li.missing").count() == 0
    with page.expect_navigation():
        page.click("main form[action$='/submit'] button")
    dealer.assert_accessible()
    with page.expect_navigation(url="**/payments/*"):
        page.click("#fees form button")
    dealer.assert_accessible()
    with page.expect_navigation(url="**/payments/*/status"):
        page.click("form.test-card button")
    page.locator(".status-payment-succeeded").wait_for()  # htmx polls until the webhook
    dealer.open(case_path)
    assert "王钰萱" in page.inner_text("main")
    dealer.finish()

    origin = journey()
    page = origin.page
    origin.sign_in("gd@example.cn")
    origin.open("/transfers/?direction=outgoing")
    row = page.locator("tbody tr").first
    with page.expect_response(lambda r: r.url.endswith("/inspect?direction=outgoing")):
        row.locator("button").click()
    row.locator(".status-case-inspected").wait_for()
    with page.expect_response(lambda r: r.url.endswith("/release?direction=outgoing")):
        row.locator("button").click()
    row.locator(".status-case-released").wait_for()
    assert row.locator("button").count() == 0  # registering is the destination's step
    origin.open(case_path)
    assert page.locator("main form[action$='/register']").count() == 0
    origin.finish()

    destination = journey()
    page = destination.page
    destination.sign_in("sc@example.cn")
    destination.open(case_path)
    for step in ("register", "complete"):
        with page.expect_navigation():
            page.click(f"main form[action$='/{step}'] button")
    assert page.locator(".status-case-completed").count() == 1
    page.emulate_media(media="print")  # the case prints as paper: no menu, no buttons
    assert not page.locator(".site-header").is_visible()
    assert (
        page.locator("#documents").is_visible() and not page.locator("main form").first.is_visible()
    )
    page.emulate_media(media="screen")
    destination.finish()
