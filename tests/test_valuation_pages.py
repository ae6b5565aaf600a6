"""The valuation pages over HTTP: by VIN or from the lists, live previews, bad input, history.

The catalog (portal/data/models.csv) is loaded for every test; a registry car is a 大众
朗逸 first registered in May 2020, linked to its nearest catalog trim.
"""

import html
import re
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlmodel import func, select

from portal.accounts.models import Role
from portal.audit import china_today
from portal.valuation import chart, services
from portal.valuation.models import CarModel, ValuationRecord
from portal.valuation.terms import Condition
from tests import factories

HX = {"HX-Request": "true"}
SHENZHEN = {"province": "440000", "city": "440300"}


@pytest.fixture(autouse=True)
def catalog(session):
    services.load_catalog(session)
    session.commit()


@pytest.fixture(autouse=True)
def english(client):
    client.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def lavida(session) -> CarModel:
    """朗逸 2021 1.5L, the trim a 2020 registry car is linked to."""
    trims = services.trims_of(session, "大众", "朗逸")
    chosen = next(t for t in trims if t.model_year == 2021 and t.trim.startswith("1.5L"))
    return session.get(CarModel, chosen.id)


@pytest.fixture
def car(session):
    row = factories.vehicle(
        session, brand="大众", model="朗逸", first_registration=date(2020, 5, 1)
    )
    services.link_vehicles(session)
    session.commit()
    session.refresh(row)
    return row


def by_model(trim: CarModel, **extra) -> dict:
    query = {
        "brand": trim.brand,
        "series": trim.series,
        "model": str(trim.id),
        "registered": "2020-05",
        "mileage": "60000",
        "condition": "good",
        **SHENZHEN,
    }
    return query | extra


def page(response) -> str:
    return response.get_data(as_text=True)


def prices(text: str) -> dict[str, int]:
    """The three mid prices shown, in whole yuan."""
    found = {}
    for name in ("dealer", "private", "retail"):
        block = re.search(rf'class="price price-{name}">(.*?)</li>', text, re.S).group(1)
        mid = re.search(r'class="price-mid">¥([0-9,]+)<', block).group(1)
        found[name] = int(mid.replace(",", ""))
    return found


def help_of(text: str, field_id: str) -> str:
    """What is shown under a field: its errors and hint."""
    return re.search(rf'<div id="{field_id}-help"[^>]*>(.*?)</div>', text, re.S).group(1)


def records(session) -> int:
    session.commit()  # see what the requests committed
    return session.exec(select(func.count()).select_from(ValuationRecord)).one()


# --- the form and the dependent selects -------------------------------------------------


def test_the_form_offers_vin_lists_month_mileage_city_condition_and_inspection(client):
    response = client.get("/valuation/")
    text = page(response)
    assert response.status_code == 200
    assert 'hx-get="/valuation/result"' in text and 'hx-trigger="change delay:300ms"' in text
    assert 'method="get" action="/valuation/result"' in text
    assert 'name="vin"' in text and 'name="brand"' in text and "大众" in text
    month = re.search(r'<input[^>]*name="registered"[^>]*>', text).group(0)
    assert 'type="month"' in month and 'min="1990-01"' in month
    assert f'max="{china_today():%Y-%m}"' in month
    for condition in Condition:
        assert f'value="{condition.value}"' in text
    assert "Structural damage from an accident" in text
    for name, maximum in [("body", 20), ("engine_bay", 20), ("cabin", 10), ("road_test", 15)]:
        assert f'name="{name}"' in text
        assert f"(0–{maximum})" in text
    assert 'name="battery"' in text


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ["Excellent", "Accident car", "Body and paint", "Engine bay", "Road test"]),
        ("zh-CN", ["优秀", "事故车", "发动机舱"]),
    ],
)
def test_the_conditions_and_inspection_parts_are_named_in_the_reader_s_language(
    client, language, names
):
    """The form's choices are made when its module is imported, before the names are
    registered: they must still be looked up when the page is shown, not print the codes."""
    text = page(client.get("/valuation/", headers={"Accept-Language": language}))
    for name in names:
        assert name in text
    labels = re.findall(r'<label for="part-[a-z_]+">([^<]*)<', text)
    assert len(labels) == 6 and not any(code in labels[0] for code in ("body", "engine_bay"))
    conditions = re.findall(r"<strong>([^<]*)</strong><br><span class=\"hint\">", text)
    assert len(conditions) == len(Condition)
    assert not {c.value for c in Condition} & {name.strip() for name in conditions}


def test_choosing_a_brand_lists_its_series_and_empties_the_trims(client):
    response = client.get("/valuation/series", query_string={"brand": "大众"}, headers=HX)
    text = page(response)
    assert response.status_code == 200 and "<html" not in text
    assert '<option value="朗逸">Lavida</option>' in text  # the Chinese name is the value
    assert "卡罗拉" not in text and "Corolla" not in text  # a Toyota
    assert '<div id="model-field" hx-swap-oob="true">' in text
    assert "Choose the model year and trim" in text


def test_the_lists_name_brands_and_series_in_the_reader_s_language(client):
    english = page(client.get("/valuation/", query_string={"brand": "丰田"}))
    assert '<option selected value="丰田">Toyota</option>' in english
    assert '<option value="大众">Volkswagen</option>' in english
    assert '<option value="卡罗拉">Corolla</option>' in english
    assert '<option value="江铃">JMC</option>' in english
    chinese = page(
        client.get(
            "/valuation/", query_string={"brand": "丰田"}, headers={"Accept-Language": "zh-CN"}
        )
    )
    assert '<option selected value="丰田">丰田</option>' in chinese
    assert '<option value="卡罗拉">卡罗拉</option>' in chinese
    assert "Toyota" not in chinese and "Corolla" not in chinese


def test_choosing_a_series_lists_its_model_years_and_trims(app, client, session):
    query = {"brand": "大众", "series": "朗逸"}
    text = page(client.get("/valuation/trims", query_string=query, headers=HX))
    with app.app_context():
        expected = services.trims_of(session, "大众", "朗逸")
    values = re.findall(r'<option value="([0-9]+)"', text)
    assert values == [str(trim.id) for trim in expected]
    assert "2026 · 1.5L 自动满逸版 · ¥119,900" in text
    assert "<html" not in text


def test_choosing_a_province_lists_its_cities(client):
    text = page(client.get("/cities", query_string={"province": "510000"}, headers=HX))
    assert 'value="510100"' in text and "Chengdu" in text
    assert 'value="440300"' not in text and "<html" not in text


def test_the_transfer_form_s_province_lists_its_cities_too(client):
    """The transfer form's select sends itself as destination_province: the same list."""
    query = {"destination_province": "440000"}
    text = page(client.get("/cities", query_string=query, headers=HX))
    assert 'value="440300"' in text and 'value="510100"' not in text


@pytest.mark.parametrize(
    "query",
    [{}, {"province": ""}, {"province": "999999"}, {"province": "x" * 5000}, {"province": "<b>"}],
    ids=["missing", "empty", "unknown", "oversized", "hostile"],
)
def test_a_province_that_is_none_lists_no_city(client, query):
    response = client.get("/cities", query_string=query, headers=HX)
    assert response.status_code == 200
    assert re.findall(r'<option value="([^"]*)"', page(response)) == [""]


def test_a_dependent_select_opened_without_htmx_is_the_prefilled_form(client):
    response = client.get("/valuation/series", query_string={"brand": "大众"})
    text = page(response)
    assert response.status_code == 200 and "<html" in text
    assert '<option selected value="大众">' in text and '<option value="朗逸">' in text


# --- results ----------------------------------------------------------------------------


def test_a_registry_car_by_vin_gets_three_ordered_prices_and_the_steps(client, session, car):
    query = {"vin": car.vin.lower(), "mileage": "60000", "condition": "good", **SHENZHEN}
    response = client.get("/valuation/result", query_string=query)
    text = page(response)
    assert response.status_code == 200, text
    shown = prices(text)
    assert shown["dealer"] <= shown["private"] <= shown["retail"]
    expected = services.value_car(
        session,
        inputs=services.ValuationInput(
            car_model_id=car.car_model_id,
            first_registration=car.first_registration,
            mileage_km=60000,
            city_code="440300",
            vehicle_id=car.id,  # a registry car: the gap to its model year is a step
        ),
        on=china_today(),
        user=None,
        keep=False,
    ).valuation
    assert shown["private"] * 100 == expected.private.mid_fen
    assert shown["dealer"] * 100 == expected.dealer_buy.mid_fen
    assert shown["retail"] * 100 == expected.retail.mid_fen
    low, high = (expected.private.low_fen // 100, expected.private.high_fen // 100)
    assert f"¥{low:,} – ¥{high:,}" in text
    # The registry named the model and the first registration.
    assert "From the registry" in text and "vin-model-known" in text
    assert "May 2020" in text and "from the registry" in text
    assert "2018 · 1.5L 自动舒适版" in text  # the nearest model year not after 2020
    assert "No 2020 model in the catalog" in text
    # Each step: its translated label with its numbers, and its result.
    assert "How it was computed" in text
    assert "Purchase tax = 10% × ¥119,900.00 ÷ 1.13" in text
    assert "Replacement cost = guide price ¥119,900.00 + purchase tax ¥10,610.62" in text
    for step in expected.steps:
        assert html.escape(step.result, quote=False) in text
    assert text.count('<span class="step-label">') == len(expected.steps)
    assert "Grade II" in text and "60 to 89 points" in text
    assert "Replacement cost" in text
    # The curve: an inline, accessible, scalable SVG with the car marked.
    svg = re.search(r"<svg .*?</svg>", text, re.S).group(0)
    assert 'viewBox="0 0 360 220"' in svg and "<title" in svg and "<polyline" in svg
    assert 'class="chart-marker"' in svg and "Your car" in svg
    assert "Value by age" in text


def test_a_car_picked_from_the_lists_is_valued(client, lavida):
    response = client.get("/valuation/result", query_string=by_model(lavida))
    text = page(response)
    assert response.status_code == 200, text
    shown = prices(text)
    assert 0 < shown["dealer"] <= shown["private"] <= shown["retail"]
    assert "From the registry" not in text
    assert f'<option selected value="{lavida.id}">' in text  # the lists keep the choice


def test_an_unknown_vin_asks_for_the_model_from_the_lists(client):
    vin = factories.vin()
    response = client.get("/valuation/result", query_string={"vin": vin, "mileage": "1000"})
    text = page(response)
    assert response.status_code == 422
    assert "The registry does not know this VIN" in help_of(text, "vin")
    assert "Choose the model year and trim." in help_of(text, "model")
    assert "Enter the month of first registration." in help_of(text, "registered")


def test_the_vin_of_a_registry_car_needs_no_model_nor_registration(client, session, car):
    # The lists name another model year and no registration: the registry wins.
    oldest = services.trims_of(session, "大众", "朗逸")[-1]
    query = by_model(oldest, vin=car.vin, registered="")
    text = page(client.get("/valuation/result", query_string=query))
    assert "2018 · 1.5L 自动舒适版" in text and "May 2020" in text


def test_a_registry_car_missing_from_the_catalog_takes_the_model_from_the_lists(
    client, session, lavida
):
    odd = factories.vehicle(session, brand="无名", model="X1", first_registration=date(2019, 7, 8))
    session.commit()
    query = {"vin": odd.vin, "mileage": "90000", **SHENZHEN}
    missing = page(client.get("/valuation/result", query_string=query))
    assert "The catalog has no model for this car yet" in help_of(missing, "vin")
    assert "vin-known" in missing and "vin-model-known" not in missing
    assert "Choose the model year and trim." in help_of(missing, "model")
    assert "Enter the month of first registration" not in missing  # the registry has it

    query = by_model(lavida, vin=odd.vin, registered="")
    text = page(client.get("/valuation/result", query_string=query))
    assert "Jul 2019" in text and "from the registry" in text
    assert "2021 · 1.5L 自动舒适版" in text


def test_a_preview_right_after_a_new_brand_asks_for_the_trim_without_an_error(client, lavida):
    query = by_model(lavida, brand="丰田", series="")
    response = client.get("/valuation/result", query_string=query, headers=HX)
    assert response.status_code == 200
    assert 'href="#model"' in page(response) and 'class="error"' not in page(response)


def test_a_full_inspection_sheet_replaces_the_condition(client, lavida):
    sheet = {"body": 18, "engine_bay": 18, "cabin": 9, "start_up": 18, "road_test": 13}
    query = by_model(lavida, condition="poor", chassis=14, **sheet)
    text = page(client.get("/valuation/result", query_string=query))
    assert "Inspection sheet: 90 points" in text
    assert "Grade I" in text and "score 90 of 100" in text

    partial = page(client.get("/valuation/result", query_string=by_model(lavida, body=18)))
    assert "Only 1 of the six inspection parts are scored" in partial
    assert "score 82 of 100" in partial  # good


def test_an_accident_car_is_grade_v(client, lavida):
    text = page(
        client.get("/valuation/result", query_string=by_model(lavida, condition="accident"))
    )
    assert "Grade V (accident car)" in text
    assert "Structural accident damage (grade V): factor" in text


def test_battery_health_counts_for_an_electric_car(client, session):
    id4 = services.trims_of(session, "大众", "ID.4 CROZZ")[-1]
    query = by_model(id4, registered="2022-03", battery="80")
    text = page(client.get("/valuation/result", query_string=query))
    assert "Battery factor = 1 − (100 − 80)% × 0.4" in text
    assert "Battery health" in text


def test_enough_comparable_sales_use_the_market_method(client, session, lavida):
    _sales(session, [8_000_000, 8_200_000, 8_500_000, 8_800_000, 9_000_000])
    text = page(client.get("/valuation/result", query_string=by_model(lavida)))
    assert "Market comparables" in text
    assert "Comparable sales" in text
    table = re.search(r'<table class="table comparables">.*?</table>', text, re.S).group(0)
    assert table.count("<tr>") == 6  # the heading and five sales
    assert "¥85,000" in table and "60,000 km" not in table.split("</thead>")[0]
    assert prices(text)["private"] == 85_000  # the median


def _sales(session, prices_fen: list[int]) -> None:
    """Completed transfers of 朗逸 cars like the subject, sold last month."""
    for price in prices_fen:
        sold = factories.vehicle(
            session,
            owner=factories.person(session),
            brand="大众",
            model="朗逸",
            first_registration=date(2020, 3, 1),
        )
        factories.transfer_case(
            session,
            sold,
            price_fen=price,
            mileage_km=62_000,
            sale_date=china_today() - timedelta(days=30),
        )
    session.commit()


# --- htmx -------------------------------------------------------------------------------


def test_htmx_gets_the_result_panel_only_with_the_help_out_of_band(client, lavida):
    response = client.get("/valuation/result", query_string=by_model(lavida), headers=HX)
    text = page(response)
    assert response.status_code == 200
    assert "<html" not in text and "<form" not in text
    assert text.lstrip().startswith('<section id="valuation-result"')
    assert '<div id="mileage-help" class="field-help" hx-swap-oob="true">' in text
    assert '<div id="vin-help" class="field-help" hx-swap-oob="true">' in text
    assert '<p id="valuation-announce" hx-swap-oob="innerHTML">Private sale about ¥' in text
    assert "HX-Request" in response.headers["Vary"]


def test_a_history_restore_gets_the_whole_page(client, lavida):
    headers = HX | {"HX-History-Restore-Request": "true"}
    text = page(client.get("/valuation/result", query_string=by_model(lavida), headers=headers))
    assert "<html" in text and "<form" in text


def test_a_preview_of_an_unfinished_form_lists_what_is_missing_without_errors(client):
    response = client.get("/valuation/result", query_string={"mileage": "1000"}, headers=HX)
    text = page(response)
    assert response.status_code == 200
    assert "Still needed to value the car" in text
    assert 'href="#model"' in text and 'href="#city"' in text
    assert 'class="error"' not in text


def test_a_preview_shows_a_wrong_entry_next_to_its_field(client, lavida):
    query = by_model(lavida, mileage="-5")
    response = client.get("/valuation/result", query_string=query, headers=HX)
    assert response.status_code == 422
    text = page(response)
    assert "Enter a mileage from 0 to 2,000,000 km." in help_of(text, "mileage")
    assert "Correct these to see the price" in text
    assert '<p id="valuation-announce" hx-swap-oob="innerHTML">1 entries need' in text


# --- bad input --------------------------------------------------------------------------


def _bad_vin() -> str:
    good = factories.vin()
    wrong = "0" if good[8] != "0" else "1"
    return good[:8] + wrong + good[9:]


BAD_INPUT = [
    ("vin", "vin", _bad_vin(), "The check digit (character 9) should be"),
    ("registered", "registered", "2099-01", "The first registration cannot be in the future."),
    ("registered", "registered", "1985-03", "first registered from 1990 on"),
    ("registered", "registered", "last spring", "Enter the month as year and month"),
    ("mileage", "mileage", "-5", "Enter a mileage from 0 to 2,000,000 km."),
    ("mileage", "mileage", "99999999", "Enter a mileage from 0 to 2,000,000 km."),
    ("mileage", "mileage", "lots", "Enter a whole number, in digits."),
    ("city", "city", "999999", "Choose a city from the list."),
    ("model", "model", "999999", "There is no such model in the catalog."),
    ("model", "model", "abc", "Choose a model from the list."),
    ("body", "part-body", "25", "Give 0 to 20 points."),
    ("cabin", "part-cabin", "11", "Give 0 to 10 points."),
    ("road_test", "part-road_test", "ten", "Enter a whole number, in digits."),
    ("battery", "battery", "150", "Battery health is between 0 and 100 %."),
    ("condition", "condition", "superb", "Choose one of the conditions."),
]


@pytest.mark.parametrize(("name", "field_id", "value", "message"), BAD_INPUT)
def test_bad_input_is_shown_next_to_its_field_and_kept(
    client, lavida, name, field_id, value, message
):
    query = by_model(lavida, **{name: value})
    if name == "vin":
        query["mileage"] = "73,500"  # and the other entries stay as typed
    response = client.get("/valuation/result", query_string=query)
    text = page(response)
    assert response.status_code == 422
    assert message in help_of(text, field_id)
    assert text.count('class="error"') == 1
    if name not in ("city", "model", "condition"):  # a select shows its own options only
        assert f'value="{html.escape(value)}"' in text
    if name == "vin":
        assert 'value="73,500"' in text
    assert '<section id="valuation-result"' in text and "Correct these to see the price" in text


def test_a_model_year_newer_than_the_registration_allows_is_refused(client, session):
    newest = services.trims_of(session, "大众", "朗逸")[0]  # 2026
    query = by_model(newest, registered="2015-01")
    response = client.get("/valuation/result", query_string=query)
    assert response.status_code == 422
    assert "A 2026 model was first registered in 2025 at the earliest" in help_of(
        page(response), "registered"
    )


def test_a_model_of_another_series_than_the_lists_show_is_refused(client, session, lavida):
    corolla = services.trims_of(session, "丰田", "卡罗拉")[0]
    query = by_model(lavida, model=str(corolla.id))
    response = client.get("/valuation/result", query_string=query)
    assert response.status_code == 422
    assert "Choose a model of the chosen series." in help_of(page(response), "model")


def test_hostile_text_is_escaped(client, lavida):
    query = by_model(lavida, vin="<script>alert(1)</script>", series="<b>x</b>")
    response = client.get("/valuation/result", query_string=query)
    text = page(response)
    assert response.status_code == 422
    assert "<script>alert(1)" not in text and "<b>x</b>" not in text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in text
    assert "A VIN has 17 characters; this one has 25." in help_of(text, "vin")

    query["vin"] = "<script>alert(1)>"  # 17 characters
    text = page(client.get("/valuation/result", query_string=query))
    assert "Character 1 (&lt;) cannot be used in a VIN" in help_of(text, "vin")


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"model": "9" * 40, "mileage": "9" * 5000, "registered": "9" * 300},
        {"registered": "2020-00", "city": "", "province": "nowhere"},
        {"registered": "0000-01", "mileage": "１２０００", "battery": "-1"},
        {"vin": "Ｌ" * 17, "brand": "x" * 500, "series": "%00", "condition": ""},
        {"body": "1e3", "engine_bay": "0x10", "cabin": "٣", "chassis": "15.5"},
    ],
)
def test_nonsense_gets_422_never_500(client, lavida, query):
    full = client.get("/valuation/result", query_string=query)
    preview = client.get("/valuation/result", query_string=query, headers=HX)
    assert full.status_code == 422
    assert preview.status_code in (200, 422)


def test_typed_variants_of_numbers_and_months_are_read(client, lavida):
    query = by_model(lavida, mileage="６０，０００", registered="2020年5月")
    response = client.get("/valuation/result", query_string=query)
    assert response.status_code == 200, help_of(page(response), "mileage")
    assert "60,000 km" in page(response)


# --- history ----------------------------------------------------------------------------


def _owner(session, auth, email="owner@example.cn"):
    user = factories.user(session, Role.OWNER, email=email)
    session.commit()
    auth.login(email)
    return user


def keep(client, query):
    """Keep a valuation in the signed-in user's history, its inputs in the query (old links)."""
    response = client.post("/valuation/keep", query_string=query)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client.get(response.headers["Location"])


def test_anonymous_valuation_works_and_keeps_nothing(client, session, lavida):
    text = page(client.get("/valuation/result", query_string=by_model(lavida)))
    assert "Private sale" in text and "Sign in to keep your valuations" in text
    assert "Kept in your history" not in text
    assert records(session) == 0


def test_a_signed_in_full_submit_is_kept_but_a_preview_is_not(client, session, auth, lavida):
    user = _owner(session, auth)
    client.get("/valuation/result", query_string=by_model(lavida), headers=HX)
    assert records(session) == 0
    text = page(client.get("/valuation/result", query_string=by_model(lavida)))
    assert records(session) == 0  # a GET, however often reloaded, writes nothing
    assert 'formaction="/valuation/keep"' in text
    text = page(keep(client, by_model(lavida)))
    assert "Kept in your history" in text
    assert records(session) == 1
    kept = session.exec(select(ValuationRecord)).one()
    assert kept.user_id == user.id and kept.private_fen == prices(text)["private"] * 100
    assert kept.condition is Condition.GOOD and kept.city_code == "440300"


def test_the_report_link_appears_only_for_a_kept_valuation_once_the_route_exists(
    app, client, session, auth, lavida
):
    if "valuation_report.buy" not in app.view_functions:  # before the report pages exist
        app.add_url_rule(
            "/valuation/reports/<int:record_id>",
            endpoint="valuation_report.buy",
            view_func=lambda record_id: "",
        )
    anonymous = page(client.get("/valuation/result", query_string=by_model(lavida)))
    assert "Detailed report (PDF)" not in anonymous
    _owner(session, auth)
    text = page(keep(client, by_model(lavida)))
    kept = session.exec(select(ValuationRecord)).one()
    with app.test_request_context():
        link = url_for("valuation_report.buy", record_id=kept.id)
    assert f'href="{link}"' in text and "Detailed report (PDF)" in text


def test_the_history_lists_views_and_reruns_a_valuation(client, session, auth, car):
    _owner(session, auth)
    query = {"vin": car.vin, "mileage": "60000", "condition": "fair", **SHENZHEN}
    first = page(keep(client, query))
    kept = session.exec(select(ValuationRecord)).one()
    assert kept.vehicle_id == car.id and kept.vin == car.vin

    listing = page(client.get("/valuation/history"))
    assert "Volkswagen Lavida" in listing and "2018 · 1.5L 自动舒适版" in listing
    assert f"¥{prices(first)['private']:,}" in listing
    assert "Grade II" in listing and "60,000 km" in listing and "Shenzhen" in listing
    assert f'action="/valuation/history/{kept.id}/rerun"' in listing

    shown = client.get(f"/valuation/history/{kept.id}")
    assert shown.status_code == 200
    assert prices(page(shown)) == prices(first)
    assert "from the registry" in page(shown)
    assert "Change the inputs" in page(shown)

    again = client.post(f"/valuation/history/{kept.id}/rerun")
    assert again.status_code == 303
    assert records(session) == 2
    newest = session.exec(select(ValuationRecord).order_by(ValuationRecord.id.desc())).first()
    assert again.headers["Location"].endswith(f"/valuation/history/{newest.id}")
    assert newest.vehicle_id == car.id and newest.condition is Condition.FAIR
    rerun = page(client.get(again.headers["Location"]))
    assert "Valued again with today" in rerun and prices(rerun) == prices(first)


def test_the_change_link_fills_the_form_with_the_kept_inputs(client, session, auth, lavida):
    _owner(session, auth)
    sheet = {"body": 18, "engine_bay": 18, "cabin": 9, "start_up": 18, "road_test": 13}
    keep(client, by_model(lavida, chassis=14, **sheet))
    kept = session.exec(select(ValuationRecord)).one()
    link = re.search(
        r'href="([^"]+)">Change the inputs', page(client.get(f"/valuation/history/{kept.id}"))
    )
    form = page(client.get(html.unescape(link.group(1))))
    assert f'<option selected value="{lavida.id}">' in form
    assert 'value="2020-05"' in form and 'value="60000"' in form and 'value="14"' in form
    assert '<option selected value="440300">' in form


def test_a_kept_valuation_notes_a_price_that_changed_since(client, session, auth, lavida):
    _owner(session, auth)
    keep(client, by_model(lavida))
    kept = session.exec(select(ValuationRecord)).one()
    lavida.current_price_fen += 1_000_000
    session.add(lavida)
    session.commit()
    text = page(client.get(f"/valuation/history/{kept.id}"))
    assert f"the private price was ¥{kept.private_fen // 100:,}" in text


def test_an_empty_history_names_the_button_that_keeps_a_valuation_and_links_the_form(
    client, session, auth
):
    """The old "press the button" said nothing to someone looking at an empty list: which
    button, on which page? The one the form shows, with a link to the form."""
    _owner(session, auth)
    english = page(client.get("/valuation/history"))
    assert "Value and keep in my history" in english
    empty = english.split('<section class="panel">', 1)[1].split("</section>", 1)[0]
    assert 'href="/valuation/"' in empty and "while signed in" not in empty
    chinese = page(client.get("/valuation/history", headers={"Accept-Language": "zh-CN"}))
    assert "估值并保存到我的记录" in chinese
    assert "登录后" not in chinese  # they are signed in already


def test_the_history_is_paginated(app, client, session, auth, lavida):
    app.config["PAGE_SIZE"] = 2
    _owner(session, auth)
    for mileage in ("10000", "20000", "30000"):
        keep(client, by_model(lavida, mileage=mileage))
    first = page(client.get("/valuation/history"))
    assert first.count("Run again with today") == 2 and 'rel="next"' in first
    assert "30,000 km" in first and "10,000 km" not in first
    second = page(client.get("/valuation/history?page=2"))
    assert second.count("Run again with today") == 1 and "10,000 km" in second


def test_another_users_valuation_is_not_found(client, session, auth, lavida):
    _owner(session, auth, "first@example.cn")
    keep(client, by_model(lavida))
    kept = session.exec(select(ValuationRecord)).one()
    auth.logout()
    _owner(session, auth, "second@example.cn")
    assert client.get(f"/valuation/history/{kept.id}").status_code == 404
    assert client.post(f"/valuation/history/{kept.id}/rerun").status_code == 404
    assert "Volkswagen Lavida" not in page(client.get("/valuation/history"))
    assert records(session) == 1


def test_the_history_needs_a_signed_in_user(client, session, lavida):
    response = client.get("/valuation/history")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/valuation/history/1").status_code == 302
    assert client.post("/valuation/history/1/rerun").status_code == 302


def test_a_rerun_without_the_csrf_token_is_refused(client, session, auth, lavida):
    _owner(session, auth)
    keep(client, by_model(lavida))
    kept = session.exec(select(ValuationRecord)).one()
    assert client.client.post(f"/valuation/history/{kept.id}/rerun").status_code == 400
    assert records(session) == 1


# --- the chart (pure) -------------------------------------------------------------------


WORDS = chart.Words(
    title="<b>Price</b> & age", description="A & B", years="Years", marker="Your car"
)


def test_the_chart_escapes_its_words_and_scales_with_its_viewbox():
    points = [(year, 10_000_000 - 500_000 * year) for year in range(16)]
    svg = chart.depreciation(points, WORDS, age_years=4.5, price_fen=7_500_000)
    assert svg.startswith("<svg") and 'viewBox="0 0 360 220"' in svg
    assert "width=" not in svg.split(">")[0]  # no fixed size: the CSS sizes it
    assert '<title id="depreciation-title">&lt;b&gt;Price&lt;/b&gt; &amp; age</title>' in svg
    assert '<desc id="depreciation-desc">A &amp; B</desc>' in svg
    assert len(re.search(r'points="([^"]+)"', svg).group(1).split()) == 16
    assert ">0<" in svg and ">15<" in svg  # years on the axis
    assert "¥100,000" in svg and "¥0" in svg  # yuan on the axis


def test_the_marker_of_a_car_older_than_the_curve_stays_on_the_drawing():
    points = [(year, 1_000_000 * (16 - year)) for year in range(16)]
    svg = chart.depreciation(points, WORDS, age_years=22, price_fen=500_000)
    cx = float(re.search(r'<circle cx="([0-9.]+)"', svg).group(1))
    assert cx <= chart.WIDTH - chart.RIGHT
    assert 'text-anchor="end"' in svg.split('class="chart-marker"')[1]


def test_signed_in_the_one_button_values_and_keeps(client, session, auth, lavida):
    _owner(session, auth)
    form = page(client.get("/valuation/", headers={"Accept-Language": "en"}))
    assert "Value and keep in my history" in form and "Pressing the button keeps" not in form
    response = client.post("/valuation/keep", data=by_model(lavida))  # the form's fields
    assert response.status_code == 303
    assert "Kept in your history" in page(client.get(response.headers["Location"]))
    assert records(session) == 1
