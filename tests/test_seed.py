"""`flask seed`: reference data, demo vehicles and one account per role, safe to run twice."""

import pytest

from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


@pytest.fixture
def seeded(runner):
    first = runner.invoke(args=["seed", "--vehicles", "200"])
    assert first.exit_code == 0, first.output
    return first


def test_seed_twice_changes_nothing(runner, seeded):
    assert "200 created" in seeded.output
    second = runner.invoke(args=["seed", "--vehicles", "200"])
    assert second.exit_code == 0, second.output
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
