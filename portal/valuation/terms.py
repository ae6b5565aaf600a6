"""The valuation feature's vocabularies (pure enums), shared by models, rules, forms and API.

DOMAIN §3.1 (the two methods), §3.2 (conditions, inspection parts, grades) and §3.4 (the
classes the market's retention rates are published for).
"""

from enum import StrEnum


class Method(StrEnum):
    REPLACEMENT_COST = "replacement_cost"
    MARKET = "market"


class Condition(StrEnum):
    """What a user without an inspection says of the car (DOMAIN §3.2)."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    ACCIDENT = "accident"

    @property
    def score(self) -> int:
        """A score near the middle of the condition's range."""
        return CONDITION_SCORES[self]

    @property
    def structural_accident(self) -> bool:
        """Only an accident car has structural damage (grade V)."""
        return self is Condition.ACCIDENT


# DOMAIN §3.2 ranges: excellent 90–100, good 75–89, fair 60–74, poor 20–59. An accident car
# is grade V whatever its score; we assume the damage left the rest in poor condition.
CONDITION_SCORES = {"excellent": 95, "good": 82, "fair": 67, "poor": 40, "accident": 40}


class Grade(StrEnum):
    I = "I"  # noqa: E741 - the standard numbers its grades in Roman numerals
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"


class InspectionPart(StrEnum):
    BODY = "body"
    ENGINE_BAY = "engine_bay"
    CABIN = "cabin"
    START_UP = "start_up"
    ROAD_TEST = "road_test"
    CHASSIS = "chassis"


class VehicleClass(StrEnum):
    """The classes the China Automobile Dealers Association publishes retention rates for."""

    SMALL_CAR = "small_car"
    COMPACT_CAR = "compact_car"
    MIDSIZE_CAR = "midsize_car"
    LARGE_CAR = "large_car"  # medium-large
    SMALL_SUV = "small_suv"
    COMPACT_SUV = "compact_suv"
    MIDSIZE_SUV = "midsize_suv"
    LARGE_SUV = "large_suv"  # medium-large
    MPV = "mpv"
