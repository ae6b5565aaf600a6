"""The shared cache: public counts computed once a minute, settings renewed at once everywhere.

Two apps on one database stand for two machines; with CACHE_URL they share Redis.
"""

import re
import uuid

import pytest
import redis
from sqlalchemy import event

from portal import create_app
from portal.accounts.models import Role
from portal.valuation import services
from tests import factories
from tests.conftest import FormClient
from tests.test_valuation_settings import DEFAULT_FORM

EN = {"Accept-Language": "en"}
COUNTS = re.compile(r"The registry holds ([\d,]+) vehicles")


@pytest.fixture
def redis_url():
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return url


@pytest.fixture
def machine(app):
    """Start another app on the same database, as on another machine."""
    started = []

    def start(**config):
        other = create_app(dict(app.config) | config)
        started.append(other)
        return other, FormClient(other.test_client())

    yield start
    for other in started:
        other.extensions["db_engine"].dispose()
        if other.extensions["cache_redis"] is not None:
            other.extensions["cache_redis"].close()


def statements(app) -> list[str]:
    seen: list[str] = []
    event.listen(app.extensions["db_engine"], "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def vehicles_shown(client) -> str:
    return COUNTS.search(client.get("/", headers=EN).get_data(as_text=True)).group(1)


def test_the_home_page_counts_the_registry_once_a_minute(app, client, session):
    factories.vehicle(session)
    session.commit()
    seen = statements(app)
    assert vehicles_shown(client) == "1"
    counted = [s for s in seen if "count(" in s.lower()]
    assert len(counted) == 3
    factories.vehicle(session)
    session.commit()
    assert vehicles_shown(client) == "1"  # the minute is not over: no count was made
    assert len([s for s in seen if "count(" in s.lower()]) == 3


def test_machines_sharing_redis_share_the_counts(machine, session, redis_url):
    prefix = uuid.uuid4().hex  # each run its own keys in the shared Redis
    config = {"CACHE_URL": redis_url, "CACHE_PREFIX": prefix}
    _, first_client = machine(**config)
    second, second_client = machine(**config)
    factories.vehicle(session)
    session.commit()
    assert vehicles_shown(first_client) == "1"
    factories.vehicle(session)
    session.commit()
    seen = statements(second)
    assert vehicles_shown(second_client) == "1"  # counted by the first machine
    assert not [s for s in seen if "count(" in s.lower()]


@pytest.mark.parametrize("shared", [False, True], ids=["one process", "redis"])
def test_new_valuation_settings_apply_at_once_on_every_machine(machine, session, request, shared):
    config = {}
    if shared:
        url = request.getfixturevalue("redis_url")
        config = {"CACHE_URL": url, "CACHE_PREFIX": uuid.uuid4().hex}
    services.load_catalog(session)
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    first, admin = machine(**config)
    second, visitor = machine(**config) if shared else (first, admin)
    lavida = next(t for t in services.trims_of(session, "大众", "朗逸") if t.model_year == 2021)
    query = {
        "model": str(lavida.id),
        "brand": "大众",
        "series": "朗逸",
        "registered": "2021-05",
        "mileage": "60000",
        "condition": "good",
        "province": "440000",
        "city": "440300",
    }

    def dealer_price() -> str:
        text = visitor.get("/valuation/result", query_string=query, headers=EN).get_data(
            as_text=True
        )
        return re.search(r'class="price-mid">([^<]+)<', text).group(1)

    before = dealer_price()
    seen = statements(second)
    assert dealer_price() == before
    assert not [s for s in seen if "valuation_settings" in s]  # kept, not read again
    admin.post("/login", data={"email": "admin@example.cn", "password": factories.PASSWORD})
    response = admin.post("/admin/valuation", data=DEFAULT_FORM | {"dealer_buy_rate": "80"})
    assert response.status_code == 303
    assert dealer_price() != before


def test_pages_still_answer_when_redis_is_down(machine, session, caplog):
    """A shared cache that cannot be reached costs the database a query, not a 500."""
    factories.vehicle(session)
    session.commit()
    _, client = machine(CACHE_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert vehicles_shown(client) == "1"
    response = client.get("/valuation/", headers=EN)
    assert response.status_code == 200
    assert "cache unreachable" in caplog.text


def test_without_redis_expired_values_do_not_pile_up(app, monkeypatch):
    """A key per applicant (her queue place) must not grow one process's memory forever."""
    from portal import cache

    monkeypatch.setattr(cache, "LOCAL_VALUES", 3)
    with app.app_context():
        for number in range(10):
            assert cache.remembered(f"place:{number}", 0, lambda n=number: n) == number
        kept = app.extensions["cache_local"].values
        assert len(kept) <= 3 and "place:9" in kept
        assert cache.remembered("place:9", 60, lambda: "again") == "again"  # 0 s: expired
