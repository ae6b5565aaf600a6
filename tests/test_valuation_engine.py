"""The valuation engine (DOMAIN §3): worked examples by hand, edges, properties, bad input."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.money import parse_yuan
from portal.registry.terms import FuelType
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.rules.engine import MAX_MILEAGE_KM, depreciation_curve, value
from portal.valuation.rules.facts import (
    DEFAULT_SETTINGS,
    PriceRange,
    Settings,
    Subject,
    months_between,
)
from portal.valuation.rules.inspection import (
    INSPECTION_PARTS,
    InvalidInspection,
    grade_for,
    inspection_score,
)
from portal.valuation.rules.market import Comparable, select_comparables, window
from portal.valuation.rules.tax import purchase_tax_fen
from portal.valuation.terms import CONDITION_SCORES, Condition, Grade, Method, VehicleClass

ON = date(2026, 6, 1)
PETROL, BEV, PHEV = FuelType.PETROL, FuelType.BEV, FuelType.PHEV


def subject(**changes) -> Subject:
    """A 2019 petrol car of 150,000 yuan in good condition; changes override."""
    base = Subject(
        guide_price_fen=15_000_000,
        fuel_type=PETROL,
        first_registration=date(2019, 6, 1),
        mileage_km=75_000,
        score=Condition.GOOD.score,
        family="Civic",
    )
    return replace(base, **changes)


def sale(price_yuan, *, first=date(2019, 6, 1), km=75_000, sold=date(2026, 3, 1), family="Civic"):
    return Comparable(price_yuan * 100, first, km, sold, family)


def step_results(valuation) -> dict[str, str]:
    return {step.label: step.result for step in valuation.steps}


# Worked examples, computed by hand.


def test_a_2019_petrol_car_by_replacement_cost():
    # Tax = 15,000,000 fen × 10 ÷ 113 = 1,327,433.63 → 1,327,434 (¥13,274.34)
    # Replacement cost = 15,000,000 + 1,327,434 = 16,327,434
    # 2019-06-01 → 2026-06-01 = 84 months. A compact car keeps 0.387 at 60 months and 0.256
    #   at 96: 0.387 + (0.256 − 0.387) × 24 ÷ 36 = 0.299666… → 0.2997
    # Age rate = 0.2997 ÷ 1.1973 = 0.25031… → 0.2503; technical = 0.2503 × 82 ÷ 82 = 0.2503
    # Combined = 0.2503 × 0.4 + 0.2503 × 0.6 = 0.25030
    # Expected 15,000 × 84 ÷ 12 = 105,000 km; mileage = 1 − 0.01 × (75,000 − 105,000) ÷ 10,000
    #   = 1.03 (within 1 ± 0.15)
    # Private = 16,327,434 × 0.2503 × 1.03 = 4,086,756.73 × 1.03 = 4,209,359.43 → 4,209,300
    # Range ± 5 %: 3,998,835 → 3,998,800; 4,419,765 → 4,419,700
    # Dealer × 0.9: 3,598,920 / 3,788,370 / 3,977,730 → 3,598,900 / 3,788,300 / 3,977,700
    # Retail × 1.1: 4,398,680 / 4,630,230 / 4,861,670 → 4,398,600 / 4,630,200 / 4,861,600
    #   = 30.9 % of the guide price after seven years (DOMAIN §3.4: 5 years 30–52, 8 years 18–38)
    valuation = value(subject(), on=ON)

    assert valuation.method is Method.REPLACEMENT_COST
    assert valuation.replacement_cost_fen == 16_327_434
    assert valuation.months_in_service == 84
    assert valuation.age_rate == Decimal("0.2503")
    assert valuation.technical_rate == Decimal("0.2503")
    assert valuation.combined_rate == Decimal("0.25030")
    assert valuation.mileage_factor == Decimal("1.03")
    assert valuation.private == PriceRange(3_998_800, 4_209_300, 4_419_700)
    assert valuation.dealer_buy == PriceRange(3_598_900, 3_788_300, 3_977_700)
    assert valuation.retail == PriceRange(4_398_600, 4_630_200, 4_861_600)
    results = step_results(valuation)
    assert results["Purchase tax = 10%% × %(guide)s ÷ 1.13"] == "¥13,274.34"
    assert results["Combined rate = %(age)s × %(a)s + %(technical)s × %(b)s"] == "0.2503"


def test_a_2024_bev_in_2026_pays_half_the_tax_up_to_the_cap():
    # Full tax = 40,000,000 × 10 ÷ 113 = 3,539,823.01 → 3,539,823; half is 1,769,911, more
    #   than the 1,500,000 cap, so tax = 3,539,823 − 1,500,000 = 2,039,823
    # Replacement cost = 42,039,823
    # 2024-03-15 → 2026-06-01 = 26 whole months. A battery-electric compact car keeps 0.763
    #   at 12 months and 0.452 at 36: 0.763 + (0.452 − 0.763) × 14 ÷ 24 = 0.58158… → 0.5816
    # Age = 0.5816 ÷ 1.1973 = 0.48576… → 0.4858; technical = 0.4858 × 95 ÷ 82 = 0.56282… → 0.5628
    # Combined = 0.4858 × 0.4 + 0.5628 × 0.6 = 0.19432 + 0.33768 = 0.53200
    # Expected 15,000 × 26 ÷ 12 = 32,500 km; mileage = 1 − 0.01 × 17,500 ÷ 10,000 = 0.9825
    # Private = 42,039,823 × 0.532 × 0.9825 = 22,365,185.84 × 0.9825 = 21,973,795.09
    #   → 21,973,700; range 20,875,015 → 20,875,000 and 23,072,385 → 23,072,300
    car = subject(
        guide_price_fen=40_000_000,
        fuel_type=BEV,
        first_registration=date(2024, 3, 15),
        mileage_km=50_000,
        score=Condition.EXCELLENT.score,
    )
    valuation = value(car, on=ON)

    assert valuation.replacement_cost_fen == 42_039_823
    assert valuation.months_in_service == 26
    assert valuation.combined_rate == Decimal("0.53200")
    assert valuation.mileage_factor == Decimal("0.9825")
    assert valuation.private == PriceRange(20_875_000, 21_973_700, 23_072_300)
    assert valuation.dealer_buy.mid_fen == 19_776_300  # 19,776,330
    assert valuation.retail.mid_fen == 24_171_000  # 24,171,070
    assert valuation.grade is Grade.I
    relief = "New-energy relief on %(on)s: %(full_tax)s − %(relief)s"
    assert step_results(valuation)[relief] == "¥20,398.23"


def test_an_nev_with_80_percent_battery_health():
    # 2025: tax 1,769,912 is under the 3,000,000 exemption cap → 0; cost = 20,000,000
    # 2022-01-10 → 2025-07-01 = 41 months; a compact plug-in hybrid keeps 0.471 at 36 months
    #   and 0.387 at 60: 0.471 − 0.084 × 5 ÷ 24 = 0.4535; age = 0.4535 ÷ 1.1973 → 0.3788
    # Technical = 0.3788 × 67 ÷ 82 = 0.30950… → 0.3095
    # Combined = 0.3788 × 0.4 + 0.3095 × 0.6 = 0.15152 + 0.1857 = 0.33722
    # Expected 15,000 × 41 ÷ 12 = 51,250 km; mileage = 1 − 0.01 × 38,750 ÷ 10,000 = 0.96125
    # Battery = 1 − (100 − 80) % × 0.4 = 0.92; region 1.05
    # Private = 20,000,000 × 0.33722 × 0.96125 × 1.05 × 0.92
    #   = 6,744,400 × 0.96125 = 6,483,054.50; × 1.05 = 6,807,207.23; × 0.92 = 6,262,630.65
    #   → 6,262,600; dealer 5,636,340 → 5,636,300; retail 6,888,860 → 6,888,800
    car = subject(
        guide_price_fen=20_000_000,
        fuel_type=PHEV,
        first_registration=date(2022, 1, 10),
        mileage_km=90_000,
        score=Condition.FAIR.score,
        region_factor=Decimal("1.05"),
        battery_health_pct=80,
    )
    valuation = value(car, on=date(2025, 7, 1))

    assert valuation.replacement_cost_fen == 20_000_000
    assert valuation.private.mid_fen == 6_262_600
    assert valuation.dealer_buy.mid_fen == 5_636_300
    assert valuation.retail.mid_fen == 6_888_800
    assert (
        step_results(valuation)["Battery factor = 1 − (100 − %(health)s)%% × %(share)s"] == "0.92"
    )


def test_battery_health_counts_only_for_new_energy_cars():
    assert value(subject(battery_health_pct=50), on=ON) == value(subject(), on=ON)


def test_every_step_renders_with_its_own_numbers():
    car = subject(fuel_type=BEV, structural_accident=True, battery_health_pct=90)
    for valuation in (value(car, on=ON), value(subject(), on=ON, comparables=_five_sales())):
        for step in valuation.steps:
            assert "%(" not in step.label % step.params
            assert step.result


# Purchase tax (DOMAIN §3.1).


# 200,000 yuan: 20,000,000 × 10 ÷ 113 = 1,769,911.50 → 1,769,912 (under the 2024 cap).
# 500,000 yuan: 50,000,000 × 10 ÷ 113 = 4,424,778.76 → 4,424,779; exemption capped at
#   3,000,000 → 1,424,779; halving capped at 1,500,000 → 2,924,779.
# 100,000 yuan: 884,955.75 → 884,956; half 442,478 is under the cap → 442,478.
@pytest.mark.parametrize(
    ("price", "fuel", "on", "tax"),
    [
        (20_000_000, PETROL, date(2025, 6, 1), 1_769_912),
        (20_000_000, BEV, date(2014, 8, 31), 1_769_912),
        (20_000_000, BEV, date(2014, 9, 1), 0),
        (50_000_000, BEV, date(2023, 12, 31), 0),
        (20_000_000, BEV, date(2024, 1, 1), 0),
        (50_000_000, BEV, date(2024, 1, 1), 1_424_779),
        (50_000_000, PHEV, date(2025, 12, 31), 1_424_779),
        (50_000_000, FuelType.EREV, date(2026, 1, 1), 2_924_779),
        (10_000_000, BEV, date(2026, 1, 1), 442_478),
        (50_000_000, BEV, date(2027, 12, 31), 2_924_779),
        (50_000_000, BEV, date(2028, 1, 1), 4_424_779),
        (50_000_000, FuelType.HEV, date(2025, 1, 1), 4_424_779),
    ],
)
def test_purchase_tax(price, fuel, on, tax):
    assert purchase_tax_fen(price, fuel, on) == tax


# Edges.


def test_a_brand_new_car():
    # 0 months: retention 1, age = 1 ÷ 1.1973 = 0.8352; technical = 0.8352 × 95 ÷ 82 = 0.9676
    # Combined = 0.8352 × 0.4 + 0.9676 × 0.6 = 0.33408 + 0.58056 = 0.91464; no mileage expected
    car = subject(first_registration=ON, mileage_km=0, score=95)
    valuation = value(car, on=ON)
    assert (valuation.months_in_service, valuation.age_rate) == (0, Decimal("0.8352"))
    assert (valuation.combined_rate, valuation.mileage_factor) == (Decimal("0.91464"), 1)
    # 16,327,434 × 0.91464 = 14,933,724.23 → 14,933,700
    assert valuation.private.mid_fen == 14_933_700


@pytest.mark.parametrize("first", [date(2011, 6, 1), date(2005, 1, 1), date(1990, 1, 1)])
def test_fifteen_years_and_older(first):
    # The curve stays at its 15-year figure: a compact car keeps 0.11 → age rate 0.0919.
    valuation = value(subject(first_registration=first, mileage_km=300_000), on=ON)
    assert valuation.age_rate == Decimal("0.0919")
    assert valuation.combined_rate == Decimal("0.09190")
    # Expected mileage stops at 180 months, 225,000 km: 75,000 km more is −0.075.
    assert valuation.mileage_factor == Decimal("0.925")
    assert valuation.private.low_fen > 0


def test_zero_and_huge_mileage_hit_the_caps():
    # 84 months expect 105,000 km: 0 km would be +0.105, 1,999,999 km far past −0.15.
    assert value(subject(mileage_km=0), on=ON).mileage_factor == Decimal("1.105")
    assert value(
        subject(first_registration=date(2010, 1, 1), mileage_km=0), on=ON
    ).mileage_factor == Decimal("1.15")
    huge = value(subject(mileage_km=1_999_999), on=ON)
    assert huge.mileage_factor == Decimal("0.85")
    assert huge.private.low_fen > 0


def test_an_accident_car_is_grade_v_and_marked_down():
    # The first worked example × 0.7: 4,209,359.43 × 0.7 = 2,946,551.60 → 2,946,500
    valuation = value(subject(structural_accident=True), on=ON)
    assert valuation.grade is Grade.V
    assert valuation.private.mid_fen == 2_946_500
    assert step_results(valuation)["Structural accident damage (grade V): factor"] == "0.7"


def test_conditions_map_to_scores_in_their_grade():
    assert CONDITION_SCORES == {"excellent": 95, "good": 82, "fair": 67, "poor": 40, "accident": 40}
    grades = {c: grade_for(c.score, c.structural_accident) for c in Condition}
    assert grades == {
        Condition.EXCELLENT: Grade.I,
        Condition.GOOD: Grade.II,
        Condition.FAIR: Grade.II,
        Condition.POOR: Grade.III,
        Condition.ACCIDENT: Grade.V,
    }


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, Grade.I), (90, Grade.I), (89, Grade.II), (60, Grade.II), (59, Grade.III)]
    + [(20, Grade.III), (19, Grade.IV), (0, Grade.IV)],
)
def test_grades(score, grade):
    assert grade_for(score, False) is grade
    assert grade_for(score, True) is Grade.V


def test_inspection_score_adds_the_six_parts():
    assert sum(INSPECTION_PARTS.values()) == 100
    assert inspection_score(dict(INSPECTION_PARTS)) == 100
    parts = {
        "body": 18,
        "engine_bay": 15,
        "cabin": 9,
        "start_up": 17,
        "road_test": 12,
        "chassis": 11,
    }
    assert inspection_score(parts) == 82


def test_months_in_service_count_whole_months():
    assert months_between(date(2024, 1, 31), date(2024, 2, 29)) == 0
    assert months_between(date(2024, 1, 31), date(2024, 3, 31)) == 2
    assert months_between(date(2019, 6, 1), date(2026, 6, 1)) == 84


# The market method (DOMAIN §3.1).


def _five_sales():
    return [sale(100_000), sale(110_000), sale(120_000), sale(130_000), sale(200_000)]


def test_market_method_with_five_comparables():
    # Median of 100k, 110k, 120k, 130k, 200k = 120,000; quartiles (inclusive) 110,000 and
    # 130,000 are wider than ± 5 % (114,000 – 126,000), so they are the range.
    valuation = value(subject(), on=ON, comparables=_five_sales())
    assert valuation.method is Method.MARKET
    assert valuation.private == PriceRange(11_000_000, 12_000_000, 13_000_000)
    assert valuation.dealer_buy == PriceRange(9_900_000, 10_800_000, 11_700_000)
    assert valuation.retail == PriceRange(12_100_000, 13_200_000, 14_300_000)
    assert len(valuation.comparables_used) == 5
    assert valuation.grade is Grade.II


def test_market_range_is_at_least_the_default_spread():
    # All five sold for 120,000: the range falls back to ± 5 %.
    sales = [sale(120_000)] * 5
    assert value(subject(), on=ON, comparables=sales).private == PriceRange(
        11_400_000, 12_000_000, 12_600_000
    )


def test_market_method_takes_structural_damage_off():
    car = subject(structural_accident=True)
    assert value(car, on=ON, comparables=_five_sales()).private.mid_fen == 8_400_000


def test_four_comparables_are_not_enough():
    valuation = value(subject(), on=ON, comparables=_five_sales()[:4])
    assert valuation.method is Method.REPLACEMENT_COST
    assert valuation.comparables_used == ()


def test_comparables_outside_the_window_are_dropped():
    # Subject: registered 2019-06-01, 75,000 km, valued 2026-06-01.
    kept = [
        sale(1, first=date(2018, 6, 1)),  # exactly a year earlier
        sale(2, first=date(2020, 6, 1)),  # exactly a year later
        sale(3, km=52_500),  # exactly −30 %
        sale(4, km=97_500),  # exactly +30 %
        sale(5, sold=date(2025, 6, 1)),  # exactly 12 months ago
        sale(6, sold=ON),
    ]
    dropped = [
        sale(7, first=date(2018, 5, 31)),
        sale(8, first=date(2020, 6, 2)),
        sale(9, km=52_499),
        sale(10, km=97_501),
        sale(11, sold=date(2025, 5, 31)),
        sale(12, sold=ON + timedelta(days=1)),
        sale(13, family="Accord"),
    ]
    chosen = select_comparables("Civic", date(2019, 6, 1), 75_000, ON, kept + dropped)
    assert chosen == kept
    assert select_comparables("", date(2019, 6, 1), 75_000, ON, [sale(1, family="")]) == []
    assert (
        value(subject(), on=ON, comparables=dropped[:5] + kept[:4]).method
        is Method.REPLACEMENT_COST
    )


# Properties.

dates = st.dates(date(1995, 1, 1), date(2030, 12, 31))
subjects = st.builds(
    Subject,
    guide_price_fen=st.integers(1, 1_000_000_000),
    fuel_type=st.sampled_from(FuelType),
    first_registration=dates,
    mileage_km=st.integers(0, MAX_MILEAGE_KM),
    score=st.integers(0, 100),
    structural_accident=st.booleans(),
    region_factor=st.decimals("0.5", "1.5", places=2),
    battery_health_pct=st.none() | st.integers(0, 100),
    vehicle_class=st.sampled_from(VehicleClass),
)
few = settings(max_examples=200, deadline=None)


def _ordered(a: date, b: date) -> tuple[date, date]:
    return min(a, b), max(a, b)


@few
@given(subjects, dates, st.integers(0, MAX_MILEAGE_KM), st.integers(0, MAX_MILEAGE_KM))
def test_more_mileage_never_raises_the_value(car, on, km1, km2):
    first, on = _ordered(car.first_registration, on)
    car = replace(car, first_registration=first)
    less, more = sorted((km1, km2))
    low = value(replace(car, mileage_km=less), on=on).private.mid_fen
    assert value(replace(car, mileage_km=more), on=on).private.mid_fen <= low


@few
@given(subjects, dates, dates)
def test_an_older_registration_never_raises_the_value(car, other, on):
    older, newer, on = sorted((car.first_registration, other, on))
    young = value(replace(car, first_registration=newer), on=on).private.mid_fen
    assert value(replace(car, first_registration=older), on=on).private.mid_fen <= young


@few
@given(subjects, dates, st.lists(st.integers(1, 100_000_000), max_size=8))
def test_prices_are_never_negative_and_keep_their_order(car, on, prices):
    first, on = _ordered(car.first_registration, on)
    car = replace(car, first_registration=first, family="F")
    sales = [Comparable(p, first, car.mileage_km, on, "F") for p in prices]
    valuation = value(car, on=on, comparables=sales)
    for prices in (valuation.dealer_buy, valuation.private, valuation.retail):
        assert 0 <= prices.low_fen <= prices.mid_fen <= prices.high_fen
        assert prices.mid_fen % 100 == 0
    assert valuation.dealer_buy.mid_fen <= valuation.private.mid_fen <= valuation.retail.mid_fen


@few
@given(subjects, dates)
def test_the_printed_steps_reproduce_the_private_price(car, on):
    first, on = _ordered(car.first_registration, on)
    valuation = value(replace(car, first_registration=first), on=on)
    step = next(s for s in valuation.steps if s.label.startswith("Private price ="))
    numbers = dict(step.params)
    amount = Fraction(parse_yuan(numbers.pop("cost")))
    for factor in numbers.values():
        amount *= Fraction(Decimal(factor))
    assert int(amount) // 100 * 100 == parse_yuan(step.result) == valuation.private.mid_fen


@few
@given(subjects, dates)
def test_the_depreciation_curve_never_rises(car, on):
    curve = depreciation_curve(replace(car, first_registration=on), on=on)
    assert [years for years, _ in curve] == list(range(16))
    assert all(later <= earlier for (_, earlier), (_, later) in zip(curve, curve[1:], strict=False))


# Bad input and settings.


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_registration": ON + timedelta(days=1)}, "first_registration"),
        ({"mileage_km": -1}, "mileage_km"),
        ({"mileage_km": 10**9}, "mileage_km"),
        ({"score": 101}, "score"),
        ({"score": -1}, "score"),
        ({"guide_price_fen": 0}, "guide_price_fen"),
        ({"battery_health_pct": 101}, "battery_health_pct"),
        ({"region_factor": Decimal(0)}, "region_factor"),
    ],
)
def test_bad_input_names_its_field(changes, field):
    with pytest.raises(InvalidValuationInput) as raised:
        value(subject(**changes), on=ON)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ({**INSPECTION_PARTS, "body": 21}, "body"),
        ({**INSPECTION_PARTS, "chassis": -1}, "chassis"),
        ({k: v for k, v in INSPECTION_PARTS.items() if k != "cabin"}, "cabin"),
        ({**INSPECTION_PARTS, "boot": 5}, "boot"),
    ],
)
def test_bad_inspection_names_its_part(parts, field):
    with pytest.raises(InvalidInspection) as raised:
        inspection_score(parts)
    assert raised.value.field == field


def test_an_inspection_error_names_the_maximum():
    with pytest.raises(InvalidInspection, match="from 0 to 20 points"):
        inspection_score({**INSPECTION_PARTS, "body": 21})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight_age": Decimal("0.5")}, "weight_age"),
        ({"dealer_buy_rate": Decimal("1.1")}, "dealer_buy_rate"),
        ({"mileage_cap": Decimal(1)}, "mileage_cap"),
        # At 5 % per 10,000 km a year of expected mileage (+7.5 %, +8.8 % at the lowest
        # factor) outweighs the curve's slowest year (12 × 0.71 %): a car registered
        # earlier with the same odometer would be worth more.
        ({"mileage_step_rate": Decimal("0.05")}, "mileage_step_rate"),
    ],
)
def test_settings_that_break_the_rules_are_refused(changes, field):
    with pytest.raises(InvalidValuationInput) as raised:
        Settings(**changes)
    assert raised.value.field == field


def test_the_comparables_window_is_read_from_the_settings():
    # ±30 % of 12,345 km is 3,703.5 km: whole kilometres inside it, as the query needs.
    bounds = window(date(2019, 6, 1), 12_345, ON)
    assert (bounds.mileage_from, bounds.mileage_to) == (8_642, 16_048)
    assert (bounds.registered_from, bounds.registered_to) == (date(2018, 6, 1), date(2020, 6, 1))
    assert (bounds.sold_from, bounds.sold_to) == (date(2025, 6, 1), ON)
    wider = replace(DEFAULT_SETTINGS, comparable_months=24, comparable_years=2)
    bounds = window(date(2019, 6, 1), 12_345, ON, wider)
    assert (bounds.registered_from, bounds.sold_from) == (date(2017, 6, 1), date(2024, 6, 1))
