"""Administrators set the valuation's configurable values (DOMAIN §3.1, §3.3, §2.2)."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from portal.accounts.models import Role
from portal.valuation import services
from portal.valuation.models import CarModel
from portal.valuation.settings import services as settings
from tests import factories

EN = {"Accept-Language": "en"}
DEFAULT_FORM = {
    "weight_age": "40",
    "mileage_step_rate": "1",
    "mileage_cap": "15",
    "dealer_buy_rate": "90",
    "retail_rate": "110",
    "range_rate": "5",
    "min_comparables": "5",
    "key_region_old_factor": "95",
    "undervalued_share": "50",
    "scrap_yuan_per_tonne": "1200",
}


@pytest.fixture
def admin(client, auth, session):
    services.load_catalog(session)
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    auth.login("admin@example.cn")
    return client


def _value(session) -> services.Result:
    model = session.exec(select(CarModel).where(CarModel.series == "朗逸")).first()
    inputs = services.ValuationInput(
        car_model_id=model.id,
        first_registration=date(2020, 5, 1),
        mileage_km=60_000,
        city_code="440300",
    )
    return services.value_car(session, inputs=inputs, on=date(2026, 11, 1), user=None)


def test_the_page_shows_the_defaults_in_percent(admin):
    page = admin.get("/admin/valuation", headers=EN).get_data(as_text=True)
    for name, value in DEFAULT_FORM.items():
        assert f'name="{name}"' in page and f'value="{value}"' in page


def test_a_new_dealer_spread_changes_the_prices_and_is_audited(admin, session):
    before = _value(session).valuation
    response = admin.post("/admin/valuation", data=DEFAULT_FORM | {"dealer_buy_rate": "85"})
    assert response.status_code == 303
    session.expire_all()
    after = _value(session).valuation
    assert after.private == before.private
    assert after.dealer_buy.mid_fen == after.private.mid_fen * 85 // 100 // 100 * 100
    page = admin.get("/admin/valuation", headers=EN).get_data(as_text=True)
    assert "0.90 → 0.85" in page or "0.900 → 0.85" in page


def test_the_under_price_share_is_the_saved_one(admin, session):
    admin.post("/admin/valuation", data=DEFAULT_FORM | {"undervalued_share": "30"})
    session.expire_all()
    assert settings.current(session).undervalued_share == Decimal("0.3")


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("weight_age", "150", "must add up to 1"),
        ("weight_age", "abc", "Enter a percentage such as 40 or 12.5."),
        ("dealer_buy_rate", "120", "out of range"),
        ("retail_rate", "90", "out of range"),
        ("mileage_step_rate", "5", "outweighs a year of age"),
        ("min_comparables", "1", "Enter 2 to 100 sales."),
        ("undervalued_share", "0", "Enter a share above 0 and at most 1."),
        ("range_rate", "<script>x</script>", "Enter a percentage"),
        ("mileage_cap", "9" * 40, "Enter a percentage"),
        ("key_region_old_factor", "", "Enter a percentage."),
    ],
)
def test_bad_values_are_refused_next_to_the_field(admin, session, field, typed, message):
    response = admin.post("/admin/valuation", data=DEFAULT_FORM | {field: typed}, headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "<script>x</script>" not in page
    session.expire_all()
    assert settings.current(session).engine.dealer_buy_rate == Decimal("0.90")


@pytest.mark.parametrize("role", [Role.OWNER, Role.REVIEWER, Role.OFFICER])
def test_only_admins_change_the_settings(client, auth, session, role):
    factories.user(session, role, email="someone@example.cn")
    session.commit()
    auth.login("someone@example.cn")
    assert client.get("/admin/valuation").status_code == 403
    assert client.post("/admin/valuation", data=DEFAULT_FORM).status_code == 403
