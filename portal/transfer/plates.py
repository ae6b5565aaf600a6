"""The new plate of a case (DOMAIN §2.3): numbers offered, the one chosen, the one issued.

The buyer, through the dealer clerk who acts for them, picks one of a set of randomly
drawn free numbers of the destination city, or composes one that is checked as free.
The number is reserved for the case at once and issued at registration; if nobody chose,
registration draws one, so no case waits on a choice.

A reservation is held by the open case, not by a clock: a case waits days for the
origin's release, and the buyer must not lose the number meanwhile. Choosing another
number or closing the case without registration gives it back; an issued number stays
reserved. Two cases can never hold one number: a partial unique index (models.py) stops
the second even when both check at the same moment.
"""

import random
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from portal import audit, regions
from portal.accounts.models import User
from portal.audit import utcnow
from portal.db import unique_or
from portal.errors import Conflict
from portal.messages import N_
from portal.registry import services as registry
from portal.registry.models import Vehicle
from portal.transfer import rules, services, workflow
from portal.transfer.models import PlateReservation, TransferCase

DRAW_ROUNDS = 20  # rounds of drawing before a city is declared out of free numbers
_random = random.SystemRandom()


@dataclass(frozen=True)
class Offer:
    """What the buyer chooses from: the city's prefix, free numbers, the current choice."""

    prefix: str
    new_energy: bool
    numbers: list[str]
    chosen: str | None


def prefix_of(case: TransferCase) -> str:
    """The plate prefix of the destination city (DOMAIN §4: 浙A = Hangzhou)."""
    return regions.city(case.destination_city_code).plate_prefixes[0]


def free_of(session: Session, plates: list[str]) -> list[str]:
    """The numbers of the list no car carries and no case holds, in order (two queries)."""
    live = PlateReservation.released_at.is_(None)
    taken = set(session.exec(select(Vehicle.plate).where(Vehicle.plate.in_(plates))).all())
    taken |= set(
        session.exec(
            select(PlateReservation.plate).where(PlateReservation.plate.in_(plates), live)
        ).all()
    )
    return [plate for plate in plates if plate not in taken]


def _check_may_choose(case: TransferCase, user: User) -> None:
    actors = services.actors_for(user, case)
    if not workflow.plate_choosable(case.status, actors):
        if workflow.Actor.DEALER not in actors:
            raise Conflict(N_("Only the dealer who filed the case chooses its new plate."))
        raise Conflict(
            N_("The case is %(status)s: the new plate can no longer be chosen."),
            status=case.status,
        )


def offer(session: Session, *, user: User, case: TransferCase, count: int) -> Offer:
    """count free numbers of the destination's format, drawn at random (DOMAIN §2.3)."""
    _check_may_choose(case, user)
    vehicle = session.get(Vehicle, case.vehicle_id)
    prefix, numbers = prefix_of(case), dict[str, None]()
    for _ in range(DRAW_ROUNDS):
        drawn = rules.draw_plates(prefix, vehicle.fuel_type, _random, count - len(numbers))
        numbers.update(dict.fromkeys(free_of(session, drawn)))
        if len(numbers) >= count:
            break
    # Drawn at random, shown in order: a person scans a sorted list for a number they like.
    in_order = sorted(list(numbers)[:count])
    return Offer(prefix, vehicle.fuel_type.new_energy, in_order, case.new_plate)


def choose(session: Session, *, user: User, case: TransferCase, text: str) -> str:
    """Reserve the number the buyer picked or composed for the case; the old choice is freed.

    InvalidIdentifier when it is not of the destination's format, Conflict when it is taken
    or another case reserved it in the same moment.
    """
    _check_may_choose(case, user)
    vehicle = session.get(Vehicle, case.vehicle_id)
    plate = rules.chosen_plate(text, prefix=prefix_of(case), fuel_type=vehicle.fuel_type)
    if plate == case.new_plate:
        return plate
    if not free_of(session, [plate]):
        raise Conflict(N_("%(plate)s is taken. Choose another number."), plate=plate)
    lost = Conflict(
        N_("%(plate)s was reserved for another case just now. Choose another number."),
        plate=plate,
    )
    with unique_or(session, lost):
        _hold_open(session, case)
        release(session, case)
        _reserve(session, case, plate, user)
    audit.record(
        session,
        actor_id=user.id,
        entity="transfer_case",
        entity_id=case.id,
        action="plate_chosen",
        detail={"plate": plate},
    )
    return plate


def _hold_open(session: Session, case: TransferCase) -> None:
    """Lock the case while it may still be chosen for. A withdrawal, rejection or
    registration that committed since the case was read makes the choice a 409, instead
    of a number reserved for a closed case; one that comes later waits for this choice,
    then gives the number back (withdrawal) or issues it (registration)."""
    held = session.execute(
        update(TransferCase)
        .where(TransferCase.id == case.id, TransferCase.status.in_(workflow.PLATE_CHOICE_OPEN))
        .values(updated_at=utcnow())
    )
    if held.rowcount != 1:
        raise Conflict(N_("Someone else changed this case just now. Reload and try again."))


def _reserve(session: Session, case: TransferCase, plate: str, user: User | None) -> None:
    session.add(
        PlateReservation(plate=plate, case_id=case.id, reserved_by=user.id if user else None)
    )
    case.new_plate, case.updated_at = plate, utcnow()
    session.add(case)
    session.flush()


def release(session: Session, case: TransferCase) -> None:
    """Give back the number the case holds (a changed choice, a case closed unregistered)."""
    session.execute(
        update(PlateReservation)
        .where(PlateReservation.case_id == case.id, PlateReservation.released_at.is_(None))
        .values(released_at=utcnow())
    )
    case.new_plate = None
    session.add(case)


def issue(session: Session, *, case: TransferCase, user: User | None) -> None:
    """At registration: the chosen number, or one drawn now if nobody chose (DOMAIN §2.3)."""
    if case.new_plate is not None:
        if registry.plate_taken(session, case.new_plate):
            # A car of the authority's registry extract may have brought it since.
            raise Conflict(
                N_("The chosen plate %(plate)s is now on a car; the dealer must choose again."),
                plate=case.new_plate,
            )
        return
    vehicle = session.get(Vehicle, case.vehicle_id)
    none_free = Conflict(N_("No free plate could be found; try again."))
    for _ in range(DRAW_ROUNDS):
        plate = rules.new_plate(prefix_of(case), vehicle.fuel_type, _random)
        if not free_of(session, [plate]):
            continue
        try:
            with unique_or(session, none_free):
                _reserve(session, case, plate, user)
        except Conflict:
            continue  # another case reserved it in the same moment: draw again
        return
    raise none_free
