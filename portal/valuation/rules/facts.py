"""What both valuation methods share: the settings, the car, a step, a price range (pure).

The replacement-cost method (`replacement.py`) and the market method (`market.py`) read the
same `Settings` and `Subject` and answer in the same `PriceRange`s and `Step`s; `engine.py`
chooses between them. Also here: the arithmetic they share, exact to the fen and written
as people write it, and whole-month date arithmetic. Standard library, `portal.messages`,
`portal.money` and `portal.registry.terms` only.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from portal.messages import N_
from portal.money import FEN_PER_YUAN, yuan
from portal.registry.terms import FuelType
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.rules import calibration
from portal.valuation.terms import VehicleClass


@dataclass(frozen=True)
class Settings:
    """The configurable values of DOMAIN §3.1 and §3.3, with their seeded defaults."""

    # The technical rate follows the age rate (calibration.py), so the weights only share
    # out how much the inspection moves the value around its age's figure.
    weight_age: Decimal = Decimal("0.4")
    weight_technical: Decimal = Decimal("0.6")
    reference_months: int = 180  # a private car's 15-year reference life
    # DOMAIN §3.4: the mileage the market's retention rates assume.
    annual_km: int = 15_000
    mileage_step_km: int = 10_000
    # 1 % per 10,000 km. A step so large that a year of expected mileage outweighs a year of
    # age would make the older of two cars with the same odometer the dearer one;
    # __post_init__ refuses settings that allow that.
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

    def __post_init__(self) -> None:
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
        # Age must cost more than expected mileage earns, even at the lowest mileage factor:
        # compared month by month against the calibrated curve's slowest month.
        credit = self.mileage_step_rate * self.annual_km / self.mileage_step_km
        cost = 12 * calibration.slowest_monthly_decline() * (1 - self.mileage_cap)
        if credit >= cost:
            message = N_("A year of expected mileage (%(credit)s) outweighs a year of age.")
            raise InvalidValuationInput("mileage_step_rate", message, credit=rate_text(credit))


DEFAULT_SETTINGS = Settings()


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
    # The catalog's class (DOMAIN §3.4); compact cars are the commonest on the road.
    vehicle_class: VehicleClass = VehicleClass.COMPACT_CAR


@dataclass(frozen=True)
class Step:
    """One line of the arithmetic: an English template, its numbers as text, the result."""

    label: str
    params: dict[str, str]
    result: str


@dataclass(frozen=True)
class PriceRange:
    """A price and its low–high range, in fen, each a whole yuan."""

    low_fen: int
    mid_fen: int
    high_fen: int

    def scaled(self, rate: Decimal) -> "PriceRange":
        """Each bound × rate, rounded down to the yuan (which keeps their order)."""
        return PriceRange(*(floor_yuan(fen, rate) for fen in self.bounds()))

    def bounds(self) -> tuple[int, int, int]:
        """low, mid, high."""
        return self.low_fen, self.mid_fen, self.high_fen

    def text(self) -> str:
        """The price and its range, as a step shows them."""
        return f"{yuan(self.mid_fen)} ({yuan(self.low_fen)} – {yuan(self.high_fen)})"


def steps_from(numbers: dict[str, str], rows: list[tuple[str, str]]) -> list[Step]:
    """Steps from (template, result) rows; each gets the numbers its template names."""
    return [
        Step(label, {k: v for k, v in numbers.items() if f"%({k})s" in label}, result)
        for label, result in rows
    ]


def floor_yuan(fen: int | Decimal | Fraction, *factors: int | Decimal | Fraction) -> int:
    """fen × factors, exactly, rounded down to a whole yuan and never below zero.

    The factors (Decimal, int or Fraction) are multiplied as integer ratios: exact as
    Fraction is, without reducing every intermediate product (a valuation page computes
    some two hundred of these for its curve).
    """
    numerator, denominator = fen.as_integer_ratio()
    for factor in factors:
        top, bottom = factor.as_integer_ratio()
        numerator, denominator = numerator * top, denominator * bottom
    return max(0, numerator // (denominator * FEN_PER_YUAN) * FEN_PER_YUAN)


def rate_text(number: Decimal) -> str:
    """A rate as people write it: no exponent, no trailing zeros."""
    return format(Decimal(number).normalize(), "f")


def months_between(start: date, end: date) -> int:
    """Whole months from start to end; a month counts once its day of the month is reached."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), or the month's last day if it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
