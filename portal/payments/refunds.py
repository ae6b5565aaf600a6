"""Refunds: whole or partial, through Stripe, recorded from its answer and audited."""

import logging

from sqlalchemy import update
from sqlmodel import Session, select

from portal.audit import utcnow
from portal.limits import NOTE_LENGTH
from portal.messages import N_
from portal.money import yuan
from portal.payments import gateway, rules, services
from portal.payments.errors import RefundRefused
from portal.payments.gateway import StripeConfig
from portal.payments.models import Payment, Refund

log = logging.getLogger(__name__)


def refund(
    session: Session,
    *,
    payment_id: int,
    amount_fen: int,
    reason: str,
    actor_id: int | None,
    stripe_config: StripeConfig,
) -> Refund:
    """Give back amount_fen (all or part of what is left) through Stripe, and record it."""
    payment = services.get_payment(session, payment_id)
    refusal = rules.refund_refusal(
        status=payment.status,
        amount_fen=payment.amount_fen,
        refunded_fen=payment.refunded_fen,
        requested_fen=amount_fen,
    )
    if refusal is not None:
        raise RefundRefused(refusal[0], **refusal[1])
    # Reserve the amount first with one conditional UPDATE: two admins refunding at once
    # can never give back more than was paid, and Stripe is asked only for what fits.
    reserved = session.execute(
        update(Payment)
        .where(
            Payment.id == payment.id,
            Payment.status.in_(rules.REFUNDABLE),
            Payment.refunded_fen + amount_fen <= Payment.amount_fen,
        )
        .values(refunded_fen=Payment.refunded_fen + amount_fen, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(payment)
    if reserved != 1:
        raise RefundRefused(
            N_("At most %(left)s is left to refund."), left=yuan(payment.refundable_fen)
        )
    answer = gateway.create_refund(
        stripe_config,
        intent_id=payment.stripe_payment_intent_id,
        amount_fen=amount_fen,
        metadata={"payment_id": str(payment.id)},
        idempotency_key=f"refund-{payment.id}-{payment.refunded_fen}",
    )
    row = Refund(
        payment_id=payment.id,
        amount_fen=amount_fen,
        reason=reason[:NOTE_LENGTH],
        stripe_refund_id=answer.id,
        actor_id=actor_id,
    )
    session.add(row)
    record_refund(session, payment, actor_id=actor_id, detail={"refund": answer.id})
    return row


def refunds_of(session: Session, payment_id: int) -> list[Refund]:
    """The payment's refunds, oldest first."""
    return list(
        session.exec(select(Refund).where(Refund.payment_id == payment_id).order_by(Refund.id))
    )


def record_refund(
    session: Session, payment: Payment, *, actor_id: int | None, detail: dict
) -> None:
    """After refunded_fen grew: the new status, its audit event, and the feature's handler."""
    status = rules.status_after_refund(payment.amount_fen, payment.refunded_fen)
    services.change_status(
        session,
        payment,
        status,
        action="refunded",
        actor_id=actor_id,
        detail=detail | {"refunded_fen": payment.refunded_fen},
    )
    handler = services.refunded_handler(payment.purpose_kind)
    if handler is None:
        return
    try:
        handler(session, payment.purpose_id, payment)
    except services.PurposeMissing:
        log.warning("Refund of payment %s: its %s is gone", payment.id, payment.purpose_kind)


def refund_purpose(
    session: Session,
    *,
    purpose_kind: str,
    purpose_id: int,
    reason: str,
    actor_id: int | None,
    stripe_config: StripeConfig,
) -> Refund | None:
    """Refund whatever is left of the purpose's paid payment (e.g. a withdrawn case)."""
    payment = services.open_payment(session, purpose_kind, purpose_id)
    if payment is None or payment.refundable_fen <= 0:
        return None
    return refund(
        session,
        payment_id=payment.id,
        amount_fen=payment.refundable_fen,
        reason=reason,
        actor_id=actor_id,
        stripe_config=stripe_config,
    )
