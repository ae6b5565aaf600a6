"""Benchmark: value cars with the full catalog and N completed transfers in the database.

Usage: .venv/bin/python bench/valuation.py [--transfers 100000] [--samples 300]
           [--other-vehicles 0] [--database-url URL] [--profile]
Without --database-url, a temporary SQLite file is used; a PostgreSQL database has its
schema reset. The script migrates, loads the regions and the catalog, bulk-inserts the
transfers (each with its own vehicle of a catalog trim and the seller's ownership), then
times random valuations twice: without planner statistics (as the bulk load leaves the
tables) and after ANALYZE. Each time it measures `value_car(..., keep=False)` in a fresh
session per call, then GET /valuation/result through the Flask test client (the whole
page and the htmx panel, anonymous, so nothing is kept), after 20 warm-up requests that
are not counted. It prints the median, p90, p99 and max in ms, the share valued by the
market method, how many rows the comparables query returned, and that query's plan.
"""

import argparse
import cProfile
import pstats
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import create_engine, event, text
from sqlmodel import Session, select

from portal import create_app, migrate, regions
from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.audit import china_today
from portal.db import transaction
from portal.identifiers import vin_check_digit
from portal.registry import services as registry
from portal.registry.importing import _insert_rows  # COPY on psycopg, executemany elsewhere
from portal.registry.models import Dealer, Ownership, Person, Vehicle
from portal.registry.terms import Acquisition, Usage, VehicleStatus
from portal.transfer.models import TransferCase
from portal.transfer.terms import BuyerKind, TransferStatus
from portal.valuation import services as valuation
from portal.valuation.models import CarModel
from portal.valuation.terms import Condition, Method

CHUNK = 5000
WARM_UP = 20
PERSONS = 50
RESULT_PATH = "/valuation/result"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--other-vehicles",
        type=int,
        default=0,
        help="registry cars of catalog trims that were never transferred (default 0)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the service and pages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        if args.database_url:
            reset(url)
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "UPLOAD_FOLDER": folder})
        engine = app.extensions["db_engine"]
        with app.app_context():
            with transaction() as session:
                registry.load_regions(session)
                trims = valuation.load_catalog(session).created
            print(f"{engine.dialect.name}: {trims} catalog trims")
            started = time.perf_counter()
            fill(engine, args.transfers, random.Random(args.seed))
            seconds = time.perf_counter() - started
            print(f"inserted {args.transfers:,} completed transfers in {seconds:.1f} s")
            if args.other_vehicles:
                started = time.perf_counter()
                fill_others(engine, args.other_vehicles, args.transfers, random.Random(args.seed))
                seconds = time.perf_counter() - started
                print(f"inserted {args.other_vehicles:,} other vehicles in {seconds:.1f} s")
            for label in ("no statistics", "after ANALYZE"):
                if label == "after ANALYZE":
                    with engine.begin() as connection:
                        connection.execute(text("ANALYZE"))
                print(f"--- {label}")
                requests = sample_requests(engine, args.samples + WARM_UP, random.Random(args.seed))
                explain(engine, requests[0])
                prices = measure_service(engine, requests, profile=args.profile)
                measure_page(app, requests, prices, profile=args.profile)


def reset(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# --- the data ------------------------------------------------------------------------


def fill(engine, count: int, rng: random.Random) -> None:
    """Insert `count` completed transfers, each of its own vehicle, in chunks of 5,000."""
    today = china_today()
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        trims = list(session.exec(select(CarModel)))
        dealer, clerk = dealer_and_clerk(session)
        persons = [person_id(session, number) for number in range(PERSONS)]
        session.commit()
    cities = regions.cities()
    by_year: dict[int, list[CarModel]] = {}
    for trim in trims:
        by_year.setdefault(trim.model_year, []).append(trim)
    for start in range(0, count, CHUNK):
        vehicles, ownerships, transfers = [], [], []
        for number in range(start, min(start + CHUNK, count)):
            row_id = number + 1  # a fresh database: the rows of each table get ids 1..count
            sold = today - timedelta(days=rng.randrange(730))
            # A trim on sale before the sale, registered in its model year, a month before.
            years = [y for y in by_year if y <= sold.year and date(y, 1, 1) < sold - timedelta(30)]
            trim = rng.choice(by_year[rng.choice(years)])
            first_day = date(trim.model_year, 1, 1)
            last_day = min(date(trim.model_year, 12, 31), sold - timedelta(days=30))
            registered = first_day + timedelta(days=rng.randrange((last_day - first_day).days + 1))
            origin, destination = rng.sample(cities, 2)
            vehicles.append(vehicle_row(row_id, trim, registered, destination, now))
            ownerships.append(
                {
                    "id": row_id,
                    "vehicle_id": row_id,
                    "person_id": rng.choice(persons),
                    "dealer_id": None,
                    "start": registered,
                    "end": sold,
                    "acquired": Acquisition.NEW,
                    "created_at": now,
                }
            )
            transfers.append(
                transfer_row(row_id, dealer, clerk, origin, destination, now)
                | {
                    "price_fen": price_fen(trim, registered, sold, rng),
                    "sale_date": sold,
                    "mileage_km": rng.randint(5_000, 250_000),
                    "vehicle_brand": trim.brand,
                    "vehicle_model": trim.series,
                    "vehicle_registered": registered,
                }
            )
        with Session(engine) as session:
            _insert_rows(session, Vehicle.__table__, vehicles)
            _insert_rows(session, Ownership.__table__, ownerships)
            _insert_rows(session, TransferCase.__table__, transfers)
            session.commit()
    if engine.dialect.name == "postgresql":  # explicit ids leave the sequences behind
        with engine.begin() as connection:
            for table in ("vehicle", "ownership", "transfer_case"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :last)"),
                    {"last": count},
                )


def fill_others(engine, count: int, last_id: int, rng: random.Random) -> None:
    """Insert `count` registry cars of catalog trims, registered since their model year.

    The comparables query starts from the family's cars in the registration window, sold
    or not, so its cost follows the registry's size as well as the transfers'.
    """
    today, now = china_today(), datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        trims = list(session.exec(select(CarModel).where(CarModel.model_year <= today.year)))
    cities = regions.cities()
    for start in range(last_id, last_id + count, CHUNK):
        vehicles = []
        for row_id in range(start + 1, min(start + CHUNK, last_id + count) + 1):
            trim = rng.choice(trims)
            first_day = date(trim.model_year, 1, 1)
            last_day = min(date(trim.model_year, 12, 31), today - timedelta(days=1))
            registered = first_day + timedelta(days=rng.randrange((last_day - first_day).days + 1))
            vehicles.append(vehicle_row(row_id, trim, registered, rng.choice(cities), now))
        with Session(engine) as session:
            _insert_rows(session, Vehicle.__table__, vehicles)
            session.commit()
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('vehicle', 'id'), :last)"),
                {"last": last_id + count},
            )


def dealer_and_clerk(session: Session) -> tuple[int, int]:
    row = Dealer(
        uscc="91440100MA0000001X",
        name="广州基准二手车有限公司",
        province_code="440000",
        city_code="440100",
    )
    session.add(row)
    session.flush()
    user = accounts.create_user(
        session,
        email="bench-dealer@example.cn",
        password="correct-horse-battery",
        display_name="基准车商",
        role=Role.DEALER,
        dealer_id=row.id,
    )
    return row.id, user.id


def person_id(session: Session, number: int) -> int:
    row = Person(
        name=f"卖家{number}",
        id_hash=f"{number:064x}",  # a keyed hash in real rows; any unique 64 hex digits here
        id_masked=f"4401**********{number:04d}",
    )
    session.add(row)
    session.flush()
    return row.id


def vehicle_row(row_id: int, trim: CarModel, registered: date, city, now: datetime) -> dict:
    body = f"LBV{row_id:014d}"
    vin = body[:8] + vin_check_digit(body) + body[9:]
    return {
        "id": row_id,
        "vin": vin,
        "plate": None,
        "brand": trim.brand,
        "model": trim.series,
        "body_type": trim.body_type,
        "fuel_type": trim.fuel_type,
        "emission_standard": trim.emission_standard,
        "displacement_ml": trim.displacement_ml,
        "battery_kwh": trim.battery_kwh,
        "seats": 5,
        "usage": Usage.PRIVATE,
        "first_registration": registered,
        "province_code": city.province_code,
        "city_code": city.code,
        "status": VehicleStatus.REGISTERED,
        "mortgaged": False,
        "seized": False,
        "unpaid_violations": 0,
        "car_model_id": trim.id,
        "created_at": now,
        "updated_at": now,
    }


def transfer_row(row_id: int, dealer: int, clerk: int, origin, destination, now) -> dict:
    return {
        "id": row_id,
        "number": f"BV{row_id:010d}",
        "dealer_id": dealer,
        "created_by": clerk,
        "vehicle_id": row_id,
        "seller_ownership_id": row_id,
        "buyer_kind": BuyerKind.COMPANY,
        "buyer_name": "基准买方有限公司",
        "buyer_id_hash": None,
        "buyer_id_masked": None,
        "buyer_uscc": "91110000MA0000002Y",
        "origin_province_code": origin.province_code,
        "origin_city_code": origin.code,
        "destination_province_code": destination.province_code,
        "destination_city_code": destination.code,
        "dealer_temporary": False,
        "status": TransferStatus.COMPLETED,
        "reason": None,
        "new_plate": None,
        "valuation_fen": None,
        "undervalued": False,
        "created_at": now,
        "updated_at": now,
        "submitted_at": now,
        "completed_at": now,
    }


def price_fen(trim: CarModel, registered: date, sold: date, rng: random.Random) -> int:
    """The guide price, 15 % off at once and 12 % a year after, then ±20 %, in whole yuan."""
    years = (sold - registered).days / 365.25
    value = trim.current_price_fen * 0.85 * 0.88**years * rng.uniform(0.8, 1.2)
    return max(100, round(value / 100) * 100)


def sample_requests(engine, count: int, rng: random.Random) -> list[valuation.ValuationInput]:
    """Random trims registered in their model year, with random mileage, city and condition.

    First registrations fall on the 1st of a month, as the form sends them.
    """
    today = china_today()
    with Session(engine) as session:
        trims = list(session.exec(select(CarModel.id, CarModel.model_year)))
    cities = [city.code for city in regions.cities()]
    requests = []
    for _ in range(count):
        model_id, year = rng.choice(trims)
        first_day = date(year, 1, 1)
        last_day = min(date(year, 12, 31), today - timedelta(days=30))
        registered = first_day + timedelta(days=rng.randrange((last_day - first_day).days + 1))
        registered = registered.replace(day=1)
        requests.append(
            valuation.ValuationInput(
                car_model_id=model_id,
                first_registration=registered,
                mileage_km=rng.randint(5_000, 250_000),
                city_code=rng.choice(cities),
                condition=rng.choice(list(Condition)),
            )
        )
    return requests


# --- the measurements ----------------------------------------------------------------


def measure_service(
    engine, requests: list[valuation.ValuationInput], *, profile: bool
) -> list[int]:
    """Time value_car in a fresh session per call, as one request would run it.

    Returns each request's private price (fen), for checking that the page shows it.
    """
    today = china_today()
    timings, market, fetched, calls, prices = [], 0, [], [], []
    profiler = cProfile.Profile() if profile else None
    select_comparables = valuation.market.select_comparables

    def counting(family, registered, mileage, on, candidates, *rest):
        calls.append(len(candidates))  # the first call per valuation gets the query's rows
        return select_comparables(family, registered, mileage, on, candidates, *rest)

    valuation.market.select_comparables = counting
    try:
        for number, request in enumerate(requests):
            counted = number >= WARM_UP
            if counted and profiler:
                profiler.enable()
            calls.clear()
            started, cpu = time.perf_counter(), time.process_time()
            with Session(engine, expire_on_commit=False) as session:
                result = valuation.value_car(
                    session, inputs=request, on=today, user=None, keep=False
                )
            elapsed = (time.perf_counter() - started, time.process_time() - cpu)
            if counted and profiler:
                profiler.disable()
            prices.append(result.valuation.private.mid_fen)
            if counted:
                timings.append(elapsed)
                market += result.valuation.method is Method.MARKET
                fetched.append(calls[0])
    finally:
        valuation.market.select_comparables = select_comparables
    report("service value_car", timings, market)
    print(
        f"comparables query rows: median {statistics.median(fetched):.0f}, max {max(fetched)}, "
        f"at the LIMIT of 500 in {100 * sum(n >= 500 for n in fetched) / len(fetched):.0f} %"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return prices


def measure_page(
    app, requests: list[valuation.ValuationInput], prices: list[int], *, profile: bool
) -> None:
    """Time GET /valuation/result through the test client: the whole page, then htmx's panel."""
    if not any(rule.rule == RESULT_PATH for rule in app.url_map.iter_rules()):
        print(f"page {RESULT_PATH}: not in this app yet, not timed")
        return
    trims = {model.id: model for model in catalog_trims(app.extensions["db_engine"])}
    for label, headers in (("whole page", {}), ("htmx panel", {"HX-Request": "true"})):
        client = app.test_client()  # anonymous: nothing is kept in a history
        timings, other_price = [], 0
        profiler = cProfile.Profile() if profile else None
        for number, request in enumerate(requests):
            counted = number >= WARM_UP
            url = f"{RESULT_PATH}?{urlencode(page_query(request, trims[request.car_model_id]))}"
            if counted and profiler:
                profiler.enable()
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - started, time.process_time() - cpu)
            if counted and profiler:
                profiler.disable()
            body = response.get_data(as_text=True)
            if response.status_code != 200 or 'class="price-mid"' not in body:
                raise SystemExit(f"{url} answered {response.status_code} without a result")
            if counted:
                timings.append(elapsed)
                # The same inputs can get another price: the comparables query keeps 500
                # rows in no set order, so which sales are used depends on the plan.
                other_price += f"¥{prices[number] // 100:,}" not in body
        report(f"GET {RESULT_PATH} ({label})", timings, None)
        if other_price:
            print(f"    {other_price} pages showed another private price than the service's")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def catalog_trims(engine) -> list[CarModel]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(CarModel)))


def page_query(request: valuation.ValuationInput, trim: CarModel) -> dict[str, str]:
    """The result page's query string for a request (portal/valuation/forms.py)."""
    return {
        "brand": trim.brand,
        "series": trim.series,
        "model": str(request.car_model_id),
        "registered": request.first_registration.strftime("%Y-%m"),
        "mileage": str(request.mileage_km),
        "city": request.city_code,
        "condition": request.condition.value,
    }


def report(label: str, timings: list[tuple[float, float]], market: int | None) -> None:
    """Wall-clock median, p90, p99 and max, and the median CPU time of this process."""
    ms = sorted(1000 * wall for wall, _cpu in timings)
    cpu = statistics.median(1000 * cpu for _wall, cpu in timings)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    share = "" if market is None else f", market method {100 * market / len(ms):.0f} %"
    print(
        f"{label}: n={len(ms)} median {statistics.median(ms):.1f} ms, "
        f"p90 {cuts[89]:.1f} ms, p99 {cuts[98]:.1f} ms, max {ms[-1]:.1f} ms "
        f"(CPU of this process: median {cpu:.1f} ms){share}"
    )


def explain(engine, request: valuation.ValuationInput) -> None:
    """Print the plan of the comparables query exactly as value_car sends it."""
    seen = []

    def keep(_connection, _cursor, statement, parameters, _context, _many):
        if "transfer_case" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with Session(engine) as session:
            valuation.value_car(session, inputs=request, on=china_today(), user=None, keep=False)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    statement, parameters = seen[0]
    postgresql = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgresql else "EXPLAIN QUERY PLAN "
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(prefix + statement, parameters)
        rows = cursor.fetchall()
    print("comparables query plan:")
    for row in rows:
        print("   ", row[0] if postgresql else f"{'  ' * (row[1] > 0)}{row[-1]}")


if __name__ == "__main__":
    main()
