"""The dealer chooses the buyer's new plate in Chromium (DOMAIN §2.3, issue 14 point 3):
on a 360 px phone in Chinese and on a desktop in English, the offered numbers wrap inside
the page, a taken number is refused next to the field, the chosen one shows on the case.
Screenshots go to $SCREENSHOTS when it is set, for a person to look at."""

from datetime import date

import pytest

from portal.accounts.models import User
from portal.transfer.terms import TransferStatus
from tests import factories
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_phone_widths import NARROW, shoot

pytestmark = needs_chromium
DESKTOP = {"width": 1280, "height": 900}


def draft_case(session):
    """A Shenzhen car sold to Hangzhou, filed by a clerk; 浙A12345 is already on a car."""
    seller = factories.person(session, name="李娜")
    car = factories.vehicle(session, owner=seller, plate="粤B12345")
    factories.vehicle(session, plate="浙A12345", city_code="330100")
    case = factories.transfer_case(
        session,
        car,
        price_fen=8_650_000,
        mileage_km=68_000,
        sale_date=date(2026, 12, 1),
        status=TransferStatus.DRAFT,
        buyer=factories.person(session, name="王钰萱"),
        destination_city_code="330100",
    )
    session.commit()
    return case, session.get(User, case.created_by).email


@pytest.mark.parametrize(
    ("locale", "viewport", "choose", "change"),
    [
        ("zh-CN", NARROW, "选择新号牌", "更改新号牌"),
        ("zh-CN", DESKTOP, "选择新号牌", "更改新号牌"),
        ("en", DESKTOP, "Choose the new plate", "Change the new plate"),
    ],
    ids=["phone-zh", "desktop-zh", "desktop-en"],
)
def test_the_dealer_chooses_the_new_plate(journey, session, locale, viewport, choose, change):
    case, clerk = draft_case(session)
    name = f"plate-{locale}-{viewport['width']}"
    dealer = journey(locale=locale, viewport=viewport)
    page = dealer.page
    dealer.sign_in(clerk)
    dealer.open(f"/transfers/{case.id}")
    with page.expect_navigation():
        page.get_by_role("link", name=choose).click()
    dealer.assert_fits()
    assert page.locator("input[name=plate][type=radio]").count() == 50
    shoot(dealer, f"{name}-offered")

    page.fill("#composed", "12345")  # taken: the refusal sits next to the field
    with page.expect_navigation():
        page.click("#compose button")
    assert page.locator("#composed-help .error").is_visible()
    assert page.input_value("#composed") == "12345"
    dealer.assert_fits()
    dealer.assert_accessible()
    shoot(dealer, f"{name}-taken")

    number = page.locator("input[name=plate][type=radio]").nth(2).get_attribute("value")
    page.locator("label.plate-choice").nth(2).click()
    with page.expect_navigation(url=f"**/transfers/{case.id}#vehicle"):
        page.click("#offered button")
    facts = page.inner_text("#vehicle")
    assert number in facts and change in facts
    shoot(dealer, f"{name}-case")
    dealer.finish()
