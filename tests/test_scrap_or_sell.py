"""Scrap or sell (DOMAIN §3.5): the page, the wizard's first step and the API, side by side."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func
from sqlmodel import select

from portal.accounts.models import Role
from portal.audit import AuditEvent, china_today
from portal.subsidy.apply import services as subsidy
from portal.subsidy.compare.rules import Option, better, scrap_value_fen
from portal.subsidy.models import Application
from portal.subsidy.terms import Kind
from portal.valuation import services as valuation
from tests import factories
from tests import subsidy_helpers as h
from tests.test_api_subsidy import token_of

COMPARE = "/api/v1/subsidy/compare"
PAGE = "/subsidies/compare/"
EN = {"Accept-Language": "en"}


@pytest.fixture
def world(session):
    """Guangdong's programs; 陈建华 with a 2012 朗逸 in Guangzhou; another owner; the catalog."""
    h.seed(session)
    applicant, other = h.Applicant(session), h.Applicant(session)
    valuation.load_catalog(session)
    session.commit()
    return SimpleNamespace(
        applicant=applicant,
        other=other,
        owner=token_of(session, applicant.user),
        vin=applicant.old_car.vin,
    )


@pytest.fixture
def api(app):
    return app.test_client()


def body(world, **changes) -> dict:
    return {
        "province_code": h.GUANGDONG,
        "old_vin": world.vin,
        "new_car_price_fen": 16_800_000,
        "new_car_fuel_type": "bev",
        "mileage_km": 168_000,
    } | changes


# --- the pure rule ------------------------------------------------------------------------


def test_scrap_value_is_paid_by_the_tonne_rounded_down_to_the_yuan():
    assert scrap_value_fen(1250, 120_000) == 150_000  # 1.25 t × ¥1,200
    assert scrap_value_fen(1333, 120_000) == 159_900  # ¥1,599.60 → ¥1,599


def test_the_better_choice_leaves_more_money():
    scrap = Option(Kind.SCRAPPING, 2_000_000, 150_000)
    sell = Option(Kind.REPLACEMENT, 1_344_000, 1_200_000)
    assert better(scrap, sell) is Kind.REPLACEMENT
    assert better(scrap, Option(Kind.REPLACEMENT, None, 1_200_000)) is Kind.SCRAPPING
    assert better(Option(Kind.SCRAPPING, 1_000, 0), Option(Kind.REPLACEMENT, 0, 1_000)) is None
    assert better(Option(Kind.SCRAPPING, None, 0), Option(Kind.REPLACEMENT, 5, None)) is None


# --- the API ------------------------------------------------------------------------------


def test_the_demo_owners_2012_langyi_both_ways(api, session, world):
    before = (
        session.exec(select(func.count()).select_from(Application)).one(),
        session.exec(select(func.count()).select_from(AuditEvent)).one(),
    )
    response = api.post(COMPARE, json=body(world), headers=world.owner)
    assert response.status_code == 200, response.json
    out = response.json
    scrap, sell = out["scrapping"], out["replacement"]
    # 2026: 12 % of ¥168,000 capped at ¥20,000; scrap 1,250 kg × ¥1,200 a tonne.
    assert (scrap["subsidy_fen"], scrap["car_fen"]) == (2_000_000, 150_000)
    assert scrap["total_fen"] == 2_150_000 and scrap["reasons"] == []
    assert scrap["car_explanation"].startswith("Scrap value = curb weight 1,250 kg")
    # 8 % of ¥168,000 = ¥13,440; a 14-year-old compact car fetches about a tenth of new.
    assert sell["subsidy_fen"] == 1_344_000 and sell["reasons"] == []
    assert 800_000 <= sell["car_fen"] <= 1_600_000
    assert sell["total_fen"] == 1_344_000 + sell["car_fen"]
    assert out["better"] == ("replacement" if sell["total_fen"] > 2_150_000 else "scrapping")
    assert out["valuation_url"].startswith("http://localhost/valuation/result?vin=")
    after = (
        session.exec(select(func.count()).select_from(Application)).one(),
        session.exec(select(func.count()).select_from(AuditEvent)).one(),
    )
    assert after == before


def test_a_car_too_young_to_scrap_can_only_be_sold(api, session, world):
    young = factories.vehicle(
        session, owner=world.applicant.person, first_registration=date(2019, 5, 1)
    )
    valuation.link_vehicles(session, [young.vin])
    session.commit()
    out = api.post(COMPARE, json=body(world, old_vin=young.vin), headers=world.owner).json
    assert out["scrapping"]["subsidy_fen"] is None and out["scrapping"]["total_fen"] is None
    assert "after the 2013-06-30 limit" in out["scrapping"]["reasons"][0]["message"]
    assert out["better"] == "replacement"


def test_the_new_car_price_comes_from_the_body_then_the_draft_then_the_guide(api, session, world):
    plain = {"province_code": h.GUANGDONG, "old_vin": world.vin}
    guessed = api.post(COMPARE, json=plain, headers=world.owner).json
    assert guessed["new_car_price_source"] == "guide"
    assert guessed["new_car_price_fen"] == 11_990_000  # today's 朗逸
    draft = subsidy.start(
        session,
        user=world.applicant.user,
        kind=Kind.SCRAPPING,
        province_code=h.GUANGDONG,
        today=china_today(),
    )
    subsidy.save_new_car(session, application=draft, entry=h.new_car_entry(world.applicant))
    session.commit()
    drafted = api.post(COMPARE, json=plain, headers=world.owner).json
    assert (drafted["new_car_price_source"], drafted["new_car_price_fen"]) == ("draft", 16_800_000)
    typed = api.post(COMPARE, json=body(world), headers=world.owner).json
    assert typed["new_car_price_source"] == "typed"


def test_a_past_program_year_compares_under_its_rules(api, world):
    out = api.post(COMPARE, json=body(world, program_year=2024), headers=world.owner).json
    # 2024: petrol cars first registered by 2011-06-30 only; a fixed ¥20,000 for an NEV.
    assert out["scrapping"]["subsidy_fen"] is None
    assert any("2011-06-30" in r["message"] for r in out["scrapping"]["reasons"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"old_vin": "LSVAU218XN2183295"}, "old_vin"),
        ({"province_code": "999999"}, "province_code"),
        ({"new_car_price_fen": -5}, "new_car_price_fen"),
        ({"new_car_price_fen": 10**20}, "new_car_price_fen"),
        ({"new_car_fuel_type": "coal"}, "new_car_fuel_type"),
        ({"mileage_km": 3_000_000}, "mileage_km"),
        ({"program_year": "<script>"}, "program_year"),
        ({"kind": "both"}, "kind"),
    ],
)
def test_bad_input_is_422_with_the_field(api, world, changes, field):
    response = api.post(COMPARE, json=body(world, **changes), headers=world.owner)
    assert response.status_code == 422
    assert field in {error["field"] for error in response.json["errors"]}


def test_another_owners_car_is_404_and_other_roles_403(api, session, world):
    other = api.post(COMPARE, json=body(world), headers=token_of(session, world.other.user))
    assert other.status_code == 404
    reviewer = factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG)
    assert (
        api.post(COMPARE, json=body(world), headers=token_of(session, reviewer)).status_code == 403
    )
    assert api.post(COMPARE, json=body(world)).status_code == 401


# --- the pages ----------------------------------------------------------------------------


def test_the_page_shows_both_options_and_marks_the_better(client, auth, world):
    auth.login(world.applicant.email)
    query = {"price": "168,000", "fuel": "bev", "mileage": "168000", "province": h.GUANGDONG}
    page = client.get(PAGE, query_string=query | {"vin": world.vin}, headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Scrap it: scrapping renewal" in html and "Sell it: replacement renewal" in html
    assert html.count("Leaves more money") == 1
    assert "¥21,500.00" in html  # ¥20,000 + ¥1,500
    assert "How the valuation is computed" in html
    partial = client.get(
        PAGE, query_string=query | {"vin": world.vin}, headers=EN | {"HX-Request": "true"}
    )
    assert "HX-Request" in partial.headers["Vary"]
    fragment = partial.get_data(as_text=True)
    assert "<html" not in fragment and "Leaves more money" in fragment


def test_the_wizards_first_step_shows_the_comparison(client, auth, world):
    auth.login(world.applicant.email)
    html = client.get("/subsidies/new", headers=EN).get_data(as_text=True)
    assert "Scrap or sell: what each choice leaves you" in html and "Leaves more money" in html
    assert "Start the application" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"price": "-3"}, "cannot be negative"),
        ({"price": "abc"}, "Enter"),
        ({"mileage": "9999999"}, "Enter 0 to 2,000,000 km."),
        ({"vin": "LSVAU218XN2183295"}, "Not a valid choice"),
        ({"price": "1\x00"}, "control characters"),
    ],
)
def test_bad_input_on_the_page_is_named_next_to_the_field(client, auth, world, query, message):
    auth.login(world.applicant.email)
    page = client.get(PAGE, query_string={"vin": world.vin} | query, headers=EN)
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)


def test_only_owners_see_the_page(client, auth, session, world):
    assert client.get(PAGE).status_code in (302, 401)
    reviewer = factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG)
    session.commit()
    auth.login(reviewer.email)
    assert client.get(PAGE).status_code == 403
