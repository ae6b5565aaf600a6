"""The model catalog and the valuations people ran (DOMAIN §3)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.audit import utcnow
from portal.enums import enum_column
from portal.registry.terms import BodyType, EmissionStandard, FuelType
from portal.valuation.terms import Condition, Grade, Method, VehicleClass


class CarModel(SQLModel, table=True):
    """One trim of one model year, with its guide prices (portal/data/models.csv)."""

    __tablename__ = "car_model"

    id: int | None = Field(default=None, primary_key=True)
    brand: str = Field(max_length=32)
    series: str = Field(max_length=64)
    model_year: int
    trim: str = Field(max_length=64)
    body_type: BodyType = Field(sa_type=enum_column(BodyType))
    fuel_type: FuelType = Field(sa_type=enum_column(FuelType))
    displacement_ml: int | None = None
    battery_kwh: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 1)))
    emission_standard: EmissionStandard | None = Field(
        default=None, sa_type=enum_column(EmissionStandard)
    )
    launch_price_fen: int
    current_price_fen: int
    nev_catalogue: bool
    source: str = Field(default="", max_length=128)
    vehicle_class: VehicleClass = Field(sa_type=enum_column(VehicleClass))
    curb_weight_kg: int
    # Issue 14: the maker's English or pinyin name; empty when it is the Chinese one.
    brand_en: str = Field(default="", max_length=64)
    series_en: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        UniqueConstraint("brand", "series", "model_year", "trim", name="uq_car_model"),
        Index("ix_car_model_series_year", "brand", "series", "model_year"),
    )


class ValuationRecord(SQLModel, table=True):
    """A valuation as it was run: inputs and the three prices, for the user's history."""

    __tablename__ = "valuation"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    car_model_id: int = Field(foreign_key="car_model.id")
    vehicle_id: int | None = Field(default=None, foreign_key="vehicle.id")
    vin: str | None = Field(default=None, max_length=17)
    first_registration: date
    mileage_km: int
    city_code: str = Field(foreign_key="city.code", max_length=6)
    condition: Condition | None = Field(default=None, sa_type=enum_column(Condition))
    inspection: dict | None = Field(default=None, sa_column=Column(JSON))
    score: int
    battery_health_pct: int | None = None
    method: Method = Field(sa_type=enum_column(Method))
    grade: Grade = Field(sa_type=enum_column(Grade))
    dealer_buy_fen: int
    private_fen: int
    retail_fen: int
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (Index("ix_valuation_user", "user_id", "id"),)


class ValuationSettings(SQLModel, table=True):
    """The administrator's values of DOMAIN §3.1–§3.3 and §2.2 (one row; defaults if none)."""

    __tablename__ = "valuation_settings"

    id: int = Field(default=1, primary_key=True)
    weight_age: Decimal = Field(sa_column=Column(Numeric(4, 3), nullable=False))
    mileage_step_rate: Decimal = Field(sa_column=Column(Numeric(5, 4), nullable=False))
    mileage_cap: Decimal = Field(sa_column=Column(Numeric(4, 3), nullable=False))
    dealer_buy_rate: Decimal = Field(sa_column=Column(Numeric(4, 3), nullable=False))
    retail_rate: Decimal = Field(sa_column=Column(Numeric(4, 3), nullable=False))
    range_rate: Decimal = Field(sa_column=Column(Numeric(4, 3), nullable=False))
    min_comparables: int
    key_region_old_factor: Decimal = Field(sa_column=Column(Numeric(4, 3), nullable=False))
    undervalued_share: Decimal = Field(sa_column=Column(Numeric(4, 3), nullable=False))
    scrap_fen_per_tonne: int
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow)
