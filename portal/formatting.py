"""Template helpers: translated labels for stored codes, times in Asia/Shanghai, masks."""

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from portal import regions
from portal.accounts.models import Role
from portal.admin.models import JobStatus
from portal.registry.terms import (
    Acquisition,
    BodyType,
    EmissionStandard,
    FuelType,
    Usage,
    VehicleStatus,
)

LABELS = {
    Role.OWNER: _l("Car owner"),
    Role.DEALER: _l("Dealer staff"),
    Role.REVIEWER: _l("Subsidy reviewer"),
    Role.OFFICER: _l("Transfer officer"),
    Role.ADMIN: _l("Administrator"),
    BodyType.SEDAN: _l("Sedan"),
    BodyType.HATCHBACK: _l("Hatchback"),
    BodyType.SUV: _l("SUV"),
    BodyType.MPV: _l("MPV"),
    BodyType.WAGON: _l("Estate"),
    BodyType.COUPE: _l("Coupé"),
    BodyType.PICKUP: _l("Pickup"),
    FuelType.PETROL: _l("Petrol"),
    FuelType.DIESEL: _l("Diesel"),
    FuelType.BEV: _l("Battery electric"),
    FuelType.PHEV: _l("Plug-in hybrid"),
    FuelType.EREV: _l("Range-extended electric"),
    FuelType.HEV: _l("Hybrid"),
    EmissionStandard.CN1: _l("China I"),
    EmissionStandard.CN2: _l("China II"),
    EmissionStandard.CN3: _l("China III"),
    EmissionStandard.CN4: _l("China IV"),
    EmissionStandard.CN5: _l("China V"),
    EmissionStandard.CN6A: _l("China VI-a"),
    EmissionStandard.CN6B: _l("China VI-b"),
    Usage.PRIVATE: _l("Private"),
    Usage.COMMERCIAL: _l("Commercial"),
    VehicleStatus.REGISTERED: _l("Registered"),
    VehicleStatus.TRANSFERRING: _l("Being transferred"),
    VehicleStatus.SCRAPPED: _l("Scrapped"),
    VehicleStatus.DEREGISTERED: _l("Deregistered"),
    Acquisition.NEW: _l("Registered new"),
    Acquisition.TRANSFER: _l("Transfer"),
    Acquisition.DEALER_TEMPORARY: _l("Dealer temporary ownership"),
    JobStatus.QUEUED: _l("Queued"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Finished"),
    JobStatus.FAILED: _l("Failed"),
}


def label(value) -> str:
    """The translated name of a stored code; unknown values are shown as they are."""
    return LABELS.get(value, value if value is not None else "—")


def region_name(code: str | None) -> str:
    """A city or province name in the user's language, from its administrative code."""

    place = regions.city(code) or regions.province(code) if code else None
    if place is None:
        return code or "—"
    return place.name_zh if str(get_locale()).startswith("zh") else place.name_en


def register(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.filters.update(
        label=label,
        region=region_name,
        datetime=lambda value: format_datetime(value, "short") if value else "—",
        date=lambda value: format_date(value, "medium") if value else "—",
    )
    app.jinja_env.globals.update(current_locale=get_locale)
