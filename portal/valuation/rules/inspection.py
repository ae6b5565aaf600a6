"""A car's inspection (DOMAIN §3.2), as pure functions: its score and its grade.

An inspection sheet scores the six `InspectionPart`s (`valuation/terms.py`), whose sum is the
technical score; a user without one names a `Condition`, which stands for a score. The
score and structural damage give the `Grade`. Standard library and `portal.messages` only.
"""

from collections.abc import Mapping

from portal.messages import N_
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.terms import Grade, InspectionPart


class InvalidInspection(InvalidValuationInput):
    """An inspection sheet with a part missing, unknown or scored outside its range."""


def grade_for(score: int, structural_accident: bool) -> Grade:
    """DOMAIN §3.2: I ≥ 90, II 60–89, III 20–59, IV < 20; structural damage is V."""
    if structural_accident:
        return Grade.V
    if score >= 90:
        return Grade.I
    if score >= 60:
        return Grade.II
    return Grade.III if score >= 20 else Grade.IV


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
