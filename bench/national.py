"""The national-size data set of `bench/load.py`, built in a PostgreSQL database in minutes.

What a province's portal holds on opening day (DOMAIN §1.6): a registry of `cars` cars
(one open ownership each, a third of them in Guangdong), a few thousand dealers with a
clerk each, a reviewer and an officer per province, `applications` submitted trade-in
applications in Guangdong's queue, `transfers` completed transfers (the valuations'
comparables) and a few thousand open ones in the officers' queues. Bulk rows go in with
COPY; subsidy applications are cloned in SQL from one application made through the
services, so every clone has the shape the real workflow gives it.

Reserved slices of the registry (indexes into the generated cars and persons):
- APPLICANTS: Guangdong owners, each with one old petrol car the 2026 scrapping program
  takes and an owner account; the first `applications` of them have a submitted
  application, the next DRAFTS a complete draft for the submission benchmark;
- SELLERS: Guangdong cars with clean records whose owners the transfer-filing benchmark
  names (their ID numbers are derived from the index, so the benchmark knows them).
"""

import base64
import hashlib
import hmac
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import text
from sqlmodel import Session, select

from portal import migrate, regions, storage
from portal.audit import china_today
from portal.identifiers import mask_resident_id, resident_id_check_char, vin_check_digit
from portal.registry import services as registry
from portal.registry.demo import _PROVINCE_WEIGHTS, CATALOGUE, _uscc, emission_standard
from portal.subsidy.models import Application
from portal.valuation.models import CarModel

KEY = b"bench-id-hash-key"
SECRET_KEY = "bench-secret-key"
CARD_KEYS = "bench=" + base64.b64encode(hashlib.sha256(b"bench-card-key").digest()).decode()


def app_config(url: str) -> dict:
    """The portal's settings on the bench database: its keys, and Redis as in production."""
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "ID_HASH_KEY": KEY.decode(),
        "CARD_KEYS": CARD_KEYS,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "CACHE_URL": "redis://127.0.0.1:6379/14",
        # Jobs (a notice's email, an import) queue in Redis, as docs/deploy.md says of
        # several machines; the SQLite queue of `make run` is one file every worker locks.
        "HUEY_REDIS_URL": "redis://127.0.0.1:6379/13",
    }


PASSWORD = "bench-password-2026"
GUANGDONG = "440000"
GUANGDONG_SHARE = 0.35
DRAFTS = 20000
SELLERS = 20000
OPEN_TRANSFERS = 12000
DEALERS = 3000
NEW_ENERGY = {"bev", "phev", "erev"}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁芳娜敏静丽艳娟霞秀玲燕萍红婷雪琳"
_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # model years from 1980, repeating every 30
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Layout:
    """Where each slice of the data set starts; saved beside the database by load.py."""

    cars: int
    applications: int
    transfers: int

    @property
    def drafts_from(self) -> int:
        return self.applications

    @property
    def sellers_from(self) -> int:
        return self.applications + DRAFTS

    @property
    def general_from(self) -> int:
        return self.sellers_from + SELLERS


def resident_id(index: int, region: str) -> str:
    """The ID number of person `index`: unique by (birth day, sequence), adult in 2026."""
    birth = date(1950, 1, 1) + timedelta(days=index % 18000)
    first17 = f"{region}{birth:%Y%m%d}{index // 18000 % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def person_name(index: int) -> str:
    rng = random.Random(index)
    return rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, 2 if index % 3 else 1))


def id_hash(number: str) -> str:
    return hmac.new(KEY, number.encode(), hashlib.sha256).hexdigest()


def vin(wmi: str, model_year: int, serial: int) -> str:
    """A VIN with a valid check digit; unique by serial (plant letter + six digits)."""
    descriptor = (wmi + "ABCDE")[:8]
    plant = _VIN_CHARS[10 + serial // 1_000_000 % 23]
    value = f"{descriptor}0{_VIN_YEARS[(model_year - 1980) % 30]}{plant}{serial % 1_000_000:06d}"
    return value[:8] + vin_check_digit(value) + value[9:]


class Plates:
    """Unique plates per city prefix: ordinary 5 digits, small new-energy D/F + 5 digits."""

    def __init__(self):
        self.next: dict[tuple[str, str], int] = {}

    def take(self, prefix: str, fuel_type: str) -> str:
        kind = ("D" if fuel_type == "bev" else "F") if fuel_type in NEW_ENERGY else ""
        n = self.next.get((prefix, kind), 0)
        self.next[(prefix, kind)] = n + 1
        if n < 100_000:
            return f"{prefix}{kind}{n:05d}"
        n -= 100_000  # then a letter in front of four digits
        return f"{prefix}{kind}{_LETTERS[n // 10_000 % 24]}{n % 10_000:04d}"


def copy_rows(session: Session, table: str, columns: Iterable[str], rows: Iterable) -> int:
    """COPY rows (tuples in column order) into a table; returns how many."""
    names = ", ".join(f'"{c}"' for c in columns)
    raw = session.connection().connection.driver_connection
    count = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def reset(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


def build(app, layout: Layout, log=print) -> None:
    """Create the whole data set in the app's (empty, migrated-here) PostgreSQL database."""
    engine = app.extensions["db_engine"]
    reset(engine)
    migrate.upgrade(app.config["DATABASE_URL"])
    from portal.payments import fees
    from portal.subsidy.programs import services as programs
    from portal.valuation import services as valuation

    with app.app_context(), Session(engine) as session:
        registry.load_regions(session)
        fees.ensure_fee_schedule(session)
        programs.seed_programs(session)
        valuation.load_catalog(session)
        session.commit()
        steps = (
            ("registry", _registry),
            ("dealers and staff", _dealers_and_staff),
            ("owner accounts", _owner_accounts),
            ("transfers", _transfers),
            ("applications", _applications),
        )
        for label, step in steps:
            started = datetime.now()
            step(session, layout, app)
            session.commit()
            log(f"  {label}: {(datetime.now() - started).total_seconds():.0f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("vehicle", "ownership", "person", "user_account", "dealer"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
            )
        connection.execute(text("VACUUM ANALYZE"))


# --- the registry ------------------------------------------------------------------------


def _places() -> dict[str, list[tuple[str, str]]]:
    """Per province: (city code, plate prefix) of the cities that issue plates."""
    places: dict[str, list[tuple[str, str]]] = {}
    for city in regions.cities():
        for prefix in city.plate_prefixes:
            if regions.city_for_plate_prefix(prefix) == city:
                places.setdefault(city.province_code, []).append((city.code, prefix))
    return places


def _registry(session: Session, layout: Layout, app) -> None:
    rng = random.Random(2026)
    now = datetime.now(UTC).replace(tzinfo=None)
    trims = list(session.exec(select(CarModel).where(CarModel.model_year <= 2026)))
    wmi = {(s.brand, s.model): s.wmi for s in CATALOGUE}
    old_trim = min(
        (t for t in trims if t.series == "朗逸" and t.fuel_type.value == "petrol"),
        key=lambda t: t.model_year,
    )
    places = _places()
    provinces = [p for p in places if p[:2] in _PROVINCE_WEIGHTS and p != GUANGDONG]
    weights = [_PROVINCE_WEIGHTS[p[:2]] for p in provinces]
    plates = Plates()
    vehicles, persons, ownerships = [], [], []
    for index in range(layout.cars):
        special = index < layout.general_from
        if special or rng.random() < GUANGDONG_SHARE:
            province = GUANGDONG
        else:
            province = rng.choices(provinces, weights)[0]
        city, prefix = rng.choice(places[province])
        if index < layout.sellers_from:  # an applicant's old petrol car, 2010–2012
            trim = old_trim
            registered = date(2010, 1, 1) + timedelta(days=rng.randrange(1090))
        else:
            trim = rng.choice(trims)
            first = date(trim.model_year, 1, 1)
            registered = first + timedelta(days=rng.randrange(360))
        fuel = trim.fuel_type.value
        registered = min(registered, date(2026, 10, 31))
        number = resident_id(index, city)
        vehicle_id = index + 1
        clean = special or rng.random() > 0.06
        vehicles.append(
            (
                vehicle_id,
                vin(wmi.get((trim.brand, trim.series), "LSV"), registered.year, index),
                plates.take(prefix, fuel),
                trim.brand,
                trim.series,
                trim.body_type.value,
                fuel,
                emission_standard(fuel, registered, city) or None,
                trim.displacement_ml,
                trim.battery_kwh,
                5,
                "private",
                registered,
                province,
                city,
                "registered",
                not clean and rng.random() < 0.5,
                False,
                0 if clean else rng.randint(1, 3),
                now,
                now,
                trim.id,
            )
        )
        persons.append(
            (vehicle_id, person_name(index), id_hash(number), mask_resident_id(number), now)
        )
        ownerships.append((vehicle_id, vehicle_id, vehicle_id, None, registered, None, "new", now))
    copy_rows(session, "vehicle", VEHICLE_COLUMNS, vehicles)
    copy_rows(session, "person", ("id", "name", "id_hash", "id_masked", "created_at"), persons)
    copy_rows(session, "ownership", OWNERSHIP_COLUMNS, ownerships)


VEHICLE_COLUMNS = (
    "id", "vin", "plate", "brand", "model", "body_type", "fuel_type", "emission_standard",
    "displacement_ml", "battery_kwh", "seats", "usage", "first_registration", "province_code",
    "city_code", "status", "mortgaged", "seized", "unpaid_violations", "created_at",
    "updated_at", "car_model_id",
)  # fmt: skip
OWNERSHIP_COLUMNS = (
    "id", "vehicle_id", "person_id", "dealer_id", "start", "end", "acquired", "created_at",
)  # fmt: skip
USER_COLUMNS = (
    "id", "email", "display_name", "password_hash", "role", "province_code", "dealer_id",
    "person_id", "locale", "active", "created_at",
)  # fmt: skip


def _password_hash() -> str:
    """The bench's accounts share one cheap hash, so signing thousands of them in is quick."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def _dealers_and_staff(session: Session, layout: Layout, app) -> None:
    """DEALERS dealers with a clerk each; a reviewer and an officer per province; an admin."""
    rng = random.Random(7)
    now = datetime.now(UTC).replace(tzinfo=None)
    places = _places()
    dealers, users = [], []
    password = _password_hash()
    for index in range(DEALERS):
        province = GUANGDONG if index < DEALERS // 3 else rng.choice(list(places))
        city, _ = rng.choice(places[province])
        organization = f"BN{index:06d}"
        name = f"{regions.city(city).name_zh}第{index + 1}二手车销售有限公司"
        dealers.append((index + 1, _uscc(city, organization), name, province, city, now))
        users.append(
            (index + 1, f"dealer{index + 1}@bench.cn", f"店员{index + 1}", password, "dealer")
            + (None, index + 1, None, "zh_CN", True, now)
        )
    next_id = DEALERS + 1
    for province in places:
        for role in ("reviewer", "officer"):
            users.append(
                (next_id, f"{role}-{province}@bench.cn", f"{role} {province}", password, role)
                + (province, None, None, "zh_CN", True, now)
            )
            next_id += 1
    users.append((next_id, "admin@bench.cn", "管理员", password, "admin"))
    users[-1] += (None, None, None, "zh_CN", True, now)
    copy_rows(
        session,
        "dealer",
        ("id", "uscc", "name", "province_code", "city_code", "created_at"),
        dealers,
    )
    copy_rows(session, "user_account", USER_COLUMNS, users)


def owner_user_id(index: int) -> int:
    """The account of applicant `index` (ids after the staff's)."""
    return 100_000_000 + index


def _owner_accounts(session: Session, layout: Layout, app) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    password = _password_hash()
    rows = (
        (owner_user_id(i), f"owner{i}@bench.cn", person_name(i), password, "owner")
        + (None, None, i + 1, "zh_CN", True, now)
        for i in range(layout.sellers_from)
    )
    copy_rows(session, "user_account", USER_COLUMNS, rows)


# --- transfers -----------------------------------------------------------------------------

TRANSFER_COLUMNS = (
    "id", "number", "dealer_id", "created_by", "vehicle_id", "seller_ownership_id", "buyer_kind",
    "buyer_name", "buyer_id_hash", "buyer_id_masked", "origin_province_code", "origin_city_code",
    "destination_province_code", "destination_city_code", "price_fen", "sale_date",
    "mileage_km", "dealer_temporary", "status", "new_plate", "created_at", "updated_at",
    "submitted_at", "completed_at", "undervalued", "vehicle_brand", "vehicle_model",
    "vehicle_registered",
)  # fmt: skip
OPEN_STATUSES = ("submitted", "fee_paid", "inspected", "released")


def _transfers(session: Session, layout: Layout, app) -> None:
    """Completed transfers (the comparables) and open ones in Guangdong's officer queues.

    A completed transfer moved the car to its current city: the seller's period is closed
    and the buyer's open period starts on the sale date. Dealer 1 (dealer1@bench.cn)
    files a fifth of all cases, so its case list is long.
    """
    rng = random.Random(11)
    now = datetime.now(UTC).replace(tzinfo=None)
    today = china_today()
    places = _places()
    cars = session.execute(
        text(
            "SELECT v.id, v.first_registration, v.province_code, v.city_code, v.plate,"
            " m.current_price_fen, v.brand, v.model FROM vehicle v JOIN car_model m"
            " ON m.id = v.car_model_id WHERE v.id > :start ORDER BY v.id"
        ),
        {"start": layout.general_from},
    ).all()
    cases, seller_periods, moved = [], [], []
    next_ownership = layout.cars + 1
    car_iter = iter(cars)
    completed = 0
    while completed < layout.transfers:
        car_id, registered, province, city, plate, price, brand, model = next(car_iter)
        earliest = max(registered + timedelta(days=60), today - timedelta(days=730))
        if earliest >= today:
            continue
        sold = earliest + timedelta(days=rng.randrange((today - earliest).days))
        origin = rng.choice([p for p in places if p != province])
        origin_city, _ = rng.choice(places[origin])
        seller = rng.randrange(layout.cars)
        seller_periods.append(
            (next_ownership, car_id, seller + 1, None, registered, sold, "new", now)
        )
        moved.append((car_id, sold))
        age = max(0.0, (sold - registered).days / 365)
        price_fen = int(price * 0.85 * 0.88**age * rng.uniform(0.8, 1.2)) // 100 * 100
        completed += 1
        cases.append(
            _case(completed, rng, layout, car_id, next_ownership, origin, origin_city)
            + (province, city, price_fen, sold, rng.randint(5_000, 250_000), False, "completed")
            + (plate, now, now, now, now, False, brand, model, registered)
        )
        next_ownership += 1
    opened = 0
    for car_id, registered, province, city, _plate, price, brand, model in car_iter:
        if opened == OPEN_TRANSFERS:
            break
        outgoing = province == GUANGDONG
        if not outgoing and opened % 3:  # two in three leave Guangdong, one comes in
            continue
        destination = rng.choice([p for p in places if p != province]) if outgoing else GUANGDONG
        destination_city, _ = rng.choice(places[destination])
        opened += 1
        number = layout.transfers + opened
        cases.append(
            _case(number, rng, layout, car_id, car_id, province, city)
            + (destination, destination_city, price // 2, today - timedelta(days=rng.randrange(20)))
            + (rng.randint(5_000, 250_000), False, rng.choice(OPEN_STATUSES))
            + (None, now, now, now, None, False, brand, model, registered)
        )
    copy_rows(session, "ownership", OWNERSHIP_COLUMNS, seller_periods)
    copy_rows(session, "transfer_case", TRANSFER_COLUMNS, cases)
    session.execute(
        text(
            "UPDATE ownership o SET start = t.sale_date, acquired = 'transfer'"
            " FROM transfer_case t WHERE t.status = 'completed' AND o.vehicle_id = t.vehicle_id"
            ' AND o."end" IS NULL'
        )
    )
    session.execute(
        text(
            "SELECT setval(pg_get_serial_sequence('transfer_case', 'id'),"
            " (SELECT max(id) FROM transfer_case))"
        )
    )


def _case(number, rng, layout, car_id, seller_ownership, origin, origin_city) -> tuple:
    dealer = 1 if rng.random() < 0.2 else rng.randint(2, DEALERS)
    buyer = rng.randrange(layout.cars)
    buyer_id = resident_id(buyer, "440100")
    return (
        number,
        f"TR{origin[:2]}2026{number:07d}",
        dealer,
        dealer,  # each dealer's clerk has the dealer's id
        car_id,
        seller_ownership,
        "person",
        person_name(buyer),
        id_hash(buyer_id),
        mask_resident_id(buyer_id),
        origin,
        origin_city,
    )


# --- subsidy applications ------------------------------------------------------------------


def _applications(session: Session, layout: Layout, app) -> None:
    """One draft made through the services, cloned into the queue and the drafts."""
    template = _template_draft(session, app)
    columns = [c.name for c in Application.__table__.columns]
    kinds = _program_ids(session)
    # The new cars' VINs, valid ones (submission puts the new car in the registry).
    session.execute(text("CREATE TEMP TABLE new_car (k integer PRIMARY KEY, vin varchar(17))"))
    new_cars = ((g, vin("LC0", 2026, 5_000_000 + g)) for g in range(layout.sellers_from))
    copy_rows(session, "new_car", ("k", "vin"), new_cars)

    def clone(first: int, count: int, status: str) -> None:
        varying = {
            "id": "g + 1000",
            "number": (
                "NULL"
                if status == "draft"
                else "'GD2026' || CASE WHEN g % 2 = 0 THEN 'S' ELSE"
                " 'R' END || lpad((g + 1000)::text, 8, '0')"
            ),
            "program_id": (
                f"CASE WHEN g % 2 = 0 THEN {kinds['scrapping']} ELSE {kinds['replacement']} END"
                if status != "draft"
                else "t.program_id"
            ),
            "applicant_id": f"{owner_user_id(0)} + g",
            "person_id": "g + 1",
            "status": f"'{status}'",
            "old_vehicle_id": "g + 1",
            "old_vin": "v.vin",
            "new_vin": "n.vin",
            "new_plate": "'粤AD' || substr('ABCDEFGHJK', g / 10000 % 10 + 1, 1)"
            " || lpad((g % 10000)::text, 4, '0')",
            "invoice_buyer_id_hash": "p.id_hash",
            "flagged": "g % 29 = 0" if status != "draft" else "false",
            "flags": "CASE WHEN g % 29 = 0 THEN 'zero_mileage' ELSE '' END"
            if status != "draft"
            else "''",
            "claim_key": "'2026'" if status != "draft" else "NULL",
            "amount_fen": "2000000" if status != "draft" else "NULL",
            "submitted_at": "now() - (g % 40) * interval '1 day' - (g % 997) * interval '1 minute'"
            if status != "draft"
            else "NULL",
            "clock_start": "now() - (g % 40) * interval '1 day' - (g % 997) * interval '1 minute'"
            if status != "draft"
            else "NULL",
        }
        expressions = [varying.get(c, f't."{c}"') for c in columns]
        names = ", ".join(f'"{c}"' for c in columns)
        session.execute(
            text(
                f"INSERT INTO subsidy_application ({names}) SELECT {', '.join(expressions)}"
                " FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g"
                " CROSS JOIN subsidy_application t"
                " JOIN vehicle v ON v.id = g + 1 JOIN person p ON p.id = g + 1"
                " JOIN new_car n ON n.k = g"
                " WHERE t.id = :template"
            ),
            {"first": first, "last": first + count - 1, "template": template},
        )

    clone(0, layout.applications, "submitted")
    clone(layout.drafts_from, DRAFTS, "draft")
    session.execute(
        text(
            "INSERT INTO subsidy_document (application_id, kind, filename, stored_name,"
            " content_type, size, uploaded_at)"
            " SELECT a.id, d.kind, d.filename, d.stored_name, d.content_type, d.size, d.uploaded_at"
            " FROM subsidy_application a CROSS JOIN subsidy_document d"
            " WHERE a.status = 'draft' AND d.application_id = :template AND a.id <> :template"
        ),
        {"template": template},
    )
    session.execute(text("DELETE FROM subsidy_document WHERE application_id = :t"), {"t": template})
    session.execute(text("DELETE FROM subsidy_application WHERE id = :t"), {"t": template})
    session.execute(
        text(
            "SELECT setval(pg_get_serial_sequence('subsidy_application', 'id'),"
            " (SELECT max(id) FROM subsidy_application))"
        )
    )


def _program_ids(session: Session) -> dict[str, int]:
    rows = session.execute(
        text("SELECT kind, id FROM subsidy_program WHERE year = 2026 AND province_code = :p"),
        {"p": GUANGDONG},
    ).all()
    return {kind: program_id for kind, program_id in rows}


def _template_draft(session: Session, app) -> int:
    """A complete scrapping draft of the last applicant, through the services."""
    import tempfile

    from portal.accounts.models import User
    from portal.cards import CardKeys
    from portal.registry.terms import BodyType, FuelType
    from portal.subsidy.apply import services
    from portal.subsidy.rules.papers import required_documents
    from portal.subsidy.terms import Kind

    index = 99_999_999  # a person outside the data set, with an old car of its own
    today = china_today()
    session.execute(
        text(
            "INSERT INTO person (id, name, id_hash, id_masked, created_at)"
            " VALUES (:id, 'template', :hash, 'template', now())"
        ),
        {"id": index, "hash": id_hash(resident_id(index, "440100"))},
    )
    copied = ", ".join(f'"{c}"' for c in VEHICLE_COLUMNS[3:])
    session.execute(
        text(
            f"INSERT INTO vehicle (id, vin, plate, {copied})"
            f" SELECT :id, 'LSVTEMPLATE000001', NULL, {copied} FROM vehicle WHERE id = 1"
        ),
        {"id": index},
    )
    session.execute(
        text(
            "INSERT INTO ownership (id, vehicle_id, person_id, start, acquired, created_at)"
            " SELECT :id, :id, :id, start, acquired, created_at FROM ownership WHERE id = 1"
        ),
        {"id": index},
    )
    session.execute(
        text(
            "INSERT INTO user_account (id, email, display_name, password_hash, role, person_id,"
            " locale, active, created_at) VALUES (:id, 'template@bench.cn',"
            " 'template', 'x', 'owner', :id, 'zh_CN', true, now())"
        ),
        {"id": index},
    )
    user = session.get(User, index)
    with app.test_request_context():
        application = services.start(
            session, user=user, kind=Kind.SCRAPPING, province_code=GUANGDONG, today=today
        )
        services.choose_old_car(session, application=application, vehicle_id=index)
        entry = services.NewCarEntry(
            vin="LC0BN000000000000",
            plate="粤ADZ9999",
            brand="比亚迪",
            model="海豹",
            body_type=BodyType.SEDAN,
            seats=5,
            fuel_type=FuelType.BEV,
            displacement_ml=None,
            registration_date=today - timedelta(days=2),
            invoice_number="44001234",
            invoice_date=today - timedelta(days=5),
            invoice_price_fen=16_800_000,
            invoice_city_code="440100",
            invoice_buyer_id_hash="",
        )
        services.save_new_car(session, application=application, entry=entry)
        services.save_bank_card(
            session,
            application=application,
            card="6217000010000000003",
            bank="中国工商银行",
            keys=CardKeys.parse(CARD_KEYS),
            id_key=b"bench-id-key",
        )
        with tempfile.TemporaryDirectory() as folder:
            for paper in required_documents(Kind.SCRAPPING):
                services.upload_document(
                    session,
                    user=user,
                    application=application,
                    kind=paper,
                    filename=f"{paper.value}.pdf",
                    content=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                    files=storage.Folder(folder),
                    today=today,
                )
        session.flush()
        return application.id
