"""The detailed valuation report as something bought: who may download it, free or paid.

The report of a kept valuation costs the fee schedule's ``valuation_report`` fee, paid
once per record through the payments feature. It is free when the valued registry car is
the owner's and in one of their subsidy applications (past the draft), or in a transfer
case in which they sold or bought it: the portal already handles that car for them.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, or_
from sqlmodel import Session, select

from portal.accounts.models import User
from portal.audit import china_date
from portal.errors import Conflict, NotFound
from portal.limits import MAX_ID
from portal.messages import N_
from portal.payments import rules as payment_rules
from portal.payments import services as payments
from portal.payments.gateway import StripeConfig
from portal.payments.models import Payment
from portal.registry.models import Ownership, Person
from portal.subsidy.models import Application
from portal.subsidy.terms import Status as ApplicationStatus
from portal.transfer.models import TransferCase
from portal.valuation import services
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.models import CarModel, ValuationRecord

PURPOSE = "valuation_report"  # what the payments feature calls a report's fee
FEE = "valuation_report"  # its code in the fee schedule


@dataclass(frozen=True)
class Offer:
    """A record's report as the buy page shows it: its price and whether it can be had."""

    record: ValuationRecord
    model: CarModel
    price_fen: int
    own_case: bool  # free: the owner's car in a subsidy application or a transfer case
    paid: bool  # a payment for the report succeeded and was not wholly refunded
    payment: Payment | None  # the record's latest payment, if one was ever started

    @property
    def free(self) -> bool:
        return self.own_case or self.price_fen == 0

    @property
    def may_download(self) -> bool:
        return self.free or self.paid


def offer_for(session: Session, *, user: User, record_id: int) -> Offer:
    """The user's own record with its report's price and state; NotFound for anyone else's."""
    if not 0 < record_id <= MAX_ID:
        raise NotFound(N_("There is no such valuation in your history."))
    record = services.record_for(session, user=user, record_id=record_id)
    open_payment = payments.open_payment(session, PURPOSE, record.id)
    return Offer(
        record=record,
        model=services.car_model(session, record.car_model_id),
        price_fen=payments.fee_amount(session, FEE),
        own_case=is_own_case(session, user=user, record=record),
        paid=open_payment is not None and open_payment.status in payment_rules.REFUNDABLE,
        payment=next(iter(payments.payments_of(session, PURPOSE, record.id)), None),
    )


def is_own_case(session: Session, *, user: User, record: ValuationRecord) -> bool:
    """The valued registry car is the user's (now or before) and in a case of theirs."""
    vehicle_id, person_id = record.vehicle_id, user.person_id
    if vehicle_id is None or person_id is None:
        return False
    applied = exists().where(
        Application.applicant_id == user.id,
        Application.status != ApplicationStatus.DRAFT,
        or_(Application.old_vehicle_id == vehicle_id, Application.new_vehicle_id == vehicle_id),
    )
    # A case in which they sold the car: its seller period is one of theirs.
    sold = exists().where(
        TransferCase.vehicle_id == vehicle_id,
        TransferCase.seller_ownership_id == Ownership.id,
        Ownership.person_id == person_id,
    )
    # A case in which they bought it: the buyer is named by their ID hash.
    bought = (
        exists()
        .where(TransferCase.vehicle_id == vehicle_id, TransferCase.buyer_id_hash == Person.id_hash)
        .where(Person.id == person_id)
    )
    return bool(session.exec(select(or_(applied, sold, bought))).one())


def start_report_payment(
    session: Session, *, user: User, record_id: int, stripe_config: StripeConfig
) -> Payment:
    """Open (or reuse) the payment of a record's report; the amount is the server's."""
    offer = offer_for(session, user=user, record_id=record_id)
    if offer.free:
        raise Conflict(N_("This report is free for you: download it."))
    model = offer.model
    return payments.start_payment(
        session,
        purpose_kind=PURPOSE,
        purpose_id=offer.record.id,
        amount_fen=offer.price_fen,
        description=f"{model.brand} {model.series} {model.model_year} #{offer.record.id}",
        payer_id=user.id,
        stripe_config=stripe_config,
        return_path=f"/valuation/reports/{offer.record.id}",
    )


@payments.on_paid(PURPOSE)
def report_paid(session: Session, record_id: int, payment: Payment) -> None:
    """The payments feature's handler: the payment itself is the right to download."""
    if session.get(ValuationRecord, record_id) is None:
        raise payments.PurposeMissing(record_id)


def valued_on(record: ValuationRecord) -> date:
    """The day the valuation was run, in China (the date its numbers were computed for)."""
    return china_date(record.created_at)


def rerun(session: Session, record: ValuationRecord) -> services.Result:
    """The record's valuation computed again for its own date, with every step and the curve."""
    inputs = services.inputs_of(record)
    try:
        return services.value_car(
            session, inputs=inputs, on=valued_on(record), user=None, keep=False
        )
    except InvalidValuationInput as error:  # the reference data changed under the record
        raise Conflict(error.message, **error.params) from error
