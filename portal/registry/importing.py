"""Writing validated registry rows in batches: new vehicles, changed facts, new owners.

Idempotent by design: a row equal to what is stored changes nothing and writes no audit
event, so importing the same extract twice is harmless. Written with Core statements and
plain dicts, since 100,000 rows must import in well under a minute.
"""

from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlmodel import Session

from portal import regions
from portal.audit import AuditEvent, utcnow
from portal.identifiers import N_, mask_resident_id, resident_id_hash
from portal.registry.models import Dealer, Ownership, Person, Vehicle
from portal.registry.rules import OwnerRecord, RowProblem, VehicleRecord
from portal.registry.terms import Acquisition

Holder = tuple[str, int]  # ("person" | "dealer", id)


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
    ownerships: list[dict] = field(default_factory=list)

    def audit(self, vehicle_id: int, action: str, **extra) -> None:
        event = {"at": utcnow(), "actor_id": self.actor_id, "entity": "vehicle",
                 "entity_id": vehicle_id, "action": action, "from_state": None,
                 "to_state": None, "detail": None}  # fmt: skip
        self.events.append(event | extra)

    def own(self, vehicle_id: int, holder: Holder, start, acquired: Acquisition) -> None:
        kind, owner_id = holder
        self.ownerships.append({
            "vehicle_id": vehicle_id, "start": start, "end": None, "acquired": acquired,
            "person_id": owner_id if kind == "person" else None,
            "dealer_id": owner_id if kind == "dealer" else None, "created_at": utcnow(),
        })  # fmt: skip


def apply_records(
    session: Session, records: list[tuple[int, VehicleRecord]], *, key: bytes,
    actor_id: int | None,
) -> BatchResult:  # fmt: skip
    """Write a batch of validated rows (line number, record); flushes, does not commit."""
    batch = _Batch(session, key, actor_id)
    records = _without_plate_clashes(batch, records)
    vins = [record.vin for _, record in records]
    stored = {row.vin: row for row in session.execute(
        select(Vehicle.__table__).where(Vehicle.vin.in_(vins))).mappings()}  # fmt: skip
    current = _current_holders(session, [row["id"] for row in stored.values()])
    holders = _holders(batch, [record for _, record in records])
    new_records = []
    for _, record in records:
        row = stored.get(record.vin)
        if row is None:
            new_records.append(record)
        elif _update_facts(batch, row, record) | _update_owner(
            batch, row["id"], record, current.get(row["id"]), holders[record.owner]
        ):
            batch.result.updated += 1
        else:
            batch.result.unchanged += 1
    _insert_vehicles(batch, new_records, holders)
    if batch.ownerships:
        session.execute(insert(Ownership.__table__), batch.ownerships)
    if batch.events:
        session.execute(insert(AuditEvent.__table__), batch.events)
    return batch.result


def _without_plate_clashes(batch: _Batch, records):
    """Refuse rows whose plate another vehicle holds (the unique index would fail the batch)."""
    plates = [r.plate for _, r in records if r.plate]
    holders = dict(batch.session.execute(
        select(Vehicle.plate, Vehicle.vin).where(Vehicle.plate.in_(plates))).all())  # fmt: skip
    kept = []
    for line, record in records:
        holder = holders.setdefault(record.plate, record.vin) if record.plate else None
        if holder and holder != record.vin:
            problem = RowProblem("plate",
                                 N_("The plate %(plate)s belongs to another vehicle (%(vin)s)."),
                                 {"plate": record.plate, "vin": holder})  # fmt: skip
            batch.result.problems.append((line, problem))
        else:
            kept.append((line, record))
    return kept


def _holders(batch: _Batch, records: list[VehicleRecord]) -> dict[OwnerRecord, Holder]:
    """Find or create the persons and dealers the rows name."""
    session = batch.session
    people = {r.owner: resident_id_hash(r.owner.identifier, batch.key)
              for r in records if r.owner.kind == "person"}  # fmt: skip
    dealers = {r.owner: r.city_code for r in records if r.owner.kind == "dealer"}
    person_ids = _person_ids(session, set(people.values()))
    missing = {h: owner for owner, h in people.items() if h not in person_ids}
    if missing:
        session.execute(insert(Person.__table__), [
            {"name": owner.name, "id_hash": h, "id_masked": mask_resident_id(owner.identifier),
             "created_at": utcnow()}
            for h, owner in missing.items()
        ])  # fmt: skip
        person_ids |= _person_ids(session, set(missing))
    holders = {owner: ("person", person_ids[h]) for owner, h in people.items()}
    dealer_ids = dict(session.execute(select(Dealer.uscc, Dealer.id).where(
        Dealer.uscc.in_([o.identifier for o in dealers]))).all())  # fmt: skip
    for owner, city_code in dealers.items():
        if owner.identifier not in dealer_ids:
            dealer = Dealer(uscc=owner.identifier, name=owner.name,
                            **_dealer_place(owner.identifier, city_code))  # fmt: skip
            session.add(dealer)
            session.flush()
            dealer_ids[owner.identifier] = dealer.id
        holders[owner] = ("dealer", dealer_ids[owner.identifier])
    return holders


def _person_ids(session: Session, hashes: set[str]) -> dict[str, int]:
    statement = select(Person.id_hash, Person.id).where(Person.id_hash.in_(hashes))
    return dict(session.execute(statement).all())


def _dealer_place(uscc: str, vehicle_city_code: str) -> dict:
    """Where a new dealer is filed: the USCC's region code (DOMAIN §4) when it names a city,
    else the city of the vehicle it holds (the extract does not say)."""
    city = regions.city(uscc[2:6] + "00") or regions.city(vehicle_city_code)
    return {"province_code": city.province_code, "city_code": city.code}


def _current_holders(session: Session, vehicle_ids: list[int]) -> dict[int, dict]:
    statement = select(Ownership.__table__).where(
        Ownership.vehicle_id.in_(vehicle_ids), Ownership.end.is_(None)
    )
    return {row["vehicle_id"]: row for row in session.execute(statement).mappings()}


def _update_facts(batch: _Batch, row, record: VehicleRecord) -> bool:
    changes = {name: value for name, value in record.facts().items() if row[name] != value}
    if not changes:
        return False
    batch.session.execute(
        update(Vehicle.__table__).where(Vehicle.id == row["id"]).values(
            **changes, updated_at=utcnow())
    )  # fmt: skip
    batch.audit(row["id"], "updated", from_state=row["status"].value,
                to_state=record.status.value, detail={"fields": sorted(changes)})  # fmt: skip
    return True


def _update_owner(batch: _Batch, vehicle_id: int, record: VehicleRecord,
                  current: dict | None, holder: Holder) -> bool:  # fmt: skip
    if current is not None and _holder_of(current) == holder:
        return False
    if current is not None:
        batch.session.execute(
            update(Ownership.__table__).where(Ownership.id == current["id"]).values(
                end=max(record.owner_since, current["start"]))
        )  # fmt: skip
    batch.own(vehicle_id, holder, record.owner_since, Acquisition.TRANSFER)
    batch.audit(vehicle_id, "owner_changed", detail={"owner": holder[0]})
    return True


def _holder_of(ownership) -> Holder:
    if ownership["person_id"] is not None:
        return ("person", ownership["person_id"])
    return ("dealer", ownership["dealer_id"])


def _insert_vehicles(batch: _Batch, records: list[VehicleRecord], holders) -> None:
    if not records:
        return
    now = utcnow()
    session = batch.session
    session.execute(insert(Vehicle.__table__), [
        record.facts() | {"created_at": now, "updated_at": now} for record in records
    ])  # fmt: skip
    ids = dict(session.execute(select(Vehicle.vin, Vehicle.id).where(
        Vehicle.vin.in_([record.vin for record in records]))).all())  # fmt: skip
    for record in records:
        vehicle_id = ids[record.vin]
        first_owner = record.owner_since == record.first_registration
        acquired = Acquisition.NEW if first_owner else Acquisition.TRANSFER
        batch.own(vehicle_id, holders[record.owner], record.owner_since, acquired)
        batch.audit(vehicle_id, "imported", to_state=record.status.value)
    batch.result.created += len(records)
