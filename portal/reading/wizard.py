"""What a reading fills in the owner's wizard, and what the wizard marks as read (issue 15).

The invoice fills the new-car step's invoice fields and the car's VIN, brand and model;
the city of the invoice comes from the seller's USCC (its characters 3–8 are the
seller's administrative code, DOMAIN §4). The licence chooses the old car whose VIN (or
plate) it carries among the applicant's cars. The owner checks, corrects and saves: the
saved application is what was confirmed, the reading stays as what was read.

A reading fills around what the owner typed (`around_typed`): the owner may type while a
paper is read, and a reading that ends must not undo that.
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from portal import regions
from portal.money import yuan_input
from portal.reading.parsing import Read, plain
from portal.reading.terms import PaperKind

# Invoice field read → the new-car form's field.
INVOICE_FORM_FIELDS = {
    "vin": "vin",
    "brand": "brand",
    "model": "model",
    "invoice_number": "invoice_number",
    "invoice_date": "invoice_date",
    "invoice_price_fen": "invoice_price",
    "invoice_buyer_id_number": "invoice_buyer_id",
}
STEP_OF = {PaperKind.INVOICE: "new-car", PaperKind.VEHICLE_LICENCE: "old-car"}


@dataclass(frozen=True)
class Filled:
    """Form values taken from a reading, and the names of the fields they fill."""

    values: dict
    marked: frozenset[str]
    # Fields the owner typed something else into than was read: left alone, marked.
    differs: frozenset[str] = frozenset()


def invoice_values(fields: dict[str, Read]) -> Filled:
    """The new-car form's values from an invoice's fields."""
    values = {}
    for read_name, form_name in INVOICE_FORM_FIELDS.items():
        if read_name in fields:
            values[form_name] = _form_value(read_name, fields[read_name].value)
    city = seller_city(fields)
    if city:
        values["invoice_city"] = city
    return Filled(values, frozenset(values))


def _form_value(name: str, value):
    if name == "invoice_price_fen":
        return yuan_input(value)
    return date.fromisoformat(value) if name == "invoice_date" else value


def seller_city(fields: dict[str, Read]) -> str | None:
    """The seller's city from its USCC, when it is a city the portal knows."""
    uscc = fields.get("invoice_seller_uscc")
    code = str(uscc.value)[2:8] if uscc else ""
    return code if regions.city(code) else None


def licence_choice(fields: dict[str, Read], cars) -> Filled:
    """The applicant's car the licence names (by VIN, else by plate), as the old-car choice."""
    vin, plate = fields.get("vin"), fields.get("plate")
    for car in cars:
        if (vin and car.vin == vin.value) or (plate and car.plate == plate.value):
            return Filled({"vehicle_id": str(car.id)}, frozenset({"vehicle_id"}))
    return Filled({}, frozenset())


def around_typed(filled: Filled, typed: dict, earlier: Filled | None) -> Filled:
    """Only what the reading may fill without replacing what the owner typed (issue 15).

    A field is filled when it is empty, already holds what was read, or still holds what
    an earlier reading of the same paper filled; a field the owner changed is left alone
    and named in `differs`.
    """
    before = earlier.values if earlier else {}
    values, differs = {}, set()
    for name, value in filled.values.items():
        now = typed.get(name)
        if (
            _blank(now)
            or _same(name, now, value)
            or (name in before and _same(name, now, before[name]))
        ):
            values[name] = value
        else:
            differs.add(name)
    return replace(filled, values=values, marked=frozenset(values), differs=frozenset(differs))


def _blank(value) -> bool:
    return value is None or not str(value).strip()


def _same(name: str, typed, read) -> bool:
    if name == "invoice_price":  # 168000, 168,000 and 168000.00 are the same price
        return _amount(typed) is not None and _amount(typed) == _amount(read)
    return _text(typed) == _text(read)


def _amount(value) -> Decimal | None:
    try:
        return Decimal(_text(value).replace(",", ""))
    except InvalidOperation:
        return None


def _text(value) -> str:
    return plain(value.isoformat() if isinstance(value, date) else str(value))
