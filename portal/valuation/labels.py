"""Translated names of the valuation feature's stored codes: condition, grade, method, parts,
class."""

from flask_babel import lazy_gettext as _l

from portal.valuation.terms import Condition, Grade, InspectionPart, Method, VehicleClass

LABELS = {
    Condition: {
        Condition.EXCELLENT: _l("Excellent"),
        Condition.GOOD: _l("Good"),
        Condition.FAIR: _l("Fair"),
        Condition.POOR: _l("Poor"),
        Condition.ACCIDENT: _l("Accident car"),
    },
    Grade: {
        Grade.I: _l("Grade I"),
        Grade.II: _l("Grade II"),
        Grade.III: _l("Grade III"),
        Grade.IV: _l("Grade IV"),
        Grade.V: _l("Grade V (accident car)"),
    },
    Method: {
        Method.REPLACEMENT_COST: _l("Replacement cost"),
        Method.MARKET: _l("Market comparables"),
    },
    InspectionPart: {
        InspectionPart.BODY: _l("Body and paint"),
        InspectionPart.ENGINE_BAY: _l("Engine bay"),
        InspectionPart.CABIN: _l("Cabin"),
        InspectionPart.START_UP: _l("Start-up"),
        InspectionPart.ROAD_TEST: _l("Road test"),
        InspectionPart.CHASSIS: _l("Chassis"),
    },
    VehicleClass: {
        VehicleClass.SMALL_CAR: _l("Small car"),
        VehicleClass.COMPACT_CAR: _l("Compact car"),
        VehicleClass.MIDSIZE_CAR: _l("Mid-size car"),
        VehicleClass.LARGE_CAR: _l("Medium-large car"),
        VehicleClass.SMALL_SUV: _l("Small SUV"),
        VehicleClass.COMPACT_SUV: _l("Compact SUV"),
        VehicleClass.MIDSIZE_SUV: _l("Mid-size SUV"),
        VehicleClass.LARGE_SUV: _l("Medium-large SUV"),
        VehicleClass.MPV: _l("MPV"),
    },
}
