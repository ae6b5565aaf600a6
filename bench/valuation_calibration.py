"""Calibration bench: does the valuation agree with the market's retention rates (DOMAIN §3.4)?

Usage: .venv/bin/python bench/valuation_calibration.py [--on 2026-12-06] [--drift 0.05]

For each class and each age DOMAIN §3.4 gives a band for (1, 3, 5, 8, 10, 12 and 15
years), it values the catalog's trims of that class and model year (the year `age` years
before `--on`, or the year before it), first registered exactly that long ago, in good
condition, driven 15,000 km a year, in a city outside the key air-pollution regions. The
retention is the retail price ÷ the guide price of that model year when new (the launch
price), as CADA defines it. Trims whose price today differs from their launch price by
more than `--drift` are counted apart: the published rates describe cars whose new price
held, and the valuation (DOMAIN §3.1) starts from today's price, so a car whose new price
fell since launch keeps less of its launch price; for those the retail price ÷ today's
guide price is checked against the band instead, and reported on its own line.
Battery-electric trims must sit in the lower half of the band to 5 years. Prints one row
per class and age: the band, how many trims, the lowest, median and highest retention,
how many are inside, how many moved; then the share inside over all rows. Pure: no
database, the engine and the shipped catalog only.
"""

import argparse
import statistics
from collections import defaultdict
from datetime import date
from decimal import Decimal

from portal.registry.terms import FuelType
from portal.valuation.catalog import CatalogModel, read_catalog
from portal.valuation.rules import calibration
from portal.valuation.rules.engine import value
from portal.valuation.rules.facts import DEFAULT_SETTINGS, Subject, add_months
from portal.valuation.terms import Condition, VehicleClass

AGES_YEARS = (1, 3, 5, 8, 10, 12, 15)


def retention(model: CatalogModel, years: int, on: date, *, today_price=False) -> Decimal:
    """Retail ÷ launch price (or today's) of this trim, `years` after first registration."""
    months = 12 * years
    car = Subject(
        guide_price_fen=model.current_price_fen,
        fuel_type=model.fuel_type,
        first_registration=add_months(on, -months),
        mileage_km=DEFAULT_SETTINGS.annual_km * years,
        score=Condition.GOOD.score,
        vehicle_class=model.vehicle_class,
    )
    base = model.current_price_fen if today_price else model.launch_price_fen
    return Decimal(value(car, on=on).retail.mid_fen) / base


def inside(model: CatalogModel, share: Decimal, low: Decimal, high: Decimal, years: int) -> bool:
    """In the band; a battery-electric car in its lower half up to five years."""
    if model.fuel_type is FuelType.BEV and years <= 5:
        high = (low + high) / 2
    return low <= share <= high


def sample(catalog, on: date, drift: Decimal):
    """(class, years) → trims of that model year (or the one before), and those that moved."""
    rows, drifted = defaultdict(list), defaultdict(list)
    for model in catalog:
        for years in AGES_YEARS:
            if model.model_year not in (on.year - years, on.year - years - 1):
                continue
            change = abs(Decimal(model.current_price_fen) / model.launch_price_fen - 1)
            if change > drift:
                drifted[model.vehicle_class, years].append(model)
            else:
                rows[model.vehicle_class, years].append(model)
    return rows, drifted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--on", type=date.fromisoformat, default=date(2026, 12, 6))
    parser.add_argument("--drift", type=Decimal, default=Decimal("0.05"))
    args = parser.parse_args()
    rows, drifted = sample(read_catalog(), args.on, args.drift)
    print(f"Valued on {args.on}; trims whose price moved more than {args.drift:.0%} left out.")
    print(f"{'class':<12} {'age':>3} {'band':>11} {'n':>3} {'low':>6} {'median':>6} "
          f"{'high':>6} {'inside':>7} {'left out':>8}")  # fmt: skip
    total = within = moved = moved_within = 0
    for kind in VehicleClass:
        for years in AGES_YEARS:
            low, high = calibration.band(kind, 12 * years)
            models = rows[kind, years]
            shares = [retention(m, years, args.on) for m in models]
            ok = sum(inside(m, s, low, high, years) for m, s in zip(models, shares, strict=True))
            total, within = total + len(models), within + ok
            for model in drifted[kind, years]:
                share = retention(model, years, args.on, today_price=True)
                moved, moved_within = (
                    moved + 1,
                    moved_within + inside(model, share, low, high, years),
                )
            figures = (
                f"{min(shares):6.1%} {statistics.median(shares):6.1%} {max(shares):6.1%}"
                if shares
                else f"{'—':>6} {'—':>6} {'—':>6}"
            )
            print(
                f"{kind.value:<12} {years:>3} {low:5.0%}–{high:4.0%} {len(models):>3} "
                f"{figures} {ok:>3}/{len(models):<3} {len(drifted[kind, years]):>8}"
            )
    print(f"Inside the band: {within} of {total} ({within / total:.1%}).")
    print(
        f"Trims whose price moved, retail ÷ today's guide price inside the band: "
        f"{moved_within} of {moved} ({moved_within / moved:.1%})."
    )


if __name__ == "__main__":
    main()
