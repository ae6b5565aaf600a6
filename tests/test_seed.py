"""`flask seed reference` and `flask seed demo`: safe twice; demo data never in production."""

import pytest
from sqlmodel import func, select

from portal import create_app
from portal.accounts.models import User
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.registry.models import Vehicle
from portal.valuation.models import CarModel


def seed(runner, *args):
    result = runner.invoke(args=["seed", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def seeded(runner):
    seed(runner, "reference")
    return seed(runner, "demo", "--vehicles", "200")


def test_seed_twice_changes_nothing(runner, seeded):
    assert "200 created" in seeded.output
    assert "0 created" in seed(runner, "reference").output
    second = seed(runner, "demo", "--vehicles", "200")
    assert "0 created, 200 unchanged" in second.output
    assert "Account" not in second.output
    assert "valuation comparables): 0 created" in second.output


def test_the_demo_has_a_year_of_sales_priced_by_the_calibrated_curve(session, seeded):
    """DOMAIN §3.1, §3.4: completed transfers of resold cars, near the curve, for comparables."""
    from datetime import timedelta

    from sqlmodel import select

    from portal.audit import china_today
    from portal.registry.models import Vehicle
    from portal.transfer.models import TransferCase
    from portal.transfer.terms import TransferStatus
    from portal.valuation import services as valuation

    cases = session.exec(select(TransferCase)).all()
    assert len(cases) >= 10
    for case in cases:
        assert case.status is TransferStatus.COMPLETED
        assert case.sale_date >= china_today() - timedelta(days=366)
        assert case.origin_province_code != case.destination_province_code
        vehicle = session.get(Vehicle, case.vehicle_id)
        curve = valuation.private_value_of(
            session, vehicle, mileage_km=case.mileage_km, on=case.sale_date
        )
        # Noise of 7 % (one standard deviation): four of them are a wide margin.
        assert 0.7 * curve.mid_fen <= case.price_fen <= 1.3 * curve.mid_fen


def test_no_demo_sale_is_of_a_car_registered_new_days_before(session, seeded):
    """A car resold the day it was first registered, with 100 km, is not a comparable used
    sale: the demo sells only cars its owner bought used (a date filter on SQLite once
    compared a number with a date and let them all in)."""
    from datetime import timedelta

    from portal.transfer.models import TransferCase

    cases = session.exec(select(TransferCase)).all()
    assert len(cases) >= 10
    for case in cases:
        assert case.sale_date > case.vehicle_registered + timedelta(days=90), case.number
        assert case.mileage_km > 100, case.number


def test_the_demo_sales_were_filed_and_last_changed_when_they_happened(client, auth, seeded):
    """The dealer's list shows when each case last changed: the demo's sales of the past
    year completed on their own days, not all at the minute the demo was seeded."""
    import re
    from datetime import datetime

    auth.login("dealer@demo.cn", DEMO_PASSWORD)
    page = client.get("/transfers/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    updated = re.findall(r"</span></td>\s*<td>([^<]+)</td>\s*</tr>", page)
    assert len(updated) >= 10
    assert len(set(updated)) > len(updated) // 2
    # Filed in the order they were sold, as real cases are: the newest case first is the
    # newest sale, and a case numbered for 2025 is never above one of 2026.
    days = [datetime.strptime(text, "%d %b %Y %H:%M") for text in updated]
    assert days == sorted(days, reverse=True)
    years = re.findall(r">TR\d\d(\d{4})\d{7}</a>", page)
    assert years == sorted(years, reverse=True)


def test_each_demo_sale_shows_the_plate_the_car_left_with_and_its_new_one(
    client, auth, session, seeded
):
    """DOMAIN §2.3: a car crossing a border gets a plate of its new city; the demo's sales
    keep the Guangzhou plate each left with, as a transfer made in the portal does."""
    import re

    from portal.registry.services import plate_history
    from portal.transfer.models import TransferCase

    cases = session.exec(select(TransferCase)).all()
    assert len(cases) >= 10
    for case in cases:
        vehicle = session.get(Vehicle, case.vehicle_id)
        new, old = plate_history(session, vehicle.id)  # newest first
        assert (new.plate, new.reference, old.end) == (vehicle.plate, case.number, new.start)
        assert old.plate.startswith("粤A") and case.new_plate == vehicle.plate

    auth.login("dealer@demo.cn", DEMO_PASSWORD)
    page = client.get(f"/transfers/{cases[0].id}").get_data(as_text=True)
    old, new = plate_history(session, cases[0].vehicle_id)[::-1]
    assert re.search(rf"{old.plate}</span> → <span[^>]*>{new.plate}</span>", page)


@pytest.mark.parametrize("vehicles", [0, 1, 5])
def test_demo_works_with_any_number_of_vehicles(runner, session, vehicles):
    seed(runner, "reference")
    seed(runner, "demo", "--vehicles", str(vehicles))
    assert session.exec(select(func.count()).select_from(Vehicle)).one() == vehicles
    assert session.exec(select(func.count()).select_from(User)).one() == len(DEMO_ACCOUNTS)


def test_a_negative_number_of_vehicles_is_refused(runner):
    result = runner.invoke(args=["seed", "demo", "--vehicles", "-1"])
    assert result.exit_code == 2
    assert "-1" in result.output


def test_reference_alone_creates_no_account_and_no_car(runner, session):
    assert "Model catalog" in seed(runner, "reference").output
    assert session.exec(select(func.count()).select_from(CarModel)).one() > 0
    assert session.exec(select(func.count()).select_from(User)).one() == 0
    assert session.exec(select(func.count()).select_from(Vehicle)).one() == 0


def test_demo_is_refused_in_production(app, monkeypatch, session):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")  # not connected to
    for name in ("SECRET_KEY", "ID_HASH_KEY", "CARD_KEYS"):
        monkeypatch.setenv(name, app.config[name])
    production = create_app({"DATABASE_URL": app.config["DATABASE_URL"]})
    runner = production.test_cli_runner()
    result = runner.invoke(args=["seed", "demo", "--vehicles", "5"])
    assert result.exit_code == 1
    assert "refused when PORTAL_ENV=production" in result.output
    assert session.exec(select(func.count()).select_from(User)).one() == 0
    assert runner.invoke(args=["seed", "reference"]).exit_code == 0
    production.extensions["db_engine"].dispose()


@pytest.mark.parametrize("email", [account[0] for account in DEMO_ACCOUNTS])
def test_each_demo_account_signs_in_and_sees_its_pages(client, auth, seeded, email):
    auth.login(email, DEMO_PASSWORD)
    home = client.get("/")
    assert home.status_code == 200
    if email.startswith(("owner", "dealer")):
        page = client.get("/my/vehicles").get_data(as_text=True)
        assert page.count('class="vin"') >= 3
    else:
        page = client.get("/vehicles").get_data(as_text=True)
        assert page.count('class="vin"') >= 1
