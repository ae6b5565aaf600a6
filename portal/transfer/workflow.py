"""The transfer case's state machine (pure): who may move a case from which state to which.

draft → submitted → fee_paid → inspected → released → registered → completed, with
returned (for correction), rejected and withdrawn on the side. The dealer files, the
origin province's officer inspects and releases, the destination's officer registers
and completes (DOMAIN §2.2). Payment moves a case to fee_paid (the verified webhook).
"""

from enum import StrEnum

from portal.messages import N_
from portal.transfer.terms import TransferStatus as S
from portal.workflow import IllegalTransition, Transition, available, check


class Actor(StrEnum):
    DEALER = "dealer"
    ORIGIN_OFFICER = "origin_officer"
    DESTINATION_OFFICER = "destination_officer"
    PAYMENT = "payment"  # the verified Stripe webhook


class Action(StrEnum):
    SUBMIT = "submit"
    PAY = "pay"
    INSPECT = "inspect"
    RELEASE = "release"
    REGISTER = "register"
    COMPLETE = "complete"
    RETURN = "return"
    REJECT = "reject"
    WITHDRAW = "withdraw"


TRANSITIONS = {
    Action.SUBMIT: Transition((S.DRAFT, S.RETURNED), S.SUBMITTED, (Actor.DEALER,)),
    Action.PAY: Transition((S.SUBMITTED,), S.FEE_PAID, (Actor.PAYMENT,)),
    Action.INSPECT: Transition((S.FEE_PAID,), S.INSPECTED, (Actor.ORIGIN_OFFICER,)),
    Action.RELEASE: Transition((S.INSPECTED,), S.RELEASED, (Actor.ORIGIN_OFFICER,)),
    Action.REGISTER: Transition((S.RELEASED,), S.REGISTERED, (Actor.DESTINATION_OFFICER,)),
    Action.COMPLETE: Transition((S.REGISTERED,), S.COMPLETED, (Actor.DESTINATION_OFFICER,)),
    Action.RETURN: Transition(
        (S.SUBMITTED, S.FEE_PAID, S.INSPECTED),
        S.RETURNED,
        (Actor.ORIGIN_OFFICER,),
        needs_reason=True,
    ),
    Action.REJECT: Transition(
        (S.SUBMITTED, S.FEE_PAID, S.INSPECTED, S.RELEASED),
        S.REJECTED,
        (Actor.ORIGIN_OFFICER, Actor.DESTINATION_OFFICER),
        needs_reason=True,
    ),
    Action.WITHDRAW: Transition(
        (S.DRAFT, S.SUBMITTED, S.FEE_PAID, S.RETURNED), S.WITHDRAWN, (Actor.DEALER,)
    ),
}


def next_status(
    action: Action, status: S, actors: set[Actor], *, documents_complete: bool, reason: str
) -> S:
    """The state after action, or IllegalTransition saying why it cannot happen."""
    target = check(
        TRANSITIONS,
        action,
        status,
        actors,
        reason=reason,
        wrong_state=N_("The case is %(status)s: “%(action)s” is not possible now."),
        not_yours=N_("You may not “%(action)s” this case."),
    )
    if action is Action.SUBMIT and not documents_complete:
        raise IllegalTransition(N_("Upload every required document before submitting."))
    return target


def available_actions(status: S, actors: set[Actor]) -> list[Action]:
    """What these actors could do with a case in this state (for the buttons)."""
    return [action for action in available(TRANSITIONS, status, actors) if action is not Action.PAY]


def refund_due(status: S) -> bool:
    """A fee paid for a case withdrawn before inspection is refunded (issue: fees)."""
    return status is S.FEE_PAID


# The one step an officer's queue offers for a case in each state.
QUEUE_STEPS = {
    S.FEE_PAID: Action.INSPECT,
    S.INSPECTED: Action.RELEASE,
    S.RELEASED: Action.REGISTER,
    S.REGISTERED: Action.COMPLETE,
}
# The side of the case each direction of an officer's queue acts for.
QUEUE_SIDES = {"outgoing": Actor.ORIGIN_OFFICER, "incoming": Actor.DESTINATION_OFFICER}


def queue_step(status: S, direction: str) -> Action | None:
    """The step an officer's queue offers for a case in this state, if it is the queue's
    side's: the origin's officer is never offered the destination's registration."""
    action = QUEUE_STEPS.get(status)
    side = QUEUE_SIDES.get(direction)
    if action is None or side not in TRANSITIONS[action].actors:
        return None
    return action


# DOMAIN §2.3: the buyer (the dealer clerk acting for them) chooses the new number from
# filing until the destination registers the car; registration issues it.
PLATE_CHOICE_OPEN = (S.DRAFT, S.RETURNED, S.SUBMITTED, S.FEE_PAID, S.INSPECTED, S.RELEASED)


def plate_choosable(status: S, actors: set[Actor]) -> bool:
    """Whether these actors may choose the case's new plate now (the dealer, before
    registration)."""
    return Actor.DEALER in actors and status in PLATE_CHOICE_OPEN
