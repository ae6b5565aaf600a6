"""The valuation engine: a used car's price after GB/T 30323-2013, as pure functions (DOMAIN §3).

`value` uses the market method when there are enough comparable sales, otherwise the
replacement-cost method (DOMAIN §3.1), and returns the three prices of §3.3 with their
ranges and the steps of the arithmetic. A step is a translatable template with its numbers
as text; every rate has a few decimals and is used exactly as shown, so a person redoing
the sum by hand gets the same yuan. Money is integer fen, prices are whole yuan.

The methods are in `replacement.py` and `market.py`, what they share (settings, the car,
steps, price ranges) in `facts.py`; the inspection's score and grade in `inspection.py`,
the purchase tax in `tax.py`; the vocabulary (methods, conditions, grades, parts) is the
feature's `terms.py`, the refusal `InvalidValuationInput` its `errors.py`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import NoReturn

from portal.messages import N_
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.rules import market, replacement
from portal.valuation.rules.facts import (
    DEFAULT_SETTINGS,
    PriceRange,
    Settings,
    Step,
    Subject,
    months_between,
    rate_text,
    steps_from,
)
from portal.valuation.rules.inspection import grade_for
from portal.valuation.rules.market import Comparable
from portal.valuation.terms import Grade, Method

MAX_MILEAGE_KM = 2_000_000


@dataclass(frozen=True)
class Valuation:
    """The three prices of DOMAIN §3.3, how they were reached, and the key rates."""

    dealer_buy: PriceRange
    private: PriceRange
    retail: PriceRange
    grade: Grade
    method: Method
    score: int
    steps: tuple[Step, ...]
    comparables_used: tuple[Comparable, ...]
    months_in_service: int
    age_rate: Decimal
    technical_rate: Decimal
    combined_rate: Decimal
    mileage_factor: Decimal
    replacement_cost_fen: int


def value(
    subject: Subject,
    *,
    on: date,
    comparables: Sequence[Comparable] = (),
    settings: Settings = DEFAULT_SETTINGS,
) -> Valuation:
    """Value the car on `on`: by comparable sales if there are enough, else by replacement cost."""
    _check(subject, on)
    months = months_between(subject.first_registration, on)
    # Computed either way: the valuation reports its rates and replacement cost.
    by_cost = replacement.compute(subject, months, on, settings)
    used = market.select_comparables(
        subject.family, subject.first_registration, subject.mileage_km, on, comparables, settings
    )
    if len(used) >= settings.min_comparables:
        method = Method.MARKET
        private, steps = market.price(subject, used, len(comparables), on, settings)
    else:
        method, used = Method.REPLACEMENT_COST, []
        private, steps = replacement.price(subject, months, on, settings, by_cost)
    dealer_buy, retail = (
        private.scaled(settings.dealer_buy_rate),
        private.scaled(settings.retail_rate),
    )
    numbers = {
        "dealer": rate_text(settings.dealer_buy_rate),
        "retail": rate_text(settings.retail_rate),
    }
    steps += steps_from(
        numbers,
        [
            (N_("Dealer buy price = %(dealer)s × the private price and range"), dealer_buy.text()),
            (N_("Retail price = %(retail)s × the private price and range"), retail.text()),
        ],
    )
    return Valuation(
        dealer_buy=dealer_buy,
        private=private,
        retail=retail,
        grade=grade_for(subject.score, subject.structural_accident),
        method=method,
        score=subject.score,
        steps=tuple(steps),
        comparables_used=tuple(used),
        months_in_service=months,
        age_rate=by_cost.age_rate,
        technical_rate=by_cost.technical_rate,
        combined_rate=by_cost.combined_rate,
        mileage_factor=by_cost.mileage_factor,
        replacement_cost_fen=by_cost.cost_fen,
    )


def depreciation_curve(
    subject: Subject, *, on: date, settings: Settings = DEFAULT_SETTINGS
) -> list[tuple[int, int]]:
    """(years, private price in fen) at 0..15 years, driven the expected mileage, for a chart."""
    _check(subject, on)
    points = []
    for years in range(settings.reference_months // 12 + 1):
        aged = replace(subject, mileage_km=settings.annual_km * years)
        points.append((years, replacement.compute(aged, 12 * years, on, settings).private_fen))
    return points


def _check(subject: Subject, on: date) -> None:
    """Refuse what the formula cannot value, naming the field."""
    health = subject.battery_health_pct
    if subject.guide_price_fen <= 0:
        _refuse("guide_price_fen", N_("The guide price must be more than zero."))
    if subject.first_registration > on:
        message = N_("The first registration (%(first)s) is after the valuation date (%(on)s).")
        _refuse("first_registration", message, first=str(subject.first_registration), on=str(on))
    if not 0 <= subject.mileage_km <= MAX_MILEAGE_KM:
        message = N_("The mileage must be between 0 and %(maximum)s km.")
        _refuse("mileage_km", message, maximum=f"{MAX_MILEAGE_KM:,}")
    if not 0 <= subject.score <= 100:
        _refuse("score", N_("The inspection score must be between 0 and 100."))
    if health is not None and not 0 <= health <= 100:
        _refuse("battery_health_pct", N_("Battery health must be between 0 and 100."))
    if subject.region_factor <= 0:
        _refuse("region_factor", N_("The region factor must be more than zero."))


def _refuse(field: str, message: str, **params: object) -> NoReturn:
    raise InvalidValuationInput(field, message, **params)
