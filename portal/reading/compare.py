"""What was read beside what was confirmed and what the registry says, for the reviewer.

For each paper read for an application: one row per field, with the value read, the
value the applicant confirmed (saved), and the registry's value where it has one; a row
is flagged when the applicant changed what was read, or when the paper disagrees with
the registry (issue 15). ID numbers are compared by keyed hash and shown masked only.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from portal.cards import CardKeys
from portal.identifiers import mask_resident_id, resident_id_hash
from portal.money import yuan
from portal.reading import parsing, services
from portal.reading.parsing import Read
from portal.reading.terms import PaperKind
from portal.registry.models import Person, Vehicle
from portal.subsidy.models import Application

LABELS = {
    "invoice_number": _l("Invoice number"),
    "invoice_date": _l("Invoice date"),
    "invoice_price_fen": _l("Price on the invoice, with VAT"),
    "invoice_buyer_name": _l("Buyer on the invoice"),
    "invoice_buyer_id_number": _l("Buyer's ID number on the invoice"),
    "vin": _l("VIN"),
    "brand": _l("Brand"),
    "model": _l("Model"),
    "plate": _l("Plate"),
    "owner_name": _l("Owner"),
    "registration_date": _l("Registration date"),
    "invoice_seller_name": _l("Seller"),
    "invoice_seller_uscc": _l("Seller's unified social credit code"),
}


NAMES = ("invoice_buyer_name", "owner_name")  # compared as `parsing.same_name` does


@dataclass(frozen=True)
class Row:
    label: str
    read: str
    confirmed: str | None  # None: the applicant confirms nothing for this field
    registry: str | None  # None: the registry has nothing to say
    changed: bool  # the applicant saved something else than was read
    disagrees: bool  # the paper says something else than the registry


@dataclass(frozen=True)
class Paper:
    kind: PaperKind
    rows: list[Row]

    @property
    def flagged(self) -> int:
        return sum(row.changed or row.disagrees for row in self.rows)


def papers_read(
    session: Session, application: Application, *, keys: CardKeys, id_key: bytes
) -> list[Paper]:
    """The application's papers that were read, each as rows to compare."""
    papers = []
    person = session.get(Person, application.person_id)
    for kind in PaperKind:
        reading = services.latest_for(session, application_id=application.id, kind=kind)
        fields = services.fields_of(reading, keys) if reading else {}
        if not fields:
            continue
        if kind is PaperKind.INVOICE:
            rows = _invoice_rows(session, application, person, fields, id_key)
        else:
            rows = _licence_rows(session, application, fields)
        papers.append(Paper(kind, rows))
    return papers


def _row(name: str, read: Read, confirmed=None, registry=None, shown=str) -> Row:
    value = read.value
    return Row(
        label=str(LABELS[name]),
        read=shown(value),
        confirmed=None if confirmed is None else shown(confirmed),
        registry=None if registry is None else shown(registry),
        changed=confirmed is not None and confirmed != value,
        disagrees=registry is not None and not _agree(name, value, registry),
    )


def _agree(name: str, read, registered) -> bool:
    """Names agree however their spaces and full-width forms were written (§1.5)."""
    if name in NAMES:
        return parsing.same_name(str(read), str(registered))
    return read == registered


def _invoice_rows(session, application, person, fields, id_key: bytes) -> list[Row]:
    registered = _vehicle_with_plate(session, application.new_plate)
    confirmed = {
        "invoice_number": application.invoice_number,
        "invoice_date": application.invoice_date.isoformat() if application.invoice_date else None,
        "invoice_price_fen": application.invoice_price_fen,
        "vin": application.new_vin,
        "brand": application.new_brand,
        "model": application.new_model,
    }
    # The registry's car with the plate the applicant gave: its VIN must be the invoice's.
    # (Make and model are written differently on invoices and in the registry.)
    registry = {
        "vin": registered.vin if registered else None,
        "invoice_buyer_name": person.name if person else None,
    }
    rows = []
    for name, read in fields.items():
        if name == "invoice_buyer_id_number":
            rows.append(_buyer_id_row(read, application, person, id_key))
        elif name not in ("invoice_code", "invoice_tax_fen"):
            shown = yuan if name == "invoice_price_fen" else str
            rows.append(_row(name, read, confirmed.get(name), registry.get(name), shown))
    return rows


def _buyer_id_row(read: Read, application, person, id_key: bytes) -> Row:
    """The buyer's ID, compared by keyed hash: the application keeps no clear number."""
    read_hash, shown = resident_id_hash(str(read.value), id_key), mask_resident_id(str(read.value))
    confirmed_hash = application.invoice_buyer_id_hash
    changed = bool(confirmed_hash) and confirmed_hash != read_hash
    return Row(
        label=str(LABELS["invoice_buyer_id_number"]),
        read=shown,
        confirmed=(str(_l("a different number")) if changed else shown) if confirmed_hash else None,
        registry=person.id_masked if person else None,
        changed=changed,
        disagrees=person is not None and person.id_hash != read_hash,
    )


def _licence_rows(session, application, fields) -> list[Row]:
    old = session.get(Vehicle, application.old_vehicle_id) if application.old_vehicle_id else None
    registry = {
        "vin": old.vin if old else None,
        "plate": old.plate if old else None,
        "brand": old.brand if old else None,
        "model": old.model if old else None,
        "registration_date": old.first_registration.isoformat() if old else None,
        "fuel_type": old.fuel_type.value if old else None,
        # The car the licence names, as the registry holds it now: its owner's name.
        "owner_name": services.registered_owner_name(session, fields),
    }
    return [
        _row(name, read, None, registry.get(name))
        for name, read in fields.items()
        if name in LABELS
    ]


def _vehicle_with_plate(session: Session, plate: str | None) -> Vehicle | None:
    if not plate:
        return None
    return session.exec(select(Vehicle).where(Vehicle.plate == plate)).first()
