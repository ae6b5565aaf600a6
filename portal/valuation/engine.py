"""The valuation engine: a used car's price after GB/T 30323-2013, as pure functions (DOMAIN §3).

`value` uses the market method when there are enough comparable sales, otherwise the
replacement-cost method (DOMAIN §3.1), and returns the three prices of §3.3 with their
ranges and the steps of the arithmetic. A step is a translatable template with its numbers
as text; every rate has a few decimals and is used exactly as shown, so a person redoing
the sum by hand gets the same yuan. Money is integer fen, prices are whole yuan.
"""

import calendar
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import NoReturn

from portal.messages import N_, MessageError
from portal.money import FEN_PER_YUAN, yuan
from portal.registry.terms import FuelType

MAX_MILEAGE_KM = 2_000_000
RATE_PLACES = Decimal("0.0001")  # the age rate is rounded to this, then used as shown
NEV_EXEMPTION_CAP_FEN = 3_000_000  # 2024–2025: at most 30,000 yuan exempted
NEV_REDUCTION_CAP_FEN = 1_500_000  # 2026–2027: at most 15,000 yuan of reduction


class InvalidValuationInput(MessageError):
    """An input or setting the engine refuses; `field` names it, message is a template."""

    def __init__(self, field: str, message: str, **params):
        super().__init__(message, **params)
        self.field = field


class InvalidInspection(InvalidValuationInput):
    """An inspection sheet with a part missing, unknown or scored outside its range."""


class Condition(StrEnum):
    """What a user without an inspection says of the car (DOMAIN §3.2)."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    ACCIDENT = "accident"

    @property
    def score(self) -> int:
        """A score near the middle of the condition's range."""
        return CONDITION_SCORES[self]

    @property
    def structural_accident(self) -> bool:
        """Only an accident car has structural damage (grade V)."""
        return self is Condition.ACCIDENT


# DOMAIN §3.2 ranges: excellent 90–100, good 75–89, fair 60–74, poor 20–59. An accident car
# is grade V whatever its score; we assume the damage left the rest in poor condition.
CONDITION_SCORES = {"excellent": 95, "good": 82, "fair": 67, "poor": 40, "accident": 40}


class Grade(StrEnum):
    I = "I"  # noqa: E741 - the standard numbers its grades in Roman numerals
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"


def grade_for(score: int, structural_accident: bool) -> Grade:
    """DOMAIN §3.2: I ≥ 90, II 60–89, III 20–59, IV < 20; structural damage is V."""
    if structural_accident:
        return Grade.V
    if score >= 90:
        return Grade.I
    if score >= 60:
        return Grade.II
    return Grade.III if score >= 20 else Grade.IV


class InspectionPart(StrEnum):
    BODY = "body"
    ENGINE_BAY = "engine_bay"
    CABIN = "cabin"
    START_UP = "start_up"
    ROAD_TEST = "road_test"
    CHASSIS = "chassis"


# The points each part can score, 100 in all (DOMAIN §3.2).
INSPECTION_PARTS = dict(zip(InspectionPart, (20, 20, 10, 20, 15, 15), strict=True))


def inspection_score(parts: Mapping[str, int]) -> int:
    """The technical score: the sum of the six parts, each within its maximum (DOMAIN §3.2)."""
    unknown = sorted(set(parts) - set(INSPECTION_PARTS))
    if unknown:
        message = N_("%(part)s is not an inspection part.")
        raise InvalidInspection(unknown[0], message, part=unknown[0])
    for part, maximum in INSPECTION_PARTS.items():
        points = parts.get(part)
        if type(points) is not int or not 0 <= points <= maximum:
            message = N_("Score the %(part)s from 0 to %(maximum)s points.")
            raise InvalidInspection(part.value, message, part=part, maximum=maximum)
    return sum(parts[part] for part in INSPECTION_PARTS)


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


def purchase_tax_fen(price_fen: int, fuel_type: FuelType, on: date) -> int:
    """Purchase tax on a new car bought on `on` (DOMAIN §3.1), rounded to the fen."""
    tax = (20 * price_fen + 113) // 226  # 10 % of the price without its 13 % VAT, half up
    if not fuel_type.new_energy:
        return tax
    if date(2014, 9, 1) <= on <= date(2023, 12, 31):
        return 0  # the 2014–2023 policy exempted new-energy cars in full, without a cap
    if on.year in (2024, 2025):
        return max(0, tax - NEV_EXEMPTION_CAP_FEN)
    if on.year in (2026, 2027):
        return tax - min(tax // 2, NEV_REDUCTION_CAP_FEN)
    return tax  # before September 2014 and from 2028 on, the full tax


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
    rates, private_fen, steps = _replacement(subject, months, on, settings)
    used = select_comparables(
        subject.family, subject.first_registration, subject.mileage_km, on, comparables, settings
    )
    if len(used) >= settings.min_comparables:
        method = Method.MARKET
        private, steps = _market(subject, used, len(comparables), on, settings)
    else:
        method, used = Method.REPLACEMENT_COST, []
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
        **rates,
    )


def depreciation_curve(
    subject: Subject, *, on: date, settings: Settings = DEFAULT_SETTINGS
) -> list[tuple[int, int]]:
    """(years, private price in fen) at 0..15 years, driven the expected mileage, for a chart."""
    _check(subject, on)
    points = []
    for years in range(settings.reference_months // 12 + 1):
        aged = replace(subject, mileage_km=settings.annual_km * years)
        points.append((years, _replacement(aged, 12 * years, on, settings)[1]))
    return points


def months_between(start: date, end: date) -> int:
    """Whole months from start to end; a month counts once its day of the month is reached."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _replacement(subject: Subject, months: int, on: date, s: Settings):
    """DOMAIN §3.1: replacement cost × combined newness rate × adjustment factors.

    Returns the key rates (as Valuation fields), the private price and the steps.
    """
    guide, km = subject.guide_price_fen, subject.mileage_km
    tax = purchase_tax_fen(guide, subject.fuel_type, on)
    full_tax = purchase_tax_fen(guide, FuelType.PETROL, on)
    cost = guide + tax
    age = max(Decimal(0), 1 - Decimal(months) / s.reference_months)
    age = age.quantize(RATE_PLACES, ROUND_HALF_UP)
    technical = Decimal(subject.score) / 100
    combined = age * s.weight_age + technical * s.weight_technical
    # The expectation stops at the reference life: past it age no longer lowers the value,
    # so it must not earn a mileage credit either.
    expected = s.annual_km * min(months, s.reference_months) // 12
    mileage = 1 - s.mileage_step_rate * (km - expected) / s.mileage_step_km
    mileage = min(max(mileage, 1 - s.mileage_cap), 1 + s.mileage_cap)
    battery = Decimal(1)
    if subject.fuel_type.new_energy and subject.battery_health_pct is not None:
        battery = 1 - Decimal(100 - subject.battery_health_pct) / 100 * s.battery_share
    accident = s.accident_rate if subject.structural_accident else Decimal(1)
    private = _floor_yuan(cost, combined, mileage, subject.region_factor, battery, accident)

    n = {  # every number of the steps, as printed
        "guide": yuan(guide),
        "full_tax": yuan(full_tax),
        "on": str(on),
        "relief": yuan(full_tax - tax),
        "tax": yuan(tax),
        "cost": yuan(cost),
        "first": str(subject.first_registration),
        "months": str(months),
        "reference": str(s.reference_months),
        "age": _num(age),
        "score": str(subject.score),
        "technical": _num(technical),
        "a": _num(s.weight_age),
        "b": _num(s.weight_technical),
        "annual": f"{s.annual_km:,}",
        "km": f"{km:,}",
        "expected": f"{expected:,}",
        "step": f"{s.mileage_step_km:,}",
        "rate": _num(s.mileage_step_rate),
        "cap": _num(s.mileage_cap),
        "health": str(subject.battery_health_pct),
        "share": _num(s.battery_share),
        "combined": _num(combined),
        "mileage": _num(mileage),
        "region": _num(subject.region_factor),
        "battery": _num(battery),
        "accident": _num(accident),
        "private": yuan(private),
    }
    rows = [(N_("Purchase tax = 10%% × %(guide)s ÷ 1.13"), n["full_tax"])]
    if tax != full_tax:
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
    if battery != 1:
        rows.append((N_("Battery factor = 1 − (100 − %(health)s)%% × %(share)s"), n["battery"]))
    if subject.structural_accident:
        rows.append((N_("Structural accident damage (grade V): factor"), n["accident"]))
    label = N_(
        "Private price = %(cost)s × %(combined)s × %(mileage)s × %(region)s"
        " × %(battery)s × %(accident)s, rounded down to the yuan"
    )
    rows.append((label, n["private"]))
    rates = {
        "age_rate": age,
        "technical_rate": technical,
        "combined_rate": combined,
        "mileage_factor": mileage,
        "replacement_cost_fen": cost,
    }
    return rates, private, _steps(n, rows)


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
