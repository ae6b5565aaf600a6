"""What the scrap-or-sell panel shows, for its own page and the subsidy wizard's first step."""

from portal.audit import china_today
from portal.errors import DomainError, translate
from portal.registry.terms import FuelType
from portal.subsidy.compare import services
from portal.subsidy.compare.forms import CompareForm


def first_look(session, user) -> dict:
    """The comparison for the owner's first car with the assumed figures, for the wizard."""
    cars = services.held_cars(session, user=user)
    form = CompareForm(None)
    form.offer(cars)
    return {"comparison": comparison_of(session, user, form, cars) if cars else None, "cars": cars}


def comparison_of(session, user, form: CompareForm, cars):
    """The comparison for the form's car; None with the price's field error when unknown."""
    vehicle = next(car for car in cars if car.vin == form.vin.data)
    fuel = FuelType(form.fuel.data) if form.fuel.data else None
    today = china_today()
    try:
        new_car = services.new_car_of(
            session,
            user=user,
            vehicle=vehicle,
            price_fen=getattr(form.price, "fen", None) if form.price.data else None,
            fuel_type=fuel,
        )
    except DomainError as error:
        form.price.errors = [translate(error)]
        return None
    mileage = form.mileage.data
    return services.compare(
        session,
        user=user,
        vehicle=vehicle,
        province_code=form.province.data,
        new_car=new_car,
        mileage_km=services.average_mileage(vehicle, today) if mileage is None else mileage,
        today=today,
    )
