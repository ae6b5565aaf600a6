"""Pure decisions of a subsidy application: eligible or why not, and how much (DOMAIN §1).

Given the program, the old car as the registry knows it, the new car and its invoice,
and the applicant's other live claims, `assess` returns every reason the application
fails (each a translatable template naming the rule and the value that failed), the
flags that need a second reviewer, and the amount in fen with how it was computed.
Standard library, `portal.messages` and `portal.money` only: no Flask, no database.
The window of a program (`may_start`, `may_submit`) and the review clock live here too.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from portal.messages import N_
from portal.money import yuan
from portal.registry.terms import FuelType, VehicleStatus
from portal.subsidy.terms import AmountRule, ClaimLimit, Flag, Kind


@dataclass(frozen=True)
class Tier:
    """Invoice price from min_price_fen up earns amount_fen (DOMAIN §1.2, replacement)."""

    new_energy: bool
    min_price_fen: int
    amount_fen: int


@dataclass(frozen=True)
class ProgramTerms:
    """A program's window, thresholds and amount rule, as stored (DOMAIN §1.2, §1.4)."""

    year: int
    province_code: str
    kind: Kind
    opens: date
    closes: date
    pause_at: date | None  # from this day no new application starts
    grace_until: date | None  # started applications may still submit until this day
    documents_from: date  # invoices dated before this day do not count
    held_before: date  # the old car must have been in the applicant's name before this day
    petrol_registered_by: date  # scrapping: petrol cars first registered on or before
    other_fuel_registered_by: date  # scrapping: diesel and other fuels
    nev_registered_by: date  # scrapping: new-energy cars
    min_holding_months: int  # replacement: in the applicant's name this long before transfer
    max_displacement_ml: int  # a new fuel car must not exceed this
    amount_rule: AmountRule
    nev_amount_fen: int  # FIXED: the amount; PERCENT and TIERS: the cap
    fuel_amount_fen: int
    nev_rate_bp: int  # PERCENT: basis points of the invoice price (1200 = 12 %)
    fuel_rate_bp: int
    tiers: tuple[Tier, ...]
    claim_limit: ClaimLimit
    same_province: bool  # 2026: invoice and registration in the application's province
    zero_mileage_days: int  # a transfer this soon after registration is flagged


@dataclass(frozen=True)
class OldCar:
    """The old car as the registry records it, seen from the applicant."""

    vin: str
    fuel_type: FuelType
    first_registration: date
    status: VehicleStatus
    held_since: date | None  # start of the applicant's ownership; None: never theirs
    transferred_on: date | None  # replacement: the completed transfer away, if any


@dataclass(frozen=True)
class NewCar:
    """The new car and its invoice, as entered and looked up in the registry."""

    vin: str
    fuel_type: FuelType
    in_nev_catalogue: bool
    displacement_ml: int | None
    registration_date: date
    registration_province_code: str
    owner_is_applicant: bool  # the registry holds it in the applicant's name (or will)
    invoice_date: date
    invoice_price_fen: int  # with VAT
    invoice_province_code: str
    invoice_buyer_is_applicant: bool
    transferred_on: date | None = None  # a later transfer away (zero-mileage check)


@dataclass(frozen=True)
class LiveClaim:
    """Another live application touching this one (same car, or the same person)."""

    number: str
    old_vin: str
    new_vin: str | None
    claim_key: str | None


@dataclass(frozen=True)
class Reason:
    """One rule that failed; message is an English template, params fill it."""

    message: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Amount:
    fen: int
    explanation: Reason  # e.g. "12 % of ¥168,000.00 = ¥20,160.00, capped at ¥20,000.00"


@dataclass(frozen=True)
class Assessment:
    reasons: tuple[Reason, ...]
    flags: tuple[Flag, ...]
    amount: Amount | None  # None until the new car's price and fuel are known

    @property
    def eligible(self) -> bool:
        return not self.reasons and self.amount is not None


# DOMAIN §1.4, 2026 targets.
ACCEPT_DAYS = 3  # calendar days to accept or return
REVIEW_WORKING_DAYS = 15
PAYOUT_WORKING_DAYS = 30  # from approval

# Scrapping renewal accepts a car still on the register or already scrapped; a car being
# sold or deregistered for another reason is not one the applicant is scrapping (§1.1).
SCRAPPABLE = (VehicleStatus.REGISTERED, VehicleStatus.SCRAPPED)
DIESEL_AND_OTHER = (FuelType.DIESEL,)  # a petrol hybrid (hev) counts as petrol


def assess(
    program: ProgramTerms,
    *,
    old: OldCar | None,
    new: NewCar | None,
    claims: Sequence[LiveClaim],
    today: date,
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
    if amount is not None and amount.fen == 0 and new.invoice_price_fen > 0:
        # A zero amount must not look eligible; its explanation says which rule gave nothing.
        reasons.append(
            Reason(
                N_("The program pays nothing for an invoice price of %(price)s."),
                {"price": yuan(new.invoice_price_fen)},
            )
        )
    flags = (Flag.ZERO_MILEAGE,) if new is not None and zero_mileage(program, new) else ()
    return Assessment(reasons=tuple(reasons), flags=flags, amount=amount)


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
        *_invoice_date_reasons(program, new, today),
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


def _invoice_date_reasons(program: ProgramTerms, new: NewCar, today: date) -> list[Reason]:
    """DOMAIN §1.2 "documents dated" and §1.5: an invoice dated inside the window."""
    dated = new.invoice_date
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


# --- The amount (DOMAIN §1.2) ---


def amount_for(program: ProgramTerms, new: NewCar) -> Amount:
    """The subsidy for this new car under the program's amount rule, in fen, explained."""
    nev = new.fuel_type.new_energy
    cap = program.nev_amount_fen if nev else program.fuel_amount_fen
    if program.amount_rule is AmountRule.PERCENT:
        rate = program.nev_rate_bp if nev else program.fuel_rate_bp
        return _percent_amount(new.invoice_price_fen, rate, cap)
    if program.amount_rule is AmountRule.TIERS:
        return _tier_amount(program.tiers, nev, new.invoice_price_fen, cap)
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
        "rate": _percent(rate_bp),
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


# --- The program window (DOMAIN §1.4, pause) ---


def may_start(program: ProgramTerms, today: date) -> Reason | None:
    """Why no new application may start today, or None."""
    closed = _outside_window(program, today)
    if closed is not None:
        return closed
    if program.pause_at is not None and today >= program.pause_at:
        message = N_("The %(year)s program is paused since %(date)s: no new applications.")
        return Reason(message, {"year": program.year, "date": _iso(program.pause_at)})
    return None


def may_submit(program: ProgramTerms, today: date) -> Reason | None:
    """Why an application already started (draft or returned) may not submit today, or None."""
    closed = _outside_window(program, today)
    if closed is not None or program.pause_at is None or today < program.pause_at:
        return closed
    # Without a grace date the pause day itself is the last day for started applications.
    last = program.grace_until or program.pause_at
    if today <= last:
        return None
    message = N_(
        "The %(year)s program is paused since %(pause)s; started applications could "
        "submit until %(date)s."
    )
    return Reason(
        message, {"year": program.year, "pause": _iso(program.pause_at), "date": _iso(last)}
    )


def may_upload(program: ProgramTerms, today: date) -> Reason | None:
    """Documents are accepted exactly as long as submissions are (DOMAIN §1.4 grace date)."""
    return may_submit(program, today)


def _outside_window(program: ProgramTerms, today: date) -> Reason | None:
    """Before the program opens or after it closes."""
    if today < program.opens:
        message = N_("The %(year)s program opens on %(date)s.")
        return Reason(message, {"year": program.year, "date": _iso(program.opens)})
    if today > program.closes:
        message = N_("The %(year)s program closed on %(date)s.")
        return Reason(message, {"year": program.year, "date": _iso(program.closes)})
    return None


# --- The review clock (DOMAIN §1.4) ---
# Working days are Monday to Friday. There is no holiday calendar (Spring Festival,
# National Day and their make-up working Saturdays are not modelled), so deadlines
# across holidays come out early: the queue errs on the side of urgency.


def add_working_days(start: date, n: int) -> date:
    """The day n working days after start (Friday + 1 = Monday); n may be negative."""
    step = 1 if n >= 0 else -1
    day, left = start, abs(n)
    while left:
        day = date.fromordinal(day.toordinal() + step)
        if day.weekday() < 5:
            left -= 1
    return day


def working_days_left(start: date, target: int, today: date) -> int:
    """Working days from today to the deadline start + target; negative when overdue."""
    deadline = add_working_days(start, target)
    return _weekdays_through(deadline) - _weekdays_through(today)


def _weekdays_through(day: date) -> int:
    """Working days from 0001-01-01 (a Monday) up to and including day."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


# --- Helpers ---


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; the 31st falls back to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def _percent(rate_bp: int) -> str:
    """Basis points as a percentage: 1200 → "12%", 850 → "8.5%"."""
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") + "%"


def _iso(day: date) -> str:
    return day.isoformat()
