"""Pure decisions of a subsidy application: eligible or why not, and how much (DOMAIN §1).

Given the program, the old car as the registry knows it, the new car and its invoice,
and the applicant's other live claims, `assess` returns every reason the application
fails (each a translatable template naming the rule and the value that failed), the
flags that need a second reviewer, and the amount in fen with how it was computed.
Standard library, `portal.messages` and `portal.money` only: no Flask, no database.
What the rules read and answer is in `facts`, the amount in `amounts`, the
program's window and the review clock in `window`, the papers in `papers`.
"""

import calendar
from collections.abc import Sequence
from datetime import date

from portal.messages import N_
from portal.money import yuan
from portal.registry.terms import FuelType, VehicleStatus
from portal.subsidy.rules.amounts import amount_for
from portal.subsidy.rules.facts import (
    Assessment,
    LiveClaim,
    NewCar,
    OldCar,
    ProgramTerms,
    Reason,
    Signals,
)
from portal.subsidy.terms import ClaimLimit, Flag, Kind

# Scrapping renewal accepts a car still on the register or already scrapped; a car being
# sold or deregistered for another reason is not one the applicant is scrapping (§1.1).
SCRAPPABLE = (VehicleStatus.REGISTERED, VehicleStatus.SCRAPPED)
DIESEL_AND_OTHER = (FuelType.DIESEL,)  # a petrol hybrid (hev) counts as petrol
NO_SIGNALS = Signals()  # nothing read, nothing reused (eligibility checked before applying)


def assess(
    program: ProgramTerms,
    *,
    old: OldCar | None,
    new: NewCar | None,
    claims: Sequence[LiveClaim],
    today: date,
    signals: Signals = NO_SIGNALS,
) -> Assessment:
    """Every reason the (possibly partial) application fails, its flags and its amount."""
    reasons = []
    if old is not None:
        reasons += old_car_reasons(program, old)
    if new is not None:
        reasons += new_car_reasons(program, new, today)
    if old is not None and new is not None and old.vin == new.vin:
        reasons.append(
            Reason(N_("The old and the new car have the same VIN %(vin)s."), {"vin": new.vin})
        )
    reasons += claim_reasons(program, old, new, claims)
    amount = amount_for(program, new) if new is not None else None
    if new is not None and amount is not None and amount.fen == 0 and new.invoice_price_fen > 0:
        # A zero amount must not look eligible; its explanation says which rule gave nothing.
        reasons.append(
            Reason(
                N_("The program pays nothing for an invoice price of %(price)s."),
                {"price": yuan(new.invoice_price_fen)},
            )
        )
    flags: tuple[Flag, ...] = (
        (Flag.ZERO_MILEAGE,) if new is not None and zero_mileage(program, new) else ()
    )
    flags += fraud_flags(program, signals, today)
    return Assessment(reasons=tuple(reasons), flags=flags, amount=amount)


def fraud_flags(program: ProgramTerms, signals: Signals, today: date) -> tuple[Flag, ...]:
    """DOMAIN §1.5: what a second reviewer must look at, though no rule refuses it.

    The read invoice date and buyer are flagged even when the typed ones pass: an
    applicant who typed over what the paper says is exactly who the flag is for.
    """
    read_date = signals.read_invoice_date
    checks = (
        (Flag.INVOICE_REUSED, signals.invoice_reused),
        (Flag.CARD_REUSED, signals.card_reused),
        (
            Flag.INVOICE_DATE_OUTSIDE,
            bool(read_date and invoice_date_reasons(program, read_date, today)),
        ),
        (Flag.BUYER_NOT_APPLICANT, signals.read_buyer_is_applicant is False),
        (Flag.BUYER_NAME_DIFFERS, signals.read_buyer_name_agrees is False),
        (Flag.OWNER_NAME_DIFFERS, signals.read_owner_name_agrees is False),
    )
    return tuple(flag for flag, raised in checks if raised)


# --- The old car (DOMAIN §1.1, §1.2, §1.5) ---


def old_car_reasons(program: ProgramTerms, old: OldCar) -> list[Reason]:
    """Why the old car does not qualify for this program."""
    reasons = _ownership_reasons(program, old)
    if program.kind is Kind.SCRAPPING:
        reasons += _scrapping_status_reasons(old)
        reasons += _first_registration_reasons(program, old)
    else:
        reasons += _replacement_transfer_reasons(program, old)
    return reasons


def _ownership_reasons(program: ProgramTerms, old: OldCar) -> list[Reason]:
    """DOMAIN §1.2 "old car held by applicant": in their name before the notice date."""
    if old.held_since is None:
        return [Reason(N_("The old car %(vin)s is not registered in your name."), {"vin": old.vin})]
    if old.held_since >= program.held_before:
        message = N_(
            "The old car has been in your name since %(date)s; "
            "the program requires before %(limit)s."
        )
        return [Reason(message, {"date": _iso(old.held_since), "limit": _iso(program.held_before)})]
    return []


def _scrapping_status_reasons(old: OldCar) -> list[Reason]:
    """DOMAIN §1.1: only a car on the register, or scrapped, can be scrapped for a subsidy."""
    if old.status in SCRAPPABLE:
        return []
    message = N_("The old car is %(status)s; only a registered or scrapped car qualifies.")
    return [Reason(message, {"status": old.status})]


def _first_registration_reasons(program: ProgramTerms, old: OldCar) -> list[Reason]:
    """DOMAIN §1.2: scrapping takes only old cars first registered on or before a threshold."""
    if old.fuel_type.new_energy:
        limit = program.nev_registered_by
        message = N_("First registered %(date)s, after the %(limit)s limit for new-energy cars.")
    elif old.fuel_type in DIESEL_AND_OTHER:
        limit = program.other_fuel_registered_by
        message = N_("First registered %(date)s, after the %(limit)s limit for diesel cars.")
    else:
        limit = program.petrol_registered_by
        message = N_("First registered %(date)s, after the %(limit)s limit for petrol cars.")
    if old.first_registration <= limit:
        return []
    params = {
        "date": _iso(old.first_registration),
        "limit": _iso(limit),
        "fuel": old.fuel_type,
    }
    return [Reason(message, params)]


def _replacement_transfer_reasons(program: ProgramTerms, old: OldCar) -> list[Reason]:
    """DOMAIN §1.2: the old car was sold inside the window after the minimum holding time."""
    if old.transferred_on is None:
        return [Reason(N_("There is no completed transfer away of the old car in the registry."))]
    reasons = []
    if not program.opens <= old.transferred_on <= program.closes:
        message = N_(
            "The old car was transferred on %(date)s, outside the program window "
            "%(opens)s to %(closes)s."
        )
        params = {
            "date": _iso(old.transferred_on),
            "opens": _iso(program.opens),
            "closes": _iso(program.closes),
        }
        reasons.append(Reason(message, params))
    if old.held_since is not None:
        reasons += _holding_reasons(program, old.held_since, old.transferred_on)
    return reasons


def _holding_reasons(program: ProgramTerms, held_since: date, sold: date) -> list[Reason]:
    """DOMAIN §1.2: in the applicant's name whole calendar months before the transfer."""
    earliest = add_months(held_since, program.min_holding_months)
    if earliest <= sold:
        return []
    message = N_(
        "The old car was in your name from %(since)s to %(date)s; the program requires "
        "%(months)s months, so a transfer from %(earliest)s."
    )
    params = {
        "since": _iso(held_since),
        "date": _iso(sold),
        "months": program.min_holding_months,
        "earliest": _iso(earliest),
    }
    return [Reason(message, params)]


# --- The new car and its invoice (DOMAIN §1.2, §1.5) ---


def new_car_reasons(program: ProgramTerms, new: NewCar, today: date) -> list[Reason]:
    """Why the new car or its invoice does not qualify for this program."""
    return [
        *_vehicle_reasons(program, new),
        *_owner_reasons(new),
        *invoice_date_reasons(program, new.invoice_date, today),
        *_registration_date_reasons(new, today),
        *_province_reasons(program, new),
        *_price_reasons(new),
    ]


def _vehicle_reasons(program: ProgramTerms, new: NewCar) -> list[Reason]:
    """DOMAIN §1.2 "new car": an NEV in the MIIT catalogue, or a fuel car of at most 2.0 L."""
    if new.fuel_type.new_energy:
        if new.in_nev_catalogue:
            return []
        message = N_("The new car %(vin)s is not in the MIIT new-energy vehicle catalogue.")
        return [Reason(message, {"vin": new.vin})]
    limit = program.max_displacement_ml
    if new.displacement_ml is None:
        message = N_("Give the new car's displacement: fuel cars qualify up to %(limit)s ml.")
        return [Reason(message, {"limit": limit})]
    if new.displacement_ml > limit:
        message = N_("The new car's engine is %(ml)s ml, above the %(limit)s ml limit.")
        return [Reason(message, {"ml": new.displacement_ml, "limit": limit})]
    return []


def _owner_reasons(new: NewCar) -> list[Reason]:
    """DOMAIN §1.1 and §1.5: the new car and its invoice are the applicant's own."""
    reasons = []
    if not new.owner_is_applicant:
        reasons.append(Reason(N_("The new car is not registered in your name.")))
    if not new.invoice_buyer_is_applicant:
        reasons.append(Reason(N_("The buyer ID on the invoice is not your ID number.")))
    return reasons


def invoice_date_reasons(program: ProgramTerms, dated: date, today: date) -> list[Reason]:
    """DOMAIN §1.2 "documents dated" and §1.5: an invoice dated inside the window."""
    first = max(program.opens, program.documents_from)
    checks = [
        (
            dated < first,
            N_("Invoice dated %(date)s, before %(limit)s, the first day that counts."),
            {"date": _iso(dated), "limit": _iso(first)},
        ),
        (
            dated > program.closes,
            N_("Invoice dated %(date)s, after the program closed on %(limit)s."),
            {"date": _iso(dated), "limit": _iso(program.closes)},
        ),
        (
            dated > today,
            N_("Invoice dated %(date)s, in the future (today is %(today)s)."),
            {"date": _iso(dated), "today": _iso(today)},
        ),
    ]
    return [Reason(message, params) for failed, message, params in checks if failed]


def _registration_date_reasons(new: NewCar, today: date) -> list[Reason]:
    """The new car is registered after it was bought, and not in the future."""
    registered = new.registration_date
    checks = [
        (
            registered < new.invoice_date,
            N_("Registered %(date)s, before the invoice date %(invoice)s."),
            {"date": _iso(registered), "invoice": _iso(new.invoice_date)},
        ),
        (
            registered > today,
            N_("Registered %(date)s, in the future (today is %(today)s)."),
            {"date": _iso(registered), "today": _iso(today)},
        ),
    ]
    return [Reason(message, params) for failed, message, params in checks if failed]


def _province_reasons(program: ProgramTerms, new: NewCar) -> list[Reason]:
    """DOMAIN §1.2 (2026): invoice and registration in the application's province."""
    if not program.same_province:
        return []
    required = program.province_code
    checks = [
        (
            new.registration_province_code != required,
            N_(
                "The new car is registered in province %(code)s; the program requires %(required)s."
            ),
            {"code": new.registration_province_code, "required": required},
        ),
        (
            new.invoice_province_code != required,
            N_("The invoice was issued in province %(code)s; the program requires %(required)s."),
            {"code": new.invoice_province_code, "required": required},
        ),
    ]
    return [Reason(message, params) for failed, message, params in checks if failed]


def _price_reasons(new: NewCar) -> list[Reason]:
    """An invoice without a price cannot carry a subsidy."""
    if new.invoice_price_fen > 0:
        return []
    message = N_("The invoice price %(price)s must be above zero.")
    return [Reason(message, {"price": yuan(new.invoice_price_fen)})]


def zero_mileage(program: ProgramTerms, new: NewCar) -> bool:
    """DOMAIN §1.5: a new car transferred soon after registration needs a second reviewer."""
    if new.transferred_on is None:
        return False
    return (new.transferred_on - new.registration_date).days <= program.zero_mileage_days


# --- Other live claims (DOMAIN §1.1, §1.2 "how often", §1.5) ---


def claim_key(program: ProgramTerms) -> str | None:
    """The per-person quota a claim under this program uses; None when there is no limit.

    The database holds a partial unique index on (person, claim_key), so two racing
    applications cannot both take the quota (DOMAIN §1.5).
    """
    if program.claim_limit is ClaimLimit.PER_YEAR_AND_KIND:
        return f"{program.year}-{program.kind.value}"
    if program.claim_limit is ClaimLimit.PER_PROGRAM_YEAR:
        # 2026: scrapping and replacement share one key, one subsidy for the whole program.
        return f"{program.year}"
    return None


def claim_reasons(
    program: ProgramTerms,
    old: OldCar | None,
    new: NewCar | None,
    claims: Sequence[LiveClaim],
) -> list[Reason]:
    """Conflicts with the other live claims (callers leave out this application itself)."""
    key = claim_key(program)
    reasons = []
    for claim in claims:
        if old is not None and claim.old_vin == old.vin:
            reasons.append(_car_claimed(claim, old.vin, new_car=False))
        # One new car earns at most one subsidy, scrapping or replacement (§1.1).
        if new is not None and claim.new_vin == new.vin:
            reasons.append(_car_claimed(claim, new.vin, new_car=True))
        if key is not None and claim.claim_key == key:
            reasons.append(_quota_reason(program, claim))
    return reasons


def _car_claimed(claim: LiveClaim, vin: str, *, new_car: bool) -> Reason:
    """A car already in a live claim; another person's application number stays private."""
    if not claim.number:
        if new_car:
            return Reason(
                N_("The new car is already claimed in another application."), {"vin": vin}
            )
        return Reason(N_("The old car is already claimed in another application."), {"vin": vin})
    if new_car:
        message = N_("The new car is already claimed in application %(number)s.")
    else:
        message = N_("The old car is already claimed in application %(number)s.")
    return Reason(message, {"number": claim.number, "vin": vin})


def _quota_reason(program: ProgramTerms, claim: LiveClaim) -> Reason:
    """DOMAIN §1.2 "how often": the person's quota is taken by another claim."""
    params = {"number": claim.number, "year": program.year, "kind": program.kind}
    if program.claim_limit is ClaimLimit.PER_YEAR_AND_KIND:
        message = N_(
            "You already have %(kind)s application %(number)s in %(year)s; "
            "one per person per calendar year."
        )
    else:
        message = N_(
            "You already have application %(number)s in the %(year)s program; "
            "one subsidy per person."
        )
    return Reason(message, params)


# --- Helpers ---


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; the 31st falls back to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def _iso(day: date) -> str:
    return day.isoformat()
