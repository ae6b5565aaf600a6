"""The calibrated curve agrees with the market (DOMAIN §3.4): bands by class, age and fuel."""

from datetime import date
from decimal import Decimal

import pytest

from portal.registry.terms import FuelType
from portal.valuation.catalog import read_catalog
from portal.valuation.rules import calibration
from portal.valuation.rules.calibration import BANDS, band
from portal.valuation.rules.engine import value
from portal.valuation.rules.facts import DEFAULT_SETTINGS, Subject, add_months
from portal.valuation.terms import Condition, VehicleClass

ON = date(2026, 12, 6)
GUIDE_FEN = 15_000_000
AGES = sorted({*BANDS, calibration.THREE_YEARS})
FUELS = (FuelType.PETROL, FuelType.DIESEL, FuelType.HEV, FuelType.PHEV, FuelType.BEV)


def retention(kind, fuel, months, *, on=ON, condition=Condition.GOOD, km=None) -> Decimal:
    """Retail ÷ guide price for a car of average use (15,000 km a year) unless km is given."""
    car = Subject(
        guide_price_fen=GUIDE_FEN,
        fuel_type=fuel,
        first_registration=add_months(on, -months),
        mileage_km=DEFAULT_SETTINGS.annual_km * months // 12 if km is None else km,
        score=condition.score,
        vehicle_class=kind,
    )
    return Decimal(value(car, on=on).retail.mid_fen) / GUIDE_FEN


@pytest.mark.parametrize("fuel", FUELS)
@pytest.mark.parametrize("months", AGES)
@pytest.mark.parametrize("kind", list(VehicleClass))
def test_every_class_and_age_is_inside_its_band(kind, months, fuel):
    low, high = band(kind, months)
    assert low <= retention(kind, fuel, months) <= high


@pytest.mark.parametrize("on", [date(2026, 12, 6), date(2028, 6, 1)])  # half tax, full tax
@pytest.mark.parametrize("months", [12, 36, 60])
@pytest.mark.parametrize("kind", list(VehicleClass))
def test_battery_electric_cars_sit_in_the_lower_half_to_five_years(kind, months, on):
    low, high = band(kind, months)
    assert low <= retention(kind, FuelType.BEV, months, on=on) <= (low + high) / 2


@pytest.mark.parametrize("kind", list(VehicleClass))
def test_never_above_the_top_of_the_band_for_average_use_at_any_age(kind):
    # Between the anchor ages the band's top is the larger of its neighbours'.
    tops = {age: band(kind, age)[1] for age in AGES}
    for months in range(12, 181):
        top = max(t for age, t in tops.items() if abs(age - months) <= 36)
        assert retention(kind, FuelType.PETROL, months) <= top


@pytest.mark.parametrize("kind", list(VehicleClass))
def test_older_or_more_used_is_never_dearer(kind):
    previous = None
    for months in range(0, 200, 3):
        now = retention(kind, FuelType.PETROL, months, km=90_000)
        assert previous is None or now <= previous
        previous = now
    by_km = [retention(kind, FuelType.PETROL, 60, km=km) for km in range(0, 300_001, 25_000)]
    assert by_km == sorted(by_km, reverse=True)


def test_condition_moves_the_value_around_its_age():
    figures = [
        retention(VehicleClass.COMPACT_CAR, FuelType.PETROL, 60, condition=c)
        for c in (Condition.EXCELLENT, Condition.GOOD, Condition.FAIR, Condition.POOR)
    ]
    assert figures == sorted(figures, reverse=True)
    assert figures[1] == retention(VehicleClass.COMPACT_CAR, FuelType.PETROL, 60)


def test_the_class_figures_are_the_published_three_year_rates():
    # DOMAIN §3.4, CADA September 2024: the curve passes through them at three years.
    for kind, figure in calibration.THREE_YEAR.items():
        assert calibration.retention(kind, FuelType.PETROL, 36) == figure


def test_a_fourteen_year_old_compact_car_keeps_a_small_fraction():
    # The 2012 朗逸 at 168,000 km was 62 % of a new one; the market says about a tenth.
    share = retention(VehicleClass.COMPACT_CAR, FuelType.PETROL, 170, km=168_000)
    assert Decimal("0.08") <= share <= Decimal("0.15")


def test_every_catalog_trim_is_inside_its_band_at_every_age():
    # bench/valuation_calibration.py's question for the whole shipped catalog: retail ÷ the
    # guide price the valuation starts from (today's), each trim at each anchor age.
    outside = []
    for model in read_catalog():
        for months in AGES:
            car = Subject(
                guide_price_fen=model.current_price_fen,
                fuel_type=model.fuel_type,
                first_registration=add_months(ON, -months),
                mileage_km=DEFAULT_SETTINGS.annual_km * months // 12,
                score=Condition.GOOD.score,
                vehicle_class=model.vehicle_class,
            )
            share = Decimal(value(car, on=ON).retail.mid_fen) / model.current_price_fen
            low, high = band(model.vehicle_class, months)
            if not low <= share <= high:
                outside.append((model.series, model.model_year, months, share))
    assert outside == []
