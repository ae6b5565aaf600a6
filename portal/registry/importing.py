"""Writing validated registry rows in batches: new vehicles, changed facts, new owners.

Idempotent by design: a row equal to what is stored changes nothing and writes no audit
event, so importing the same extract twice is harmless. Written with Core statements and
plain rows, and with COPY on PostgreSQL, since 100,000 rows must import in well under a
minute (docs/benchmarks.md says where the time goes).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter

from sqlalchemy import String, Table, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from portal import regions
from portal.audit import AuditEvent, china_today, utcnow
from portal.identifiers import mask_resident_id, resident_id_hash
from portal.messages import N_
from portal.registry import services as registry
from portal.registry.models import Dealer, Ownership, Person, Vehicle
from portal.registry.rules import VEHICLE_FACTS, OwnerRecord, RowProblem, VehicleRecord
from portal.registry.terms import Acquisition

Holder = tuple[str, int]  # ("person" | "dealer", id)

# A stored vehicle is read as (id, *VEHICLE_FACTS), to compare with a record's facts as tuples.
_STORED_COLUMNS = (Vehicle.id, *(Vehicle.__table__.c[name] for name in VEHICLE_FACTS))
_facts_of = attrgetter(*VEHICLE_FACTS)


@dataclass
class BatchResult:
    """What one batch did, and the rows it refused with their line numbers."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[int, RowProblem]] = field(default_factory=list)


TrimFinder = Callable[[str, str, int], int | None]  # (brand, model, year) → catalog trim id


def _no_trim(brand: str, model: str, year: int) -> None:
    return None


@dataclass
class _Batch:
    session: Session
    key: bytes
    actor_id: int | None
    now: datetime = field(default_factory=utcnow)  # one timestamp for the batch's writes
    today: date = field(default_factory=china_today)
    result: BatchResult = field(default_factory=BatchResult)
    events: list[dict] = field(default_factory=list)
    ownerships: list[dict] = field(default_factory=list)
    trim_of: TrimFinder = _no_trim

    def audit(self, vehicle_id: int, action: str, **extra) -> None:
        event = {
            "at": self.now,
            "actor_id": self.actor_id,
            "entity": "vehicle",
            "entity_id": vehicle_id,
            "action": action,
            "from_state": None,
            "to_state": None,
            "detail": None,
        }
        self.events.append(event | extra)

    def own(self, vehicle_id: int, holder: Holder, start, acquired: Acquisition) -> None:
        kind, owner_id = holder
        self.ownerships.append(
            {
                "vehicle_id": vehicle_id,
                "start": start,
                "end": None,
                "acquired": acquired,
                "person_id": owner_id if kind == "person" else None,
                "dealer_id": owner_id if kind == "dealer" else None,
                "created_at": self.now,
            }
        )


def apply_records(
    session: Session,
    records: list[tuple[int, VehicleRecord]],
    *,
    key: bytes,
    actor_id: int | None,
    trims: Callable[[Session], TrimFinder] | None = None,
) -> BatchResult:
    """Write a batch of validated rows (line number, record); flushes, does not commit.

    `trims` (the valuation's catalog, given by the import machinery) names each new car's
    catalog trim as it is inserted: linking afterwards rewrote every row and every index
    of a million-car table a second time.
    """
    batch = _Batch(session, key, actor_id, trim_of=trims(session) if trims else _no_trim)
    records = _without_plate_clashes(batch, records)
    stored = _stored_vehicles(session, [record.vin for _, record in records])
    current = _current_holders(session, [row.id for row in stored.values()])
    holders = _holders(batch, [record for _, record in records])
    new_records = []
    for _, record in records:
        row = stored.get(record.vin)
        if row is None:
            new_records.append(record)
        elif _update_facts(batch, row, record) | _update_owner(
            batch, row.id, record, current.get(row.id), holders[record.owner]
        ):
            batch.result.updated += 1
        else:
            batch.result.unchanged += 1
    _insert_vehicles(batch, new_records, holders)
    _insert_rows(session, Ownership.__table__, batch.ownerships)
    _insert_rows(session, AuditEvent.__table__, batch.events)
    return batch.result


def _insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert rows (dicts with the same keys): with COPY on psycopg, else one executemany.

    psycopg's executemany sends every row as a statement of its own; COPY streams them all
    in one, three to four times faster. The values pass through the columns' own bind
    processors (enum values, UTC times, JSON), so they are stored as an INSERT stores them.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.driver != "psycopg":
        connection.execute(insert(table), rows)
        return
    columns = [
        (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in rows[0]
    ]
    quote = dialect.identifier_preparer.quote  # "end" is a reserved word
    statement = (
        f"COPY {dialect.identifier_preparer.format_table(table)}"
        f" ({', '.join(quote(name) for name, _ in columns)}) FROM STDIN"
    )
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [row[name] if bind is None else bind(row[name]) for name, bind in columns]
            )


def _among(session: Session, column, values):
    """column IN values; on PostgreSQL column = ANY(one array parameter).

    An IN list has a bind parameter per value, which SQLAlchemy and psycopg handle one by
    one: with a batch's thousands of values that cost more than the query itself.
    """
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    # VARCHAR[] without the column's length: a cast to VARCHAR(n) would cut longer values.
    item = String() if isinstance(column.type, String) else column.type
    return column == any_(bindparam(None, list(values), type_=ARRAY(item)))


def _without_plate_clashes(batch: _Batch, records):
    """Refuse rows whose plate another vehicle holds (the unique index would fail the batch)."""
    plates = [r.plate for _, r in records if r.plate]
    holders = dict(
        batch.session.execute(
            select(Vehicle.plate, Vehicle.vin).where(_among(batch.session, Vehicle.plate, plates))
        ).all()
    )
    kept = []
    for line, record in records:
        holder = holders.setdefault(record.plate, record.vin) if record.plate else None
        if holder and holder != record.vin:
            problem = RowProblem(
                "plate",
                N_("The plate %(plate)s belongs to another vehicle (%(vin)s)."),
                {"plate": record.plate, "vin": holder},
            )
            batch.result.problems.append((line, problem))
        else:
            kept.append((line, record))
    return kept


def _stored_vehicles(session: Session, vins: list[str]) -> dict:
    """The stored (id, *VEHICLE_FACTS) of these VINs, by VIN; timestamps are not needed."""
    statement = select(*_STORED_COLUMNS).where(_among(session, Vehicle.vin, vins))
    return {row.vin: row for row in session.execute(statement)}


def _holders(batch: _Batch, records: list[VehicleRecord]) -> dict[OwnerRecord, Holder]:
    """Find or create the persons and dealers the rows name."""
    session = batch.session
    people = {
        r.owner: resident_id_hash(r.owner.identifier, batch.key)
        for r in records
        if r.owner.kind == "person"
    }
    dealers = {r.owner: r.city_code for r in records if r.owner.kind == "dealer"}
    person_ids = _person_ids(session, set(people.values()))
    missing = {h: owner for owner, h in people.items() if h not in person_ids}
    if missing:
        _insert_rows(
            session,
            Person.__table__,
            [
                {
                    "name": owner.name,
                    "id_hash": h,
                    "id_masked": mask_resident_id(owner.identifier),
                    "created_at": batch.now,
                }
                for h, owner in missing.items()
            ],
        )
        person_ids |= _person_ids(session, set(missing))
    holders = {owner: ("person", person_ids[h]) for owner, h in people.items()}
    dealer_ids = dict(
        session.execute(
            select(Dealer.uscc, Dealer.id).where(
                _among(session, Dealer.uscc, [o.identifier for o in dealers])
            )
        ).all()
    )
    for owner, city_code in dealers.items():
        if owner.identifier not in dealer_ids:
            dealer = Dealer(
                uscc=owner.identifier, name=owner.name, **_dealer_place(owner.identifier, city_code)
            )
            session.add(dealer)
            session.flush()
            dealer_ids[owner.identifier] = dealer.id
        holders[owner] = ("dealer", dealer_ids[owner.identifier])
    return holders


def _person_ids(session: Session, hashes: set[str]) -> dict[str, int]:
    statement = select(Person.id_hash, Person.id).where(_among(session, Person.id_hash, hashes))
    return dict(session.execute(statement).all())


def _dealer_place(uscc: str, vehicle_city_code: str) -> dict:
    """Where a new dealer is filed: the USCC's region code (DOMAIN §4) when it names a city,
    else the city of the vehicle it holds (the extract does not say)."""
    city = regions.city(uscc[2:6] + "00") or regions.city(vehicle_city_code)
    return {"province_code": city.province_code, "city_code": city.code}


def _current_holders(session: Session, vehicle_ids: list[int]) -> dict:
    """The open ownership period of each vehicle, by vehicle id."""
    statement = select(
        Ownership.id,
        Ownership.vehicle_id,
        Ownership.person_id,
        Ownership.dealer_id,
        Ownership.start,
    ).where(_among(session, Ownership.vehicle_id, vehicle_ids), Ownership.end.is_(None))
    return {row.vehicle_id: row for row in session.execute(statement)}


def _update_facts(batch: _Batch, row, record: VehicleRecord) -> bool:
    stored, imported = tuple(row)[1:], _facts_of(record)
    if stored == imported:  # nearly every row of a re-import: one comparison, no dict
        return False
    pairs = zip(VEHICLE_FACTS, stored, imported, strict=True)
    changes = {name: new for name, old, new in pairs if old != new}
    batch.session.execute(
        update(Vehicle.__table__)
        .where(Vehicle.id == row.id)
        .values(**changes, updated_at=batch.now)
    )
    if "plate" in changes:  # DOMAIN §2.3: the history keeps every plate the car has had
        registry.change_plate(
            batch.session, vehicle_id=row.id, old=row.plate, new=changes["plate"], today=batch.today
        )
    batch.audit(
        row.id,
        "updated",
        from_state=row.status.value,
        to_state=record.status.value,
        detail={"fields": sorted(changes)},
    )
    return True


def _update_owner(
    batch: _Batch, vehicle_id: int, record: VehicleRecord, current, holder: Holder
) -> bool:
    if current is not None and _holder_of(current) == holder:
        return False
    if current is not None:
        batch.session.execute(
            update(Ownership.__table__)
            .where(Ownership.id == current.id)
            .values(end=max(record.owner_since, current.start))
        )
    batch.own(vehicle_id, holder, record.owner_since, Acquisition.TRANSFER)
    batch.audit(vehicle_id, "owner_changed", detail={"owner": holder[0]})
    return True


def _holder_of(ownership) -> Holder:
    if ownership.person_id is not None:
        return ("person", ownership.person_id)
    return ("dealer", ownership.dealer_id)


def _insert_vehicles(batch: _Batch, records: list[VehicleRecord], holders) -> None:
    if not records:
        return
    session = batch.session
    stamps = {"created_at": batch.now, "updated_at": batch.now}
    rows = [
        record.facts()
        | stamps
        | {
            "car_model_id": batch.trim_of(
                record.brand, record.model, record.first_registration.year
            )
        }
        for record in records
    ]
    _insert_rows(session, Vehicle.__table__, rows)
    ids = dict(
        session.execute(
            select(Vehicle.vin, Vehicle.id).where(
                _among(session, Vehicle.vin, [record.vin for record in records])
            )
        ).all()
    )
    for record in records:
        vehicle_id = ids[record.vin]
        first_owner = record.owner_since == record.first_registration
        acquired = Acquisition.NEW if first_owner else Acquisition.TRANSFER
        batch.own(vehicle_id, holders[record.owner], record.owner_since, acquired)
        batch.audit(vehicle_id, "imported", to_state=record.status.value)
    batch.result.created += len(records)
