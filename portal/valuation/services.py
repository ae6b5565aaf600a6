"""Valuation use cases: the catalog, linking registry cars to it, valuing a car, history.

The engine (`engine.py`, `replacement.py`, `market.py`, `terms.py`) is pure; this module
finds what it needs: the catalog trim and its guide price, the registry's facts for a VIN,
the region factor of the city, and the comparable sales (completed transfers of the same
family, DOMAIN §3.1).
"""

from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import bindparam, func, update
from sqlmodel import Session, select

from portal import cache, regions
from portal.accounts.models import User
from portal.db import Page, fetch_page, inline
from portal.errors import NotFound
from portal.identifiers import parse_vin
from portal.messages import N_
from portal.registry.importing import BatchResult
from portal.registry.models import Vehicle
from portal.registry.terms import EmissionStandard
from portal.transfer.models import TransferCase
from portal.transfer.terms import TransferStatus
from portal.valuation import catalog, engine, market, settings, terms
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.inspection import Condition, inspection_score
from portal.valuation.models import CarModel, ValuationRecord

OLD_EMISSIONS = (
    EmissionStandard.CN1,
    EmissionStandard.CN2,
    EmissionStandard.CN3,
    EmissionStandard.CN4,
)
LINK_CHUNK = 5000
COMPARABLES_LIMIT = 500  # the newest sales are the market; more only slow the median


# --- the catalog ------------------------------------------------------------------------


def load_catalog(session: Session, rows: list[catalog.CatalogModel] | None = None) -> BatchResult:
    """Insert or update catalog trims (the shipped CSV by default), then link the registry."""
    rows = catalog.read_catalog() if rows is None else rows
    existing = {
        (m.brand, m.series, m.model_year, m.trim): m for m in session.exec(select(CarModel))
    }
    result = BatchResult()
    for row in rows:
        values = asdict(row)
        found = existing.get((row.brand, row.series, row.model_year, row.trim))
        if found is None:
            session.add(CarModel(**values))
            result.created += 1
        elif any(getattr(found, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(found, name, value)
            session.add(found)
            result.updated += 1
        else:
            result.unchanged += 1
    session.flush()
    link_vehicles(session)
    return result


def import_rows(session: Session, records, *, key: bytes, actor_id: int | None) -> BatchResult:
    """The admin import's batch writer (the machinery of portal/admin/services.py)."""
    return load_catalog(session, [record for _line, record in records])


def link_vehicles(session: Session, vins: list[str] | None = None) -> int:
    """Give unlinked registry cars (all, or those VINs) the trim of their series, nearest year."""
    trim_of = trim_finder(session)
    linked, last_id = 0, 0
    only = [Vehicle.vin.in_(vins)] if vins is not None else []
    while rows := session.exec(
        select(Vehicle.id, Vehicle.brand, Vehicle.model, Vehicle.first_registration)
        .where(Vehicle.car_model_id.is_(None), Vehicle.id > last_id, *only)
        .order_by(Vehicle.id)
        .limit(LINK_CHUNK)
    ).all():
        last_id = rows[-1][0]
        matches = [
            {"vid": vehicle_id, "model_id": model_id}
            for vehicle_id, brand, series, registered in rows
            if (model_id := trim_of(brand, series, registered.year))
        ]
        if matches:
            table = Vehicle.__table__
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("vid"))
                .values(car_model_id=bindparam("model_id")),
                matches,
            )
        linked += len(matches)
    return linked


def trim_finder(session: Session):
    """A function naming the catalog trim of a (brand, series, first registration year)."""
    index = _series_index(session)

    def trim_of(brand: str, series: str, year: int) -> int | None:
        return _nearest(index.get((brand, series), []), year)

    return trim_of


def _series_index(session: Session) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(brand, series) → [(model year, id of its first trim)], from the whole catalog."""
    index: dict[tuple[str, str], list[tuple[int, int]]] = {}
    rows = session.exec(
        select(
            CarModel.brand, CarModel.series, CarModel.model_year, func.min(CarModel.id)
        ).group_by(CarModel.brand, CarModel.series, CarModel.model_year)
    )
    for brand, series, year, model_id in rows:
        index.setdefault((brand, series), []).append((year, model_id))
    return index


def _nearest(years: list[tuple[int, int]], year: int) -> int | None:
    """The model of the nearest model year; on a tie the earlier one (a car's own year)."""
    if not years:
        return None
    return min(years, key=lambda pair: (abs(pair[0] - year), pair[0]))[1]


CATALOG_CACHE = "catalog"  # bumped when a catalog import finishes (admin/services.py)


class TrimChoice(NamedTuple):
    """A trim as the dependent selects list it (a plain copy, safe to keep between requests)."""

    id: int
    brand: str
    series: str
    model_year: int
    trim: str
    current_price_fen: int


def _catalog_tree(session: Session) -> dict[str, dict[str, list[TrimChoice]]]:
    """brand → series → trims (newest model year first), from one read of the catalog."""

    def load():
        tree: dict[str, dict[str, list[TrimChoice]]] = {}
        rows = session.exec(
            select(CarModel).order_by(
                CarModel.brand, CarModel.series, CarModel.model_year.desc(), CarModel.trim
            )
        )
        for row in rows:
            trim = TrimChoice(
                row.id, row.brand, row.series, row.model_year, row.trim, row.current_price_fen
            )
            tree.setdefault(row.brand, {}).setdefault(row.series, []).append(trim)
        return tree

    return cache.versioned(CATALOG_CACHE, load)


def brands(session: Session) -> list[str]:
    """Every brand of the catalog, in order."""
    return list(_catalog_tree(session))


def series_of(session: Session, brand: str) -> list[str]:
    """The series of a brand."""
    return list(_catalog_tree(session).get(brand, {}))


def trims_of(session: Session, brand: str, series: str) -> list[TrimChoice]:
    """The trims of a series, newest model year first."""
    return _catalog_tree(session).get(brand, {}).get(series, [])


def search_models(session: Session, *, query: str, page: int, page_size: int) -> Page:
    """Catalog trims whose brand or series starts with the query, one page."""
    term = query.strip()[:32]
    statement = select(CarModel).order_by(
        CarModel.brand, CarModel.series, CarModel.model_year.desc(), CarModel.id
    )
    if term:
        statement = statement.where(
            CarModel.brand.startswith(term, autoescape=True)
            | CarModel.series.startswith(term, autoescape=True)
        )
    return fetch_page(session, statement, page, page_size)


def car_model(session: Session, model_id: int) -> CarModel:
    """A catalog trim by id; NotFound when there is none."""
    found = session.get(CarModel, model_id)
    if found is None:
        raise NotFound(N_("There is no such model in the catalog."))
    return found


# --- valuing a car ----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What a person asks: a catalog trim (or a VIN that names one), age, use, condition."""

    car_model_id: int
    first_registration: date
    mileage_km: int
    city_code: str
    condition: Condition | None = Condition.GOOD
    inspection: dict[str, int] | None = None  # the six parts of DOMAIN §3.2
    battery_health_pct: int | None = None
    vin: str | None = None
    vehicle_id: int | None = None


@dataclass(frozen=True)
class Result:
    request: Request
    model: CarModel
    valuation: engine.Valuation
    curve: list[tuple[int, int]]
    record_id: int | None = None


def vehicle_by_vin(session: Session, vin: str) -> Vehicle | None:
    """The registry's car with this VIN (checked first; InvalidIdentifier if malformed)."""
    value = parse_vin(vin).value
    return session.exec(select(Vehicle).where(Vehicle.vin == value)).first()


def value_car(
    session: Session, *, request: Request, on: date, user: User | None, keep: bool = True
) -> Result:
    """Value the car on `on`; signed-in users keep it in their history (keep=True)."""
    model = car_model(session, request.car_model_id)
    if regions.city(request.city_code) is None:
        raise InvalidValuationInput("city_code", N_("Choose a city from the list."))
    _check_model_year(model, request)
    configured = settings.current(session)
    subject = _subject(request, model, configured)
    sales = _comparable_sales(session, model, request, on)
    valuation = engine.value(subject, on=on, comparables=sales, settings=configured.engine)
    record_id = None
    if keep and user is not None:
        record_id = _keep(session, request, valuation, user)
    curve = engine.depreciation_curve(subject, on=on, settings=configured.engine)
    return Result(request, model, valuation, curve, record_id)


def _check_model_year(model: CarModel, request: Request) -> None:
    """A car is sold as next year's model at the earliest; a registry car's facts stand."""
    earliest = model.model_year - 1
    if request.vehicle_id is None and request.first_registration.year < earliest:
        raise InvalidValuationInput(
            "first_registration",
            N_(
                "A %(year)s model was first registered in %(earliest)s at the earliest:"
                " check the model year or the first registration."
            ),
            year=model.model_year,
            earliest=earliest,
        )


def _subject(request: Request, model: CarModel, configured: settings.Values) -> terms.Subject:
    if request.inspection is not None:
        score, accident = inspection_score(request.inspection), False
    else:
        condition = request.condition or Condition.GOOD
        score, accident = condition.score, condition.structural_accident
    return terms.Subject(
        guide_price_fen=model.current_price_fen,
        fuel_type=model.fuel_type,
        first_registration=request.first_registration,
        mileage_km=request.mileage_km,
        score=score,
        structural_accident=accident,
        region_factor=region_factor(request.city_code, model.emission_standard, configured),
        battery_health_pct=request.battery_health_pct,
        family=_family(model.brand, model.series),
    )


def region_factor(
    city_code: str, emission: EmissionStandard | None, configured: settings.Values
) -> Decimal:
    """Demand in the city for this car (DOMAIN §3.1 region adjustment, §2.1 key regions)."""
    city = regions.city(city_code)
    if city is not None and city.key_region and emission in OLD_EMISSIONS:
        return configured.key_region_old_factor
    return Decimal(1)


def _family(brand: str, series: str) -> str:
    return f"{brand} {series}"


def _comparable_sales(
    session: Session, model: CarModel, request: Request, on: date
) -> list[market.Comparable]:
    """Completed transfers of the family near the car's age, in the last year (indexed)."""
    since = on - timedelta(days=366)
    earliest = request.first_registration - timedelta(days=366)
    latest = request.first_registration + timedelta(days=366)
    # The engine's ±30 % mileage test, in whole km, so fewer rows leave the database.
    low_km, high_km = -(-7 * request.mileage_km // 10), 13 * request.mileage_km // 10
    rows = session.exec(
        select(
            TransferCase.price_fen,
            TransferCase.vehicle_registered,
            TransferCase.mileage_km,
            TransferCase.sale_date,
        )
        .where(  # on ix_transfer_comparables: the family's sales, newest first
            TransferCase.vehicle_brand == model.brand,
            TransferCase.vehicle_model == model.series,
            # Written out, so ix_transfer_comparables (completed cases only) serves it.
            TransferCase.status == inline(TransferStatus.COMPLETED, TransferCase.status.type),
            TransferCase.sale_date >= since,
            TransferCase.vehicle_registered.between(earliest, latest),
            TransferCase.mileage_km.between(low_km, high_km),
        )
        # The newest sales first, so the same question always gets the same answer.
        .order_by(TransferCase.sale_date.desc(), TransferCase.id.desc())
        .limit(inline(COMPARABLES_LIMIT))
    ).all()
    family = _family(model.brand, model.series)
    candidates = [market.Comparable(p, r, km, sold, family) for p, r, km, sold in rows]
    return market.select_comparables(
        family, request.first_registration, request.mileage_km, on, candidates
    )


def _keep(session: Session, request: Request, valuation: engine.Valuation, user: User) -> int:
    record = ValuationRecord(
        user_id=user.id,
        car_model_id=request.car_model_id,
        vehicle_id=request.vehicle_id,
        vin=request.vin,
        first_registration=request.first_registration,
        mileage_km=request.mileage_km,
        city_code=request.city_code,
        condition=None if request.inspection is not None else request.condition,
        inspection=request.inspection,
        score=valuation.score,
        battery_health_pct=request.battery_health_pct,
        method=valuation.method,
        grade=valuation.grade,
        dealer_buy_fen=valuation.dealer_buy.mid_fen,
        private_fen=valuation.private.mid_fen,
        retail_fen=valuation.retail.mid_fen,
    )
    session.add(record)
    session.flush()
    return record.id


def request_of(record: ValuationRecord) -> Request:
    """The inputs of a kept valuation, to run it again with today's data."""
    names = {f.name for f in fields(Request)}
    return Request(**{name: getattr(record, name) for name in names})


def history(session: Session, *, user: User, page: int, page_size: int) -> Page:
    """The user's valuations, newest first, with their catalog trims, one page."""
    statement = (
        select(ValuationRecord, CarModel)
        .join(CarModel, CarModel.id == ValuationRecord.car_model_id)
        .where(ValuationRecord.user_id == user.id)
        .order_by(ValuationRecord.id.desc())
    )
    return fetch_page(session, statement, page, page_size)


def record_for(session: Session, *, user: User, record_id: int) -> ValuationRecord:
    """One of the user's own kept valuations; NotFound for anyone else's."""
    record = session.get(ValuationRecord, record_id)
    if record is None or record.user_id != user.id:
        raise NotFound(N_("There is no such valuation in your history."))
    return record


def private_value_of(session: Session, vehicle: Vehicle, *, mileage_km: int, on: date):
    """The private-sale price of a registry car in good condition; None if not in the catalog."""
    if vehicle.car_model_id is None:
        return None
    request = Request(
        car_model_id=vehicle.car_model_id,
        first_registration=vehicle.first_registration,
        mileage_km=mileage_km,
        city_code=vehicle.city_code,
    )
    return value_car(session, request=request, on=on, user=None, keep=False).valuation.private
