"""The one registry of translated names for stored codes; each feature registers its own.

A vocabulary is an enum class, whose members are the codes, or a dotted name for codes
kept as plain strings, such as a feature's audit actions ("transfer.event"). Names are
kept per vocabulary: StrEnum members equal their strings, so one flat dict would mix up
e.g. a vehicle's "registered" and a transfer case's "registered".

Features keep their names in their own `labels.py` (a `LABELS` dict, vocabulary → code →
lazily translated name); create_app registers them, and templates, forms, errors and
PDFs look them up here. This module imports nothing of the portal, so anything may use it.
"""

from collections.abc import Mapping
from typing import Any

_NAMES: dict[Any, Mapping[Any, Any]] = {}


def register(labels: Mapping[Any, Mapping[Any, Any]]) -> None:
    """Add a feature's names, vocabulary by vocabulary (registering again replaces them)."""
    _NAMES.update(labels)


def label(value, vocabulary=None) -> str:
    """The translated name of a stored code; unknown codes are shown as they are.

    The vocabulary is the value's enum class unless named (for plain-string codes).
    """
    if value is None:
        return "—"
    return _NAMES.get(vocabulary or type(value), {}).get(value, value)
