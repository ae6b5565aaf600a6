"""The national trade-in rule sets of 2024, 2025 and 2026 as ProgramTerms (DOMAIN §1.2).

Seed data, pure: one province's six programs (both kinds, three years), with the
*configurable* values at their DOMAIN defaults. Amounts are fen.
"""

from dataclasses import dataclass
from datetime import date

from portal.money import FEN_PER_YUAN
from portal.subsidy.rules.facts import ProgramTerms, Tier
from portal.subsidy.terms import AmountRule, ClaimLimit, Kind

# A demo budget per province and kind, per program year (the portal records it, §1.4).
DEMO_BUDGET_FEN = {
    2024: 50_000_000 * FEN_PER_YUAN,
    2025: 50_000_000 * FEN_PER_YUAN,
    2026: 50_000_000 * FEN_PER_YUAN,
}

# DOMAIN §1.2, replacement renewal where the province sets the amount: seeded demo tiers.
DEMO_TIERS = (
    Tier(new_energy=True, min_price_fen=150_000 * FEN_PER_YUAN, amount_fen=15_000 * FEN_PER_YUAN),
    Tier(new_energy=True, min_price_fen=100_000 * FEN_PER_YUAN, amount_fen=10_000 * FEN_PER_YUAN),
    Tier(new_energy=True, min_price_fen=0, amount_fen=8_000 * FEN_PER_YUAN),
    Tier(new_energy=False, min_price_fen=150_000 * FEN_PER_YUAN, amount_fen=13_000 * FEN_PER_YUAN),
    Tier(new_energy=False, min_price_fen=100_000 * FEN_PER_YUAN, amount_fen=8_000 * FEN_PER_YUAN),
    Tier(new_energy=False, min_price_fen=0, amount_fen=6_000 * FEN_PER_YUAN),
)


@dataclass(frozen=True)
class _Year:
    """What one year's programs share: window, dates and scrapping thresholds."""

    opens: date
    closes: date
    documents_from: date
    held_before: date
    petrol_registered_by: date
    other_fuel_registered_by: date
    nev_registered_by: date


# DOMAIN §1.2 table: windows, "documents dated", "old car held by applicant", thresholds.
_YEARS = {
    2024: _Year(
        opens=date(2024, 4, 24),
        closes=date(2024, 12, 31),
        documents_from=date(2024, 4, 24),
        held_before=date(2024, 4, 24),
        petrol_registered_by=date(2011, 6, 30),  # National III or lower
        other_fuel_registered_by=date(2013, 6, 30),
        nev_registered_by=date(2018, 4, 30),
    ),
    2025: _Year(
        opens=date(2025, 1, 1),
        closes=date(2025, 12, 31),
        documents_from=date(2025, 1, 1),
        held_before=date(2025, 1, 8),
        petrol_registered_by=date(2012, 6, 30),  # National IV or lower
        other_fuel_registered_by=date(2014, 6, 30),
        nev_registered_by=date(2018, 12, 31),
    ),
    2026: _Year(
        opens=date(2026, 1, 1),
        closes=date(2026, 12, 31),
        documents_from=date(2026, 1, 1),
        held_before=date(2026, 1, 1),  # configurable; this is the default
        petrol_registered_by=date(2013, 6, 30),
        other_fuel_registered_by=date(2015, 6, 30),
        nev_registered_by=date(2019, 12, 31),
    ),
}

# (year, kind) → amount rule, NEV amount or cap, fuel amount or cap, NEV rate, fuel rate (bp).
_AMOUNTS = {
    (2024, Kind.SCRAPPING): (AmountRule.FIXED, 20_000, 15_000, 0, 0),
    (2025, Kind.SCRAPPING): (AmountRule.FIXED, 20_000, 15_000, 0, 0),
    (2026, Kind.SCRAPPING): (AmountRule.PERCENT, 20_000, 15_000, 1200, 1000),
    (2024, Kind.REPLACEMENT): (AmountRule.TIERS, 15_000, 13_000, 0, 0),
    (2025, Kind.REPLACEMENT): (AmountRule.TIERS, 15_000, 13_000, 0, 0),
    (2026, Kind.REPLACEMENT): (AmountRule.PERCENT, 15_000, 13_000, 800, 600),
}

# DOMAIN §1.2 "how often": nothing in 2024; one replacement a calendar year in 2025;
# one subsidy of either kind for the whole 2026 program.
_CLAIM_LIMITS = {
    (2024, Kind.SCRAPPING): ClaimLimit.NONE,
    (2024, Kind.REPLACEMENT): ClaimLimit.NONE,
    (2025, Kind.SCRAPPING): ClaimLimit.NONE,
    (2025, Kind.REPLACEMENT): ClaimLimit.PER_YEAR_AND_KIND,
    (2026, Kind.SCRAPPING): ClaimLimit.PER_PROGRAM_YEAR,
    (2026, Kind.REPLACEMENT): ClaimLimit.PER_PROGRAM_YEAR,
}


def national_programs(province_code: str) -> list[ProgramTerms]:
    """The six national programs (2024–2026, scrapping and replacement) for one province."""
    return [program(year, kind, province_code) for year in _YEARS for kind in Kind]


def program(year: int, kind: Kind, province_code: str) -> ProgramTerms:
    """One year's national rule set of one kind, for one province (DOMAIN §1.2)."""
    dates = _YEARS[year]
    rule, nev_fen, fuel_fen, nev_bp, fuel_bp = _AMOUNTS[year, kind]
    return ProgramTerms(
        year=year,
        province_code=province_code,
        kind=kind,
        opens=dates.opens,
        closes=dates.closes,
        pause_at=None,
        grace_until=None,
        documents_from=dates.documents_from,
        held_before=dates.held_before,
        # Stored on replacement programs too, where no rule reads them.
        petrol_registered_by=dates.petrol_registered_by,
        other_fuel_registered_by=dates.other_fuel_registered_by,
        nev_registered_by=dates.nev_registered_by,
        min_holding_months=12,  # configurable default
        max_displacement_ml=2000,
        amount_rule=rule,
        nev_amount_fen=nev_fen * FEN_PER_YUAN,
        fuel_amount_fen=fuel_fen * FEN_PER_YUAN,
        nev_rate_bp=nev_bp,
        fuel_rate_bp=fuel_bp,
        tiers=DEMO_TIERS if rule is AmountRule.TIERS else (),
        claim_limit=_CLAIM_LIMITS[year, kind],
        same_province=year >= 2026,
        zero_mileage_days=180,  # configurable default
    )
