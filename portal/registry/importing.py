"""Writing validated registry rows in batches: new vehicles, changed facts, new owners.

Idempotent by design: a row equal to what is stored changes nothing and writes no audit
event, so importing the same extract twice is harmless.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert
from sqlmodel import Session, select

from portal import regions
from portal.audit import AuditEvent, utcnow
from portal.identifiers import N_, mask_resident_id, resident_id_hash
from portal.registry.models import Dealer, Ownership, Person, Vehicle
from portal.registry.rules import OwnerRecord, RowProblem, VehicleRecord
from portal.registry.terms import Acquisition


@dataclass
class BatchResult:
    """What one batch did, and the rows it refused with their line numbers."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[int, RowProblem]] = field(default_factory=list)


@dataclass
class _Batch:
    session: Session
    key: bytes
    actor_id: int | None
    result: BatchResult = field(default_factory=BatchResult)
    events: list[dict] = field(default_factory=list)

    def audit(self, vehicle_id: int, action: str, **extra) -> None:
        self.events.append(
            {
                "at": utcnow(),
                "actor_id": self.actor_id,
                "entity": "vehicle",
                "entity_id": vehicle_id,
                "action": action,
                "from_state": None,
                "to_state": None,
                "detail": None,
            }
            | extra
        )


def apply_records(
    session: Session,
    records: list[tuple[int, VehicleRecord]],
    *,
    key: bytes,
    actor_id: int | None,
) -> BatchResult:
    """Write a batch of validated rows (line number, record); flushes, does not commit."""
    batch = _Batch(session, key, actor_id)
    existing = {
        v.vin: v
        for v in session.exec(select(Vehicle).where(Vehicle.vin.in_([r.vin for _, r in records])))
    }
    records = _without_plate_clashes(batch, records)
    owner_ids = _owner_ids(batch, [r for _, r in records])
    current = _current_ownerships(session, [v.id for v in existing.values()])
    new_records = []
    for _, record in records:
        vehicle = existing.get(record.vin)
        if vehicle is None:
            new_records.append(record)
            continue
        changed = _update_facts(batch, vehicle, record)
        owner_changed = _update_owner(batch, vehicle, record, current.get(vehicle.id), owner_ids)
        if changed or owner_changed:
            batch.result.updated += 1
        else:
            batch.result.unchanged += 1
    session.flush()
    _insert_vehicles(batch, new_records, owner_ids)
    if batch.events:
        session.execute(insert(AuditEvent), batch.events)
    return batch.result


def _without_plate_clashes(batch: _Batch, records):
    """Refuse rows whose plate another vehicle holds (the unique index would fail the batch)."""
    plates = [r.plate for _, r in records if r.plate]
    holders = dict(
        batch.session.exec(
            select(Vehicle.plate, Vehicle.vin).where(Vehicle.plate.in_(plates))
        ).all()
    )
    kept, seen = [], {}
    for line, record in records:
        holder = holders.get(record.plate) or seen.get(record.plate)
        if record.plate and holder and holder != record.vin:
            problem = RowProblem(
                "plate",
                N_("The plate %(plate)s belongs to another vehicle (%(vin)s)."),
                {"plate": record.plate, "vin": holder},
            )
            batch.result.problems.append((line, problem))
            continue
        if record.plate:
            seen[record.plate] = record.vin
        kept.append((line, record))
    return kept


def _owner_ids(batch: _Batch, records: list[VehicleRecord]) -> dict[OwnerRecord, tuple[str, int]]:
    """Find or create the persons and dealers named; map each owner to ("person"|"dealer", id)."""
    session, key = batch.session, batch.key
    owners = [record.owner for record in records]
    dealer_cities = {r.owner.identifier: r.city_code for r in records if r.owner.kind == "dealer"}
    persons = {resident_id_hash(o.identifier, key): o for o in owners if o.kind == "person"}
    dealers = {o.identifier: o for o in owners if o.kind == "dealer"}
    person_ids = dict(
        session.exec(
            select(Person.id_hash, Person.id).where(Person.id_hash.in_(list(persons)))
        ).all()
    )
    missing = [h for h in persons if h not in person_ids]
    if missing:
        rows = [
            {
                "name": persons[h].name,
                "id_hash": h,
                "id_masked": mask_resident_id(persons[h].identifier),
                "created_at": utcnow(),
            }
            for h in missing
        ]
        session.execute(insert(Person), rows)
        person_ids |= dict(
            session.exec(select(Person.id_hash, Person.id).where(Person.id_hash.in_(missing))).all()
        )
    dealer_ids = dict(
        session.exec(select(Dealer.uscc, Dealer.id).where(Dealer.uscc.in_(list(dealers)))).all()
    )
    for uscc, owner in dealers.items():
        if uscc not in dealer_ids:
            dealer = Dealer(uscc=uscc, name=owner.name, **_dealer_place(uscc, dealer_cities[uscc]))
            session.add(dealer)
            session.flush()
            dealer_ids[uscc] = dealer.id
    ids = {}
    for owner in owners:
        if owner.kind == "person":
            ids[owner] = ("person", person_ids[resident_id_hash(owner.identifier, key)])
        else:
            ids[owner] = ("dealer", dealer_ids[owner.identifier])
    return ids


def _dealer_place(uscc: str, vehicle_city_code: str) -> dict:
    """Where a new dealer is filed: the USCC's region code (DOMAIN §4) when it names a city,
    else the city of the vehicle it holds (the extract does not say)."""
    city = regions.city(uscc[2:6] + "00") or regions.city(vehicle_city_code)
    return {"province_code": city.province_code, "city_code": city.code}


def _current_ownerships(session: Session, vehicle_ids: list[int]) -> dict[int, Ownership]:
    statement = select(Ownership).where(
        Ownership.vehicle_id.in_(vehicle_ids), Ownership.end.is_(None)
    )
    return {o.vehicle_id: o for o in session.exec(statement)}


def _update_facts(batch: _Batch, vehicle: Vehicle, record: VehicleRecord) -> bool:
    changes = {
        name: value for name, value in record.facts().items() if getattr(vehicle, name) != value
    }
    if not changes:
        return False
    status_before = vehicle.status
    for name, value in changes.items():
        setattr(vehicle, name, value)
    vehicle.updated_at = utcnow()
    batch.audit(
        vehicle.id,
        "updated",
        from_state=status_before.value,
        to_state=vehicle.status.value,
        detail={"fields": sorted(changes)},
    )
    return True


def _update_owner(
    batch: _Batch, vehicle: Vehicle, record: VehicleRecord, current: Ownership | None, owner_ids
) -> bool:
    kind, owner_id = owner_ids[record.owner]
    if current is not None and _holder(current) == (kind, owner_id):
        return False
    if current is not None:
        current.end = max(record.owner_since, current.start)
        batch.session.add(current)
        batch.session.flush()  # close the old period before the unique index sees the new one
    batch.session.add(
        _ownership(vehicle.id, kind, owner_id, record.owner_since, Acquisition.TRANSFER)
    )
    batch.audit(vehicle.id, "owner_changed", detail={"owner": kind})
    return True


def _holder(ownership: Ownership) -> tuple[str, int]:
    if ownership.person_id is not None:
        return ("person", ownership.person_id)
    return ("dealer", ownership.dealer_id)


def _ownership(vehicle_id: int, kind: str, owner_id: int, start: date, acquired) -> Ownership:
    return Ownership(
        vehicle_id=vehicle_id,
        person_id=owner_id if kind == "person" else None,
        dealer_id=owner_id if kind == "dealer" else None,
        start=start,
        acquired=acquired,
    )


def _insert_vehicles(batch: _Batch, records: list[VehicleRecord], owner_ids) -> None:
    if not records:
        return
    now = utcnow()
    rows = [record.facts() | {"created_at": now, "updated_at": now} for record in records]
    statement = insert(Vehicle).returning(Vehicle.id, sort_by_parameter_order=True)
    ids = batch.session.execute(statement, rows).scalars().all()
    ownerships = []
    for vehicle_id, record in zip(ids, records, strict=True):
        kind, owner_id = owner_ids[record.owner]
        acquired = (
            Acquisition.NEW
            if record.owner_since == record.first_registration
            else Acquisition.TRANSFER
        )
        ownership = _ownership(vehicle_id, kind, owner_id, record.owner_since, acquired)
        ownerships.append(ownership.model_dump(exclude={"id"}) | {"created_at": now})
        batch.audit(vehicle_id, "imported", to_state=record.status.value)
    batch.session.execute(insert(Ownership), ownerships)
    batch.result.created += len(records)
