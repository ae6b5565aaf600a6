"""The car model catalogue: guide prices of models sold in mainland China, for valuations.

The replacement-cost method prices a used car from the current guide price (厂商指导价) of
the same or nearest model (DOMAIN §3.1); this module reads that catalogue from
``portal/data/models.csv`` and checks every row, so a bad price never reaches a valuation.
Prices are kept as integer fen. Pure: standard library, messages and registry terms only.
"""

import csv
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

from portal.messages import N_, MessageError
from portal.money import FEN_PER_YUAN
from portal.registry.rules import RowProblem
from portal.registry.terms import BodyType, EmissionStandard, FuelType
from portal.valuation.terms import VehicleClass

HEADER = (
    "brand",
    "series",
    "model_year",
    "trim",
    "body_type",
    "fuel_type",
    "displacement_ml",
    "battery_kwh",
    "emission_standard",
    "launch_price_yuan",
    "current_price_yuan",
    "nev_catalogue",
    "source",
    "vehicle_class",
    "curb_weight_kg",
    "brand_en",
    "series_en",
)
# Issue 14: the English names came last; a file written before them still reads, without.
ENGLISH_COLUMNS = ("brand_en", "series_en")
HEADERS = (HEADER, HEADER[: -len(ENGLISH_COLUMNS)])
YEARS = (2000, 2030)
PRICE_YUAN = (1, 99_999_999)  # below 100 million yuan: far above any car, bounds hostile ints
DISPLACEMENT_ML = (600, 8000)
CURB_WEIGHT_KG = (400, 5000)  # a microcar to a large SUV; the scrap value is paid by it
BATTERY_KWH = (Decimal(1), Decimal(200))
MAX_TEXT = 64
# car_model.brand and vehicle.brand are 32 wide: a longer brand would pass a check of 64
# and then fail its insert on PostgreSQL.
MAX_BRAND = 32
ENGINE_FUELS = frozenset(
    {FuelType.PETROL, FuelType.DIESEL, FuelType.PHEV, FuelType.EREV, FuelType.HEV}
)
_WHOLE = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would also take "٣" or "1_0"
_KWH = re.compile(r"[0-9]{1,3}(?:\.[0-9])?")
# Catalogue text is shown in pages and exported to spreadsheets: markup, quotes and a
# leading formula sign have no place in a car's name, so they are refused at the door.
_FORBIDDEN = frozenset('<>"`\\')
_FORMULA_START = ("=", "+", "-", "@")
Term = TypeVar("Term", BodyType, FuelType, EmissionStandard, VehicleClass)


class InvalidCatalogRow(MessageError):
    """A catalogue row the valuation cannot trust; `column` names the culprit."""

    def __init__(self, column: str, message: str, **params):
        super().__init__(message, column=column, **params)
        self.column = column


@dataclass(frozen=True)
class CatalogModel:
    """One trim of one model year: its guide prices in fen, class and curb weight."""

    brand: str
    series: str
    model_year: int
    trim: str
    body_type: BodyType
    fuel_type: FuelType
    displacement_ml: int | None
    battery_kwh: Decimal | None
    emission_standard: EmissionStandard | None
    launch_price_fen: int
    # DOMAIN §3.1: replacement cost = today's guide price of the same or nearest model.
    current_price_fen: int
    nev_catalogue: bool
    source: str
    # DOMAIN §3.4: the class whose retention rates value it; §3.5: scrap value by weight.
    vehicle_class: VehicleClass
    curb_weight_kg: int
    # The maker's own English (or pinyin) name, shown in English pages; empty: the same as
    # the Chinese name (Latin already, or no English name exists, which is never invented).
    # None: the file has no such column, so what the catalog holds stays.
    brand_en: str | None = None
    series_en: str | None = None


def parse_row(row: dict[str, str]) -> CatalogModel:
    """One CSV row as a CatalogModel; InvalidCatalogRow names the first bad column."""
    if None in row:  # csv.DictReader files extra values under the key None
        raise InvalidCatalogRow(
            "", N_("The row has more values than the header has columns."), value=""
        )
    values = {column: _value(row, column) for column in HEADER if column not in ENGLISH_COLUMNS}
    english = {column: _english(row, column) for column in ENGLISH_COLUMNS}
    brand = _text("brand", values["brand"], limit=MAX_BRAND)
    series = _text("series", values["series"])
    model_year = _whole("model_year", values["model_year"], YEARS)
    trim = _text("trim", values["trim"])
    body_type = _choice(
        BodyType,
        "body_type",
        values["body_type"],
        N_("Column %(column)s: %(value)s is not a body type."),
    )
    fuel = _choice(
        FuelType,
        "fuel_type",
        values["fuel_type"],
        N_("Column %(column)s: %(value)s is not a fuel type."),
    )
    engine = fuel in ENGINE_FUELS
    displacement = None
    if _needed("displacement_ml", values["displacement_ml"], engine, fuel):
        displacement = _whole("displacement_ml", values["displacement_ml"], DISPLACEMENT_ML)
    battery = None
    # bev, phev and erev carry a traction battery; a hev's small one is not catalogued
    if _needed("battery_kwh", values["battery_kwh"], fuel.new_energy, fuel):
        battery = _kwh(values["battery_kwh"])
    emission = None
    if _needed("emission_standard", values["emission_standard"], engine, fuel):
        emission = _choice(
            EmissionStandard,
            "emission_standard",
            values["emission_standard"],
            N_("Column %(column)s: %(value)s is not an emission standard."),
        )
    launch = _whole("launch_price_yuan", values["launch_price_yuan"], PRICE_YUAN)
    current = _whole("current_price_yuan", values["current_price_yuan"], PRICE_YUAN)
    return CatalogModel(
        brand=brand,
        series=series,
        model_year=model_year,
        trim=trim,
        body_type=body_type,
        fuel_type=fuel,
        displacement_ml=displacement,
        battery_kwh=battery,
        emission_standard=emission,
        launch_price_fen=launch * FEN_PER_YUAN,
        current_price_fen=current * FEN_PER_YUAN,
        nev_catalogue=_nev_catalogue(values["nev_catalogue"], fuel),
        source=_text("source", values["source"], required=False),
        vehicle_class=_choice(
            VehicleClass,
            "vehicle_class",
            values["vehicle_class"],
            N_("Column %(column)s: %(value)s is not a vehicle class."),
        ),
        curb_weight_kg=_whole("curb_weight_kg", values["curb_weight_kg"], CURB_WEIGHT_KG),
        **english,
    )


def read_catalog(path: str | os.PathLike | None = None) -> list[CatalogModel]:
    """Every model of the catalogue file (``portal/data/models.csv`` by default), checked."""
    source = files("portal").joinpath("data", "models.csv") if path is None else Path(path)
    with source.open("r", encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        if tuple(reader.fieldnames or ()) not in HEADERS:
            raise InvalidCatalogRow(
                "",
                N_("The header row %(value)s is not %(expected)s."),
                value=",".join(reader.fieldnames or ()),
                expected=",".join(HEADER),
            )
        models = []
        for row in reader:
            try:
                models.append(parse_row(row))
            except InvalidCatalogRow as error:
                error.add_note(f"{source}, line {reader.line_num}")
                raise
    return models


def _value(row: dict[str, str], column: str) -> str:
    """The stripped text of a column; a missing column (or short row) is refused."""
    value = row.get(column)
    if value is None:
        raise InvalidCatalogRow(column, N_("Column %(column)s is missing."), value="")
    return value.strip()


def _text(column: str, value: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    """A name or note: present when required, short, no markup or control characters."""
    if not value:
        if required:
            raise InvalidCatalogRow(column, N_("Column %(column)s is empty."), value=value)
        return value
    if len(value) > limit:
        raise InvalidCatalogRow(
            column,
            N_("Column %(column)s: %(value)s is longer than %(limit)s characters."),
            value=value,
            limit=limit,
        )
    if (
        value.startswith(_FORMULA_START)
        or any(char in _FORBIDDEN for char in value)
        or any(unicodedata.category(char).startswith("C") for char in value)
    ):
        raise InvalidCatalogRow(
            column,
            N_("Column %(column)s: %(value)s contains characters the catalogue does not allow."),
            value=value,
        )
    return value


def _english(row: dict[str, str], column: str) -> str | None:
    """An English name, checked as any name; None when the file has no such column."""
    value = row.get(column)
    return None if value is None else _text(column, value.strip(), required=False)


def _whole(column: str, value: str, bounds: tuple[int, int]) -> int:
    """A whole number inside bounds (inclusive)."""
    low, high = bounds
    if not _WHOLE.fullmatch(value) or not low <= int(value) <= high:
        raise InvalidCatalogRow(
            column,
            N_("Column %(column)s: %(value)s is not a whole number from %(low)s to %(high)s."),
            value=value,
            low=low,
            high=high,
        )
    return int(value)


def _kwh(value: str) -> Decimal:
    """A battery's usable capacity in kWh, one decimal place."""
    low, high = BATTERY_KWH
    if not _KWH.fullmatch(value) or not low <= Decimal(value) <= high:
        raise InvalidCatalogRow(
            "battery_kwh",
            N_(
                "Column %(column)s: %(value)s is not a capacity from %(low)s to %(high)s kWh"
                " with at most one decimal."
            ),
            value=value,
            low=low,
            high=high,
        )
    return Decimal(value).quantize(Decimal("0.1"))


def _choice(enum: type[Term], column: str, value: str, message: str) -> Term:
    """A member of a vocabulary by its value; message says which vocabulary."""
    try:
        return enum(value)
    except ValueError:
        raise InvalidCatalogRow(column, message, value=value) from None


def _needed(column: str, value: str, applies: bool, fuel: FuelType) -> bool:
    """Whether a column that depends on the drive train must be read (or must be empty)."""
    if applies and not value:
        raise InvalidCatalogRow(
            column,
            N_("Column %(column)s is empty, but a %(fuel)s car needs it."),
            value=value,
            fuel=fuel.value,
        )
    if not applies and value:
        raise InvalidCatalogRow(
            column,
            N_("Column %(column)s: %(value)s must be empty for a %(fuel)s car."),
            value=value,
            fuel=fuel.value,
        )
    return applies


def _nev_catalogue(value: str, fuel: FuelType) -> bool:
    """The MIIT new-energy catalogue flag, which must agree with the drive train."""
    if value not in ("0", "1"):
        raise InvalidCatalogRow(
            "nev_catalogue", N_("Column %(column)s: %(value)s is not 0 or 1."), value=value
        )
    # Only bev, phev and erev models can be listed; the purchase-tax relief of DOMAIN §3.1
    # follows this flag, so a petrol car marked 1 would be valued without its tax.
    if (value == "1") != fuel.new_energy:
        raise InvalidCatalogRow(
            "nev_catalogue",
            N_("Column %(column)s: %(value)s does not match the fuel type %(fuel)s."),
            value=value,
            fuel=fuel.value,
        )
    return value == "1"


def parse_import_row(row: dict[str, str], today: date) -> CatalogModel | list[RowProblem]:
    """parse_row for the import machinery: the model, or the row's problem to report."""
    try:
        return parse_row(row)
    except InvalidCatalogRow as error:
        return [RowProblem(error.column, error.message, error.params)]
