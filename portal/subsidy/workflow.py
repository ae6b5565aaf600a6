"""The application's state machine (pure): who may move it from which state to which.

draft → submitted → approved → paying → paid, with returned (for correction), rejected
and withdrawn beside review, and payout_failed → retried (approved), account_returned
(the applicant fixes the card) or payout_cancelled after the bank refuses (DOMAIN §1.4).
An application with a fraud flag needs two approvals by two reviewers (issue: review).
"""

from enum import StrEnum

from portal.messages import N_
from portal.subsidy.terms import Status as S
from portal.workflow import Transition, available, check


class Actor(StrEnum):
    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class Action(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    BATCH = "batch"
    PAY = "pay"
    FAIL = "fail"
    RETRY = "retry"
    RETURN_ACCOUNT = "return_account"
    FIX_ACCOUNT = "fix_account"
    CANCEL_PAYOUT = "cancel_payout"


TRANSITIONS = {
    Action.SUBMIT: Transition((S.DRAFT, S.RETURNED), S.SUBMITTED, (Actor.APPLICANT,)),
    Action.WITHDRAW: Transition(
        (S.DRAFT, S.SUBMITTED, S.RETURNED), S.WITHDRAWN, (Actor.APPLICANT,)
    ),
    Action.APPROVE: Transition((S.SUBMITTED,), S.APPROVED, (Actor.REVIEWER,)),
    Action.REJECT: Transition((S.SUBMITTED,), S.REJECTED, (Actor.REVIEWER,), needs_reason=True),
    Action.RETURN: Transition((S.SUBMITTED,), S.RETURNED, (Actor.REVIEWER,), needs_reason=True),
    Action.BATCH: Transition((S.APPROVED,), S.PAYING, (Actor.ADMIN,)),
    Action.PAY: Transition((S.PAYING,), S.PAID, (Actor.ADMIN,)),
    Action.FAIL: Transition((S.PAYING,), S.PAYOUT_FAILED, (Actor.ADMIN,)),
    Action.RETRY: Transition((S.PAYOUT_FAILED,), S.APPROVED, (Actor.ADMIN,)),
    Action.RETURN_ACCOUNT: Transition(
        (S.PAYOUT_FAILED,), S.ACCOUNT_RETURNED, (Actor.ADMIN,), needs_reason=True
    ),
    Action.FIX_ACCOUNT: Transition((S.ACCOUNT_RETURNED,), S.APPROVED, (Actor.APPLICANT,)),
    Action.CANCEL_PAYOUT: Transition(
        (S.PAYOUT_FAILED,), S.PAYOUT_CANCELLED, (Actor.ADMIN,), needs_reason=True
    ),
}


def next_status(action: Action, status: S, actors: set[Actor], *, reason: str = "") -> S:
    """The state after action, or IllegalTransition saying why it cannot happen."""
    return check(
        TRANSITIONS,
        action,
        status,
        actors,
        reason=reason,
        wrong_state=N_("The application is %(status)s: “%(action)s” is not possible now."),
        not_yours=N_("You may not “%(action)s” this application."),
    )


def available_actions(status: S, actors: set[Actor]) -> list[Action]:
    """What these actors could do with an application in this state (for the buttons)."""
    return available(TRANSITIONS, status, actors)


def awaits_decision(status: S) -> bool:
    """A reviewer may decide it now: approve, reject or return it."""
    return status in TRANSITIONS[Action.APPROVE].sources


def approvable_from_queue(status: S, flagged: bool) -> bool:
    """One click in the queue may approve it; a flagged one needs its own page (four eyes)."""
    return awaits_decision(status) and not flagged


def needs_second_approval(flagged: bool, first_approver_id: int | None) -> bool:
    """A flagged application's first approval only records the first pair of eyes."""
    return flagged and first_approver_id is None
