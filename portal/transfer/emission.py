"""Destination cities' emission rules (DOMAIN §2.1), as administrators keep them."""

from dataclasses import dataclass

from sqlmodel import Session, select

from portal import audit, regions
from portal.audit import utcnow
from portal.errors import DomainError, NotFound
from portal.messages import N_
from portal.transfer import rules
from portal.transfer.models import EmissionRule
from portal.transfer.terms import EmissionAcceptance


@dataclass(frozen=True)
class CityRule:
    city: regions.City
    acceptance: EmissionAcceptance
    default: bool  # no row: the city accepts what the national rule lets it refuse


def acceptance_for(session: Session, city_code: str) -> EmissionAcceptance:
    """The city's rule: its own row, else the strictest the national rule allows it."""
    rule = session.get(EmissionRule, city_code)
    if rule is not None:
        return rule.acceptance
    return rules.strictest_allowed(regions.city(city_code).key_region)


def rules_of_province(session: Session, province_code: str) -> list[CityRule]:
    """Every city of a province with its rule, in one query."""
    cities = regions.cities(province_code)
    if not cities:
        raise NotFound(N_("There is no such province."))
    statement = select(EmissionRule).where(EmissionRule.city_code.in_([c.code for c in cities]))
    stored = {rule.city_code: rule.acceptance for rule in session.exec(statement)}
    return [
        CityRule(
            city,
            stored.get(city.code, rules.strictest_allowed(city.key_region)),
            city.code not in stored,
        )
        for city in cities
    ]


def set_rule(
    session: Session, *, city_code: str, acceptance: EmissionAcceptance, actor_id: int
) -> None:
    """Change a city's rule; never stricter than the national rule allows (§2.1)."""
    city = regions.city(city_code)
    if city is None:
        raise NotFound(N_("There is no such city."))
    if acceptance is EmissionAcceptance.CN5_OR_BETTER and not city.key_region:
        raise DomainError(
            N_(
                "%(city)s is outside the key air-pollution control regions: it must accept "
                "every emission standard."
            ),
            city=city.name_zh,
        )
    rule = session.get(EmissionRule, city_code)
    before = rule.acceptance.value if rule else None
    if rule is None:
        rule = EmissionRule(city_code=city_code, acceptance=acceptance)
    rule.acceptance, rule.updated_by, rule.updated_at = acceptance, actor_id, utcnow()
    session.add(rule)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        entity="emission_rule",
        entity_id=int(city_code),
        action="changed",
        from_state=before,
        to_state=acceptance.value,
    )
