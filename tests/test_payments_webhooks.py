"""The webhook with events signed by hand: verification, replays, unknown types and purposes."""

import itertools
import json
import logging
import time

import pytest
from sqlmodel import func, select

from portal.accounts.models import Role
from portal.audit import AuditEvent
from portal.payments.models import Payment, Refund, StripeEvent
from portal.payments.rules import PaymentStatus
from tests import factories
from tests import payments_helpers as helpers
from tests.payments_helpers import deliver, event

_intents = itertools.count(1)


@pytest.fixture
def hook_app(app):
    """Only the webhook secret: events need no Stripe API key."""
    app.config["STRIPE_WEBHOOK_SECRET"] = helpers.WEBHOOK_SECRET
    return app


def make_payment(session, *, exists: bool = True, **fields) -> Payment:
    payer = factories.user(session, Role.DEALER, dealer_row=factories.dealer(session))
    defaults = dict(
        purpose_kind="test",
        purpose_id=helpers.new_purpose(exists=exists),
        amount_fen=5000,
        description="Transfer filing fee",
        payer_id=payer.id,
        stripe_payment_intent_id=f"pi_hand_{time.time_ns()}_{next(_intents)}",
    )
    payment = Payment(**defaults | fields)
    session.add(payment)
    session.commit()
    return payment


def succeeded(payment: Payment, **changes) -> dict:
    intent = {
        "id": payment.stripe_payment_intent_id,
        "object": "payment_intent",
        "amount": payment.amount_fen,
        "currency": "cny",
        "status": "succeeded",
        "metadata": {"payment_id": str(payment.id)},
    }
    return event("payment_intent.succeeded", intent | changes)


def fresh(session, payment: Payment) -> Payment:
    session.commit()  # end the read transaction: see what others committed
    session.expire_all()
    return session.get(Payment, payment.id)


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def calls(payment: Payment) -> list:
    return [
        call for call in helpers.PAID if call[1] == payment.id and call[0] == payment.purpose_id
    ]


def test_a_verified_success_pays_once_and_a_replay_changes_nothing(hook_app, client, session):
    payment = make_payment(session)
    body = succeeded(payment)
    first = deliver(client, body)
    assert first.status_code == 200
    assert first.json["outcome"] == "applied"
    assert fresh(session, payment).status is PaymentStatus.SUCCEEDED
    assert len(calls(payment)) == 1
    events = count(session, AuditEvent)

    again = deliver(client, body)
    assert again.status_code == 200
    assert again.json["outcome"] == "duplicate"
    assert len(calls(payment)) == 1
    assert count(session, AuditEvent) == events
    assert count(session, StripeEvent) == 1


# Signatures carry the current time, so they are made in the test, not at collection:
# the ids stay the same in every pytest-xdist worker.
BAD_SIGNATURES = {
    "empty": lambda: "",
    "short": lambda: "t=1,v1=0000",
    "garbage": lambda: "garbage",
    "another-body": lambda: helpers.signature(b"{}", helpers.WEBHOOK_SECRET),
    "another-secret": lambda: helpers.signature(b"x", "whsec_someone_else"),
}


@pytest.mark.parametrize("bad", BAD_SIGNATURES)
def test_a_bad_signature_is_refused_and_changes_nothing(hook_app, client, session, bad):
    payment = make_payment(session)
    response = deliver(client, succeeded(payment), header=BAD_SIGNATURES[bad]())
    assert response.status_code == 400
    assert fresh(session, payment).status is PaymentStatus.PENDING
    assert count(session, StripeEvent) == 0
    assert calls(payment) == []


def test_a_wrong_secret_or_an_old_timestamp_is_refused(hook_app, client, session):
    payment = make_payment(session)
    payload = json.dumps(succeeded(payment)).encode()
    assert deliver(client, payload, secret="whsec_wrong").status_code == 400
    old = helpers.signature(payload, timestamp=int(time.time()) - 3600)  # replayed capture
    assert deliver(client, payload, header=old).status_code == 400
    assert fresh(session, payment).status is PaymentStatus.PENDING


def test_an_event_stamped_in_the_future_is_refused_like_an_old_one(hook_app, client, session):
    payment = make_payment(session)
    payload = json.dumps(succeeded(payment)).encode()
    ahead = helpers.signature(payload, timestamp=int(time.time()) + 3600)
    assert deliver(client, payload, header=ahead).status_code == 400
    assert fresh(session, payment).status is PaymentStatus.PENDING
    assert count(session, StripeEvent) == 0
    within_skew = helpers.signature(payload, timestamp=int(time.time()) + 60)
    assert deliver(client, payload, header=within_skew).status_code == 200
    assert fresh(session, payment).status is PaymentStatus.SUCCEEDED


def test_a_signed_body_that_is_not_json_is_refused(hook_app, client, session):
    assert deliver(client, b"not json").status_code == 400
    assert count(session, StripeEvent) == 0


def test_without_a_webhook_secret_nothing_is_accepted(app, client, session):
    payment = make_payment(session)
    response = deliver(client, succeeded(payment))
    assert response.status_code == 503
    assert fresh(session, payment).status is PaymentStatus.PENDING


def test_an_unknown_event_type_is_stored_and_ignored(hook_app, client, session):
    body = event("customer.created", {"id": "cus_1", "object": "customer"})
    response = deliver(client, body)
    assert response.status_code == 200
    stored = session.get(StripeEvent, body["id"])
    assert (stored.type, stored.outcome) == ("customer.created", "ignored")


def test_a_payment_for_a_missing_purpose_is_logged_and_changes_nothing(
    hook_app, client, session, caplog
):
    payment = make_payment(session, exists=False)
    events = count(session, AuditEvent)
    with caplog.at_level(logging.WARNING, logger="portal.payments.webhooks"):
        response = deliver(client, succeeded(payment))
    assert response.status_code == 200
    assert response.json["outcome"] == "purpose_missing"
    assert "is gone" in caplog.text
    assert fresh(session, payment).status is PaymentStatus.PENDING
    assert count(session, AuditEvent) == events
    assert calls(payment) == []


def test_a_kind_without_handler_and_an_unknown_intent_change_nothing(hook_app, client, session):
    orphan = make_payment(session, purpose_kind="nobody_handles_this")
    assert deliver(client, succeeded(orphan)).json["outcome"] == "no_handler"
    assert fresh(session, orphan).status is PaymentStatus.PENDING
    stranger = succeeded(orphan, id="pi_not_ours")
    assert deliver(client, stranger).json["outcome"] == "no_payment"


def test_an_amount_that_differs_does_not_pay(hook_app, client, session):
    payment = make_payment(session)
    response = deliver(client, succeeded(payment, amount=1))
    assert response.json["outcome"] == "amount_mismatch"
    assert fresh(session, payment).status is PaymentStatus.PENDING


def test_failure_then_a_later_success_of_the_same_intent(hook_app, client, session):
    payment = make_payment(session)
    intent = succeeded(payment)["data"]["object"] | {"status": "requires_payment_method"}
    failed = event(
        "payment_intent.payment_failed", intent | {"last_payment_error": {"code": "card_declined"}}
    )
    assert deliver(client, failed).json["outcome"] == "applied"
    assert fresh(session, payment).status is PaymentStatus.FAILED
    assert deliver(client, succeeded(payment)).json["outcome"] == "applied"
    assert fresh(session, payment).status is PaymentStatus.SUCCEEDED
    # A failure delivered late, after the success, changes nothing.
    assert deliver(client, failed | {"id": "evt_late"}).json["outcome"] == "stale"
    assert fresh(session, payment).status is PaymentStatus.SUCCEEDED


def test_refunds_made_at_stripe_arrive_as_charge_refunded(hook_app, client, session):
    payment = make_payment(session, status=PaymentStatus.SUCCEEDED)
    charge = {"id": "ch_1", "object": "charge", "payment_intent": payment.stripe_payment_intent_id}
    partly = event("charge.refunded", charge | {"amount_refunded": 2000})
    assert deliver(client, partly).json["outcome"] == "applied"
    assert deliver(client, partly).json["outcome"] == "duplicate"
    payment = fresh(session, payment)
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.PARTIALLY_REFUNDED, 2000)
    whole = event("charge.refunded", charge | {"amount_refunded": 5000})
    assert deliver(client, whole).json["outcome"] == "applied"
    payment = fresh(session, payment)
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.REFUNDED, 5000)
    amounts = session.exec(select(Refund.amount_fen).where(Refund.payment_id == payment.id)).all()
    assert sorted(amounts) == [2000, 3000]
    assert (payment.purpose_id, payment.id) in helpers.REFUNDED


def test_a_late_success_after_the_purpose_was_paid_again_is_flagged(
    hook_app, client, session, caplog
):
    first = make_payment(session, status=PaymentStatus.FAILED)
    second = make_payment(session, purpose_id=first.purpose_id)
    assert deliver(client, succeeded(second)).json["outcome"] == "applied"
    with caplog.at_level(logging.ERROR, logger="portal.payments.webhooks"):
        response = deliver(client, succeeded(first))
    assert response.json["outcome"] == "paid_twice"
    assert "paid twice" in caplog.text
    assert fresh(session, first).status is PaymentStatus.FAILED
    assert fresh(session, second).status is PaymentStatus.SUCCEEDED
    assert len(calls(second)) == 1 and calls(first) == []
