"""What the subsidy rules read and answer: the program's terms, the cars, the claims,
the reasons and the amount (plain dataclasses, shared by rules, amounts and window)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

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
class Signals:
    """What the papers read and the other applications say about fraud (DOMAIN §1.5)."""

    invoice_reused: bool = False  # another live application has the same invoice number
    card_reused: bool = False  # another applicant's application has the same payout card
    read_invoice_date: date | None = None  # the date read from the invoice, not as typed
    read_buyer_is_applicant: bool | None = None  # None: no buyer ID was read
    # The names read against the registry's (None: not read, or nothing to compare with).
    read_buyer_name_agrees: bool | None = None  # the invoice's buyer vs the applicant
    read_owner_name_agrees: bool | None = None  # the licence's owner vs the car's owner


@dataclass(frozen=True)
class Reason:
    """One rule that failed; message is an English template, params fill it."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)


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
