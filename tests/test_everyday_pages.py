"""Issue 14's stumbles, each through HTTP: the icon, confirmations, each officer's own
steps, unambiguous dates, the language chosen before signing in, the wizard's skip link."""

from datetime import UTC, date, datetime

import pytest

from portal.accounts.models import Role
from portal.formatting import date_text, datetime_text
from portal.transfer.terms import TransferStatus
from portal.transfer.workflow import Action, queue_step
from tests import factories
from tests import subsidy_helpers as subsidy

EN = {"Accept-Language": "en"}


def test_the_icon_is_found(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301
    with client.get(icon.headers["Location"]) as served:
        assert served.mimetype == "image/svg+xml"
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("status", "direction", "step"),
    [
        (TransferStatus.FEE_PAID, "outgoing", Action.INSPECT),
        (TransferStatus.INSPECTED, "outgoing", Action.RELEASE),
        (TransferStatus.RELEASED, "outgoing", None),  # the destination registers
        (TransferStatus.RELEASED, "incoming", Action.REGISTER),
        (TransferStatus.REGISTERED, "incoming", Action.COMPLETE),
        (TransferStatus.FEE_PAID, "incoming", None),  # the origin inspects
        (TransferStatus.SUBMITTED, "outgoing", None),
        (TransferStatus.RELEASED, "sideways", None),
    ],
)
def test_each_officers_queue_offers_only_its_sides_step(status, direction, step):
    assert queue_step(status, direction) == step


def released_case(session):
    car = factories.vehicle(session, owner=factories.person(session), plate="粤B12345")
    case = factories.transfer_case(
        session,
        car,
        price_fen=8_650_000,
        mileage_km=68_000,
        sale_date=date(2026, 11, 30),
        status=TransferStatus.RELEASED,
    )
    factories.user(session, Role.OFFICER, email="gd@example.cn", province_code="440000")
    factories.user(session, Role.OFFICER, email="sc@example.cn", province_code="510000")
    session.commit()
    return case


def test_the_origin_officer_is_not_offered_the_destinations_registration(client, auth, session):
    case = released_case(session)
    auth.login("gd@example.cn")
    queue = client.get("/transfers/?direction=outgoing&status=released", headers=EN).text
    assert case.number in queue
    assert f"/transfers/{case.id}/register" not in queue
    assert f"/transfers/{case.id}/register" not in client.get(f"/transfers/{case.id}").text
    auth.logout()
    auth.login("sc@example.cn")
    queue = client.get("/transfers/?direction=incoming", headers=EN).get_data(as_text=True)
    assert f"/transfers/{case.id}/register?direction=incoming" in queue


def test_dates_read_the_same_everywhere(app):
    moment = datetime(2026, 12, 6, 1, 5, tzinfo=UTC)  # 09:05 in Beijing
    with app.test_request_context(headers=EN):
        assert date_text(date(2026, 12, 6)) == "6 Dec 2026"
        assert datetime_text(moment) == "6 Dec 2026 09:05"
        assert date_text(None) == "—"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert date_text(date(2026, 12, 6)) == "2026年12月6日"
        assert datetime_text(moment) == "2026年12月6日 09:05"
        assert datetime_text(None) == "—"


def test_a_language_chosen_before_signing_in_is_kept_by_the_account(client, auth, session):
    owner = factories.user(session, email="owner@example.cn")
    owner.locale = "zh_CN"
    session.commit()
    client.post("/language", data={"locale": "en", "next": "/login"})
    auth.login("owner@example.cn")
    assert "Change the password" in client.get("/account").text
    auth.logout()
    client.post("/language", data={"locale": "en", "next": "/"})  # a new browser...
    with client.session_transaction() as cookie_session:
        cookie_session.pop("locale")  # ...that never chose: the account's choice applies
    auth.login("owner@example.cn")
    assert "Change the password" in client.get("/account", headers={"Accept-Language": "zh"}).text


@pytest.fixture
def submitted(app, session):
    subsidy.seed(session)
    applicant = subsidy.Applicant(session)
    application = subsidy.submitted(session, applicant, files=app.extensions["storage"])
    factories.user(session, Role.REVIEWER, email="reviewer@example.cn")
    session.commit()
    return applicant, application


def test_approving_and_withdrawing_ask_first(client, auth, submitted):
    applicant, application = submitted
    auth.login("reviewer@example.cn")
    queue = client.get("/review/", headers=EN).get_data(as_text=True)
    assert f'hx-confirm="Approve application {application.number}?' in queue
    assert 'data-confirm="Approve every selected application' in queue
    page = client.get(f"/review/{application.id}", headers=EN).get_data(as_text=True)
    assert f'data-confirm="Approve application {application.number}?' in page
    assert '<dialog id="confirm"' in page
    auth.logout()
    auth.login(applicant.email)
    status = client.get(f"/subsidies/{application.id}", headers=EN).get_data(as_text=True)
    assert 'data-confirm="Withdraw this application?' in status


def test_the_wizards_skip_link_lands_on_the_form(client, auth, submitted):
    applicant, _ = submitted
    auth.login(applicant.email)
    started = client.post("/subsidies/new", data={"kind": "scrapping", "province": "440000"})
    page = client.get(started.headers["Location"], headers=EN).get_data(as_text=True)
    assert '<a class="skip" href="#step-form">Skip to the form</a>' in page
    assert 'id="step-form" tabindex="-1"' in page


def test_a_dealer_sees_the_companys_details_and_files_with_them(client, auth, session):
    company = factories.dealer(session)
    car = factories.vehicle(session, owner=company, plate="粤B54321")
    factories.user(session, Role.DEALER, email="dealer@example.cn", dealer_row=company)
    session.commit()
    auth.login("dealer@example.cn")
    account = client.get("/account", headers=EN).text
    assert company.name in account and company.uscc in account
    assert "Your company's systems use a token" in account
    form = client.get("/transfers/new", query_string={"q": car.plate}, headers=EN).text
    assert company.uscc in form and "seller=company" in form
    filled = client.get(
        "/transfers/new", query_string={"q": car.plate, "seller": "company"}, headers=EN
    ).text
    assert f'name="seller_identifier" required type="text" value="{company.uscc}"' in filled


def test_an_owner_reads_an_owners_words_about_tokens(client, auth, session):
    factories.user(session, Role.OWNER, email="owner@example.cn")
    session.commit()
    auth.login("owner@example.cn")
    account = client.get("/account", headers=EN).text
    assert "follow your applications through the JSON API" in account
    assert "Your company" not in account


def test_each_role_lands_on_its_own_home_page(client, auth, session, submitted, app):
    applicant, application = submitted
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    auth.login(applicant.email)
    home = client.get("/", headers=EN).text
    assert application.number in home and "Submitted, in review" in home
    auth.logout()
    auth.login("reviewer@example.cn")
    home = client.get("/", headers=EN).text
    assert "<strong>1</strong> applications waiting for a decision" in home
    assert "<strong>0</strong> past the 15-working-day target" in home
    auth.logout()
    auth.login("admin@example.cn")
    home = client.get("/", headers=EN).text
    assert "<strong>0</strong> approved, waiting for a payout batch" in home
    assert "Latest registry imports" in home


def test_officers_and_dealers_see_their_desks(client, auth, session):
    case = released_case(session)
    factories.user(
        session, Role.DEALER, email="dealer@example.cn", dealer_row=case_dealer(session, case)
    )
    session.commit()
    auth.login("sc@example.cn")
    home = client.get("/", headers=EN).text
    assert "<strong>1</strong> entering the province" in home
    assert "<strong>0</strong> leaving the province" in home
    auth.logout()
    auth.login("dealer@example.cn")
    home = client.get("/", headers=EN).text
    assert "<strong>1</strong> Released by origin" in home


def case_dealer(session, case):
    from portal.registry.models import Dealer

    return session.get(Dealer, case.dealer_id)


def test_a_count_past_the_cap_reads_as_a_floor(app, session):
    from sqlmodel import select

    from portal.db import COUNT_CAP, capped_count
    from portal.formatting import count_text
    from portal.registry.models import Province

    assert capped_count(session, select(Province.code), cap=3) == 4
    assert capped_count(session, select(Province.code).where(Province.code == "440000")) == 1
    assert count_text(COUNT_CAP + 1) == "1,000+"
    assert count_text(COUNT_CAP) == "1,000"


def test_the_programs_list_comes_a_page_at_a_time(client, auth, session):
    subsidy.seed(session, "110000", "440000", "330000", "310000")  # 24 programs
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    auth.login("admin@example.cn")
    first = client.get("/admin/subsidies/programs", headers=EN).text
    assert first.count('<td class="amount" data-label="Left">') == 20
    assert 'href="/admin/subsidies/programs?page=2"' in first
    filtered = client.get("/admin/subsidies/programs?province=110000", headers=EN).text
    assert filtered.count('<td class="amount" data-label="Left">') == 6
    assert "page=2" not in filtered


def test_the_dashboard_summarises_before_it_lists(client, auth, session):
    subsidy.seed(session, "110000", "440000", "330000", "310000", "320000", "370000")
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    auth.login("admin@example.cn")
    page = client.get("/admin/subsidies/", headers=EN).text
    # "Running lowest" said not what ran low.
    heading = "<h2>Programs with the least money left</h2>"
    assert page.index(heading) < page.index("<summary>All 12 programs</summary>")
    assert '<details class="more">' in page  # the chart is folded when there are many
