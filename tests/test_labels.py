"""portal.labels: each feature registers the names of its stored codes in one registry."""

from enum import Enum

from flask_babel import force_locale

from portal import labels
from portal.labels import label
from portal.registry.terms import FuelType
from portal.transfer.labels import EVENT as TRANSFER_EVENT
from portal.transfer.terms import TransferStatus
from portal.valuation.terms import Grade


def test_every_member_of_a_registered_enum_has_a_name(app):
    vocabularies = [kind for kind in labels._NAMES if isinstance(kind, type)]
    assert TransferStatus in vocabularies and Grade in vocabularies
    for vocabulary in vocabularies:
        assert issubclass(vocabulary, Enum)
        missing = [member for member in vocabulary if member not in labels._NAMES[vocabulary]]
        assert missing == [], vocabulary


def test_names_are_kept_per_vocabulary(app):
    with app.test_request_context(), force_locale("en"):
        # A transfer case's "registered" is not a vehicle's.
        assert str(label(TransferStatus.REGISTERED)) == "Registered at destination"
        assert str(label("created", TRANSFER_EVENT)) == "Case opened"
        assert str(label("created")) == "created"  # a plain string names no vocabulary
        assert str(label(FuelType.BEV)) == "Battery electric"
    with app.test_request_context(), force_locale("zh"):
        assert str(label(FuelType.BEV)) == "纯电动"
    assert label(None) == "—"
