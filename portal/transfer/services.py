"""Transfer use cases: which cases a user may see, and filing a case.

Filing checks the clerk's entries against the registry and the rules (DOMAIN §2.2) and
opens a draft case; the same checks run again when the case is submitted (steps.py).
Documents, fees and the case page's read model have modules of their own.
"""

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, or_
from sqlmodel import Session, select

from portal import audit, regions
from portal.accounts.models import Role, User
from portal.audit import china_today
from portal.db import Page, capped_count, fetch_page, inline, unique_or
from portal.errors import Conflict, DomainError, NotFound
from portal.identifiers import (
    InvalidIdentifier,
    mask_resident_id,
    normalize,
    parse_resident_id,
    parse_uscc,
    resident_id_hash,
)
from portal.messages import N_
from portal.registry import services as registry
from portal.registry.models import Dealer, Ownership, Person, Vehicle
from portal.transfer import emission, rules
from portal.transfer.errors import FilingRefused
from portal.transfer.models import TransferCase
from portal.transfer.terms import CLOSED, QUEUES, BuyerKind, NoValuation, TransferStatus
from portal.transfer.workflow import Actor
from portal.valuation import services as valuation
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.settings import services as valuation_settings


@dataclass(frozen=True)
class Buyer:
    kind: BuyerKind
    name: str
    identifier: str  # resident ID number or USCC, as typed


@dataclass(frozen=True)
class Filing:
    """What the dealer clerk enters to open a case."""

    vehicle_id: int
    seller_name: str
    seller_identifier: str
    buyer: Buyer
    destination_city_code: str
    price_fen: int
    sale_date: date
    mileage_km: int
    dealer_temporary: bool


# --- scope ----------------------------------------------------------------------------


def _in_scope(user: User):
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.DEALER:
        return TransferCase.dealer_id == user.dealer_id
    if user.role is Role.OFFICER:
        return or_(
            TransferCase.origin_province_code == user.province_code,
            TransferCase.destination_province_code == user.province_code,
        )
    return False


def case_for(session: Session, *, user: User, case_id: int) -> TransferCase:
    """The case if the user may see it; NotFound otherwise."""
    case = session.exec(
        select(TransferCase).where(TransferCase.id == case_id, _in_scope(user))
    ).first()
    if case is None:
        raise NotFound(N_("There is no such transfer case, or you cannot see it."))
    return case


def actors_for(user: User, case: TransferCase) -> set[Actor]:
    """The workflow roles this user holds on this case."""
    actors = set()
    if user.role is Role.DEALER and user.dealer_id == case.dealer_id:
        actors.add(Actor.DEALER)
    if user.role is Role.OFFICER and user.province_code == case.origin_province_code:
        actors.add(Actor.ORIGIN_OFFICER)
    if user.role is Role.OFFICER and user.province_code == case.destination_province_code:
        actors.add(Actor.DESTINATION_OFFICER)
    return actors


@dataclass(frozen=True)
class CaseRow:
    case: TransferCase
    vehicle: Vehicle


def list_cases(
    session: Session,
    *,
    user: User,
    statuses: list[TransferStatus],
    query: str,
    direction: str | None,
    page: int,
    page_size: int,
) -> Page:
    """Cases in the user's scope with their vehicles, newest first, one page."""
    statement = (
        select(TransferCase, Vehicle)
        .join(Vehicle, Vehicle.id == TransferCase.vehicle_id)
        .where(_direction(user, direction))
        .order_by(TransferCase.id.desc())
    )
    if statuses:
        # Written out, so the officers' queues use their partial indexes (models.py).
        statement = statement.where(
            TransferCase.status.in_(inline(statuses, TransferCase.status.type))
        )
    term = "".join(char for char in normalize(query) if char.isalnum())
    if term:
        statement = statement.where(
            or_(
                TransferCase.number == term,
                Vehicle.vin == term,
                Vehicle.plate == term,
                TransferCase.new_plate == term,
            )
        )
    return fetch_page(session, statement, page, page_size, row=CaseRow)


def desk_counts(session: Session, *, user: User) -> dict[str, int]:
    """The home page's figures: an officer's two queues, or a dealer's open cases by state.

    Capped counts (db.capped_count) over the officers' and dealers' indexes.
    """
    if user.role is Role.OFFICER:
        return {
            direction: capped_count(
                session,
                select(TransferCase.id).where(
                    _direction(user, direction),
                    TransferCase.status.in_(inline(list(statuses), TransferCase.status.type)),
                ),
            )
            for direction, statuses in QUEUES.items()
        }
    open_states = [state for state in TransferStatus if state not in CLOSED]
    return {
        state: capped_count(
            session, select(TransferCase.id).where(_in_scope(user), TransferCase.status == state)
        )
        for state in open_states
    }


def _direction(user: User, direction: str | None):
    """An officer's queue (cases leaving or entering the province), else the user's scope.

    A queue lies within the officer's scope by construction; asked alone, with the province
    written out, it is one range of its partial index in every plan, prepared or not.
    """
    province = inline(user.province_code, String)
    if user.role is Role.OFFICER and direction == "outgoing":
        return TransferCase.origin_province_code == province
    if user.role is Role.OFFICER and direction == "incoming":
        return TransferCase.destination_province_code == province
    return _in_scope(user)


# --- filing ---------------------------------------------------------------------------


def vehicle_to_file(session: Session, *, query: str) -> Vehicle:
    """A vehicle by its exact VIN or plate, for a dealer about to file it."""
    term = normalize(query)
    vehicle = session.exec(
        select(Vehicle).where(or_(Vehicle.vin == term, Vehicle.plate == term))
    ).first()
    if vehicle is None:
        raise NotFound(N_("No vehicle with this VIN or plate is in the registry."))
    return vehicle


def vehicle_by_id(session: Session, vehicle_id: int | None) -> Vehicle:
    """A vehicle of a case or about to be filed; NotFound if there is none (or the id is
    None: a posted id no id column holds, see web.row_id)."""
    vehicle = session.get(Vehicle, vehicle_id) if vehicle_id is not None else None
    if vehicle is None:
        raise NotFound(N_("No vehicle with this VIN or plate is in the registry."))
    return vehicle


def open_case(session: Session, *, user: User, filing: Filing, key: bytes) -> TransferCase:
    """Check the filing against the registry and the rules, and open a draft case."""
    vehicle = vehicle_by_id(session, filing.vehicle_id)
    current = _current_ownership(session, vehicle.id)
    destination = regions.city(filing.destination_city_code)
    problems = _problems(
        session,
        vehicle,
        seller_matches=_seller_matches(session, current, filing, key),
        destination_city_code=filing.destination_city_code,
    )
    if problems:
        raise FilingRefused(problems)
    buyer_hash, buyer_mask, buyer_uscc = _buyer_identity(filing.buyer, key)
    worth, no_valuation = _private_value(session, vehicle, filing.mileage_km)
    case = TransferCase(
        number=f"pending-{random.getrandbits(60):x}"[:20],
        dealer_id=user.dealer_id,
        created_by=user.id,
        vehicle_id=vehicle.id,
        seller_ownership_id=current.id,
        buyer_kind=filing.buyer.kind,
        buyer_name=filing.buyer.name.strip(),
        buyer_id_hash=buyer_hash,
        buyer_id_masked=buyer_mask,
        buyer_uscc=buyer_uscc,
        origin_province_code=vehicle.province_code,
        origin_city_code=vehicle.city_code,
        destination_province_code=destination.province_code,
        destination_city_code=destination.code,
        price_fen=filing.price_fen,
        sale_date=filing.sale_date,
        mileage_km=filing.mileage_km,
        dealer_temporary=filing.dealer_temporary,
        vehicle_brand=vehicle.brand,
        vehicle_model=vehicle.model,
        vehicle_registered=vehicle.first_registration,
        status=TransferStatus.DRAFT,
        valuation_fen=worth.mid_fen if worth else None,
        undervalued=rules.undervalued(
            filing.price_fen,
            worth.mid_fen if worth else None,
            valuation_settings.current(session).undervalued_share,
        ),
        no_valuation_reason=no_valuation,
    )
    with unique_or(session, Conflict(N_("The vehicle is already in another open transfer case."))):
        session.add(case)
    # The number is made from the id, so two clerks filing at once never share one.
    case.number = f"TR{case.origin_province_code[:2]}{case.created_at:%Y}{case.id:07d}"
    audit.record(
        session,
        actor_id=user.id,
        entity="transfer_case",
        entity_id=case.id,
        action="created",
        to_state=case.status.value,
    )
    return case


def _private_value(session: Session, vehicle: Vehicle, mileage_km: int):
    """The private-sale valuation for the under-price flag, or why there is none.

    DOMAIN §2.2: the flag is advisory. A car the valuation cannot price is filed all the
    same; the case records why no flag was computed.
    """
    try:
        worth = valuation.private_value_of(
            session, vehicle, mileage_km=mileage_km, on=china_today()
        )
    except InvalidValuationInput:
        return None, NoValuation.CANNOT_VALUE
    return worth, None if worth is not None else NoValuation.NOT_IN_CATALOG


def _current_ownership(session: Session, vehicle_id: int) -> Ownership:
    current = registry.current_ownership(session, vehicle_id)
    if current is None:
        raise DomainError(N_("The registry records no current owner for this vehicle."))
    return current


def _problems(
    session: Session,
    vehicle: Vehicle,
    *,
    seller_matches: bool,
    destination_city_code: str,
    case_id: int | None = None,
) -> list[rules.Problem]:
    destination = regions.city(destination_city_code)
    open_case = session.exec(
        select(TransferCase.number).where(
            TransferCase.vehicle_id == vehicle.id,
            TransferCase.status.not_in(CLOSED),
            TransferCase.id != (case_id or 0),
        )
    ).first()
    facts = rules.VehicleFacts(
        status=vehicle.status,
        mortgaged=vehicle.mortgaged,
        seized=vehicle.seized,
        unpaid_violations=vehicle.unpaid_violations,
        fuel_type=vehicle.fuel_type,
        emission_standard=vehicle.emission_standard,
        province_code=vehicle.province_code,
    )
    return rules.filing_problems(
        facts,
        seller_matches=seller_matches,
        destination_province=destination.province_code,
        acceptance=emission.acceptance_for(session, destination.code),
        open_case_number=open_case,
    )


def refiling_problems(session: Session, case: TransferCase, vehicle: Vehicle):
    """The filing checks again at submission: the seller must still hold the car."""
    current = _current_ownership(session, vehicle.id)
    return _problems(
        session,
        vehicle,
        seller_matches=current.id == case.seller_ownership_id,
        destination_city_code=case.destination_city_code,
        case_id=case.id,
    )


def _seller_matches(session, current: Ownership, filing: Filing, key: bytes) -> bool:
    """The seller typed by the clerk is the registry's current owner (name and number)."""
    if current.person_id is not None:
        person = session.get(Person, current.person_id)
        try:
            typed = resident_id_hash(parse_resident_id(filing.seller_identifier).value, key)
        except InvalidIdentifier:
            return False
        return typed == person.id_hash and filing.seller_name.strip() == person.name
    dealer = session.get(Dealer, current.dealer_id)
    return normalize(filing.seller_identifier) == dealer.uscc


def _buyer_identity(buyer: Buyer, key: bytes):
    if buyer.kind is BuyerKind.PERSON:
        value = parse_resident_id(buyer.identifier).value
        return resident_id_hash(value, key), mask_resident_id(value), None
    return None, None, parse_uscc(buyer.identifier).value
