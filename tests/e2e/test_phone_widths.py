"""No page scrolls sideways on a 360 px phone (issue 14, point 7): the staff pages with
forms and tables, with the demo's programs behind them. Screenshots go to
$SCREENSHOTS when it is set, for a person to look at."""

import os
from pathlib import Path

import pytest

from portal.accounts.models import Role
from tests import factories
from tests import subsidy_helpers as subsidy
from tests.e2e.conftest import needs_chromium

pytestmark = needs_chromium
NARROW = {"width": 360, "height": 780}
PAGES = {
    Role.ADMIN: (
        "/",
        "/account",
        "/admin/",
        "/admin/imports",
        "/admin/catalog",
        "/admin/subsidies/",
        "/admin/subsidies/programs",
        "/admin/subsidies/payouts",
        "/payments/admin",
        "/transfers/emission-rules",
    ),
    Role.DEALER: ("/", "/account", "/transfers/", "/transfers/new", "/transfers/bulk"),
}


def shoot(journey, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        journey.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role.value)
def test_staff_pages_fit_a_360_px_phone(journey, session, role):
    subsidy.seed(session, subsidy.GUANGDONG, "330000")
    dealer = factories.dealer(session) if role is Role.DEALER else None
    factories.user(session, role, email="staff@example.cn", dealer_row=dealer)
    session.commit()
    staff = journey(viewport=NARROW)
    staff.sign_in("staff@example.cn")
    for path in PAGES[role]:
        staff.open(path)  # asserts the page fits
        shoot(staff, f"{role.value}{path.replace('/', '_')}")
    staff.finish()


def test_the_import_pages_fit_a_phone_with_refused_rows(journey, session, client, auth):
    """/admin/imports and /admin/catalog with finished imports whose refused rows are listed."""
    from portal.registry.demo import demo_rows
    from portal.valuation import services as valuation
    from tests.test_catalog_import import NEW_TRIM, catalog_csv
    from tests.test_catalog_import import upload as upload_catalog
    from tests.test_registry_import import bad_rows, extract
    from tests.test_registry_import import upload as upload_extract

    valuation.load_catalog(session)
    factories.user(session, Role.ADMIN, email="staff@example.cn")
    session.commit()
    auth.login("staff@example.cn")
    good = demo_rows(20)
    registry_job = upload_extract(client, extract(good + bad_rows(good))).headers["Location"]
    coal = NEW_TRIM | {"trim": "错误燃料 " * 8, "fuel_type": "coal"}
    catalog_job = upload_catalog(client, catalog_csv(NEW_TRIM, coal)).headers["Location"]
    staff = journey(viewport=NARROW)
    staff.sign_in("staff@example.cn")
    for path in ("/admin/imports", registry_job, "/admin/catalog", catalog_job):
        path = path.removeprefix("http://localhost")
        staff.open(path)  # asserts the page fits
        shoot(staff, "with-data" + path.replace("/", "_"))
    staff.finish()


WIDE = {"width": 1280, "height": 900}


def test_a_wide_table_keeps_its_words_whole(journey, session):
    """On a desktop the programs table squeezed its first columns until the year broke
    into "20/26" and "Province" into "Provinc/e": the page lets long values break anywhere
    (for phones), which let a table cell shrink below its shortest word."""
    subsidy.seed(session, subsidy.GUANGDONG, "330000")
    factories.user(session, Role.ADMIN, email="staff@example.cn")
    session.commit()
    staff = journey(viewport=WIDE, locale="en")
    staff.sign_in("staff@example.cn")
    staff.open("/admin/subsidies/programs")
    lines = staff.page.evaluate(
        """() => [...document.querySelectorAll('.programs-table th, .programs-table td a')]
             .filter(e => e.textContent.trim().length <= 8 && !/\\s/.test(e.textContent.trim()))
             .map(e => { const text = document.createRange(); text.selectNodeContents(e);
                         return [e.textContent.trim(), text.getClientRects().length]; })"""
    )
    assert lines and [word for word, count in lines if count > 1] == []
    shoot(staff, "wide-programs")
    staff.finish()


def test_a_form_keeps_its_distance_from_the_hint_above_it(journey, session):
    """On the bulk filing page the list of CSV columns ran straight into the file field's
    label below it, as if the label were part of the list."""
    factories.user(
        session, Role.DEALER, email="staff@example.cn", dealer_row=factories.dealer(session)
    )
    session.commit()
    staff = journey()
    staff.sign_in("staff@example.cn")
    staff.open("/transfers/bulk")
    gap = staff.page.evaluate(
        """() => document.querySelector('main form label').getBoundingClientRect().top
                 - document.querySelector('main p.hint').getBoundingClientRect().bottom"""
    )
    assert gap >= 8
    staff.finish()


def test_the_amount_s_working_stands_apart_from_the_facts_below(journey, session, app):
    """On an application's page "12 % of ¥168,000.00 = …, capped at ¥20,000.00" ran into
    the list below it, as if it were the first line of the facts."""
    subsidy.seed(session)
    applicant = subsidy.Applicant(session)
    application = subsidy.submitted(session, applicant, files=app.extensions["storage"])
    session.commit()
    owner = journey()
    owner.sign_in(applicant.email)
    owner.open(f"/subsidies/{application.id}")
    gap = owner.page.evaluate(
        """() => { const hint = document.querySelector('main p.amount-big + p.hint');
                   return hint.nextElementSibling.getBoundingClientRect().top
                          - hint.getBoundingClientRect().bottom; }"""
    )
    assert gap >= 8
    owner.finish()


def test_the_header_links_fold_behind_a_menu_on_a_phone(journey, session):
    """An administrator's twelve header links took four lines above every page on a phone;
    there they fold behind one Menu button (which carries the unread count), and a desktop
    shows them all with no button."""
    factories.user(session, Role.ADMIN, email="staff@example.cn")
    session.commit()
    phone = journey(locale="en")
    phone.sign_in("staff@example.cn")
    phone.open("/")
    header, menu = phone.page.locator(".site-header"), phone.page.locator(".menu-toggle")
    transfers = phone.page.locator("#main-nav").get_by_role("link", name="Transfers")
    assert menu.is_visible() and not transfers.is_visible()
    assert header.bounding_box()["height"] < 80
    menu.click()
    assert transfers.is_visible() and menu.get_attribute("aria-expanded") == "true"
    phone.finish()

    desktop = journey(locale="en", viewport={"width": 1280, "height": 800})
    desktop.sign_in("staff@example.cn")
    desktop.open("/")
    assert not desktop.page.locator(".menu-toggle").is_visible()
    assert desktop.page.locator("#main-nav").get_by_role("link", name="Transfers").is_visible()
    desktop.finish()
