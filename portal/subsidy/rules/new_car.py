"""The new car as the owner types it: what the page's form and the JSON API both refuse.

Each check answers None or the message template of its refusal (DOMAIN §1.3: the new
car's registration certificate and invoice). The assessment (`eligibility`) then weighs
the car against the program; these only keep impossible entries out.
"""

from datetime import date

from portal.messages import N_
from portal.registry.terms import FuelType


def registration_date_problem(registered: date, today: date) -> str | None:
    """A car cannot have been registered after today."""
    return N_("The registration date cannot be in the future.") if registered > today else None


def invoice_date_problem(dated: date, today: date) -> str | None:
    """An invoice cannot be dated after today."""
    return N_("The invoice date cannot be in the future.") if dated > today else None


def displacement_problem(fuel: FuelType, displacement_ml: int | None) -> str | None:
    """A car with an engine states its displacement (§1.2: fuel cars qualify up to a limit)."""
    if not fuel.new_energy and displacement_ml is None:
        return N_("Enter the displacement of a car with an engine.")
    return None
