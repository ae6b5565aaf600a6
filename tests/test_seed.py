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
