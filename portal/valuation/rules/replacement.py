"""The replacement-cost method of DOMAIN §3.1: what the car would cost new, less its wear.

Replacement cost (guide price plus purchase tax) × the combined newness rate (age and
inspection score) × the adjustment factors (mileage, region, battery, accident), rounded
down to the yuan. The age rate comes from the market's retention rates (calibration.py,
DOMAIN §3.4); the technical rate is the age rate moved by the inspection score against a
car in good condition, so no score makes an old car young. `compute` gives the numbers,
which the depreciation curve also uses; `price` writes them out as steps, every rate used
exactly as it is printed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from portal.messages import N_
from portal.money import yuan
from portal.registry.terms import FuelType
from portal.valuation.rules import calibration
from portal.valuation.rules.facts import (
    PriceRange,
    Settings,
    Step,
    Subject,
    floor_yuan,
    rate_text,
    steps_from,
)
from portal.valuation.rules.tax import purchase_tax_fen
from portal.valuation.terms import CONDITION_SCORES

RATE_PLACES = Decimal("0.0001")  # rates are rounded to this, then used as shown
# The score of a car in good condition, which the retention rates describe (DOMAIN §3.4).
GOOD_SCORE = CONDITION_SCORES["good"]


@dataclass(frozen=True)
class Replacement:
    """The numbers of the replacement-cost method, before they are written as steps."""

    full_tax_fen: int  # the purchase tax without new-energy relief
    tax_fen: int
    cost_fen: int
    retention: Decimal
    age_rate: Decimal
    technical_rate: Decimal
    combined_rate: Decimal
    expected_km: int
    mileage_factor: Decimal
    battery_factor: Decimal
    accident_factor: Decimal
    private_fen: int


def compute(subject: Subject, months: int, on: date, s: Settings) -> Replacement:
    """DOMAIN §3.1: replacement cost × combined newness rate × adjustment factors."""
    guide = subject.guide_price_fen
    tax = purchase_tax_fen(guide, subject.fuel_type, on)
    cost = guide + tax
    kind, fuel = subject.vehicle_class, subject.fuel_type
    age = calibration.age_rate(kind, fuel, months)
    technical = (age * subject.score / GOOD_SCORE).quantize(RATE_PLACES, ROUND_HALF_UP)
    combined = age * s.weight_age + technical * s.weight_technical
    # The expectation stops at the reference life: past it age no longer lowers the value,
    # so it must not earn a mileage credit either.
    expected = s.annual_km * min(months, s.reference_months) // 12
    mileage = 1 - s.mileage_step_rate * (subject.mileage_km - expected) / s.mileage_step_km
    mileage = min(max(mileage, 1 - s.mileage_cap), 1 + s.mileage_cap)
    battery = Decimal(1)
    if subject.fuel_type.new_energy and subject.battery_health_pct is not None:
        battery = 1 - Decimal(100 - subject.battery_health_pct) / 100 * s.battery_share
    accident = s.accident_rate if subject.structural_accident else Decimal(1)
    return Replacement(
        full_tax_fen=purchase_tax_fen(guide, FuelType.PETROL, on),
        tax_fen=tax,
        cost_fen=cost,
        retention=calibration.retention(kind, fuel, months),
        age_rate=age,
        technical_rate=technical,
        combined_rate=combined,
        expected_km=expected,
        mileage_factor=mileage,
        battery_factor=battery,
        accident_factor=accident,
        private_fen=floor_yuan(cost, combined, mileage, subject.region_factor, battery, accident),
    )


def price(
    subject: Subject, months: int, on: date, s: Settings, r: Replacement
) -> tuple[PriceRange, list[Step]]:
    """The private price ± the range rate, and the steps that reach it."""
    private = PriceRange(
        floor_yuan(r.private_fen, 1 - s.range_rate),
        r.private_fen,
        floor_yuan(r.private_fen, 1 + s.range_rate),
    )
    numbers = {"mid": yuan(r.private_fen), "rate": rate_text(s.range_rate)}
    steps = _steps(subject, months, on, s, r)
    steps += steps_from(numbers, [(N_("Private range = %(mid)s ± %(rate)s"), private.text())])
    return private, steps


def _steps(subject: Subject, months: int, on: date, s: Settings, r: Replacement) -> list[Step]:
    """The replacement-cost method written out, every number as it is printed."""
    (early, early_rate), (late, late_rate) = calibration.anchors_around(
        subject.vehicle_class, subject.fuel_type, months
    )
    n = {
        "guide": yuan(subject.guide_price_fen),
        "full_tax": yuan(r.full_tax_fen),
        "on": str(on),
        "relief": yuan(r.full_tax_fen - r.tax_fen),
        "tax": yuan(r.tax_fen),
        "cost": yuan(r.cost_fen),
        "first": str(subject.first_registration),
        "months": str(months),
        "retention": rate_text(r.retention),
        "early": str(early),
        "early_rate": rate_text(early_rate),
        "late": str(late),
        "late_rate": rate_text(late_rate),
        "per_rate": rate_text(calibration.RETENTION_PER_AGE_RATE),
        "age": rate_text(r.age_rate),
        "score": str(subject.score),
        "good": str(GOOD_SCORE),
        "technical": rate_text(r.technical_rate),
        "a": rate_text(s.weight_age),
        "b": rate_text(s.weight_technical),
        "annual": f"{s.annual_km:,}",
        "km": f"{subject.mileage_km:,}",
        "expected": f"{r.expected_km:,}",
        "step": f"{s.mileage_step_km:,}",
        "rate": rate_text(s.mileage_step_rate),
        "cap": rate_text(s.mileage_cap),
        "health": str(subject.battery_health_pct),
        "share": rate_text(s.battery_share),
        "combined": rate_text(r.combined_rate),
        "mileage": rate_text(r.mileage_factor),
        "region": rate_text(subject.region_factor),
        "battery": rate_text(r.battery_factor),
        "accident": rate_text(r.accident_factor),
        "private": yuan(r.private_fen),
    }
    rows = [(N_("Purchase tax = 10%% × %(guide)s ÷ 1.13"), n["full_tax"])]
    if r.tax_fen != r.full_tax_fen:
        rows.append((N_("New-energy relief on %(on)s: %(full_tax)s − %(relief)s"), n["tax"]))
    rows += [
        (N_("Replacement cost = guide price %(guide)s + purchase tax %(tax)s"), n["cost"]),
        (N_("Months in service from %(first)s to %(on)s"), n["months"]),
        (_retention_label(months, early, late), n["retention"]),
        (N_("Age newness rate = retention %(retention)s ÷ %(per_rate)s"), n["age"]),
        (
            N_("Technical newness rate = %(age)s × score %(score)s ÷ %(good)s (good condition)"),
            n["technical"],
        ),
        (N_("Combined rate = %(age)s × %(a)s + %(technical)s × %(b)s"), n["combined"]),
        (N_("Expected mileage = %(annual)s km × %(months)s ÷ 12"), n["expected"] + " km"),
        (
            N_("Mileage factor = 1 − %(rate)s × (%(km)s − %(expected)s) ÷ %(step)s, 1 ± %(cap)s"),
            n["mileage"],
        ),
        (N_("Region factor (demand in the city)"), n["region"]),
    ]
    if r.battery_factor != 1:
        rows.append((N_("Battery factor = 1 − (100 − %(health)s)%% × %(share)s"), n["battery"]))
    if subject.structural_accident:
        rows.append((N_("Structural accident damage (grade V): factor"), n["accident"]))
    label = N_(
        "Private price = %(cost)s × %(combined)s × %(mileage)s × %(region)s"
        " × %(battery)s × %(accident)s, rounded down to the yuan"
    )
    rows.append((label, n["private"]))
    return steps_from(n, rows)


def _retention_label(months: int, early: int, late: int) -> str:
    """How the retention was read off the calibrated curve: at an anchor, or between two."""
    if months >= calibration.REFERENCE_MONTHS:
        return N_("Market retention at 15 years or more (the calibrated curve of its class)")
    if early == late:
        return N_("Market retention at %(months)s months (the calibrated curve of its class)")
    return N_(
        "Market retention at %(months)s months, from %(early_rate)s at %(early)s"
        " and %(late_rate)s at %(late)s months (the calibrated curve of its class)"
    )
