"""Moving a case through its workflow, and the registry change when it completes.

Each step is one conditional UPDATE (`... WHERE status = :from`), so two officers
clicking at once cannot both move the case; the loser gets a 409.
"""

from sqlalchemy import update
from sqlmodel import Session

from portal import audit, regions
from portal.accounts.models import User
from portal.audit import utcnow
from portal.db import unique_or
from portal.errors import Conflict
from portal.limits import NOTE_LENGTH
from portal.messages import N_
from portal.notices import services as notices
from portal.payments import refunds
from portal.payments import services as payments
from portal.registry import services as registry
from portal.registry.models import Vehicle
from portal.transfer import documents, fees, plates, services, workflow
from portal.transfer.errors import FilingRefused
from portal.transfer.models import TransferCase
from portal.transfer.terms import BuyerKind, TransferStatus
from portal.transfer.workflow import Action, Actor
from portal.workflow import IllegalTransition


def act(
    session: Session,
    *,
    user: User | None,
    case: TransferCase,
    action: Action,
    reason: str = "",
    actors: set[Actor] | None = None,
    stripe_config=None,
) -> TransferCase:
    """Carry out action on the case for the user (or the payment webhook, with actors).

    stripe_config is needed to refund the fees of a case withdrawn after paying.
    """
    actors = actors if actors is not None else services.actors_for(user, case)
    held = documents.documents_of(session, case)
    complete = all(kind in held for kind in documents.required_documents(session, case))
    try:
        target = workflow.next_status(
            action, case.status, actors, documents_complete=complete, reason=reason
        )
    except IllegalTransition as error:
        raise Conflict(error.message, **error.params) from error
    before = case.status
    _before_move(session, case, action)
    moved = session.execute(
        update(TransferCase)
        .where(TransferCase.id == case.id, TransferCase.status == before)
        .values(
            status=target, updated_at=utcnow(), reason=reason.strip()[:NOTE_LENGTH] or case.reason
        )
    )
    if moved.rowcount != 1:
        raise Conflict(N_("Someone else changed this case just now. Reload and try again."))
    session.refresh(case)
    _after_move(session, case, action, user)
    if action is Action.WITHDRAW and workflow.refund_due(before):
        refunds.refund_purpose(
            session,
            purpose_kind=fees.PURPOSE,
            purpose_id=case.id,
            reason="withdrawn before inspection",
            actor_id=user.id if user else None,
            stripe_config=stripe_config,
        )
    audit.record(
        session,
        actor_id=user.id if user else None,
        entity="transfer_case",
        entity_id=case.id,
        action=action.value,
        from_state=before.value,
        to_state=target.value,
        detail={"reason": reason.strip()} if reason else None,
    )
    _tell_the_dealer(session, case, action, reason)
    return case


# DOMAIN §6: the steps the dealer who filed the case waits for, and the notice of each.
NOTICE_OF_STEP = {
    Action.SUBMIT: "transfer_filed",
    Action.RELEASE: "transfer_released",
    Action.REGISTER: "transfer_registered",
    Action.COMPLETE: "transfer_completed",
    Action.RETURN: "transfer_refused",
    Action.REJECT: "transfer_refused",
}


def _tell_the_dealer(session: Session, case: TransferCase, action: Action, reason: str) -> None:
    kind = NOTICE_OF_STEP.get(action)
    if kind is None:
        return
    vehicle = session.get(Vehicle, case.vehicle_id)
    params = {
        "number": case.number,
        "vin": vehicle.vin,
        "destination": {"region": case.destination_city_code},
        "step": {"label": "transfer_action", "value": action.value},
        "reason": reason.strip(),
    }
    link = f"/transfers/{case.id}"
    notices.notify(session, user_id=case.created_by, kind=kind, params=params, link=link)


def _before_move(session: Session, case: TransferCase, action: Action) -> None:
    if action is Action.SUBMIT:
        # The registry may have changed since the draft (a new mortgage, a fine).
        vehicle = session.get(Vehicle, case.vehicle_id)
        problems = services.refiling_problems(session, case, vehicle)
        if problems:
            raise FilingRefused(problems)


def _after_move(session: Session, case: TransferCase, action: Action, user: User | None):
    vehicle = session.get(Vehicle, case.vehicle_id)
    actor_id = user.id if user else None
    if action is Action.SUBMIT:
        case.submitted_at = utcnow()
        registry.set_transferring(
            session, vehicle=vehicle, transferring=True, actor_id=actor_id, case=case.number
        )
    elif action in (Action.WITHDRAW, Action.REJECT):  # closed unregistered
        registry.set_transferring(
            session, vehicle=vehicle, transferring=False, actor_id=actor_id, case=case.number
        )
        plates.release(session, case)
    elif action is Action.REGISTER:
        plates.issue(session, case=case, user=user)
    elif action is Action.COMPLETE:
        _complete(session, case, vehicle, user)
    session.add(case)


def _complete(session: Session, case: TransferCase, vehicle: Vehicle, user: User | None):
    """Move the vehicle to the buyer in the registry, in the same transaction (§2)."""
    destination = regions.city(case.destination_city_code)
    buyer = registry.holder_for_buyer(
        session,
        kind="person" if case.buyer_kind is BuyerKind.PERSON else "company",
        name=case.buyer_name,
        id_hash=case.buyer_id_hash,
        id_masked=case.buyer_id_masked,
        uscc=case.buyer_uscc,
        city_code=destination.code,
    )
    with unique_or(session, Conflict(N_("The new plate was taken just now. Register again."))):
        registry.transfer_vehicle(
            session,
            vehicle=vehicle,
            buyer=buyer,
            sale_date=case.sale_date,
            via_dealer_id=case.dealer_id if case.dealer_temporary else None,
            city_code=destination.code,
            plate=case.new_plate,
            actor_id=user.id if user else None,
            reference=case.number,
        )
    case.completed_at = utcnow()


@payments.on_paid(fees.PURPOSE)
def mark_paid(session: Session, case_id: int, payment) -> None:
    """The payments feature's handler: a verified payment moves a submitted case on."""
    case = session.get(TransferCase, case_id)
    if case is None:
        raise payments.PurposeMissing(case_id)
    if case.status is not TransferStatus.SUBMITTED:
        return
    act(session, user=None, case=case, action=Action.PAY, actors={Actor.PAYMENT})
