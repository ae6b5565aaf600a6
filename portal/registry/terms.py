"""The registry's vocabularies, shared by its models, rules and forms (pure enums)."""

from enum import StrEnum


class BodyType(StrEnum):
    SEDAN = "sedan"
    HATCHBACK = "hatchback"
    SUV = "suv"
    MPV = "mpv"
    WAGON = "wagon"
    COUPE = "coupe"
    PICKUP = "pickup"


class FuelType(StrEnum):
    PETROL = "petrol"
    DIESEL = "diesel"
    BEV = "bev"
    PHEV = "phev"
    EREV = "erev"
    HEV = "hev"

    @property
    def new_energy(self) -> bool:
        """Battery-electric, plug-in and range-extended cars carry green plates (DOMAIN §4)."""
        return self in (FuelType.BEV, FuelType.PHEV, FuelType.EREV)


class EmissionStandard(StrEnum):
    CN1 = "CN1"
    CN2 = "CN2"
    CN3 = "CN3"
    CN4 = "CN4"
    CN5 = "CN5"
    CN6A = "CN6a"
    CN6B = "CN6b"


class Usage(StrEnum):
    PRIVATE = "private"
    COMMERCIAL = "commercial"


class VehicleStatus(StrEnum):
    REGISTERED = "registered"
    TRANSFERRING = "transferring"
    SCRAPPED = "scrapped"
    DEREGISTERED = "deregistered"


class Acquisition(StrEnum):
    NEW = "new"
    TRANSFER = "transfer"
    DEALER_TEMPORARY = "dealer_temporary"
