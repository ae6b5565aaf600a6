"""What the scrap-or-sell page and the wizard's first step show (DOMAIN §3.5): the
comparison for the chosen car, with a price the applicant typed checked as a field."""

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
    return {"comparison": comparison(session, user, form, cars) if cars else None, "cars": cars}


def comparison(session, user, form: CompareForm, cars):
    """The comparison for the chosen car (the first by default); None with a field error."""
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
