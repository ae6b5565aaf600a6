"""A visitor values a car in Chromium on a phone: by VIN, then by a model from the lists."""

from portal.valuation import services as valuation
from tests import factories
from tests.e2e.conftest import needs_chromium

pytestmark = needs_chromium
RESULT = "document.querySelector('#valuation-result .price-private .price-mid')"


def _prices(page) -> list[int]:
    texts = page.locator("#valuation-result .price-mid").all_inner_texts()
    return [int("".join(c for c in text if c.isdigit())) for text in texts]


def test_a_visitor_values_a_car_by_vin_and_by_model(journey, session):
    valuation.load_catalog(session)
    car = factories.vehicle(session, owner=factories.person(session), brand="大众", model="朗逸")
    valuation.link_vehicles(session)
    session.commit()

    visitor = journey()
    page = visitor.page
    visitor.open("/valuation/")
    page.fill("#vin", car.vin)
    page.fill("#mileage", "60000")
    page.select_option("#province", "440000")
    page.wait_for_function("document.querySelector('#city option[value=\"440300\"]') !== null")
    page.select_option("#city", "440300")
    page.wait_for_function(f"{RESULT} !== null")
    dealer, private, retail = _prices(page)
    assert 0 < dealer < private < retail
    assert "朗逸" in page.inner_text("#valuation-result")

    with page.expect_response(lambda r: "/valuation/result" in r.url):
        page.fill("#vin", "")
    with page.expect_response(lambda r: "/valuation/result" in r.url):  # after the series list
        page.select_option("#brand", "大众")
    with page.expect_response(lambda r: "/valuation/trims" in r.url):
        page.select_option("#series", "朗逸")
    # The answer has come; wait until htmx has swapped the trims in before counting them.
    page.locator("#model option").nth(1).wait_for(state="attached")
    oldest = page.locator("#model option").count() - 1  # newest first: the last is 2015
    page.select_option("#model", index=oldest)
    with page.expect_response(
        lambda r: "/valuation/result" in r.url and "registered=2019" in r.url
    ):
        page.fill("#registered", "2019-06")
        page.locator("#registered").dispatch_event("change")
    page.wait_for_function(f"{RESULT} !== null")
    assert len(_prices(page)) == 3
    assert page.locator("#valuation-result ol li").count() >= 5  # the steps, to redo by hand
    visitor.finish()
