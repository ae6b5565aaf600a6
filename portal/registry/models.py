"""The shared vehicle registry: regions, persons, dealers, vehicles and ownership history."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import CheckConstraint, Column, Index, Numeric, text
from sqlmodel import Field, SQLModel

from portal.audit import utcnow
from portal.enums import enum_column
from portal.registry.terms import (
    Acquisition,
    BodyType,
    EmissionStandard,
    FuelType,
    Usage,
    VehicleStatus,
)


def prefix_searchable(length: int) -> sa.String:
    """A string column whose prefix range scans use the index on PostgreSQL too.

    Byte order (collation C) makes `col >= p AND col < p || U+FFFF` a prefix match,
    as SQLite's default BINARY collation already does.
    """
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


class Province(SQLModel, table=True):
    """A provincial-level division (DOMAIN §5)."""

    code: str = Field(primary_key=True, max_length=6)
    name_zh: str = Field(max_length=32)
    name_en: str = Field(max_length=64)
    abbr: str = Field(max_length=1, unique=True)


class City(SQLModel, table=True):
    """A prefecture-level city with its plate prefixes and key-region flag (DOMAIN §2.1, §5)."""

    code: str = Field(primary_key=True, max_length=6)
    province_code: str = Field(foreign_key="province.code", index=True, max_length=6)
    name_zh: str = Field(max_length=32)
    name_en: str = Field(max_length=64)
    plate_prefixes: str = Field(default="", max_length=128)
    key_region: bool = False


class Person(SQLModel, table=True):
    """A natural person. The resident ID is kept only as a keyed hash and a mask (DOMAIN §4)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    id_hash: str = Field(max_length=64, unique=True)
    id_masked: str = Field(max_length=18, index=True)  # staff search by the shown mask
    created_at: datetime = Field(default_factory=utcnow)


class Dealer(SQLModel, table=True):
    """A used-car dealer company filed with the commerce department (DOMAIN §2.1)."""

    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, unique=True)
    name: str = Field(max_length=128)
    province_code: str = Field(foreign_key="province.code", index=True, max_length=6)
    city_code: str = Field(foreign_key="city.code", max_length=6)
    created_at: datetime = Field(default_factory=utcnow)


class Vehicle(SQLModel, table=True):
    """A registered motor vehicle, identified by its VIN."""

    id: int | None = Field(default=None, primary_key=True)
    vin: str = Field(sa_type=prefix_searchable(17), unique=True)
    plate: str | None = Field(default=None, sa_type=prefix_searchable(8), unique=True)
    brand: str = Field(max_length=32)
    model: str = Field(max_length=64)
    body_type: BodyType = Field(sa_type=enum_column(BodyType))
    fuel_type: FuelType = Field(sa_type=enum_column(FuelType))
    emission_standard: EmissionStandard | None = Field(
        default=None, sa_type=enum_column(EmissionStandard)
    )
    displacement_ml: int | None = None
    battery_kwh: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 1)))
    seats: int
    usage: Usage = Field(sa_type=enum_column(Usage))
    first_registration: date
    province_code: str = Field(foreign_key="province.code", max_length=6)
    city_code: str = Field(foreign_key="city.code", max_length=6)
    status: VehicleStatus = Field(sa_type=enum_column(VehicleStatus), index=True)
    mortgaged: bool = False
    seized: bool = False
    unpaid_violations: int = 0
    # The catalog trim this car is valued as (nearest model year of its brand and series).
    car_model_id: int | None = Field(default=None, foreign_key="car_model.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        Index("ix_vehicle_province_id", "province_code", "id"),
        # Comparable sales: the same family first registered within a year (DOMAIN §3.1).
        Index("ix_vehicle_family_registration", "brand", "model", "first_registration"),
        CheckConstraint("unpaid_violations >= 0", name="ck_vehicle_violations"),
    )


class Ownership(SQLModel, table=True):
    """Who held a vehicle from when to when; the open row (no end) is the current owner."""

    id: int | None = Field(default=None, primary_key=True)
    vehicle_id: int = Field(foreign_key="vehicle.id")
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    dealer_id: int | None = Field(default=None, foreign_key="dealer.id", index=True)
    start: date
    end: date | None = None
    acquired: Acquisition = Field(sa_type=enum_column(Acquisition))
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(
            "(person_id IS NULL) <> (dealer_id IS NULL)", name="ck_ownership_one_owner"
        ),
        Index("ix_ownership_vehicle_start", "vehicle_id", "start"),
        # A vehicle has one current owner, even when two imports race.
        Index(
            "uq_ownership_current",
            "vehicle_id",
            unique=True,
            sqlite_where=text('"end" IS NULL'),
            postgresql_where=text('"end" IS NULL'),
        ),
    )


class PlateHistory(SQLModel, table=True):
    """Every plate a vehicle has had, with the dates (DOMAIN §2.3); the open row is current.

    A car the registry knew before plates were kept gets its row at its first change,
    with no start date (from when it had that plate, nobody recorded).
    """

    __tablename__ = "plate_history"

    id: int | None = Field(default=None, primary_key=True)
    vehicle_id: int = Field(foreign_key="vehicle.id")
    plate: str = Field(max_length=10)
    start: date | None = None
    end: date | None = None
    reference: str | None = Field(default=None, max_length=32)  # the transfer case
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (Index("ix_plate_history_vehicle", "vehicle_id", "id"),)
