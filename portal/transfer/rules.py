"""Pure decisions of a transfer case: may this car be filed, which documents, which plate.

DOMAIN §2.1 (emission rules of destinations), §2.2 (before filing, the sale window,
documents), §4 (plates).
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from portal.identifiers import InvalidIdentifier, normalize, parse_plate
from portal.messages import N_
from portal.registry.terms import EmissionStandard, FuelType, VehicleStatus
from portal.transfer.terms import BuyerKind, DocumentKind, EmissionAcceptance

NATIONAL_V_OR_BETTER = (EmissionStandard.CN5, EmissionStandard.CN6A, EmissionStandard.CN6B)
DIGITS = "0123456789"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # GA 36: no I or O
# GA 36-2018: the class letter of a small new-energy plate says battery-electric or not.
BATTERY_CLASSES, HYBRID_CLASSES = "DABCE", "FGHJK"
MAX_SERIAL_LETTERS = 2

# DOMAIN §2.2: the new owner registers at the destination within 30 days of the sale, so
# an older sale can no longer be filed. The filing form and bulk filing read the window and
# the bounds below; their error messages spell the numbers out, so change them together.
SALE_DAYS = 30
MIN_PRICE_YUAN, MAX_PRICE_YUAN = 1, 100_000_000
MAX_ODOMETER_KM = 2_000_000


@dataclass(frozen=True)
class Problem:
    """One reason a case cannot go ahead; message is a template for translation."""

    message: str
    params: dict[str, object]


@dataclass(frozen=True)
class VehicleFacts:
    """What the registry says about the car, as the checks need it."""

    status: VehicleStatus
    mortgaged: bool
    seized: bool
    unpaid_violations: int
    fuel_type: FuelType
    emission_standard: EmissionStandard | None
    province_code: str


def filing_problems(
    vehicle: VehicleFacts,
    *,
    seller_matches: bool,
    destination_province: str,
    acceptance: EmissionAcceptance,
    open_case_number: str | None,
) -> list[Problem]:
    """Every reason this car cannot be filed for transfer to the destination (DOMAIN §2.2)."""
    checks: list[tuple[bool, str, dict[str, object]]] = [
        (not seller_matches, N_("The seller is not the registered owner of this vehicle."), {}),
        (
            vehicle.status in (VehicleStatus.SCRAPPED, VehicleStatus.DEREGISTERED),
            N_("The vehicle is %(status)s."),
            {"status": vehicle.status},
        ),
        (
            vehicle.mortgaged,
            N_("The vehicle is mortgaged; the mortgage must be released first."),
            {},
        ),
        (vehicle.seized, N_("The vehicle is seized by a court or authority."), {}),
        (
            vehicle.unpaid_violations > 0,
            N_("The vehicle has %(count)s unpaid traffic violations."),
            {"count": vehicle.unpaid_violations},
        ),
        (
            open_case_number is not None,
            N_("The vehicle is already in transfer case %(number)s."),
            {"number": open_case_number},
        ),
        (
            destination_province == vehicle.province_code,
            N_("The destination is in the same province: not an inter-provincial transfer."),
            {},
        ),
        (
            not emission_accepted(vehicle, acceptance),
            N_("The destination accepts only National V or better; this car is %(standard)s."),
            {"standard": vehicle.emission_standard},
        ),
    ]
    return [Problem(message, params) for failed, message, params in checks if failed]


def earliest_sale_date(today: date) -> date:
    """The oldest sale date that may still be filed today (DOMAIN §2.2)."""
    return today - timedelta(days=SALE_DAYS)


def sale_date_problem(sale_date: date, today: date) -> str | None:
    """Why this sale date cannot be filed today, or None: not ahead, not too old (§2.2)."""
    if sale_date > today:
        return N_("The sale date cannot be in the future.")
    if sale_date < earliest_sale_date(today):
        return N_("The sale was more than 30 days ago; the transfer deadline has passed.")
    return None


def undervalued(price_fen: int, valuation_fen: int | None, share: Decimal) -> bool:
    """DOMAIN §2.2: a price under this share of the private-sale valuation is flagged."""
    return valuation_fen is not None and price_fen < share * valuation_fen


def emission_accepted(vehicle: VehicleFacts, acceptance: EmissionAcceptance) -> bool:
    """DOMAIN §2.1: a destination may refuse National IV or lower, never National V or better.

    Battery-electric cars have no emission standard and are always accepted.
    """
    if acceptance is EmissionAcceptance.ANY or vehicle.fuel_type is FuelType.BEV:
        return True
    return vehicle.emission_standard in NATIONAL_V_OR_BETTER


def strictest_allowed(key_region: bool) -> EmissionAcceptance:
    """Only cities of the key air-pollution control regions may refuse National IV (§2.1)."""
    return EmissionAcceptance.CN5_OR_BETTER if key_region else EmissionAcceptance.ANY


def required_documents(
    *, buyer_kind: BuyerKind, seller_is_person: bool, dealer_temporary: bool
) -> list[DocumentKind]:
    """The checklist of DOMAIN §2.2 for this case."""
    documents = [DocumentKind.APPLICATION_FORM]
    documents.append(DocumentKind.SELLER_ID if seller_is_person else DocumentKind.DEALER_LICENCE)
    if buyer_kind is BuyerKind.PERSON:
        documents.append(DocumentKind.BUYER_ID)
    if dealer_temporary or buyer_kind is BuyerKind.COMPANY:
        documents.append(DocumentKind.DEALER_LICENCE)
    documents += [
        DocumentKind.REGISTRATION_CERTIFICATE,
        DocumentKind.DRIVING_LICENCE,
        DocumentKind.SALES_INVOICE,
        DocumentKind.INSPECTION_RECORD,
        DocumentKind.VEHICLE_PHOTO,
        DocumentKind.VIN_PHOTO,
    ]
    return list(dict.fromkeys(documents))


def new_plate(prefix: str, fuel_type: FuelType, rng: random.Random) -> str:
    """A plate in the destination city's format (GA 36-2018, DOMAIN §4).

    New-energy cars get the 8-character small-car format (prefix + D/F + 5), others the
    7-character ordinary one. Uniqueness is the database's job (a unique index).
    """
    if fuel_type.new_energy:
        letter = "D" if fuel_type is FuelType.BEV else "F"
        return prefix + letter + "".join(rng.choices(DIGITS, k=5))
    letters = rng.randint(0, 2)  # of the five, at most two are letters
    chosen = rng.choices(PLATE_LETTERS, k=letters) + rng.choices(DIGITS, k=5 - letters)
    rng.shuffle(chosen)
    return prefix + "".join(chosen)


def draw_plates(prefix: str, fuel_type: FuelType, rng: random.Random, count: int) -> list[str]:
    """count distinct random numbers of the format (DOMAIN §2.3); the caller drops taken ones."""
    drawn: dict[str, None] = {}
    while len(drawn) < count:
        drawn[new_plate(prefix, fuel_type, rng)] = None
    return list(drawn)


def chosen_plate(text: str, *, prefix: str, fuel_type: FuelType) -> str:
    """The number a buyer composed, checked against the destination's format (DOMAIN §4).

    The buyer may type the whole plate or only what follows the city's prefix. Raises
    InvalidIdentifier saying what is wrong; whether the number is free is not a rule.
    """
    value = normalize(text)
    whole = value[:1] and not value[0].isascii()  # begins with a province's character
    plate = parse_plate(value if whole else prefix + value)
    if plate.prefix != prefix:
        raise InvalidIdentifier(N_("A plate of this city starts with %(prefix)s."), prefix=prefix)
    if plate.suffix:
        raise InvalidIdentifier(
            N_("%(char)s plates are not issued to private cars."), char=plate.suffix
        )
    _check_energy_class(plate.value, fuel_type)
    serial = plate.value[-5:]
    if sum(char.isalpha() for char in serial) > MAX_SERIAL_LETTERS:
        raise InvalidIdentifier(N_("Of the last five characters, at most two may be letters."))
    return plate.value


def _check_energy_class(value: str, fuel_type: FuelType) -> None:
    if not fuel_type.new_energy:
        if len(value) != 7:
            raise InvalidIdentifier(N_("This car is not new-energy: its plate has 7 characters."))
        return
    classes = BATTERY_CLASSES if fuel_type is FuelType.BEV else HYBRID_CLASSES
    if len(value) != 8 or value[2] not in classes:
        raise InvalidIdentifier(
            N_("This new-energy car's number starts with one of %(letters)s after the prefix."),
            letters=", ".join(classes),
        )
