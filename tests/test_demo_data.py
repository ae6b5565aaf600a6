"""The demo registry extract: valid identifiers, consistent facts, the demo's people and dealers."""

import csv
import io
from collections import Counter
from datetime import date

import pytest

from portal import regions
from portal.identifiers import parse_plate, parse_resident_id, parse_uscc, parse_vin
from portal.registry.demo import (
    CATALOGUE,
    DEALERS,
    DEMO_OWNER,
    HEADER,
    demo_rows,
    emission_standard,
    write_csv,
)
from portal.registry.rules import HEADER as IMPORT_HEADER
from portal.registry.rules import VehicleRecord, parse_row

NEW_ENERGY = {"bev", "phev", "erev"}
LAST_DAY = date(2026, 10, 31)


@pytest.fixture(scope="module")
def rows():
    return demo_rows(3000)


def day(text: str) -> date:
    return date.fromisoformat(text)


def test_same_seed_same_rows():
    # Speed belongs in bench/, not in a timed assertion that fails on a busy machine.
    first = demo_rows(3000)
    assert len(first) == 3000
    assert demo_rows(3000) == first
    assert demo_rows(3000, seed=7) != first


def test_rows_have_the_import_header(rows):
    assert HEADER == IMPORT_HEADER
    assert all(tuple(row) == HEADER for row in rows)
    assert all(isinstance(value, str) for row in rows for value in row.values())


def test_vins_are_valid_unique_and_carry_the_model_year(rows):
    for row in rows:
        vin = parse_vin(row["vin"], reference_year=2026)
        assert vin.value.startswith("L")  # made in China
        year = day(row["first_registration"]).year
        assert vin.model_year in (year, year - 1), row["vin"]
    assert len({row["vin"] for row in rows}) == len(rows)


def test_plates_are_unique_green_for_new_energy_and_issued_in_the_city(rows):
    for row in rows:
        plate = parse_plate(row["plate"])
        assert plate.city_code == row["city_code"]
        assert plate.new_energy == (row["fuel_type"] in NEW_ENERGY), row["plate"]
        assert plate.suffix is None
    assert len({row["plate"] for row in rows}) == len(rows)


def test_owner_ids_are_valid_and_local(rows):
    for row in rows:
        if row["owner_type"] == "person":
            person = parse_resident_id(row["owner_id"], today=LAST_DAY)
            assert person.region_code[:2] == row["city_code"][:2]
            age = (LAST_DAY - person.birth_date).days / 365.25
            assert 20 <= age <= 75
        else:
            assert row["owner_type"] == "dealer"
            assert parse_uscc(row["owner_id"]).check_digit_ok


def test_a_person_keeps_one_name_and_at_most_two_cars_except_the_demo_owner(rows):
    names, cars = {}, Counter()
    for row in rows:
        if row["owner_type"] == "person":
            assert names.setdefault(row["owner_id"], row["owner_name"]) == row["owner_name"]
            cars[row["owner_id"]] += 1
    assert cars.pop(DEMO_OWNER.id_number) == 3
    assert max(cars.values()) == 2  # some people own two cars


def test_fuel_decides_emission_displacement_and_battery(rows):
    for row in rows:
        fuel = row["fuel_type"]
        if fuel == "bev":
            assert row["emission_standard"] == "" and row["displacement_ml"] == ""
        else:
            assert row["emission_standard"] in {"CN2", "CN3", "CN4", "CN5", "CN6a", "CN6b"}
            assert int(row["displacement_ml"]) > 0
        assert (row["battery_kwh"] != "") == (fuel in NEW_ENERGY)
        assert row["body_type"] in {"sedan", "hatchback", "suv", "mpv", "wagon", "coupe", "pickup"}


def test_dates_are_in_range_and_ownership_follows_registration(rows):
    for row in rows:
        registered, since = day(row["first_registration"]), day(row["owner_since"])
        assert date(2008, 1, 1) <= registered <= since <= LAST_DAY


def test_emission_standard_follows_the_national_rollout():
    shanghai, chengdu = "310100", "510100"
    assert emission_standard("petrol", date(2008, 6, 30), chengdu) == "CN2"
    assert emission_standard("petrol", date(2011, 6, 30), chengdu) == "CN3"
    assert emission_standard("petrol", date(2011, 7, 1), chengdu) == "CN4"
    assert emission_standard("petrol", date(2016, 5, 1), shanghai) == "CN5"
    assert emission_standard("hev", date(2016, 5, 1), chengdu) == "CN4"
    assert emission_standard("petrol", date(2017, 1, 1), chengdu) == "CN5"
    assert emission_standard("diesel", date(2013, 6, 30), chengdu) == "CN3"
    assert emission_standard("diesel", date(2017, 6, 1), shanghai) == "CN4"
    assert emission_standard("phev", date(2019, 7, 1), chengdu) == "CN6a"
    assert emission_standard("erev", date(2023, 7, 1), chengdu) == "CN6b"
    assert emission_standard("bev", date(2023, 7, 1), chengdu) == ""


def test_demo_owner_has_three_cars_in_guangdong_one_old_enough_to_scrap(rows):
    owned = [row for row in rows if row["owner_id"] == DEMO_OWNER.id_number]
    assert len(owned) == 3
    assert all(row["owner_name"] == DEMO_OWNER.name for row in owned)
    assert all(row["city_code"].startswith("44") for row in owned)
    assert all(row["status"] == "registered" and row["mortgaged"] == "0" for row in owned)
    assert any(
        row["fuel_type"] == "petrol" and day(row["first_registration"]) <= date(2013, 6, 30)
        for row in owned
    )
    assert parse_resident_id(DEMO_OWNER.id_number).region_code == DEMO_OWNER.city_code


def test_each_dealer_holds_stock(rows):
    assert len(DEALERS) == 3
    held = Counter(row["owner_id"] for row in rows if row["owner_type"] == "dealer")
    for dealer in DEALERS:
        assert parse_uscc(dealer.uscc).check_digit_ok
        assert dealer.uscc.startswith("91" + dealer.city_code)
        assert held[dealer.uscc] >= 25
    assert set(held) == {dealer.uscc for dealer in DEALERS}


def test_enough_old_cars_and_provinces_for_the_demos(rows):
    petrol = [row for row in rows if row["fuel_type"] == "petrol"]
    old = [row for row in petrol if day(row["first_registration"]) <= date(2013, 6, 30)]
    assert len(old) >= 0.10 * len(petrol)
    assert len({regions.city(row["city_code"]).province_code for row in rows}) >= 25
    statuses = Counter(row["status"] for row in rows)
    assert set(statuses) == {"registered", "scrapped", "deregistered"}
    assert statuses["registered"] >= 0.95 * len(rows)


def test_the_importer_accepts_every_row(rows):
    for row in rows:
        assert isinstance(parse_row(row, today=date(2026, 11, 1)), VehicleRecord), row


def test_catalogue_is_a_compact_table_of_real_series():
    assert 40 <= len(CATALOGUE) <= 60
    assert len({(s.brand, s.model) for s in CATALOGUE}) == len(CATALOGUE)
    for series in CATALOGUE:
        assert 2008 <= series.first_year <= series.last_year <= 2026
        assert series.wmi.startswith("L")


@pytest.mark.parametrize("target", ["path", "text", "binary"])
def test_write_csv_round_trips(rows, tmp_path, target):
    sample = rows[:20]
    if target == "path":
        write_csv(sample, tmp_path / "extract.csv")
        text = (tmp_path / "extract.csv").read_text(encoding="utf-8")
    elif target == "text":
        buffer = io.StringIO(newline="")
        write_csv(sample, buffer)
        text = buffer.getvalue()
    else:
        buffer = io.BytesIO()
        write_csv(sample, buffer)
        text = buffer.getvalue().decode("utf-8")
    assert text.splitlines()[0] == ",".join(HEADER)
    assert list(csv.DictReader(io.StringIO(text, newline=""))) == sample
