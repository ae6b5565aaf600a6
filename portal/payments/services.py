"""Payment use cases other features call: start a payment, and register their handlers.

A feature charges by naming what is paid for (`purpose_kind`, `purpose_id`) and the
amount from the fee schedule (`fee_amount`, re-exported from fees.py); it registers
`on_paid` (and optionally `on_refunded`) for its kind, and is called in the same
transaction as the payment's change of state. Refunds are in refunds.py. Every function
takes the session, flushes, never commits, and audits each change."""

import logging
from collections.abc import Callable

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select

from portal import audit
from portal.accounts.models import Role, User
from portal.accounts.redirects import safe_next
from portal.audit import utcnow
from portal.errors import Conflict, NotFound
from portal.messages import N_
from portal.notices import services as notices
from portal.payments import gateway, rules
from portal.payments.errors import NothingToPay
from portal.payments.fees import ensure_fee_schedule as ensure_fee_schedule
from portal.payments.fees import fee_amount as fee_amount
from portal.payments.gateway import StripeConfig
from portal.payments.models import OPEN_PAYMENT, Payment
from portal.payments.rules import PaymentStatus

log = logging.getLogger(__name__)

# --- handlers of the features that charge ---------------------------------------------

Handler = Callable[[Session, int, Payment], None]
_on_paid: dict[str, Handler] = {}
_on_refunded: dict[str, Handler] = {}


class PurposeMissing(Exception):
    """Raised by a handler when the object the payment is for does not exist (any more)."""


def on_paid(purpose_kind: str) -> Callable[[Handler], Handler]:
    """Register handler(session, purpose_id, payment), run when a payment of the kind succeeds."""

    def register(handler: Handler) -> Handler:
        _on_paid[purpose_kind] = handler
        return handler

    return register


def on_refunded(purpose_kind: str) -> Callable[[Handler], Handler]:
    """Register handler(session, purpose_id, payment), run after a refund of the kind."""

    def register(handler: Handler) -> Handler:
        _on_refunded[purpose_kind] = handler
        return handler

    return register


def paid_handler(purpose_kind: str) -> Handler | None:
    """The feature's on_paid handler for the kind, if one is registered."""
    return _on_paid.get(purpose_kind)


def refunded_handler(purpose_kind: str) -> Handler | None:
    """The feature's on_refunded handler for the kind, if one is registered."""
    return _on_refunded.get(purpose_kind)


# --- payments ---------------------------------------------------------------------------


def insert_unless_taken(
    session: Session, row: SQLModel, *, conflict_columns: list[str], conflict_where=None
):
    """INSERT ... ON CONFLICT DO NOTHING: the new row's primary key, or None if it was taken.

    Not a savepoint around an INSERT (portal.db.unique_or): on SQLite, a savepoint that
    opens the transaction commits when released, before the request has succeeded. This
    waits for a concurrent insert of the same key to commit, then yields to it.
    """
    table = row.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    keys = {column.name for column in table.primary_key.columns}
    values = {k: v for k, v in row.model_dump().items() if not (k in keys and v is None)}
    statement = (
        dialect.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict_columns, index_where=conflict_where)
        .returning(*table.primary_key.columns)
    )
    return session.execute(statement).scalar()


def open_payment(session: Session, purpose_kind: str, purpose_id: int) -> Payment | None:
    """The purpose's pending or paid payment, if it has one."""
    return session.exec(
        select(Payment).where(
            Payment.purpose_kind == purpose_kind,
            Payment.purpose_id == purpose_id,
            Payment.status.in_(rules.OPEN),
        )
    ).first()


def payments_of(session: Session, purpose_kind: str, purpose_id: int) -> list[Payment]:
    """Every payment of the purpose, newest first."""
    return list(
        session.exec(
            select(Payment)
            .where(Payment.purpose_kind == purpose_kind, Payment.purpose_id == purpose_id)
            .order_by(Payment.id.desc())
        )
    )


def start_payment(
    session: Session,
    *,
    purpose_kind: str,
    purpose_id: int,
    amount_fen: int,
    description: str,
    payer_id: int,
    stripe_config: StripeConfig,
    return_path: str | None = None,
) -> Payment:
    """The purpose's open payment, or a new one with its Stripe PaymentIntent.

    A double click or a second tab gets the same payment and intent: the partial unique
    index allows one open payment per purpose, and the loser of a race reads the
    winner's. (Stripe's idempotency key is sent too, but localstripe ignores it.)
    """
    gateway.require_configured(stripe_config)
    if amount_fen <= 0:
        raise NothingToPay(N_("There is nothing to pay."))
    existing = open_payment(session, purpose_kind, purpose_id)
    if existing is not None:
        return _take_over(session, existing, payer_id)
    payment = Payment(
        purpose_kind=purpose_kind,
        purpose_id=purpose_id,
        amount_fen=amount_fen,
        description=description[:255],
        payer_id=payer_id,
        return_path=safe_next(return_path),
    )
    payment_id = insert_unless_taken(
        session,
        payment,
        conflict_columns=["purpose_kind", "purpose_id"],
        conflict_where=OPEN_PAYMENT,
    )
    if payment_id is None:  # another request opened one between our look and our insert
        existing = open_payment(session, purpose_kind, purpose_id)
        if existing is None:  # the other request rolled back after all; the user retries
            raise Conflict(N_("Another payment for this was just started. Try again."))
        return _take_over(session, existing, payer_id)
    payment = session.get(Payment, payment_id)
    intent = gateway.create_intent(
        stripe_config,
        amount_fen=amount_fen,
        currency=payment.currency,
        description=payment.description,
        metadata={
            "purpose_kind": purpose_kind,
            "purpose_id": str(purpose_id),
            "payment_id": str(payment.id),
        },
        idempotency_key=_idempotency_key(payment),
    )
    payment.stripe_payment_intent_id = intent.id
    session.flush()
    audit.record(
        session,
        actor_id=payer_id,
        entity="payment",
        entity_id=payment.id,
        action="created",
        to_state=payment.status.value,
        detail={"purpose": f"{purpose_kind}:{purpose_id}", "amount_fen": amount_fen},
    )
    return payment


def _take_over(session: Session, payment: Payment, payer_id: int) -> Payment:
    """A pending payment started by a colleague (same case) is paid by whoever is here now."""
    if payment.status is PaymentStatus.PENDING and payment.payer_id != payer_id:
        audit.record(
            session,
            actor_id=payer_id,
            entity="payment",
            entity_id=payment.id,
            action="payer_changed",
            detail={"from": payment.payer_id, "to": payer_id},
        )
        payment.payer_id, payment.updated_at = payer_id, utcnow()
        session.flush()
    return payment


def _idempotency_key(payment: Payment) -> str:
    # The creation time too: SQLite reuses the id of a rolled-back row, and a reused key
    # would make Stripe answer with the intent of another payment.
    return f"payment-{payment.id}-{payment.created_at:%Y%m%d%H%M%S%f}"


def payment_for(session: Session, *, user: User, payment_id: int) -> Payment:
    """The payment if the user paid it or is an admin; NotFound otherwise."""
    payment = session.get(Payment, payment_id)
    if payment is None or (user.role is not Role.ADMIN and payment.payer_id != user.id):
        raise NotFound(N_("There is no such payment, or you cannot see it."))
    return payment


def get_payment(session: Session, payment_id: int) -> Payment:
    """Any payment by id (admin pages); NotFound if there is none."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(N_("There is no such payment, or you cannot see it."))
    return payment


def retry_payment(
    session: Session, *, user: User, payment_id: int, stripe_config: StripeConfig
) -> Payment:
    """After a declined card: cancel the old intent and start the purpose's payment again."""
    payment = payment_for(session, user=user, payment_id=payment_id)
    if payment.status is not PaymentStatus.FAILED:
        return payment
    if payment.stripe_payment_intent_id:
        intent = gateway.cancel_intent(stripe_config, payment.stripe_payment_intent_id)
        if intent.status != "canceled":  # paid or in progress after all: the webhook settles it
            return payment
    return start_payment(
        session,
        purpose_kind=payment.purpose_kind,
        purpose_id=payment.purpose_id,
        amount_fen=payment.amount_fen,
        description=payment.description,
        payer_id=payment.payer_id,
        stripe_config=stripe_config,
        return_path=payment.return_path,
    )


def pay_with_test_card(
    session: Session, *, user: User, payment_id: int, stripe_config: StripeConfig
) -> Payment:
    """Against localstripe: pay the user's pending payment with the test card."""
    payment = payment_for(session, user=user, payment_id=payment_id)
    if payment.status is PaymentStatus.PENDING and payment.stripe_payment_intent_id:
        gateway.pay_with_test_card(stripe_config, payment.stripe_payment_intent_id)
    return payment  # the webhook settles it, as after a payment in the browser


def change_status(
    session: Session,
    payment: Payment,
    status: PaymentStatus,
    *,
    action: str,
    actor_id: int | None = None,
    detail: dict | None = None,
) -> None:
    """Move the payment to status and audit it (flushes: the unique index may refuse)."""
    before = payment.status
    payment.status, payment.updated_at = status, utcnow()
    session.add(payment)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        entity="payment",
        entity_id=payment.id,
        action=action,
        from_state=before.value,
        to_state=status.value,
        detail=detail,
    )


def tell_payer(
    session: Session, payment: Payment, *, kind: str, amount_fen: int | None = None
) -> None:
    """The payer's notice of money received or given back (DOMAIN §6)."""
    notices.notify(
        session,
        user_id=payment.payer_id,
        kind=kind,
        params={"amount": amount_fen or payment.amount_fen, "purpose": payment.description},
        link=payment.return_path or "/inbox",
    )
