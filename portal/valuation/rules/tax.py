"""Purchase tax on a new car (DOMAIN §3.1), part of its replacement cost; pure.

10 % of the price without its 13 % VAT, with the new-energy relief of the year the car
is bought: exempt from September 2014 to 2023, exempt up to a cap in 2024–2025, halved up
to a cap in 2026–2027, and the full tax before and after.
"""

from datetime import date

from portal.registry.terms import FuelType

NEV_EXEMPTION_CAP_FEN = 3_000_000  # 2024–2025: at most 30,000 yuan exempted
NEV_REDUCTION_CAP_FEN = 1_500_000  # 2026–2027: at most 15,000 yuan of reduction


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
