"""Translated names of the registry's stored codes (body, fuel, emission, usage, status)."""

from flask_babel import lazy_gettext as _l

from portal.registry.terms import (
    Acquisition,
    BodyType,
    EmissionStandard,
    FuelType,
    Usage,
    VehicleStatus,
)

LABELS = {
    BodyType: {
        BodyType.SEDAN: _l("Sedan"),
        BodyType.HATCHBACK: _l("Hatchback"),
        BodyType.SUV: _l("SUV"),
        BodyType.MPV: _l("MPV"),
        BodyType.WAGON: _l("Estate"),
        BodyType.COUPE: _l("Coupé"),
        BodyType.PICKUP: _l("Pickup"),
    },
    FuelType: {
        FuelType.PETROL: _l("Petrol"),
        FuelType.DIESEL: _l("Diesel"),
        FuelType.BEV: _l("Battery electric"),
        FuelType.PHEV: _l("Plug-in hybrid"),
        FuelType.EREV: _l("Range-extended electric"),
        FuelType.HEV: _l("Hybrid"),
    },
    EmissionStandard: {
        EmissionStandard.CN1: _l("China I"),
        EmissionStandard.CN2: _l("China II"),
        EmissionStandard.CN3: _l("China III"),
        EmissionStandard.CN4: _l("China IV"),
        EmissionStandard.CN5: _l("China V"),
        EmissionStandard.CN6A: _l("China VI-a"),
        EmissionStandard.CN6B: _l("China VI-b"),
    },
    Usage: {
        Usage.PRIVATE: _l("Private"),
        Usage.COMMERCIAL: _l("Commercial"),
    },
    VehicleStatus: {
        VehicleStatus.REGISTERED: _l("Registered"),
        VehicleStatus.TRANSFERRING: _l("Being transferred"),
        VehicleStatus.SCRAPPED: _l("Scrapped"),
        VehicleStatus.DEREGISTERED: _l("Deregistered"),
    },
    Acquisition: {
        Acquisition.NEW: _l("Registered new"),
        Acquisition.TRANSFER: _l("Transfer"),
        Acquisition.DEALER_TEMPORARY: _l("Dealer temporary ownership"),
    },
}
