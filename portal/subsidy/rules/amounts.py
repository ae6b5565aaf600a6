"""The subsidy amount of a new car under a program's rule, in fen, explained (DOMAIN §1.2)."""

from collections.abc import Sequence

from portal.messages import N_
from portal.money import percent_text, share_of, yuan
from portal.registry.terms import FuelType
from portal.subsidy.rules.facts import Amount, NewCar, ProgramTerms, Reason, Tier
from portal.subsidy.terms import AmountRule


def amount_for(program: ProgramTerms, new: NewCar) -> Amount:
    """The subsidy for this new car under the program's amount rule, in fen, explained."""
    return amount_for_price(program, new.fuel_type, new.invoice_price_fen)


def amount_for_price(program: ProgramTerms, fuel_type: FuelType, price_fen: int) -> Amount:
    """The subsidy for a new car of this drive train and invoice price (with VAT)."""
    nev = fuel_type.new_energy
    cap = program.nev_amount_fen if nev else program.fuel_amount_fen
    if program.amount_rule is AmountRule.PERCENT:
        rate = program.nev_rate_bp if nev else program.fuel_rate_bp
        return _percent_amount(price_fen, rate, cap)
    if program.amount_rule is AmountRule.TIERS:
        return _tier_amount(program.tiers, nev, price_fen, cap)
    message = (
        N_("Fixed amount for a new-energy car: %(amount)s")
        if nev
        else N_("Fixed amount for a fuel car: %(amount)s")
    )
    return Amount(cap, Reason(message, {"amount": yuan(cap)}))


def _percent_amount(price_fen: int, rate_bp: int, cap_fen: int) -> Amount:
    """Rate × price (with VAT), rounded down to the yuan, then capped (DOMAIN §1.2)."""
    raw = price_fen * rate_bp // 1_000_000 * 100  # basis points → fen → whole yuan, all floored
    params = {
        "rate": percent_text(share_of(rate_bp)) + "%",
        "price": yuan(price_fen),
        "raw": yuan(raw),
        "cap": yuan(cap_fen),
    }
    if raw > cap_fen:
        return Amount(
            cap_fen, Reason(N_("%(rate)s of %(price)s = %(raw)s, capped at %(cap)s"), params)
        )
    return Amount(raw, Reason(N_("%(rate)s of %(price)s = %(raw)s"), params))


def _tier_amount(tiers: Sequence[Tier], nev: bool, price_fen: int, cap_fen: int) -> Amount:
    """The tier of this energy class with the highest floor at or below the price, capped."""
    eligible = [t for t in tiers if t.new_energy == nev and t.min_price_fen <= price_fen]
    if not eligible:
        message = (
            N_("No new-energy tier covers the invoice price %(price)s.")
            if nev
            else N_("No fuel-car tier covers the invoice price %(price)s.")
        )
        return Amount(0, Reason(message, {"price": yuan(price_fen)}))
    tier = max(eligible, key=lambda t: t.min_price_fen)
    params = {
        "price": yuan(price_fen),
        "min": yuan(tier.min_price_fen),
        "amount": yuan(tier.amount_fen),
        "cap": yuan(cap_fen),
    }
    if tier.amount_fen > cap_fen:
        message = N_(
            "Invoice price %(price)s is in the tier from %(min)s: %(amount)s, capped at %(cap)s"
        )
        return Amount(cap_fen, Reason(message, params))
    message = N_("Invoice price %(price)s is in the tier from %(min)s: %(amount)s")
    return Amount(tier.amount_fen, Reason(message, params))
