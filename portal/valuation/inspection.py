"""The vocabulary of a car's inspection (DOMAIN §3.2), as pure values and functions.

A user without an inspection names a `Condition`, which stands for a score; an inspection
sheet scores the six `InspectionPart`s, whose sum is the technical score. The score and
structural damage give the `Grade`. Standard library and `portal.messages` only.
"""

from collections.abc import Mapping
from enum import StrEnum

from portal.messages import N_
from portal.valuation.errors import InvalidValuationInput


class InvalidInspection(InvalidValuationInput):
    """An inspection sheet with a part missing, unknown or scored outside its range."""


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


def grade_for(score: int, structural_accident: bool) -> Grade:
    """DOMAIN §3.2: I ≥ 90, II 60–89, III 20–59, IV < 20; structural damage is V."""
    if structural_accident:
        return Grade.V
    if score >= 90:
        return Grade.I
    if score >= 60:
        return Grade.II
    return Grade.III if score >= 20 else Grade.IV


class InspectionPart(StrEnum):
    BODY = "body"
    ENGINE_BAY = "engine_bay"
    CABIN = "cabin"
    START_UP = "start_up"
    ROAD_TEST = "road_test"
    CHASSIS = "chassis"


# The points each part can score, 100 in all (DOMAIN §3.2).
INSPECTION_PARTS = dict(zip(InspectionPart, (20, 20, 10, 20, 15, 15), strict=True))


def inspection_score(parts: Mapping[str, int]) -> int:
    """The technical score: the sum of the six parts, each within its maximum (DOMAIN §3.2)."""
    unknown = sorted(set(parts) - set(INSPECTION_PARTS))
    if unknown:
        message = N_("%(part)s is not an inspection part.")
        raise InvalidInspection(unknown[0], message, part=unknown[0])
    for part, maximum in INSPECTION_PARTS.items():
        points = parts.get(part)
        if type(points) is not int or not 0 <= points <= maximum:
            message = N_("Score the %(part)s from 0 to %(maximum)s points.")
            raise InvalidInspection(part.value, message, part=part, maximum=maximum)
    return sum(parts[part] for part in INSPECTION_PARTS)
