"""The valuation's configurable values, set by an administrator (DOMAIN §3.1, §3.3, §2.2).

One row in `valuation_settings`; until an administrator saves it, the seeded defaults of
DOMAIN apply. The engine's `Settings` (`rules/facts.py`) check that the values hold together
(weights add up to 1, age always costs more than expected mileage earns), so a bad
combination is refused with the field it concerns.
"""

from dataclasses import dataclass, fields
from decimal import Decimal

from sqlmodel import Session

from portal import audit, cache, db
from portal.accounts.models import User
from portal.audit import utcnow
from portal.messages import N_
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.models import ValuationSettings
from portal.valuation.rules import facts

EDITABLE = (
    "weight_age",
    "mileage_step_rate",
    "mileage_cap",
    "dealer_buy_rate",
    "retail_rate",
    "range_rate",
    "min_comparables",
    "key_region_old_factor",
    "undervalued_share",
    "scrap_fen_per_tonne",
)


@dataclass(frozen=True)
class Values:
    """The settings as the services use them."""

    engine: facts.Settings
    # DOMAIN §2.1 and §3.1 region adjustment: a National IV or older car in a key
    # air-pollution region, where it may be refused on transfer in, finds fewer buyers.
    key_region_old_factor: Decimal
    # DOMAIN §2.2: a transfer priced under this share of the private price is flagged.
    undervalued_share: Decimal
    # DOMAIN §3.5: what a certified recycler pays per tonne of curb weight.
    scrap_fen_per_tonne: int


MAX_SCRAP_FEN_PER_TONNE = 2_000_000
ENGINE_FIELDS = {f.name for f in fields(facts.Settings)}
DEFAULTS = {
    **{f.name: f.default for f in fields(facts.Settings) if f.name in EDITABLE},
    "key_region_old_factor": Decimal("0.95"),
    "undervalued_share": Decimal("0.5"),
    "scrap_fen_per_tonne": 120_000,  # DOMAIN §3.5 demo: ¥1,200 a tonne for passenger cars
}


def row(session: Session) -> ValuationSettings:
    """The saved settings, or the defaults (not added to the session)."""
    return session.get(ValuationSettings, 1) or ValuationSettings(id=1, **DEFAULTS)


CACHE_NAME = "valuation-settings"


def current(session: Session) -> Values:
    """The settings in force: this process's copy, read again after an administrator saves.

    A valuation page and a transfer filing each need them; reading the row every time
    was a tenth of their queries (portal/cache.py keeps the copy and its version).
    """

    def load() -> Values:
        saved = row(session)
        return values_of({name: getattr(saved, name) for name in EDITABLE})

    return cache.versioned(CACHE_NAME, load)


def values_of(typed: dict) -> Values:
    """Check the values together (InvalidValuationInput names the field) and build them."""
    for name in ("key_region_old_factor", "undervalued_share"):
        if not 0 < typed[name] <= 1:
            raise InvalidValuationInput(name, N_("Enter a share above 0 and at most 1."))
    if not 0 <= typed["scrap_fen_per_tonne"] <= MAX_SCRAP_FEN_PER_TONNE:
        raise InvalidValuationInput("scrap_fen_per_tonne", N_("Enter 0 to 20,000 yuan."))
    engine_values = {name: typed[name] for name in EDITABLE if name in ENGINE_FIELDS}
    settings = facts.Settings(weight_technical=1 - typed["weight_age"], **engine_values)
    return Values(
        settings,
        typed["key_region_old_factor"],
        typed["undervalued_share"],
        typed["scrap_fen_per_tonne"],
    )


def update(session: Session, *, user: User, typed: dict) -> None:
    """Save new values after checking them; the change is audited."""
    values_of(typed)
    saved = row(session)
    changes = {
        name: [str(getattr(saved, name)), str(typed[name])]
        for name in EDITABLE
        if getattr(saved, name) != typed[name]
    }
    if not changes:
        return
    for name in EDITABLE:
        setattr(saved, name, typed[name])
    saved.updated_by, saved.updated_at = user.id, utcnow()
    session.add(saved)
    session.flush()
    db.after_commit(lambda: cache.bump(CACHE_NAME))
    audit.record(
        session,
        actor_id=user.id,
        entity="valuation_settings",
        entity_id=1,
        action="updated",
        detail=changes,
    )
