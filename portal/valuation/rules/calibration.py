"""What the market says a car keeps with age: the calibrated age curve (DOMAIN §3.4), pure.

GB/T 30323 gives the replacement-cost method; its numbers must agree with the market. The
market's figure is the retention rate: the retail price of a used car in good condition,
driven 15,000 km a year, divided by the guide price of its model year when new. This
module turns the published figures into a curve, by class, drive train and months in
service, and the curve into the method's age newness rate. The fit and its figures are
in docs/valuation.md; `bench/valuation_calibration.py` checks every class and age against
the bands of DOMAIN §3.4. Standard library, registry and valuation terms only.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from portal.registry.terms import FuelType
from portal.valuation.terms import VehicleClass

# DOMAIN §3.4: three-year retention by class, CADA, September 2024.
THREE_YEAR = {
    VehicleClass.SMALL_CAR: Decimal("0.551"),
    VehicleClass.COMPACT_CAR: Decimal("0.471"),
    VehicleClass.MIDSIZE_CAR: Decimal("0.506"),
    VehicleClass.LARGE_CAR: Decimal("0.560"),
    VehicleClass.SMALL_SUV: Decimal("0.497"),
    VehicleClass.COMPACT_SUV: Decimal("0.517"),
    VehicleClass.MIDSIZE_SUV: Decimal("0.521"),
    VehicleClass.LARGE_SUV: Decimal("0.557"),
    VehicleClass.MPV: Decimal("0.633"),
}
THREE_YEARS = 36
# DOMAIN §3.4 bands by months in service (low, high); at three years the class figure ± 8.
BANDS = {
    12: (Decimal("0.70"), Decimal("0.88")),
    60: (Decimal("0.30"), Decimal("0.52")),
    96: (Decimal("0.18"), Decimal("0.38")),
    120: (Decimal("0.12"), Decimal("0.30")),
    144: (Decimal("0.08"), Decimal("0.26")),
    180: (Decimal("0.04"), Decimal("0.20")),
}
THREE_YEAR_BAND = Decimal("0.08")
# The curve of an average car: the middle of each band (three years: the middle of the class
# figures), new at month 0. Steep in the first year, then flattening (DOMAIN §3.4).
AVERAGE = {
    0: Decimal("1"),
    12: Decimal("0.80"),
    36: Decimal("0.53"),
    60: Decimal("0.41"),
    96: Decimal("0.28"),
    120: Decimal("0.21"),
    144: Decimal("0.17"),
    180: Decimal("0.12"),
}
# How much of a class's three-year lead or lag (its figure ÷ 0.53) shows at each age: the
# classes start close together (one band at one year) and part by the third year; part of
# the gap closes again as every old car nears its scrap value. Fitted so every class sits
# inside every band (docs/valuation.md).
CLASS_WEIGHT = {
    0: Decimal(0),
    12: Decimal("0.1"),
    36: Decimal(1),
    60: Decimal("0.5"),
    96: Decimal("0.75"),
    120: Decimal("0.75"),
    144: Decimal("0.75"),
    180: Decimal("0.75"),
}
# Battery-electric cars keep less (DOMAIN §3.4: the lower half of each band to five years).
# Their replacement cost also carries less purchase tax while the relief lasts (tax.py),
# which takes another 4 % off in 2026–2027; the factors centre them in the lower half.
BEV_FACTOR = {
    0: Decimal(1),
    12: Decimal("0.965"),
    36: Decimal("0.96"),
    60: Decimal("0.87"),
    96: Decimal("0.87"),
    120: Decimal("0.87"),
    144: Decimal("0.87"),
    180: Decimal("0.87"),
}
REFERENCE_MONTHS = 180  # the curve stays at its 15-year figure from then on
ANCHOR_PLACES = Decimal("0.001")  # anchors in tenths of a percent, as docs/valuation.md lists them
RETENTION_PLACES = Decimal("0.0001")
# Retention is retail ÷ guide price; the method's age rate is private ÷ replacement cost.
# Retail is 1.10 × private (the default spread, DOMAIN §3.3) and a petrol car's replacement
# cost is its guide price × (1 + 10 % ÷ 1.13) purchase tax: age rate = retention ÷ 1.1973.
RETENTION_PER_AGE_RATE = Decimal("1.1973")
RATE_PLACES = Decimal("0.0001")


def retention(vehicle_class: VehicleClass, fuel: FuelType, months: int) -> Decimal:
    """The calibrated retention at `months` in service: linear between the anchor ages."""
    (earlier, low), (later, high) = anchors_around(vehicle_class, fuel, months)
    if later == earlier:
        return low
    share = Decimal(min(months, REFERENCE_MONTHS) - earlier) / (later - earlier)
    return (low + (high - low) * share).quantize(RETENTION_PLACES, ROUND_HALF_UP)


def anchors_around(
    vehicle_class: VehicleClass, fuel: FuelType, months: int
) -> tuple[tuple[int, Decimal], tuple[int, Decimal]]:
    """The (age, retention) anchors at or just before and at or just after `months`."""
    anchors = _anchors(vehicle_class, fuel is FuelType.BEV)
    months = min(max(months, 0), REFERENCE_MONTHS)
    later = min(age for age in anchors if age >= months)
    earlier = max(age for age in anchors if age <= months)
    return (earlier, anchors[earlier]), (later, anchors[later])


def age_rate(vehicle_class: VehicleClass, fuel: FuelType, months: int) -> Decimal:
    """The age newness rate of the replacement-cost method: retention ÷ 1.1973."""
    rate = retention(vehicle_class, fuel, months) / RETENTION_PER_AGE_RATE
    return rate.quantize(RATE_PLACES, ROUND_HALF_UP)


@cache
def _anchors(vehicle_class: VehicleClass, battery_electric: bool) -> dict[int, Decimal]:
    """Retention at each anchor age: the average curve × the class's lead × the BEV factor."""
    lead = THREE_YEAR[vehicle_class] / AVERAGE[THREE_YEARS]
    anchors = {}
    for age, average in AVERAGE.items():
        value = average * lead ** CLASS_WEIGHT[age]
        if battery_electric:
            value *= BEV_FACTOR[age]
        anchors[age] = min(Decimal(1), value).quantize(ANCHOR_PLACES, ROUND_HALF_UP)
    return anchors


def band(vehicle_class: VehicleClass, months: int) -> tuple[Decimal, Decimal] | None:
    """DOMAIN §3.4's band at an anchor age (None between them)."""
    if months == THREE_YEARS:
        figure = THREE_YEAR[vehicle_class]
        return figure - THREE_YEAR_BAND, figure + THREE_YEAR_BAND
    return BANDS.get(months)


@cache
def slowest_monthly_decline() -> Decimal:
    """The smallest share of its age rate any car loses in a month before the 15th year.

    Expected mileage must never earn more than that (terms.Settings checks it), or of two
    cars with the same odometer the older could come out dearer.
    """
    return min(
        1 - age_rate(kind, fuel, month + 1) / age_rate(kind, fuel, month)
        for kind in VehicleClass
        for fuel in (FuelType.PETROL, FuelType.BEV)
        for month in range(REFERENCE_MONTHS)
    )
