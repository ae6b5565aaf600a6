"""End to end in headless Chromium: sign in, search as you type (htmx), open a vehicle;
a dependent select (a province's cities) filled by htmx."""

from portal.accounts.models import Role
from tests import factories
from tests.e2e.conftest import needs_chromium

pytestmark = needs_chromium


def _signed_in_phone(browser, live_server: str, email: str):
    """A phone-sized page in Chinese, signed in as email."""
    # wait_for_function evaluates its text, which the CSP refuses (unsafe-eval); the
    # policy itself is checked in test_csp_browser.py.
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
    page.goto(live_server + "/login")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("form button.button")
    return page


def test_admin_finds_a_vehicle_as_they_type_on_a_phone(live_server, browser, session):
    owner = factories.person(session, name="李娜")
    car = factories.vehicle(session, owner=owner, plate="粤B12345")
    factories.vehicle(session, owner=owner, plate="粤B99999", vin=factories.vin(wmi="LFV"))
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()

    page = _signed_in_phone(browser, live_server, "admin@example.cn")
    page.goto(live_server + "/vehicles")
    page.type("#q", "粤B123", delay=50)
    page.wait_for_function("document.querySelectorAll('#results .vin').length === 1")
    assert page.inner_text("#results .vin") == car.vin
    assert "q=%E7%B2%A4B123" in page.url  # the search is in the address, for back and reload
    page.click("#results a")
    page.wait_for_url(f"**/vehicles/{car.id}")
    assert "李娜" in page.inner_text(".timeline")
    page.close()


def test_a_dealer_picks_the_buyer_s_province_then_its_city(live_server, browser, session):
    """The province select fetches its cities (GET /cities, htmx) into the city select."""
    company = factories.dealer(session)
    car = factories.vehicle(session, owner=factories.person(session))
    factories.user(session, Role.DEALER, email="dealer@example.cn", dealer_row=company)
    session.commit()

    page = _signed_in_phone(browser, live_server, "dealer@example.cn")
    page.goto(live_server + f"/transfers/new?q={car.vin}")
    page.select_option("#destination_province", "510000")
    page.wait_for_function("document.querySelector('#destination_city option[value=\"510100\"]')")
    page.select_option("#destination_city", "510100")
    assert page.eval_on_selector("#destination_city", "select => select.value") == "510100"
    assert page.query_selector("#destination_city option[value='440300']") is None
    page.close()


def test_a_filled_button_and_an_outlined_one_side_by_side_read_on_one_line(journey):
    """The visitor's two first buttons: the outlined one's border pushed its words a pixel
    below the filled one's, so the pair looked out of line."""
    visitor = journey()
    visitor.open("/")
    offsets = visitor.page.evaluate(
        """() => [...document.querySelectorAll('main .actions .button')].map(button => {
             const words = document.createRange(); words.selectNodeContents(button);
             return [button.getBoundingClientRect().top, words.getBoundingClientRect().top]; })"""
    )
    (box, words), (other_box, other_words) = offsets[:2]
    assert box == other_box and words == other_words
    visitor.finish()
