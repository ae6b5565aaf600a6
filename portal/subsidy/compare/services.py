"""Scrap or sell for one of the owner's cars: both subsidies and what the car fetches.

The old car's facts come from the registry; the subsidy of each kind from the old car's
eligibility rules and the program's amount rule (what an application would be told); the
scrap value
from the catalog's curb weight and the configured rate per tonne; the dealer's buying
price from the valuation of the same car. `rules.better` says which leaves more money.
Read only: nothing is saved.
"""

from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session, select

from portal.accounts.models import User
from portal.errors import DomainError, NotFound
from portal.messages import N_
from portal.money import yuan
from portal.registry.models import Vehicle
from portal.registry.terms import FuelType
from portal.subsidy import assessment, program_lookup
from portal.subsidy.apply import services
from portal.subsidy.compare import rules
from portal.subsidy.models import Application
from portal.subsidy.rules import amounts, window
from portal.subsidy.rules import eligibility as subsidy_rules
from portal.subsidy.rules.facts import Amount, Reason
from portal.subsidy.terms import Kind, Status
from portal.valuation import services as valuation
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.models import CarModel
from portal.valuation.rules import engine
from portal.valuation.rules.facts import DEFAULT_SETTINGS, months_between
from portal.valuation.settings import services as valuation_settings


@dataclass(frozen=True)
class NewCar:
    """The new car as far as the amounts need it, and where its price came from."""

    price_fen: int
    fuel_type: FuelType
    source: str  # "typed", "draft" (the owner's draft application) or "guide" (assumed)


@dataclass(frozen=True)
class Side:
    """One choice: its option, why the car does not qualify, how each figure was reached."""

    option: rules.Option
    reasons: tuple[Reason, ...]
    amount: Amount | None
    car_explanation: Reason | None


@dataclass(frozen=True)
class Comparison:
    vehicle: Vehicle
    model: CarModel | None
    new_car: NewCar
    mileage_km: int
    province_code: str
    valuation: engine.Valuation | None
    scrapping: Side
    replacement: Side
    better: Kind | None


def held_cars(session: Session, *, user: User) -> list[Vehicle]:
    """The owner's cars that could be the old car (DOMAIN §1.1)."""
    return services.old_car_choices(session, user=user) if user.person_id else []


def new_car_of(
    session: Session,
    *,
    user: User,
    vehicle: Vehicle,
    price_fen: int | None,
    fuel_type: FuelType | None,
) -> NewCar:
    """The typed figure; else the newest draft's invoice; else today's price of the old car."""
    if price_fen is not None:
        return NewCar(price_fen, fuel_type or vehicle.fuel_type, "typed")
    draft = session.exec(
        select(Application.invoice_price_fen, Application.new_fuel_type)
        .where(
            Application.applicant_id == user.id,
            Application.status == Status.DRAFT,
            Application.invoice_price_fen.is_not(None),
        )
        .order_by(Application.id.desc())
        .limit(1)
    ).first()
    if draft is not None:
        return NewCar(draft[0], fuel_type or draft[1] or vehicle.fuel_type, "draft")
    model = session.get(CarModel, vehicle.car_model_id) if vehicle.car_model_id else None
    if model is None:
        raise DomainError(N_("Enter the new car's price: we cannot assume one for this car."))
    return NewCar(model.current_price_fen, fuel_type or vehicle.fuel_type, "guide")


def compare(
    session: Session,
    *,
    user: User,
    vehicle: Vehicle,
    province_code: str,
    new_car: NewCar,
    mileage_km: int,
    today: date,
    program_year: int | None = None,
) -> Comparison:
    """Both choices for the owner's car, side by side, and the one that leaves more money."""
    model = session.get(CarModel, vehicle.car_model_id) if vehicle.car_model_id else None
    worth = _valuation(session, vehicle, mileage_km, today)
    scrap, scrap_note = _scrap_value(session, model)
    dealer_fen = worth.dealer_buy.mid_fen if worth else None
    dealer_note = None
    if worth is not None:
        dealer_note = Reason(
            N_("What a dealer pays for it: the valuation's dealer buy price %(price)s"),
            {"price": yuan(dealer_fen)},
        )
    sides = {}
    for kind, car_fen, note in (
        (Kind.SCRAPPING, scrap, scrap_note),
        (Kind.REPLACEMENT, dealer_fen, dealer_note),
    ):
        reasons, amount = _subsidy(
            session, user, vehicle, kind, province_code, new_car, today, program_year
        )
        subsidy = amount.fen if amount is not None and not reasons else None
        sides[kind] = Side(rules.Option(kind, subsidy, car_fen), reasons, amount, note)
    return Comparison(
        vehicle=vehicle,
        model=model,
        new_car=new_car,
        mileage_km=mileage_km,
        province_code=province_code,
        valuation=worth,
        scrapping=sides[Kind.SCRAPPING],
        replacement=sides[Kind.REPLACEMENT],
        better=rules.better(sides[Kind.SCRAPPING].option, sides[Kind.REPLACEMENT].option),
    )


def _subsidy(session, user, vehicle, kind, province_code, new_car, today, program_year):
    """Why the old car would not qualify for this kind (none: it would), and the amount.

    The old car's rules of the eligibility check (DOMAIN §1.2), asked as "if I chose this
    today": a car still in the owner's name counts as sold today for replacement renewal.
    """
    try:
        program = program_lookup.program_of_year(
            session, province_code=province_code, kind=kind, year=program_year or today.year
        )
    except NotFound as error:
        return (Reason(error.message, error.params),), None
    terms = program_lookup.program_terms(session, program)
    # Transient, like eligibility.check's: never added to the session.
    application = Application(
        program_id=program.id,
        province_code=program.province_code,
        applicant_id=user.id,
        person_id=user.person_id,
        old_vehicle_id=vehicle.id,
    )
    old = assessment.old_car_facts(session, application)
    if kind is Kind.REPLACEMENT and old.transferred_on is None:
        old = replace(old, transferred_on=today)
    reasons = subsidy_rules.old_car_reasons(terms, old)
    closed = window.may_start(terms, today)
    if closed is not None:
        reasons = [closed, *reasons]
    return tuple(reasons), amounts.amount_for_price(terms, new_car.fuel_type, new_car.price_fen)


def _scrap_value(session: Session, model: CarModel | None) -> tuple[int | None, Reason | None]:
    """DOMAIN §3.5: curb weight × the rate per tonne; unknown without a catalog model."""
    if model is None:
        return None, None
    rate = valuation_settings.current(session).scrap_fen_per_tonne
    fen = rules.scrap_value_fen(model.curb_weight_kg, rate)
    note = Reason(
        N_("Scrap value = curb weight %(kg)s kg × %(rate)s a tonne, rounded down: %(value)s"),
        {"kg": f"{model.curb_weight_kg:,}", "rate": yuan(rate), "value": yuan(fen)},
    )
    return fen, note


def _valuation(session: Session, vehicle: Vehicle, mileage_km: int, today: date):
    """The valuation of the registry car in good condition, or None when it has none."""
    try:
        return valuation.registry_car_value(session, vehicle, mileage_km=mileage_km, on=today)
    except InvalidValuationInput:
        return None


def average_mileage(vehicle: Vehicle, today: date) -> int:
    """The mileage the market's figures assume for this car's age (15,000 km a year)."""
    months = max(0, months_between(vehicle.first_registration, today))
    return DEFAULT_SETTINGS.annual_km * min(months, DEFAULT_SETTINGS.reference_months) // 12
