"""The fees of a case (DOMAIN §2.2) and their online payment through the payments feature.

Only the verified payment webhook moves a case on (steps.py); starting a payment here
changes nothing on the case itself.
"""

from sqlmodel import Session

from portal.accounts.models import User
from portal.errors import Conflict, NotFound
from portal.messages import N_
from portal.payments import services as payments
from portal.transfer import services
from portal.transfer.models import TransferCase
from portal.transfer.terms import TransferStatus
from portal.transfer.workflow import Actor

PURPOSE = "transfer_case"  # what the payments feature calls a case's fee


def case_fees(session: Session, case: TransferCase) -> list[tuple[str, int]]:
    """The fee items a case pays (DOMAIN §2.2), as (fee code, amount in fen)."""
    codes = ["transfer_filing", "plate_pair", "registration_certificate", "driving_licence"]
    if case.dealer_temporary:
        codes.append("temporary_plate")
    return [(code, payments.fee_amount(session, code)) for code in codes]


def start_fee_payment(session: Session, *, user: User, case: TransferCase, stripe_config):
    """Open (or reuse) the payment of the case's fees; the amount is the server's."""
    if Actor.DEALER not in services.actors_for(user, case):
        raise NotFound(N_("There is no such transfer case, or you cannot see it."))
    if case.status is not TransferStatus.SUBMITTED:
        raise Conflict(N_("The fees are paid once the case is submitted, and only once."))
    return payments.start_payment(
        session,
        purpose_kind=PURPOSE,
        purpose_id=case.id,
        amount_fen=sum(amount for _code, amount in case_fees(session, case)),
        description=f"{case.number}",
        payer_id=user.id,
        stripe_config=stripe_config,
        return_path=f"/transfers/{case.id}",
    )
