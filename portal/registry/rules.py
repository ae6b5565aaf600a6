"""Validation of the traffic authority's registry extract, one CSV row at a time (pure).

A row either becomes a VehicleRecord or a list of RowProblems that name the field and
say what is wrong, for the downloadable error report.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache, partial
from typing import Any, TypeVar

from portal import regions
from portal.identifiers import (
    InvalidIdentifier,
    ResidentId,
    Uscc,
    parse_plate,
    parse_resident_id,
    parse_uscc,
    parse_vin,
)
from portal.messages import N_
from portal.registry.terms import BodyType, EmissionStandard, FuelType, Usage, VehicleStatus

HEADER = (
    "vin",
    "plate",
    "brand",
    "model",
    "body_type",
    "fuel_type",
    "emission_standard",
    "displacement_ml",
    "battery_kwh",
    "seats",
    "usage",
    "first_registration",
    "city_code",
    "status",
    "mortgaged",
    "seized",
    "unpaid_violations",
    "owner_type",
    "owner_name",
    "owner_id",
    "owner_since",
)
EARLIEST_REGISTRATION = date(1950, 1, 1)


@dataclass(frozen=True)
class RowProblem:
    """One reason a row was refused; message is a template for translation."""

    field: str
    message: str
    params: dict[str, object]


@dataclass(frozen=True)
class OwnerRecord:
    """The current owner named by a row: a person (resident ID) or a dealer (USCC)."""

    kind: str  # "person" or "dealer"
    name: str
    identifier: str  # normalised resident ID number or USCC


@dataclass(frozen=True)
class VehicleRecord:
    """A validated row: the vehicle's facts and its current owner."""

    vin: str
    plate: str | None
    brand: str
    model: str
    body_type: BodyType
    fuel_type: FuelType
    emission_standard: EmissionStandard | None
    displacement_ml: int | None
    battery_kwh: Decimal | None
    seats: int
    usage: Usage
    first_registration: date
    province_code: str
    city_code: str
    status: VehicleStatus
    mortgaged: bool
    seized: bool
    unpaid_violations: int
    owner: OwnerRecord
    owner_since: date

    def facts(self) -> dict[str, Any]:
        """The vehicle's own columns, as stored."""
        return {name: getattr(self, name) for name in VEHICLE_FACTS}


VEHICLE_FACTS = (
    "vin",
    "plate",
    "brand",
    "model",
    "body_type",
    "fuel_type",
    "emission_standard",
    "displacement_ml",
    "battery_kwh",
    "seats",
    "usage",
    "first_registration",
    "province_code",
    "city_code",
    "status",
    "mortgaged",
    "seized",
    "unpaid_violations",
)


Parsed = TypeVar("Parsed")
Member = TypeVar("Member", bound=StrEnum)


@cache
def _members(enum: type[Member]) -> dict[str, Member]:
    return {member.value: member for member in enum}


class RowReader:
    """Reads fields of one row, collecting problems instead of stopping at the first."""

    def __init__(self, row: dict[str, str]):
        self.row = row
        self.problems: list[RowProblem] = []

    def fail(self, field: str, message: str, **params: object) -> None:
        self.problems.append(RowProblem(field, message, params))

    def text(self, field: str, *, required: bool = True, max_length: int = 64) -> str | None:
        value = (self.row.get(field) or "").strip()
        if not value:
            if required:
                self.fail(field, N_("This field is required."))
            return None
        if len(value) > max_length:
            self.fail(field, N_("At most %(max)s characters."), max=max_length)
            return None
        return value

    def identifier(
        self, field: str, parse: Callable[[str], Parsed], *, required: bool = True
    ) -> Parsed | None:
        value = self.text(field, required=required, max_length=32)
        if value is None:
            return None
        try:
            return parse(value)
        except InvalidIdentifier as error:
            self.problems.append(RowProblem(field, error.message, error.params))
            return None

    def choice(self, field: str, enum: type[Member], *, required: bool = True) -> Member | None:
        value = self.text(field, required=required, max_length=16)
        if value is None:
            return None
        member = _members(enum).get(value)  # a dict lookup: calling enum(value) is slower
        if member is None:
            allowed = ", ".join(_members(enum))
            self.fail(
                field,
                N_("Unknown value %(value)s; use one of: %(allowed)s."),
                value=value,
                allowed=allowed,
            )
        return member

    def integer(self, field: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self.text(field, required=required, max_length=8)
        if value is None:
            return None
        if not value.isdigit() or not low <= int(value) <= high:
            self.fail(
                field, N_("Enter a whole number from %(low)s to %(high)s."), low=low, high=high
            )
            return None
        return int(value)

    def decimal(self, field: str, high: Decimal) -> Decimal | None:
        value = self.text(field, required=False, max_length=8)
        if value is None:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not Decimal(0) < number <= high:
            self.fail(field, N_("Enter a number above 0 and at most %(high)s."), high=high)
            return None
        return number.quantize(Decimal("0.1"))

    def flag(self, field: str) -> bool:
        value = (self.row.get(field) or "0").strip()
        if value not in ("0", "1"):
            self.fail(field, N_("Enter 0 for no or 1 for yes."))
        return value == "1"

    def day(self, field: str, today: date) -> date | None:
        value = self.text(field, max_length=10)
        if value is None:
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.fail(field, N_("Enter a date as YYYY-MM-DD."))
            return None
        if not EARLIEST_REGISTRATION <= parsed <= today:
            self.fail(
                field,
                N_("The date %(date)s is not between %(low)s and today."),
                date=value,
                low=EARLIEST_REGISTRATION.isoformat(),
            )
            return None
        return parsed


def parse_row(row: dict[str, str], today: date) -> VehicleRecord | list[RowProblem]:
    """Validate one CSV row of the registry extract."""
    r = RowReader(row)
    # Given the day, the parsers need not ask the clock for it on every row.
    vin = r.identifier("vin", partial(parse_vin, reference_year=today.year))
    plate = r.identifier("plate", parse_plate, required=False)
    brand, model = r.text("brand", max_length=32), r.text("model")
    body_type = r.choice("body_type", BodyType)
    fuel_type = r.choice("fuel_type", FuelType)
    emission = r.choice("emission_standard", EmissionStandard, required=False)
    displacement = r.integer("displacement_ml", 1, 20000, required=False)
    battery = r.decimal("battery_kwh", Decimal("999.9"))
    seats = r.integer("seats", 1, 60)
    usage = r.choice("usage", Usage)
    first_registration = r.day("first_registration", today)
    city = _city(r)
    status = r.choice("status", VehicleStatus)
    mortgaged, seized = r.flag("mortgaged"), r.flag("seized")
    violations = r.integer("unpaid_violations", 0, 9999)
    owner = _owner(r, today)
    owner_since = r.day("owner_since", today)

    if fuel_type is FuelType.BEV and emission is not None:
        r.fail("emission_standard", N_("A battery-electric car has no emission standard."))
    if fuel_type not in (None, FuelType.BEV) and emission is None:
        r.fail("emission_standard", N_("A car with an engine needs its emission standard."))
    if plate and city and plate.city_code[:2] != city.code[:2]:
        r.fail(
            "plate",
            N_("The plate %(plate)s was not issued in the vehicle's province."),
            plate=plate.value,
        )
    if first_registration and owner_since and owner_since < first_registration:
        r.fail("owner_since", N_("The owner cannot hold the car before its first registration."))
    if r.problems:
        return r.problems
    # Without problems every required field was read (each reader reports a missing one).
    assert vin and brand and model and body_type and fuel_type and seats and usage and status
    assert city and first_registration and violations is not None and owner and owner_since
    return VehicleRecord(
        vin=vin.value,
        plate=plate.value if plate else None,
        brand=brand,
        model=model,
        body_type=body_type,
        fuel_type=fuel_type,
        emission_standard=emission,
        displacement_ml=displacement,
        battery_kwh=battery,
        seats=seats,
        usage=usage,
        first_registration=first_registration,
        province_code=city.province_code,
        city_code=city.code,
        status=status,
        mortgaged=mortgaged,
        seized=seized,
        unpaid_violations=violations,
        owner=owner,
        owner_since=owner_since,
    )


def _city(r: RowReader) -> regions.City | None:
    code = r.text("city_code", max_length=6)
    if code is None:
        return None
    city = regions.city(code)
    if city is None:
        r.fail("city_code", N_("%(code)s is not the code of a city."), code=code)
    return city


def _owner(r: RowReader, today: date) -> OwnerRecord | None:
    kind = r.text("owner_type", max_length=8)
    name = r.text("owner_name", max_length=128)
    if kind not in (None, "person", "dealer"):
        r.fail("owner_type", N_("Enter person or dealer."))
        return None
    parse: Callable[[str], ResidentId | Uscc] = (
        partial(parse_resident_id, today=today) if kind == "person" else parse_uscc
    )
    identifier = r.identifier("owner_id", parse)
    if kind is None or name is None or identifier is None:
        return None
    return OwnerRecord(kind=kind, name=name, identifier=identifier.value)
