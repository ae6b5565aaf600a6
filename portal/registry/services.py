"""Registry use cases: reference data, persons, scoped vehicle look-ups, search, and every
write to the registry's tables that another feature makes (a new car, a transfer, a
scrapping), each audited here."""

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import and_
from sqlmodel import Session, func, select

from portal import audit, cache, regions
from portal.accounts.models import Role, User
from portal.audit import china_today, utcnow
from portal.db import Page, fetch_page, savepoint
from portal.errors import NotFound
from portal.identifiers import (
    InvalidIdentifier,
    normalize,
    parse_resident_id,
    parse_uscc,
    resident_id_hash,
)
from portal.messages import N_
from portal.registry.models import (
    City,
    Dealer,
    Ownership,
    Person,
    PlateHistory,
    Province,
    Vehicle,
)
from portal.registry.terms import Acquisition, BodyType, FuelType, Usage, VehicleStatus

# --- reference data -------------------------------------------------------------------


def load_regions(session: Session) -> int:
    """Insert or update provinces and cities from portal/data (idempotent)."""
    for province in regions.provinces():
        session.merge(Province(**province.__dict__))
    for city in regions.cities():
        fields = city.__dict__ | {"plate_prefixes": " ".join(city.plate_prefixes)}
        session.merge(City(**fields))
    session.flush()
    return len(regions.cities())


# --- persons --------------------------------------------------------------------------


def find_person(session: Session, *, id_number: str, key: bytes) -> Person | None:
    """The registry person with this resident ID number, found by its keyed hash."""
    try:
        value = parse_resident_id(id_number).value
    except InvalidIdentifier:
        return None
    return session.exec(
        select(Person).where(Person.id_hash == resident_id_hash(value, key))
    ).first()


# --- scope ----------------------------------------------------------------------------


def _in_scope(user: User):
    """A WHERE clause limiting vehicles to what the user may see (ARCHITECTURE, Roles)."""
    if user.role is Role.ADMIN:
        return True
    if user.role.province_scoped:
        return Vehicle.province_code == user.province_code
    current = Ownership.end.is_(None)
    if user.role is Role.DEALER:
        owned = select(Ownership.vehicle_id).where(current, Ownership.dealer_id == user.dealer_id)
    elif user.person_id is not None:
        owned = select(Ownership.vehicle_id).where(current, Ownership.person_id == user.person_id)
    else:
        return False
    return Vehicle.id.in_(owned)


def vehicle_for(session: Session, *, user: User, vehicle_id: int) -> Vehicle:
    """The vehicle if the user may see it; NotFound otherwise, so ids reveal nothing."""
    vehicle = session.exec(select(Vehicle).where(Vehicle.id == vehicle_id, _in_scope(user))).first()
    if vehicle is None:
        raise NotFound(N_("There is no such vehicle, or you cannot see it."))
    return vehicle


# --- listing and search ---------------------------------------------------------------


@dataclass(frozen=True)
class VehicleRow:
    """One line of a vehicle list: the vehicle and its current holder."""

    vehicle: Vehicle
    holder: str | None


def _vehicle_rows(session: Session, where, order_by, page: int, page_size: int) -> Page:
    """Vehicles with their current holder in one query (no query per row)."""
    holder = func.coalesce(Person.name + " " + Person.id_masked, Dealer.name)
    statement = (
        select(Vehicle, holder)
        .outerjoin(Ownership, and_(Ownership.vehicle_id == Vehicle.id, Ownership.end.is_(None)))
        .outerjoin(Person, Person.id == Ownership.person_id)
        .outerjoin(Dealer, Dealer.id == Ownership.dealer_id)
        .where(*where)
        .order_by(order_by)
    )
    return fetch_page(session, statement, page, page_size, row=VehicleRow)


def my_vehicles(session: Session, *, user: User, page: int, page_size: int) -> Page:
    """The vehicles the owner or dealer company holds now."""
    if user.role not in (Role.OWNER, Role.DEALER):
        return Page(rows=[], number=1, has_next=False)
    return _vehicle_rows(session, [_in_scope(user)], Vehicle.id, page, page_size)


def search_vehicles(
    session: Session, *, user: User, query: str, key: bytes, page: int, page_size: int
) -> Page:
    """Vehicles in the user's scope by VIN or plate prefix, or by owner ID number / USCC."""
    term = search_term(query)
    if not term:
        return _vehicle_rows(session, [_in_scope(user)], Vehicle.id.desc(), page, page_size)
    clause, order = _match(term, key)
    return _vehicle_rows(session, [_in_scope(user), clause], order, page, page_size)


def search_term(query: str) -> str:
    """The query as the registry spells it: letters and digits, and the stars of a mask."""
    # VINs, plates and ID numbers are letters and digits only; anything else is noise.
    return "".join(char for char in normalize(query) if char.isalnum() or char == "*")[:40]


def _match(term: str, key: bytes):
    """The condition and the order: each kind of term on its own index (no OR across them)."""
    if "*" in term:  # 4401**********213X, an owner's ID as the pages show it
        return _held_by(Person, Person.id_masked == term), Vehicle.vin
    owner = _owner_clause(term, key)
    if owner is not None:
        return owner, Vehicle.vin
    if term[0].isascii():  # a plate starts with the province's character; a VIN cannot
        return _prefix(Vehicle.vin, term), Vehicle.vin
    return _prefix(Vehicle.plate, term), Vehicle.plate


def _prefix(column, term: str):
    # A range rather than LIKE, so the unique index answers it (see prefix_searchable).
    return and_(column >= term, column < term + "\uffff")


def _owner_clause(term: str, key: bytes):
    if len(term) != 18:
        return None
    try:
        person_hash = resident_id_hash(parse_resident_id(term).value, key)
        return _held_by(Person, Person.id_hash == person_hash)
    except InvalidIdentifier:
        pass
    try:
        return _held_by(Dealer, Dealer.uscc == parse_uscc(term).value)
    except InvalidIdentifier:
        return None


def _held_by(holder, condition):
    """Vehicles whose current holder (a Person or a Dealer) meets the condition."""
    owners = select(Ownership.vehicle_id).join(holder).where(Ownership.end.is_(None), condition)
    return Vehicle.id.in_(owners)


@dataclass(frozen=True)
class OwnershipEntry:
    """One period of the ownership timeline, with the holder shown masked."""

    ownership: Ownership
    holder: str


def ownership_timeline(session: Session, vehicle: Vehicle) -> list[OwnershipEntry]:
    """The vehicle's owners, newest first."""
    holder = func.coalesce(Person.name + " " + Person.id_masked, Dealer.name)
    statement = (
        select(Ownership, holder)
        .outerjoin(Person, Person.id == Ownership.person_id)
        .outerjoin(Dealer, Dealer.id == Ownership.dealer_id)
        .where(Ownership.vehicle_id == vehicle.id)
        .order_by(Ownership.start.desc(), Ownership.id.desc())
    )
    return [OwnershipEntry(o, h) for o, h in session.exec(statement)]


COUNTS_SECONDS = 60  # how stale the public counts may be


def vehicle_counts(session: Session) -> dict[str, int]:
    """How many vehicles, persons and dealers the registry holds, as of the last minute.

    Counting a table of millions of rows takes a scan of it: the figures are counted at
    most once a minute and shared by every worker (portal/cache.py).
    """

    def count() -> dict[str, int]:
        return {
            "vehicles": session.exec(select(func.count()).select_from(Vehicle)).one(),
            "persons": session.exec(select(func.count()).select_from(Person)).one(),
            "dealers": session.exec(select(func.count()).select_from(Dealer)).one(),
        }

    return cache.remembered("registry-counts", COUNTS_SECONDS, count)


def dealer_of(session: Session, user: User) -> Dealer | None:
    """The dealer company a staff account works for (None for other roles)."""
    return session.get(Dealer, user.dealer_id) if user.dealer_id is not None else None


def dealer_id_for(session: Session, uscc: str) -> int:
    """The id of the dealer company with this USCC; NotFound if there is none."""
    dealer_id = session.exec(select(Dealer.id).where(Dealer.uscc == normalize(uscc))).first()
    if dealer_id is None:
        raise NotFound(N_("There is no dealer with the USCC %(uscc)s."), uscc=uscc)
    return dealer_id


def current_ownership(session: Session, vehicle_id: int) -> Ownership | None:
    """The open ownership period of a vehicle (its current holder), if any."""
    statement = select(Ownership).where(Ownership.vehicle_id == vehicle_id, Ownership.end.is_(None))
    return session.exec(statement).first()


def plate_taken(session: Session, plate: str) -> bool:
    """Whether a vehicle in the registry carries this plate."""
    return session.exec(select(Vehicle.id).where(Vehicle.plate == plate)).first() is not None


@dataclass(frozen=True)
class Holder:
    """Who holds a vehicle: a person or a company (dealers are companies too)."""

    person_id: int | None = None
    dealer_id: int | None = None


def holder_for_buyer(
    session: Session,
    *,
    kind: str,
    name: str,
    id_hash: str | None,
    id_masked: str | None,
    uscc: str | None,
    city_code: str,
) -> Holder:
    """The registry person or company that buys; created when the registry has none yet."""
    if kind == "person":
        person = session.exec(select(Person).where(Person.id_hash == id_hash)).first()
        if person is None:
            person = Person(name=name, id_hash=id_hash, id_masked=id_masked)
            session.add(person)
            session.flush()
        return Holder(person_id=person.id)
    company = session.exec(select(Dealer).where(Dealer.uscc == uscc)).first()
    if company is None:
        city = regions.city(city_code)
        company = Dealer(
            uscc=uscc, name=name, province_code=city.province_code, city_code=city.code
        )
        session.add(company)
        session.flush()
    return Holder(dealer_id=company.id)


def plate_history(session: Session, vehicle_id: int) -> list[PlateHistory]:
    """Every plate the vehicle has had, newest first (DOMAIN §2.3)."""
    statement = (
        select(PlateHistory)
        .where(PlateHistory.vehicle_id == vehicle_id)
        .order_by(PlateHistory.id.desc())
    )
    return list(session.exec(statement))


def change_plate(
    session: Session,
    *,
    vehicle_id: int,
    old: str | None,
    new: str | None,
    today: date,
    reference: str | None = None,
) -> None:
    """End the vehicle's current plate today and start the new one, if any (DOMAIN §2.3):
    a transfer's registration (`reference`: the case) or an authority's extract."""
    if new == old:
        return
    current = session.exec(
        select(PlateHistory).where(
            PlateHistory.vehicle_id == vehicle_id, PlateHistory.end.is_(None)
        )
    ).first()
    if current is None and old:  # held since before the registry kept plates
        current = PlateHistory(vehicle_id=vehicle_id, plate=old)
    if current is not None:
        current.end = today
        session.add(current)
    if new:
        session.add(
            PlateHistory(vehicle_id=vehicle_id, plate=new, start=today, reference=reference)
        )


def transfer_vehicle(
    session: Session,
    *,
    vehicle: Vehicle,
    buyer: Holder,
    sale_date: date,
    via_dealer_id: int | None,
    city_code: str,
    plate: str,
    actor_id: int | None,
    reference: str,
) -> None:
    """Close the seller's ownership, open the buyer's (through the dealer's temporary
    ownership when chosen), and move the vehicle to its new city and plate (DOMAIN §2.1)."""
    today = china_today()
    current = current_ownership(session, vehicle.id)
    current.end = sale_date if via_dealer_id else today
    session.add(current)
    session.flush()  # the open period must end before the next opens (uq_ownership_current)
    if via_dealer_id:
        session.add(
            Ownership(
                vehicle_id=vehicle.id,
                dealer_id=via_dealer_id,
                start=sale_date,
                end=today,
                acquired=Acquisition.DEALER_TEMPORARY,
            )
        )
    session.add(
        Ownership(
            vehicle_id=vehicle.id,
            person_id=buyer.person_id,
            dealer_id=buyer.dealer_id,
            start=today,
            acquired=Acquisition.TRANSFER,
        )
    )
    change_plate(
        session,
        vehicle_id=vehicle.id,
        old=vehicle.plate,
        new=plate,
        today=today,
        reference=reference,
    )
    before = vehicle.status
    city = regions.city(city_code)
    vehicle.province_code, vehicle.city_code = city.province_code, city.code
    vehicle.plate, vehicle.status, vehicle.updated_at = plate, VehicleStatus.REGISTERED, utcnow()
    session.add(vehicle)
    session.flush()
    detail = {"case": reference, "city": city.code, "plate": plate}
    _vehicle_event(session, vehicle, actor_id, "transferred", before, detail)


# --- writes: every change to the registry's tables goes through here -----------------


@dataclass(frozen=True)
class NewVehicle:
    """A new car as its first registration records it (an applicant's invoice and papers)."""

    vin: str
    plate: str
    brand: str
    model: str
    body_type: BodyType
    fuel_type: FuelType
    displacement_ml: int | None
    seats: int
    first_registration: date


def register_new_vehicle(session: Session, *, car: NewVehicle, person_id: int) -> Vehicle:
    """Enter a new private car in the registry, held by person_id from its registration.

    Flushed inside a savepoint: a VIN or plate already taken raises IntegrityError and
    leaves the caller's transaction as it was, for the caller to say which clashed.
    """
    city = regions.city_for_plate_prefix(car.plate[:2])
    vehicle = Vehicle(
        **asdict(car),
        usage=Usage.PRIVATE,
        province_code=city.province_code,
        city_code=city.code,
        status=VehicleStatus.REGISTERED,
    )
    with savepoint(session):
        session.add(vehicle)
        session.flush()
    session.add(
        Ownership(
            vehicle_id=vehicle.id,
            person_id=person_id,
            start=car.first_registration,
            acquired=Acquisition.NEW,
        )
    )
    return vehicle


def scrap_vehicle(
    session: Session, *, vehicle_id: int, day: date, actor_id: int | None, detail: dict
) -> None:
    """Mark the vehicle scrapped and end its current ownership on day; audited (§1.1).

    A car already scrapped stays as it is.
    """
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle.status is VehicleStatus.SCRAPPED:
        return
    before = vehicle.status
    vehicle.status, vehicle.updated_at = VehicleStatus.SCRAPPED, utcnow()
    current = current_ownership(session, vehicle.id)
    if current is not None:
        current.end = day
        session.add(current)
    session.add(vehicle)
    _vehicle_event(session, vehicle, actor_id, "scrapped", before, detail)


def set_transferring(
    session: Session, *, vehicle: Vehicle, transferring: bool, actor_id: int | None, case: str
) -> None:
    """A transfer filed (being transferred) or given up (registered again); audited (§2).

    Only a car on the register moves between these two; a scrapped one stays as it is.
    """
    status = VehicleStatus.TRANSFERRING if transferring else VehicleStatus.REGISTERED
    if vehicle.status is status or vehicle.status not in (
        VehicleStatus.REGISTERED,
        VehicleStatus.TRANSFERRING,
    ):
        return
    before, vehicle.status, vehicle.updated_at = vehicle.status, status, utcnow()
    session.add(vehicle)
    _vehicle_event(session, vehicle, actor_id, "transfer_" + status.value, before, {"case": case})


def _vehicle_event(session, vehicle: Vehicle, actor_id, action: str, before, detail) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        entity="vehicle",
        entity_id=vehicle.id,
        action=action,
        from_state=before.value,
        to_state=vehicle.status.value,
        detail=detail,
    )
