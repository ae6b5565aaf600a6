"""Provinces, cities, plate prefixes and the key-region flag (DOMAIN §5, §2.1).

Reference data shipped as CSV in ``portal/data/``: the 31 mainland provincial-level
divisions and their prefecture-level cities with GB/T 2260 codes, the GA 36 plate
prefixes each city issues, and whether it lies in a key air-pollution control region.
Pure standard library, loaded once and cached.

Rows beyond the plain prefecture-level list:
- Each municipality is one city row, ``xx0100`` (Beijing 110100, Chongqing 500100).
- County-level units directly under a province that issue their own plate letter:
  Jiyuan (豫U), Xiantao, Qianjiang, Tianmen, Shennongjia (鄂M/N/R/P), Shihezi (新C).
- Letters issued inside a prefecture by a unit that has no GB/T 2260 prefecture code
  of its own belong to the prefecture that contains it: Yangling (陕V) is 杨陵区, a
  district of Xianyang, so Xianyang carries 陕V and the key-region flag DOMAIN §2.1
  lists for Yangling; Xiong'an (冀X) lies in Baoding's counties; Yangpu (琼E) in
  Danzhou; Kuitun (新D) is a city of the Ili prefecture.
- Letters shared by several cities (琼C, 琼D) or tied to no city (police 'O' letters,
  provincial organs, 粤Z) map to no city.
"""

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Province:
    """A provincial-level division."""

    code: str
    name_zh: str
    name_en: str
    abbr: str


@dataclass(frozen=True)
class City:
    """A prefecture-level city (or a municipality, or a plate-issuing county-level unit)."""

    code: str
    province_code: str
    name_zh: str
    name_en: str
    plate_prefixes: tuple[str, ...]
    key_region: bool


# ISO 3166-2:CN letters, the prefix of subsidy application numbers ("GD2026S…").
ISO_LETTERS = {
    "110000": "BJ", "120000": "TJ", "130000": "HE", "140000": "SX", "150000": "NM",
    "210000": "LN", "220000": "JL", "230000": "HL", "310000": "SH", "320000": "JS",
    "330000": "ZJ", "340000": "AH", "350000": "FJ", "360000": "JX", "370000": "SD",
    "410000": "HA", "420000": "HB", "430000": "HN", "440000": "GD", "450000": "GX",
    "460000": "HI", "500000": "CQ", "510000": "SC", "520000": "GZ", "530000": "YN",
    "540000": "XZ", "610000": "SN", "620000": "GS", "630000": "QH", "640000": "NX",
    "650000": "XJ",
}  # fmt: skip


def _rows(name: str) -> list[dict[str, str]]:
    """Read one CSV file of ``portal/data`` as a list of dicts."""
    text = files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def provinces() -> tuple[Province, ...]:
    """All 31 provincial-level divisions, ordered by code."""
    return tuple(sorted((Province(**row) for row in _rows("provinces.csv")), key=lambda p: p.code))


@cache
def _all_cities() -> tuple[City, ...]:
    """All cities, ordered by code."""
    result = [
        City(
            code=row["code"],
            province_code=row["province_code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            plate_prefixes=tuple(row["plate_prefixes"].split()),
            key_region=row["key_region"] == "1",
        )
        for row in _rows("cities.csv")
    ]
    return tuple(sorted(result, key=lambda c: c.code))


@cache
def _indexes() -> tuple[dict, dict, dict, dict]:
    """Lookup tables: provinces by code and by abbreviation, cities by code and by prefix."""
    by_code = {p.code: p for p in provinces()}
    by_abbr = {p.abbr: p for p in provinces()}
    city_by_code = {c.code: c for c in _all_cities()}
    city_by_prefix = {prefix: c for c in _all_cities() for prefix in c.plate_prefixes}
    return by_code, by_abbr, city_by_code, city_by_prefix


def province(code: str) -> Province | None:
    """The province with this 6-digit code, or None."""
    return _indexes()[0].get(code)


def province_by_abbr(abbr: str) -> Province | None:
    """The province whose plate abbreviation is ``abbr`` ("粤" -> Guangdong), or None."""
    return _indexes()[1].get(abbr)


def cities(province_code: str | None = None) -> tuple[City, ...]:
    """All cities, or those of one province, ordered by code."""
    if province_code is None:
        return _all_cities()
    return tuple(c for c in _all_cities() if c.province_code == province_code)


def city(code: str) -> City | None:
    """The city with this 6-digit code, or None."""
    return _indexes()[2].get(code)


def city_for_plate_prefix(prefix: str) -> City | None:
    """The city issuing plates with this prefix ("粤B" -> Shenzhen), or None."""
    return _indexes()[3].get(prefix)


def province_of_city(city_code: str) -> Province | None:
    """The province a city belongs to, or None for an unknown city."""
    found = city(city_code)
    return province(found.province_code) if found else None
