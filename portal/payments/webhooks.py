"""Stripe's webhook: verify, store the event id with its effect, and apply it once.

Only a verified event marks a payment paid (STYLE 15–16). The event row is inserted
first, under its primary key, in the same transaction as the effect: a replayed or
concurrent duplicate fails that insert and answers 200 without doing anything twice.
An event the portal cannot use (unknown type, unknown intent, a purpose that is gone)
is stored and answered 200, so Stripe does not resend it for days; it is logged, and
`flask payments reconcile` shows any payment left behind.
"""

import logging
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.errors import DomainError
from portal.messages import N_
from portal.payments import gateway, refunds, rules, services
from portal.payments.errors import BadWebhook
from portal.payments.models import Payment, Refund, StripeEvent
from portal.payments.rules import PaymentStatus

log = logging.getLogger(__name__)


def handle_webhook(session: Session, *, payload: bytes, signature: str, secret: str | None) -> str:
    """Verify and apply one webhook delivery; returns what happened (for the log and tests)."""
    event = gateway.verify_event(payload, signature, secret)
    event_id, event_type = event.get("id"), event.get("type")
    if not (isinstance(event_id, str) and isinstance(event_type, str)):
        raise BadWebhook(N_("The event has no id or type."))
    # First, and under the primary key: a concurrent duplicate waits here, then yields.
    new = StripeEvent(id=event_id[:255], type=event_type[:64])
    if services.insert_unless_taken(session, new, conflict_columns=["id"]) is None:
        log.info("Stripe event %s again: already handled", event_id)
        return "duplicate"
    stored = session.get(StripeEvent, new.id)
    apply = _APPLY.get(event_type)
    if apply is None:
        stored.outcome = "ignored"
        session.flush()
        return stored.outcome
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    outcome, payment = apply(session, event_id, obj if isinstance(obj, dict) else {})
    stored.outcome, stored.payment_id = outcome, payment.id if payment else None
    session.flush()
    return outcome


def _payment_of_intent(session: Session, intent_id: Any) -> Payment | None:
    # Locked: a refund or a second event for the payment waits for this one (PostgreSQL);
    # SQLite serialises writers already, from the event insert on.
    if not isinstance(intent_id, str):
        return None
    return session.exec(
        select(Payment)
        .where(Payment.stripe_payment_intent_id == intent_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _succeeded(session: Session, event_id: str, intent: dict) -> tuple[str, Payment | None]:
    payment = _payment_of_intent(session, intent.get("id"))
    if payment is None:
        log.warning("Stripe event %s: no payment has intent %s", event_id, intent.get("id"))
        return "no_payment", None
    if intent.get("amount") != payment.amount_fen or intent.get("currency") != payment.currency:
        log.error("Stripe event %s: amount differs from payment %s", event_id, payment.id)
        return "amount_mismatch", payment
    if not rules.accepts_success(payment.status):
        return "stale", payment
    handler = services.paid_handler(payment.purpose_kind)
    if handler is None:
        log.warning("Payment %s: no handler for %r; left pending", payment.id, payment.purpose_kind)
        return "no_handler", payment
    # The payment and what it pays for change together, or neither does.
    try:
        with session.begin_nested():
            services.change_status(
                session, payment, PaymentStatus.SUCCEEDED, action="paid", detail={"event": event_id}
            )
            handler(session, payment.purpose_id, payment)
            services.tell_payer(session, payment, kind="payment_received")
    except services.PurposeMissing:
        log.warning("Payment %s: its %s is gone; left pending", payment.id, payment.purpose_kind)
        return "purpose_missing", payment
    except DomainError as error:
        log.warning("Payment %s: its %s refused it: %s", payment.id, payment.purpose_kind, error)
        return "purpose_refused", payment
    except IntegrityError:
        # A late success of a failed attempt, after the purpose was paid another way.
        log.error("Payment %s was paid twice for its purpose: refund one", payment.id)
        return "paid_twice", payment
    return "applied", payment


def _failed(session: Session, event_id: str, intent: dict) -> tuple[str, Payment | None]:
    payment = _payment_of_intent(session, intent.get("id"))
    if payment is None:
        return "no_payment", None
    if not rules.accepts_failure(payment.status):
        return "stale", payment  # e.g. a failure delivered after the success
    error = intent.get("last_payment_error")
    code = error.get("code") if isinstance(error, dict) else None
    services.change_status(
        session,
        payment,
        PaymentStatus.FAILED,
        action="failed",
        detail={"event": event_id, "code": code},
    )
    return "applied", payment


def _refunded(session: Session, event_id: str, charge: dict) -> tuple[str, Payment | None]:
    payment = _payment_of_intent(session, charge.get("payment_intent"))
    if payment is None:
        return "no_payment", None
    total = charge.get("amount_refunded")
    if payment.status not in rules.REFUNDABLE or not isinstance(total, int):
        return "stale", payment
    total = min(total, payment.amount_fen)
    if total <= payment.refunded_fen:
        return "stale", payment  # refunds made from the portal are recorded already
    row = Refund(
        payment_id=payment.id,
        amount_fen=total - payment.refunded_fen,
        reason=N_("Refunded at Stripe"),  # translated where shown
    )
    session.add(row)
    payment.refunded_fen = total
    refunds.record_refund(session, payment, row, actor_id=None, detail={"event": event_id})
    return "applied", payment


_APPLY = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "charge.refunded": _refunded,
}
