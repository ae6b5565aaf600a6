"""Brand and series names in the reader's language on every page that shows a car (issue 14,
point 10): the maker's English name from the catalog in English, the Chinese in Chinese, and
the Chinese name where the catalog has no English one."""

import pytest
from sqlalchemy import event

from portal.accounts.models import Role
from portal.valuation import services as valuation
from tests import factories
from tests import subsidy_helpers as h

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture(autouse=True)
def catalog(session):
    valuation.load_catalog(session)
    session.commit()


def text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def owner(session):
    person = factories.person(session, name="李娜")
    cars = [
        factories.vehicle(session, owner=person),  # 大众 朗逸
        factories.vehicle(session, owner=person, brand="丰田", model="卡罗拉"),
        factories.vehicle(session, owner=person, brand="红旗", model="H5"),  # not catalogued
    ]
    factories.user(session, email="li@example.cn", person_row=person)
    session.commit()
    return person, cars


def test_the_vehicle_page_names_the_car_in_the_reader_s_language(client, auth, owner):
    auth.login("li@example.cn")
    lavida, corolla, hongqi = owner[1]
    assert "Volkswagen Lavida" in text(client.get(f"/vehicles/{lavida.id}", headers=EN))
    assert "Toyota Corolla" in text(client.get(f"/vehicles/{corolla.id}", headers=EN))
    chinese = text(client.get(f"/vehicles/{lavida.id}", headers=ZH))
    assert "大众 朗逸" in chinese and "Volkswagen" not in chinese
    # No English name in the catalog: the Chinese stays, nothing is made up.
    assert "红旗 H5" in text(client.get(f"/vehicles/{hongqi.id}", headers=EN))


def queries(app, client, url: str, headers: dict) -> tuple[int, str]:
    """How many SQL statements a page took, and the page."""
    statements = []

    def count(*_args):
        statements.append(1)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = text(client.get(url, headers=headers))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements), page


def test_the_vehicle_list_names_every_car_without_a_query_per_row(
    app, client, auth, session, owner
):
    auth.login("li@example.cn")
    text(client.get("/my/vehicles", headers=EN))  # the catalog's lists are now kept
    few, listing = queries(app, client, "/my/vehicles", EN)
    assert "Volkswagen Lavida" in listing and "Toyota Corolla" in listing and "红旗 H5" in listing
    for series in ("凯美瑞", "汉兰达", "雷凌"):
        factories.vehicle(session, owner=owner[0], brand="丰田", model=series)
    session.commit()
    more, listing = queries(app, client, "/my/vehicles", EN)
    assert "Toyota Camry" in listing and "Toyota Highlander" in listing
    assert more == few  # three more cars, not one more query
    chinese, _page = queries(app, client, "/my/vehicles", ZH)
    assert chinese == few


def test_the_transfer_case_names_the_car_in_both_languages(client, auth, session):
    seller = factories.person(session, name="王强")
    car = factories.vehicle(session, owner=seller, brand="比亚迪", model="秦PLUS")
    case = factories.transfer_case(
        session,
        car,
        price_fen=8_000_000,
        mileage_km=30_000,
        sale_date=car.first_registration,
    )
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    auth.login("admin@example.cn")
    assert "BYD Qin PLUS" in text(client.get(f"/transfers/{case.id}", headers=EN))
    chinese = text(client.get(f"/transfers/{case.id}", headers=ZH))
    assert "比亚迪 秦PLUS" in chinese and "Qin PLUS" not in chinese


def test_the_review_page_names_the_old_and_the_new_car(app, client, auth, session):
    h.seed(session)
    factories.user(session, Role.REVIEWER, email="gd@example.cn")
    applicant = h.Applicant(session)
    application = h.submitted(session, applicant, files=app.extensions["storage"])
    auth.login("gd@example.cn")
    english = text(client.get(f"/review/{application.id}", headers=EN))
    assert "Volkswagen Lavida" in english and "BYD Seal" in english
    chinese = text(client.get(f"/review/{application.id}", headers=ZH))
    assert "大众 朗逸" in chinese and "比亚迪 海豹" in chinese and "Seal" not in chinese


def test_the_applicant_s_summary_names_the_new_car(app, client, auth, session):
    h.seed(session)
    applicant = h.Applicant(session)
    application = h.submitted(session, applicant, files=app.extensions["storage"])
    auth.login(applicant.email)
    assert "BYD Seal" in text(client.get(f"/subsidies/{application.id}", headers=EN))


def test_the_valuation_result_names_the_trim_s_brand_and_series(client, session):
    trim = next(t for t in valuation.trims_of(session, "丰田", "卡罗拉") if t.model_year >= 2020)
    query = {
        "brand": "丰田",
        "series": "卡罗拉",
        "model": str(trim.id),
        "registered": f"{trim.model_year}-05",
        "mileage": "60000",
        "condition": "good",
        "province": "440000",
        "city": "440300",
    }
    english = text(client.get("/valuation/result", query_string=query, headers=EN))
    assert "Valuation of a Toyota Corolla" in english  # the title
    assert "Toyota Corolla" in english.split('id="valuation-result-heading"')[1][:200]
    assert "Private price of a Toyota Corolla" in english  # the chart's words
    chinese = text(client.get("/valuation/result", query_string=query, headers=ZH))
    assert "丰田 卡罗拉" in chinese and "Corolla" not in chinese
