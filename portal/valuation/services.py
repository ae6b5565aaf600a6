"""Valuation use cases: the catalog, linking registry cars to it, valuing a car, history.

The engine (`rules/`) is pure; this module finds what it needs: the catalog trim and its
guide price, the registry's facts for a VIN, the region factor of the city, and the
comparable sales (completed transfers of the same family, DOMAIN §3.1).
"""

from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import bindparam, func, or_, update
from sqlmodel import Session, select

from portal import cache, regions
from portal.accounts.models import User
from portal.db import Page, fetch_page, inline
from portal.errors import NotFound
from portal.identifiers import parse_vin
from portal.messages import N_
from portal.money import FEN_PER_YUAN, yuan
from portal.registry.importing import BatchResult
from portal.registry.models import Vehicle
from portal.registry.terms import EmissionStandard
from portal.transfer.models import TransferCase
from portal.transfer.terms import TransferStatus
from portal.valuation import catalog
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.models import CarModel, ValuationRecord
from portal.valuation.rules import engine, facts, market
from portal.valuation.rules.inspection import inspection_score
from portal.valuation.settings import services as settings
from portal.valuation.terms import Condition

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
        for column in catalog.ENGLISH_COLUMNS:  # a file without English names keeps them
            if values[column] is None:
                values[column] = getattr(found, column) if found else ""
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
    """The admin import's batch writer (the machinery of portal/imports/services.py)."""
    return load_catalog(session, [record for _line, record in records])


def link_vehicles(session: Session, vins: list[str] | None = None) -> int:
    """Link registry cars (all, or those VINs) to the trim of their series' nearest year.

    Every car is looked at, not only unlinked ones: a catalog that gained older model years
    moves a car from a later trim to its own (DOMAIN §3.1, the same or nearest model).
    Returns how many cars changed.
    """
    trim_of = trim_finder(session)
    linked, last_id = 0, 0
    only = [Vehicle.vin.in_(vins)] if vins is not None else []
    while rows := session.exec(
        select(
            Vehicle.id,
            Vehicle.brand,
            Vehicle.model,
            Vehicle.first_registration,
            Vehicle.car_model_id,
        )
        .where(Vehicle.id > last_id, *only)
        .order_by(Vehicle.id)
        .limit(LINK_CHUNK)
    ).all():
        last_id = rows[-1][0]
        matches = [
            {"vid": vehicle_id, "model_id": model_id}
            for vehicle_id, brand, series, registered, linked_to in rows
            if (model_id := trim_of(brand, series, registered.year)) and model_id != linked_to
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
    """The model of the nearest model year not after `year`; the earliest if all are later.

    A car first registered in 2018 is a 2018 model or older (now and then next year's, which
    the catalog's own year then stands for): linking it to a later model would price it from
    a car it never was, and a filing would meet a model year it cannot have.
    """
    if not years:
        return None
    not_after = [pair for pair in years if pair[0] <= year]
    return max(not_after)[1] if not_after else min(years)[1]


CATALOG_CACHE = "catalog"  # bumped when a catalog import finishes (admin/services.py)


class TrimChoice(NamedTuple):
    """A trim as the dependent selects list it (a plain copy, safe to keep between requests)."""

    id: int
    brand: str
    series: str
    model_year: int
    trim: str
    current_price_fen: int


@dataclass(frozen=True)
class CatalogLists:
    """What the pages list from the catalog, read at once and kept per process (cache.py)."""

    tree: dict[str, dict[str, list[TrimChoice]]]  # brand → series → trims, newest first
    brand_en: dict[str, str]  # Chinese brand → its English name, where the catalog has one
    series_en: dict[tuple[str, str], str]  # (brand, series) → the series' English name


def catalog_lists(session: Session) -> CatalogLists:
    """The catalog's lists and English names, from one read of the catalog per change."""

    def load() -> CatalogLists:
        lists = CatalogLists({}, {}, {})
        rows = session.exec(
            select(CarModel).order_by(
                CarModel.brand, CarModel.series, CarModel.model_year.desc(), CarModel.trim
            )
        )
        for row in rows:
            trim = TrimChoice(
                row.id, row.brand, row.series, row.model_year, row.trim, row.current_price_fen
            )
            lists.tree.setdefault(row.brand, {}).setdefault(row.series, []).append(trim)
            # One name per brand and series (the shipped file gives each one, a test holds
            # it); should an import disagree, the first row in this order that gives one.
            if row.brand_en:
                lists.brand_en.setdefault(row.brand, row.brand_en)
            if row.series_en:
                lists.series_en.setdefault((row.brand, row.series), row.series_en)
        return lists

    return cache.versioned(CATALOG_CACHE, load)


def _catalog_tree(session: Session) -> dict[str, dict[str, list[TrimChoice]]]:
    return catalog_lists(session).tree


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
    """Catalog trims whose brand or series starts with the query, one page; an ASCII query
    also matches the English names, whatever the case (the catalog is a few thousand rows:
    no index needed). The English names are all ASCII, so a Chinese query skips them, and
    SQLite's lower(), which folds ASCII only, is enough."""
    term = query.strip()[:32]
    statement = select(CarModel).order_by(
        CarModel.brand, CarModel.series, CarModel.model_year.desc(), CarModel.id
    )
    if term:
        names = [CarModel.brand, CarModel.series]
        if term.isascii():
            term = term.lower()
            names = [func.lower(name) for name in (*names, CarModel.brand_en, CarModel.series_en)]
        statement = statement.where(
            or_(*(name.startswith(term, autoescape=True) for name in names))
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
class ValuationInput:
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
    inputs: ValuationInput
    model: CarModel
    valuation: engine.Valuation
    curve: list[tuple[int, int]]
    record_id: int | None = None


def vehicle_by_vin(session: Session, vin: str) -> Vehicle | None:
    """The registry's car with this VIN (checked first; InvalidIdentifier if malformed)."""
    value = parse_vin(vin).value
    return session.exec(select(Vehicle).where(Vehicle.vin == value)).first()


def value_car(
    session: Session, *, inputs: ValuationInput, on: date, user: User | None, keep: bool = True
) -> Result:
    """Value the car on `on`; signed-in users keep it in their history (keep=True)."""
    model = car_model(session, inputs.car_model_id)
    if regions.city(inputs.city_code) is None:
        raise InvalidValuationInput("city_code", N_("Choose a city from the list."))
    _check_model_year(model, inputs)
    configured = settings.current(session)
    guide_fen, gap_steps = model.current_price_fen, []
    if inputs.vehicle_id is not None:  # the registry's facts name the year, not a person
        guide_fen, gap_steps = _guide_price(session, model, inputs.first_registration.year)
    subject = _subject(inputs, model, configured, guide_fen)
    sales = _comparable_sales(session, model, inputs, on, configured.engine)
    valuation = engine.value(subject, on=on, comparables=sales, settings=configured.engine)
    valuation = replace(valuation, steps=(*gap_steps, *valuation.steps))
    record_id = None
    if keep and user is not None:
        record_id = _keep(session, inputs, valuation, user)
    curve = engine.depreciation_curve(subject, on=on, settings=configured.engine)
    return Result(inputs, model, valuation, curve, record_id)


def _check_model_year(model: CarModel, inputs: ValuationInput) -> None:
    """A car is sold as next year's model at the earliest; a registry car's facts stand."""
    earliest = model.model_year - 1
    if inputs.vehicle_id is None and inputs.first_registration.year < earliest:
        raise InvalidValuationInput(
            "first_registration",
            N_(
                "A %(year)s model was first registered in %(earliest)s at the earliest:"
                " check the model year or the first registration."
            ),
            year=model.model_year,
            earliest=earliest,
        )


def _guide_price(session: Session, model: CarModel, year: int) -> tuple[int, list[facts.Step]]:
    """Today's guide price for a car of `year` (DOMAIN §3.1: the same or nearest model).

    A registry car whose own model year the catalog lacks is linked to the series' nearest
    earlier year; its guide price then lies between that model's and the next later
    model's, by the years between them. Either way the step says so: never silently.
    """
    if model.model_year >= year:
        return model.current_price_fen, []
    later = session.exec(
        select(CarModel.model_year, CarModel.current_price_fen)
        .where(
            CarModel.brand == model.brand,
            CarModel.series == model.series,
            CarModel.model_year > year,
        )
        .order_by(CarModel.model_year, CarModel.id)
        .limit(1)
    ).first()
    numbers = {
        "year": str(year),
        "model_year": str(model.model_year),
        "gap": str(year - model.model_year),
        "price": yuan(model.current_price_fen),
    }
    if later is None:
        label = N_(
            "No %(year)s model in the catalog: the %(model_year)s model, %(gap)s years older,"
            " gives today's guide price %(price)s"
        )
        return model.current_price_fen, facts.steps_from(
            numbers, [(label, yuan(model.current_price_fen))]
        )
    later_year, later_fen = later
    span = later_year - model.model_year
    guide = (
        model.current_price_fen
        + (later_fen - model.current_price_fen) * (year - model.model_year) // span
    )
    guide = guide // FEN_PER_YUAN * FEN_PER_YUAN
    numbers |= {
        "later_year": str(later_year),
        "later_price": yuan(later_fen),
        "span": str(span),
    }
    label = N_(
        "No %(year)s model in the catalog: guide price between the %(model_year)s model"
        " (%(price)s) and the %(later_year)s model (%(later_price)s), %(gap)s of %(span)s"
        " years on, to the yuan"
    )
    return guide, facts.steps_from(numbers, [(label, yuan(guide))])


def _subject(
    inputs: ValuationInput, model: CarModel, configured: settings.Values, guide_fen: int
) -> facts.Subject:
    if inputs.inspection is not None:
        score, accident = inspection_score(inputs.inspection), False
    else:
        condition = inputs.condition or Condition.GOOD
        score, accident = condition.score, condition.structural_accident
    return facts.Subject(
        guide_price_fen=guide_fen,
        vehicle_class=model.vehicle_class,
        fuel_type=model.fuel_type,
        first_registration=inputs.first_registration,
        mileage_km=inputs.mileage_km,
        score=score,
        structural_accident=accident,
        region_factor=region_factor(inputs.city_code, model.emission_standard, configured),
        battery_health_pct=inputs.battery_health_pct,
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
    session: Session, model: CarModel, inputs: ValuationInput, on: date, configured: facts.Settings
) -> list[market.Comparable]:
    """Completed transfers of the family inside the comparables window (indexed)."""
    bounds = market.window(inputs.first_registration, inputs.mileage_km, on, configured)
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
            TransferCase.sale_date.between(bounds.sold_from, bounds.sold_to),
            TransferCase.vehicle_registered.between(bounds.registered_from, bounds.registered_to),
            TransferCase.mileage_km.between(bounds.mileage_from, bounds.mileage_to),
        )
        # The newest sales first, so the same question always gets the same answer.
        .order_by(TransferCase.sale_date.desc(), TransferCase.id.desc())
        .limit(inline(COMPARABLES_LIMIT))
    ).all()
    family = _family(model.brand, model.series)
    candidates = [market.Comparable(p, r, km, sold, family) for p, r, km, sold in rows]
    return market.select_comparables(
        family, inputs.first_registration, inputs.mileage_km, on, candidates, configured
    )


def _keep(session: Session, inputs: ValuationInput, valuation: engine.Valuation, user: User) -> int:
    record = ValuationRecord(
        user_id=user.id,
        car_model_id=inputs.car_model_id,
        vehicle_id=inputs.vehicle_id,
        vin=inputs.vin,
        first_registration=inputs.first_registration,
        mileage_km=inputs.mileage_km,
        city_code=inputs.city_code,
        condition=None if inputs.inspection is not None else inputs.condition,
        inspection=inputs.inspection,
        score=valuation.score,
        battery_health_pct=inputs.battery_health_pct,
        method=valuation.method,
        grade=valuation.grade,
        dealer_buy_fen=valuation.dealer_buy.mid_fen,
        private_fen=valuation.private.mid_fen,
        retail_fen=valuation.retail.mid_fen,
    )
    session.add(record)
    session.flush()
    return record.id


def inputs_of(record: ValuationRecord) -> ValuationInput:
    """The inputs of a kept valuation, to run it again with today's data."""
    names = {f.name for f in fields(ValuationInput)}
    return ValuationInput(**{name: getattr(record, name) for name in names})


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


def registry_car_value(session: Session, vehicle: Vehicle, *, mileage_km: int, on: date):
    """The valuation of a registry car in good condition; None if not in the catalog."""
    if vehicle.car_model_id is None:
        return None
    inputs = ValuationInput(
        car_model_id=vehicle.car_model_id,
        first_registration=vehicle.first_registration,
        mileage_km=mileage_km,
        city_code=vehicle.city_code,
        vin=vehicle.vin,
        vehicle_id=vehicle.id,
    )
    return value_car(session, inputs=inputs, on=on, user=None, keep=False).valuation


def private_value_of(session: Session, vehicle: Vehicle, *, mileage_km: int, on: date):
    """The private-sale price of a registry car in good condition; None if not in the catalog."""
    found = registry_car_value(session, vehicle, mileage_km=mileage_km, on=on)
    return found.private if found is not None else None
