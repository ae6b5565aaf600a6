"""The market method of DOMAIN §3.1: the price of comparable sales (completed transfers).

`select_comparables` keeps the sales of similar cars; with enough of them (the engine
decides) `price` takes their median as the private price and the middle half of them as
its range, and writes the steps. Pure, like the rest of the engine.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from portal.messages import N_
from portal.money import yuan
from portal.valuation.rules.facts import (
    DEFAULT_SETTINGS,
    PriceRange,
    Settings,
    Step,
    Subject,
    add_months,
    floor_yuan,
    rate_text,
    steps_from,
)


@dataclass(frozen=True)
class Comparable:
    """A completed sale of a similar car (in the portal: a completed transfer)."""

    price_fen: int
    first_registration: date
    mileage_km: int
    sold_on: date
    family: str


@dataclass(frozen=True)
class Window:
    """Which sales count as comparable to a car (DOMAIN §3.1), as bounds a query can use."""

    registered_from: date
    registered_to: date
    mileage_from: int
    mileage_to: int
    sold_from: date
    sold_to: date


def window(
    first_registration: date, mileage_km: int, on: date, settings: Settings = DEFAULT_SETTINGS
) -> Window:
    """DOMAIN §3.1: registered ±1 year, mileage ±30 % (in whole km), sold in the last 12 months."""
    years = 12 * settings.comparable_years
    spread = settings.comparable_mileage_share * mileage_km
    return Window(
        registered_from=add_months(first_registration, -years),
        registered_to=add_months(first_registration, years),
        mileage_from=math.ceil(mileage_km - spread),
        mileage_to=math.floor(mileage_km + spread),
        sold_from=add_months(on, -settings.comparable_months),
        sold_to=on,
    )


def select_comparables(
    subject_family: str,
    first_registration: date,
    mileage_km: int,
    on: date,
    candidates: Sequence[Comparable],
    settings: Settings = DEFAULT_SETTINGS,
) -> list[Comparable]:
    """The sales of the same family inside the car's `window`."""
    bounds = window(first_registration, mileage_km, on, settings)
    return [
        sale
        for sale in candidates
        if subject_family
        and sale.family == subject_family
        and bounds.registered_from <= sale.first_registration <= bounds.registered_to
        and bounds.mileage_from <= sale.mileage_km <= bounds.mileage_to
        and bounds.sold_from <= sale.sold_on <= bounds.sold_to
    ]


def price(
    subject: Subject, used: list[Comparable], offered: int, on: date, s: Settings
) -> tuple[PriceRange, list[Step]]:
    """DOMAIN §3.1 market method: the median sale; the range from the middle half of sales.

    The plain median, not each sale adjusted: the filter already keeps only similar cars,
    and a median a person can find in the list of sales is easy to check. Structural
    damage is taken off because sales in the portal are not known to be accident cars.
    """
    prices = sorted(Fraction(sale.price_fen) for sale in used)
    median = statistics.median(prices)
    q1, _, q3 = statistics.quantiles(prices, n=4, method="inclusive")
    accident = s.accident_rate if subject.structural_accident else Decimal(1)
    mid = floor_yuan(median, accident)
    low = min(floor_yuan(q1, accident), floor_yuan(mid, 1 - s.range_rate))
    high = max(floor_yuan(q3, accident), floor_yuan(mid, 1 + s.range_rate))
    private = PriceRange(low, mid, high)
    n = {
        "count": str(len(used)),
        "offered": str(offered),
        "years": str(s.comparable_years),
        "share": rate_text(s.comparable_mileage_share),
        "since": str(add_months(on, -s.comparable_months)),
        "median": yuan(floor_yuan(median)),
        "accident": rate_text(accident),
        "q1": yuan(floor_yuan(q1, accident)),
        "q3": yuan(floor_yuan(q3, accident)),
        "mid": yuan(mid),
        "rate": rate_text(s.range_rate),
    }
    label = N_(
        "Comparable sales: %(count)s of %(offered)s (same family, registered within"
        " ±%(years)s year, mileage within ±%(share)s, sold since %(since)s)"
    )
    rows = [
        (label, n["count"]),
        (N_("Market price = median of %(count)s sale prices, rounded down"), n["median"]),
    ]
    if subject.structural_accident:
        rows.append((N_("Structural accident damage (grade V): × %(accident)s"), n["mid"]))
    label = N_("Private range = quartiles %(q1)s – %(q3)s, at least %(mid)s ± %(rate)s")
    rows.append((label, private.text()))
    return private, steps_from(n, rows)
