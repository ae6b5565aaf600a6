"""Scrap or sell (DOMAIN §3.5), as pure functions: what each choice leaves the owner.

Scrapping renewal pays the subsidy plus the scrap value the recycler pays by curb weight;
replacement renewal pays the subsidy plus what a dealer pays for the car. The figures come
from the subsidy amount rule (portal/subsidy/rules/amounts.py) and the valuation; this module
only adds and compares them. Standard library, money and subsidy terms only.
"""

from dataclasses import dataclass

from portal.money import FEN_PER_YUAN
from portal.subsidy.terms import Kind

KG_PER_TONNE = 1000


def scrap_value_fen(curb_weight_kg: int, fen_per_tonne: int) -> int:
    """DOMAIN §3.5: what a certified recycler pays, by curb weight, rounded down to the yuan."""
    fen = curb_weight_kg * fen_per_tonne // KG_PER_TONNE
    return fen // FEN_PER_YUAN * FEN_PER_YUAN


@dataclass(frozen=True)
class Option:
    """One choice: the subsidy (None when the car does not qualify) and what the car fetches."""

    kind: Kind
    subsidy_fen: int | None
    car_fen: int | None  # scrap value, or the dealer's buying price; None if unknown

    @property
    def available(self) -> bool:
        """The car qualifies and both figures are known."""
        return self.total_fen is not None

    @property
    def total_fen(self) -> int | None:
        """Subsidy plus what the car fetches: the money the choice leaves the owner."""
        if self.subsidy_fen is None or self.car_fen is None:
            return None
        return self.subsidy_fen + self.car_fen


def better(scrapping: Option, replacement: Option) -> Kind | None:
    """The choice that leaves more money; the only one available; None on a tie or neither."""
    totals = {
        option.kind: option.total_fen
        for option in (scrapping, replacement)
        if option.total_fen is not None
    }
    if not totals or (len(totals) == 2 and len(set(totals.values())) == 1):
        return None
    return max(totals, key=lambda kind: totals[kind])
