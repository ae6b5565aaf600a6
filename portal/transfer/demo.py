"""Demo history for `flask seed`: completed transfers of the registry's recently resold cars.

A demo car bought used in the last twelve months came from the Guangzhou demo dealer,
which held it for a few weeks (DOMAIN §2.1) and sold it across a provincial border; each
sale is a completed transfer case at the calibrated valuation's private price with noise
(DOMAIN §3.4), at an odometer near 15,000 km a year. So the valuation's market method
(DOMAIN §3.1) finds comparable sales for the commonest cars and a visitor sees both
methods at work. One seeded random source (same registry, same history); a car that
already has a case is left alone, so seeding twice changes nothing.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import exists
from sqlmodel import Session, select

from portal import regions
from portal.registry import services as registry
from portal.registry.models import Dealer, Ownership, Person, PlateHistory, Vehicle
from portal.registry.terms import Acquisition, VehicleStatus
from portal.transfer import rules
from portal.transfer.models import TransferCase
from portal.transfer.terms import BuyerKind, TransferStatus
from portal.valuation.models import CarModel
from portal.valuation.rules import engine
from portal.valuation.rules.facts import DEFAULT_SETTINGS, Subject, months_between
from portal.valuation.terms import Condition

PRICE_NOISE = 0.07  # sale prices scatter about ±7 % (one standard deviation) around the curve
MILEAGE_NOISE = 0.12
SEED = 2026


def create_sales_history(session: Session, *, dealer_uscc: str, clerk_id: int, today: date) -> int:
    """Record the last year's used-car sales of the demo registry; returns how many."""
    dealer = session.exec(select(Dealer).where(Dealer.uscc == dealer_uscc)).one()
    rng = random.Random(SEED)
    created = 0
    for vehicle, bought, person, model in _resold_cars(session, dealer, today):
        sold_on = bought.start
        held_from = max(vehicle.first_registration, sold_on - timedelta(days=rng.randint(15, 60)))
        held = Ownership(
            vehicle_id=vehicle.id,
            dealer_id=dealer.id,
            start=held_from,
            end=sold_on,
            acquired=Acquisition.DEALER_TEMPORARY,
        )
        session.add(held)
        session.flush()
        mileage = _mileage(vehicle, sold_on, rng)
        filed = datetime.combine(sold_on, time(2), UTC)
        completed = datetime.combine(sold_on + timedelta(days=3), time(8), UTC)
        case = TransferCase(
            number=f"pending-{vehicle.id}",
            dealer_id=dealer.id,
            created_by=clerk_id,
            vehicle_id=vehicle.id,
            seller_ownership_id=held.id,
            buyer_kind=BuyerKind.PERSON,
            buyer_name=person.name,
            buyer_id_hash=person.id_hash,
            buyer_id_masked=person.id_masked,
            origin_province_code=dealer.province_code,
            origin_city_code=dealer.city_code,
            destination_province_code=vehicle.province_code,
            destination_city_code=vehicle.city_code,
            price_fen=_price(model, vehicle, mileage, sold_on, rng),
            sale_date=sold_on,
            mileage_km=mileage,
            vehicle_brand=vehicle.brand,
            vehicle_model=vehicle.model,
            vehicle_registered=vehicle.first_registration,
            status=TransferStatus.COMPLETED,
            submitted_at=filed,
            completed_at=completed,
            # The lists show when a case last changed: its own day, not the seeding's.
            created_at=filed,
            updated_at=completed,
        )
        session.add(case)
        session.flush()
        case.number = f"TR{case.origin_province_code[:2]}{sold_on:%Y}{case.id:07d}"
        _record_plates(session, vehicle, case, rng)
        created += 1
    session.flush()
    return created


def _record_plates(session: Session, vehicle: Vehicle, case: TransferCase, rng) -> None:
    """The origin city's plate the car left with, and the one its registration issued
    (DOMAIN §2.3), so the case and the vehicle page show both, as for a portal transfer."""
    registered = case.completed_at.date()
    prefix = regions.city(case.origin_city_code).plate_prefixes[0]
    left_with = rules.new_plate(prefix, vehicle.fuel_type, rng)
    while _ever_issued(session, left_with):  # a number is never issued twice (DOMAIN §2.3)
        left_with = rules.new_plate(prefix, vehicle.fuel_type, rng)
    session.add(PlateHistory(vehicle_id=vehicle.id, plate=left_with, end=registered))
    session.flush()  # the history reads newest first by id: the old plate's row comes first
    session.add(
        PlateHistory(
            vehicle_id=vehicle.id, plate=vehicle.plate, start=registered, reference=case.number
        )
    )
    case.new_plate = vehicle.plate


def _ever_issued(session: Session, plate: str) -> bool:
    """On a car now, or on one before (the history of the demo's earlier sales)."""
    held_before = select(PlateHistory.id).where(PlateHistory.plate == plate)
    return registry.plate_taken(session, plate) or session.exec(held_before).first() is not None


def _resold_cars(session: Session, dealer: Dealer, today: date):
    """Cars of the catalog bought used by a person in the last year, outside the dealer's
    province (a transfer crosses a border), with no case yet; in the order they were sold,
    so the cases are numbered and listed as a dealer would have filed them."""
    return session.exec(
        select(Vehicle, Ownership, Person, CarModel)
        .join(Ownership, Ownership.vehicle_id == Vehicle.id)
        .join(Person, Person.id == Ownership.person_id)
        .join(CarModel, CarModel.id == Vehicle.car_model_id)
        .where(
            Ownership.end.is_(None),
            Ownership.acquired == Acquisition.TRANSFER,  # bought used, not new
            Ownership.start >= today - timedelta(days=365),
            Vehicle.status == VehicleStatus.REGISTERED,
            Vehicle.province_code != dealer.province_code,
            ~exists().where(TransferCase.vehicle_id == Vehicle.id),
        )
        .order_by(Ownership.start, Vehicle.id)
    ).all()


def _mileage(vehicle: Vehicle, sold_on: date, rng: random.Random) -> int:
    """About 15,000 km a year (DOMAIN §3.4), scattered, to the hundred km."""
    months = months_between(vehicle.first_registration, sold_on)
    expected = DEFAULT_SETTINGS.annual_km * months / 12
    return max(100, int(round(expected * rng.lognormvariate(0, MILEAGE_NOISE), -2)))


def _price(model: CarModel, vehicle: Vehicle, mileage: int, sold_on: date, rng) -> int:
    """The calibrated private price of a car in good condition, with noise, to 100 yuan."""
    car = Subject(
        guide_price_fen=model.current_price_fen,
        fuel_type=model.fuel_type,
        first_registration=vehicle.first_registration,
        mileage_km=mileage,
        score=Condition.GOOD.score,
        vehicle_class=model.vehicle_class,
    )
    private = engine.value(car, on=sold_on).private.mid_fen
    price = Decimal(private) * Decimal(str(rng.gauss(1, PRICE_NOISE)))
    return max(100_00, int(price / 10_000) * 10_000)
