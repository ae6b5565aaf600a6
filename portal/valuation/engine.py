"""The valuation engine: a used car's price after GB/T 30323-2013, as pure functions (DOMAIN §3).

`value` uses the market method when there are enough comparable sales, otherwise the
replacement-cost method (DOMAIN §3.1), and returns the three prices of §3.3 with their
ranges and the steps of the arithmetic. A step is a translatable template with its numbers
as text; every rate has a few decimals and is used exactly as shown, so a person redoing
the sum by hand gets the same yuan. Money is integer fen, prices are whole yuan.

The inspection's vocabulary (conditions, grades, the score) is in `inspection.py`, the
purchase tax in `tax.py`, the refusal `InvalidValuationInput` in `errors.py`.
"""

import calendar
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import NoReturn

from portal.messages import N_
from portal.money import FEN_PER_YUAN, yuan
from portal.registry.terms import FuelType
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.inspection import Grade, grade_for
from portal.valuation.tax import purchase_tax_fen

MAX_MILEAGE_KM = 2_000_000
RATE_PLACES = Decimal("0.0001")  # the age rate is rounded to this, then used as shown


class Method(StrEnum):
    REPLACEMENT_COST = "replacement_cost"
    MARKET = "market"


@dataclass(frozen=True)
class Settings:
    """The configurable values of DOMAIN §3.1 and §3.3, with their seeded defaults."""

    weight_age: Decimal = Decimal("0.4")
    weight_technical: Decimal = Decimal("0.6")
    reference_months: int = 180  # a private car's 15-year reference life
    annual_km: int = 20_000
    mileage_step_km: int = 10_000
    # 1 % per 10,000 km: at 2 % a year of expected mileage (+4 %) would outweigh a year of
    # age (−2.67 % of the combined rate), and of two cars with the same odometer the older
    # would be worth more. __post_init__ refuses settings that allow that.
    mileage_step_rate: Decimal = Decimal("0.01")
    mileage_cap: Decimal = Decimal("0.15")
    battery_share: Decimal = Decimal("0.4")  # the battery is about 40 % of an NEV's value
    accident_rate: Decimal = Decimal("0.7")  # structural damage takes 30 % off
    dealer_buy_rate: Decimal = Decimal("0.90")  # relative to the private price (§3.3)
    retail_rate: Decimal = Decimal("1.10")
    range_rate: Decimal = Decimal("0.05")  # ± around each price; wider comparables win
    min_comparables: int = 5
    comparable_months: int = 12
    comparable_years: int = 1
    comparable_mileage_share: Decimal = Decimal("0.30")

    def __post_init__(self):
        a, b = self.weight_age, self.weight_technical
        if a < 0 or b < 0 or a + b != 1:
            raise InvalidValuationInput(
                "weight_age", N_("The weights %(a)s and %(b)s must add up to 1."), a=a, b=b
            )
        in_range = {
            "reference_months": self.reference_months >= 12,
            "annual_km": self.annual_km >= 0,
            "mileage_step_km": self.mileage_step_km > 0,
            "mileage_step_rate": self.mileage_step_rate >= 0,
            "mileage_cap": 0 <= self.mileage_cap < 1,
            "battery_share": 0 <= self.battery_share <= 1,
            "accident_rate": 0 < self.accident_rate <= 1,
            "dealer_buy_rate": 0 < self.dealer_buy_rate <= 1,
            "retail_rate": self.retail_rate >= 1,
            "range_rate": 0 <= self.range_rate < 1,
            "min_comparables": self.min_comparables >= 2,  # quartiles need two sales
        }
        for name, ok in in_range.items():
            if not ok:
                raise InvalidValuationInput(name, N_("%(name)s is out of range."), name=name)
        # Age must cost more than expected mileage earns, even at the lowest mileage factor.
        credit = self.mileage_step_rate * self.annual_km / self.mileage_step_km
        cost = a * 12 / self.reference_months * (1 - self.mileage_cap)
        if credit > cost:
            message = N_("A year of expected mileage (%(credit)s) outweighs a year of age.")
            raise InvalidValuationInput("mileage_step_rate", message, credit=_num(credit))


DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True)
class Comparable:
    """A completed sale of a similar car (in the portal: a completed transfer)."""

    price_fen: int
    first_registration: date
    mileage_km: int
    sold_on: date
    family: str


def select_comparables(
    subject_family: str,
    first_registration: date,
    mileage_km: int,
    on: date,
    candidates: Sequence[Comparable],
    settings: Settings = DEFAULT_SETTINGS,
) -> list[Comparable]:
    """DOMAIN §3.1: same family, registered ±1 year, mileage ±30 %, sold in the last 12 months."""
    years = 12 * settings.comparable_years
    earliest, latest = (
        _add_months(first_registration, -years),
        _add_months(first_registration, years),
    )
    sold_since = _add_months(on, -settings.comparable_months)
    spread = settings.comparable_mileage_share * mileage_km
    return [
        sale
        for sale in candidates
        if subject_family
        and sale.family == subject_family
        and earliest <= sale.first_registration <= latest
        and abs(sale.mileage_km - mileage_km) <= spread
        and sold_since <= sale.sold_on <= on
    ]


@dataclass(frozen=True)
class Subject:
    """The car to value; the guide price is today's for the same or the nearest new model."""

    guide_price_fen: int
    fuel_type: FuelType
    first_registration: date
    mileage_km: int
    score: int
    structural_accident: bool = False
    region_factor: Decimal = Decimal(1)
    battery_health_pct: int | None = None  # counted for new-energy cars only
    family: str = ""


@dataclass(frozen=True)
class Step:
    """One line of the arithmetic: an English template, its numbers as text, the result."""

    label: str
    params: dict
    result: str


@dataclass(frozen=True)
class PriceRange:
    """A price and its low–high range, in fen, each a whole yuan."""

    low_fen: int
    mid_fen: int
    high_fen: int

    def scaled(self, rate: Decimal) -> "PriceRange":
        """Each bound × rate, rounded down to the yuan (which keeps their order)."""
        return PriceRange(*(_floor_yuan(fen, rate) for fen in self.bounds()))

    def bounds(self) -> tuple[int, int, int]:
        """low, mid, high."""
        return self.low_fen, self.mid_fen, self.high_fen

    def text(self) -> str:
        """The price and its range, as a step shows them."""
        return f"{yuan(self.mid_fen)} ({yuan(self.low_fen)} – {yuan(self.high_fen)})"


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
    replacement = _replacement(subject, months, on, settings)
    used = select_comparables(
        subject.family, subject.first_registration, subject.mileage_km, on, comparables, settings
    )
    if len(used) >= settings.min_comparables:
        method = Method.MARKET
        private, steps = _market(subject, used, len(comparables), on, settings)
    else:
        method, used = Method.REPLACEMENT_COST, []
        steps = _replacement_steps(subject, months, on, settings, replacement)
        private_fen = replacement.private_fen
        private = PriceRange(
            _floor_yuan(private_fen, 1 - settings.range_rate),
            private_fen,
            _floor_yuan(private_fen, 1 + settings.range_rate),
        )
        numbers = {"mid": yuan(private_fen), "rate": _num(settings.range_rate)}
        steps += _steps(numbers, [(N_("Private range = %(mid)s ± %(rate)s"), private.text())])
    dealer_buy, retail = (
        private.scaled(settings.dealer_buy_rate),
        private.scaled(settings.retail_rate),
    )
    numbers = {"dealer": _num(settings.dealer_buy_rate), "retail": _num(settings.retail_rate)}
    steps += _steps(
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
        age_rate=replacement.age_rate,
        technical_rate=replacement.technical_rate,
        combined_rate=replacement.combined_rate,
        mileage_factor=replacement.mileage_factor,
        replacement_cost_fen=replacement.cost_fen,
    )


def depreciation_curve(
    subject: Subject, *, on: date, settings: Settings = DEFAULT_SETTINGS
) -> list[tuple[int, int]]:
    """(years, private price in fen) at 0..15 years, driven the expected mileage, for a chart."""
    _check(subject, on)
    points = []
    for years in range(settings.reference_months // 12 + 1):
        aged = replace(subject, mileage_km=settings.annual_km * years)
        points.append((years, _replacement(aged, 12 * years, on, settings).private_fen))
    return points


def months_between(start: date, end: date) -> int:
    """Whole months from start to end; a month counts once its day of the month is reached."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


@dataclass(frozen=True)
class _Replacement:
    """The numbers of the replacement-cost method, before they are written as steps."""

    full_tax_fen: int  # the purchase tax without new-energy relief
    tax_fen: int
    cost_fen: int
    age_rate: Decimal
    technical_rate: Decimal
    combined_rate: Decimal
    expected_km: int
    mileage_factor: Decimal
    battery_factor: Decimal
    accident_factor: Decimal
    private_fen: int


def _replacement(subject: Subject, months: int, on: date, s: Settings) -> _Replacement:
    """DOMAIN §3.1: replacement cost × combined newness rate × adjustment factors."""
    guide = subject.guide_price_fen
    tax = purchase_tax_fen(guide, subject.fuel_type, on)
    cost = guide + tax
    age = max(Decimal(0), 1 - Decimal(months) / s.reference_months)
    age = age.quantize(RATE_PLACES, ROUND_HALF_UP)
    technical = Decimal(subject.score) / 100
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
    return _Replacement(
        full_tax_fen=purchase_tax_fen(guide, FuelType.PETROL, on),
        tax_fen=tax,
        cost_fen=cost,
        age_rate=age,
        technical_rate=technical,
        combined_rate=combined,
        expected_km=expected,
        mileage_factor=mileage,
        battery_factor=battery,
        accident_factor=accident,
        private_fen=_floor_yuan(cost, combined, mileage, subject.region_factor, battery, accident),
    )


def _replacement_steps(
    subject: Subject, months: int, on: date, s: Settings, r: _Replacement
) -> list[Step]:
    """The replacement-cost method written out, every number as it is printed."""
    n = {
        "guide": yuan(subject.guide_price_fen),
        "full_tax": yuan(r.full_tax_fen),
        "on": str(on),
        "relief": yuan(r.full_tax_fen - r.tax_fen),
        "tax": yuan(r.tax_fen),
        "cost": yuan(r.cost_fen),
        "first": str(subject.first_registration),
        "months": str(months),
        "reference": str(s.reference_months),
        "age": _num(r.age_rate),
        "score": str(subject.score),
        "technical": _num(r.technical_rate),
        "a": _num(s.weight_age),
        "b": _num(s.weight_technical),
        "annual": f"{s.annual_km:,}",
        "km": f"{subject.mileage_km:,}",
        "expected": f"{r.expected_km:,}",
        "step": f"{s.mileage_step_km:,}",
        "rate": _num(s.mileage_step_rate),
        "cap": _num(s.mileage_cap),
        "health": str(subject.battery_health_pct),
        "share": _num(s.battery_share),
        "combined": _num(r.combined_rate),
        "mileage": _num(r.mileage_factor),
        "region": _num(subject.region_factor),
        "battery": _num(r.battery_factor),
        "accident": _num(r.accident_factor),
        "private": yuan(r.private_fen),
    }
    rows = [(N_("Purchase tax = 10%% × %(guide)s ÷ 1.13"), n["full_tax"])]
    if r.tax_fen != r.full_tax_fen:
        rows.append((N_("New-energy relief on %(on)s: %(full_tax)s − %(relief)s"), n["tax"]))
    rows += [
        (N_("Replacement cost = guide price %(guide)s + purchase tax %(tax)s"), n["cost"]),
        (N_("Months in service from %(first)s to %(on)s"), n["months"]),
        (N_("Age newness rate = 1 − %(months)s ÷ %(reference)s, at least 0"), n["age"]),
        (N_("Technical newness rate = score %(score)s ÷ 100"), n["technical"]),
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
    return _steps(n, rows)


def _market(
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
    mid = _floor_yuan(median, accident)
    low = min(_floor_yuan(q1, accident), _floor_yuan(mid, 1 - s.range_rate))
    high = max(_floor_yuan(q3, accident), _floor_yuan(mid, 1 + s.range_rate))
    private = PriceRange(low, mid, high)
    n = {
        "count": str(len(used)),
        "offered": str(offered),
        "years": str(s.comparable_years),
        "share": _num(s.comparable_mileage_share),
        "since": str(_add_months(on, -s.comparable_months)),
        "median": yuan(_floor_yuan(median)),
        "accident": _num(accident),
        "q1": yuan(_floor_yuan(q1, accident)),
        "q3": yuan(_floor_yuan(q3, accident)),
        "mid": yuan(mid),
        "rate": _num(s.range_rate),
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
    return private, _steps(n, rows)


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


def _refuse(field: str, message: str, **params) -> NoReturn:
    raise InvalidValuationInput(field, message, **params)


def _steps(numbers: dict[str, str], rows: list[tuple[str, str]]) -> list[Step]:
    """Steps from (template, result) rows; each gets the numbers its template names."""
    return [
        Step(label, {k: v for k, v in numbers.items() if f"%({k})s" in label}, result)
        for label, result in rows
    ]


def _floor_yuan(fen, *factors) -> int:
    """fen × factors, exactly, rounded down to a whole yuan and never below zero."""
    amount = Fraction(fen)
    for factor in factors:
        amount *= Fraction(factor)
    return max(0, int(amount // FEN_PER_YUAN) * FEN_PER_YUAN)


def _add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), or the month's last day if it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _num(number: Decimal) -> str:
    """A rate as people write it: no exponent, no trailing zeros."""
    return format(Decimal(number).normalize(), "f")
