"""Paying through Stripe, against a real localstripe on loopback: start, pay, webhook, races."""

import threading
import time

import pytest
from sqlmodel import Session, func, select

from portal.accounts.models import Role
from portal.audit import AuditEvent
from portal.payments import services
from portal.payments.gateway import StripeConfig
from portal.payments.models import Payment, StripeEvent
from portal.payments.rules import PaymentStatus
from tests import factories
from tests import payments_helpers as helpers
from tests.payments_helpers import (  # noqa: F401  (fixtures)
    live_server_fixture,
    localstripe_fixture,
    stripe_app_fixture,
)

EN = {"Accept-Language": "en"}


@pytest.fixture
def payer(stripe_app, client, auth, session):
    """A signed-in car owner on the Stripe-enabled app."""
    user = factories.user(session, Role.OWNER, email="payer@example.cn")
    session.commit()
    auth.login("payer@example.cn")
    return user


def start(client, purpose_id: int):
    return client.post(f"/_test/purposes/{purpose_id}/pay", headers=EN)


def payments_of(session, purpose_id: int) -> list[Payment]:
    session.commit()  # end the read transaction: see what others committed
    session.expire_all()
    return list(session.exec(select(Payment).where(Payment.purpose_id == purpose_id)))


def test_pay_by_card_and_the_verified_webhook_settles_it(
    payer, client, session, localstripe, live_server
):
    purpose = helpers.new_purpose()
    response = start(client, purpose)
    assert response.status_code == 303
    page = client.get(response.headers["Location"], headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "¥30.00" in html  # the valuation report fee of the schedule
    assert localstripe.base + "/js.stripe.com/v3/" in html
    assert "_secret_" in html  # the client secret for Stripe.js

    [payment] = payments_of(session, purpose)
    assert payment.status is PaymentStatus.PENDING
    [intent] = localstripe.intents_for(purpose)
    assert intent.id == payment.stripe_payment_intent_id
    assert (intent.amount, intent.currency) == (3000, "cny")
    assert intent.metadata["payment_id"] == str(payment.id)

    localstripe.send_webhooks_to(live_server + "/payments/stripe/webhook")
    assert localstripe.pay(intent.id).status == "succeeded"
    helpers.wait_for(lambda: payments_of(session, purpose)[0].status is PaymentStatus.SUCCEEDED)
    assert [p for p in helpers.PAID if p[0] == purpose] == [(purpose, payment.id)]
    stored = session.exec(select(StripeEvent).where(StripeEvent.payment_id == payment.id)).one()
    assert (stored.type, stored.outcome) == ("payment_intent.succeeded", "applied")

    status = client.get(f"/payments/{payment.id}/status", headers=EN).get_data(as_text=True)
    assert "Paid" in status
    assert f'href="/_test/purposes/{purpose}"' in status  # back to what was paid for
    assert "every 2s" not in status  # settled: no more polling
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.entity == "payment").order_by(AuditEvent.id)
    ).all()
    assert actions == ["created", "paid"]
    # The payment page of a paid payment goes to its status.
    assert client.get(f"/payments/{payment.id}").status_code == 302


def test_against_localstripe_the_page_offers_the_test_card(
    payer, client, session, localstripe, live_server
):
    """localstripe's Stripe.js stand-in cannot pay an intent without a card; this button can."""
    purpose = helpers.new_purpose()
    location = start(client, purpose).headers["Location"]
    assert "Pay with the test card" in client.get(location, headers=EN).get_data(as_text=True)
    localstripe.send_webhooks_to(live_server + "/payments/stripe/webhook")
    response = client.post(location + "/test-card")
    assert response.headers["Location"] == location + "/status"
    helpers.wait_for(lambda: payments_of(session, purpose)[0].status is PaymentStatus.SUCCEEDED)
    assert len([p for p in helpers.PAID if p[0] == purpose]) == 1


def test_the_test_card_does_not_exist_against_real_stripe(payer, stripe_app, client):
    location = start(client, helpers.new_purpose()).headers["Location"]
    stripe_app.config["STRIPE_API_BASE"] = None  # (no request below reaches Stripe)
    assert client.post(location + "/test-card").status_code == 404


def test_status_page_polls_while_pending_and_serves_a_partial_to_htmx(payer, client):
    location = start(client, helpers.new_purpose()).headers["Location"]
    full = client.get(location + "/status", headers=EN)
    assert "<html" in full.get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in full.get_data(as_text=True)
    partial = client.get(location + "/status", headers=EN | {"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True)
    assert "Awaiting payment" in partial.get_data(as_text=True)
    assert "HX-Request" in partial.headers["Vary"]


def test_a_double_click_makes_one_payment_and_one_intent(payer, client, session, localstripe):
    purpose = helpers.new_purpose()
    first, second = start(client, purpose), start(client, purpose)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(payments_of(session, purpose)) == 1
    assert len(localstripe.intents_for(purpose)) == 1


def test_concurrent_starts_make_one_open_payment(payer, stripe_app, client, session, localstripe):
    purpose = helpers.new_purpose()
    token = client.csrf_token()
    cookie = client.get_cookie("session").value
    barrier = threading.Barrier(6)
    locations = []

    def click():
        browser = stripe_app.test_client()
        browser.set_cookie("session", cookie)
        barrier.wait()
        answer = browser.post(f"/_test/purposes/{purpose}/pay", data={"csrf_token": token})
        locations.append((answer.status_code, answer.headers.get("Location")))

    threads = [threading.Thread(target=click) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert {status for status, _ in locations} == {303}
    assert len({location for _, location in locations}) == 1
    assert len(payments_of(session, purpose)) == 1
    assert len(localstripe.intents_for(purpose)) == 1


def test_the_loser_of_a_race_reads_the_winners_payment(stripe_app, session, localstripe):
    """Deterministic: the second request looks before the first commits, then inserts."""
    payer = factories.user(session, Role.OWNER)
    session.commit()
    purpose = helpers.new_purpose()
    config = StripeConfig.from_app(stripe_app.config)
    engine = stripe_app.extensions["db_engine"]
    arguments = dict(
        purpose_kind="test",
        purpose_id=purpose,
        amount_fen=3000,
        description="race",
        payer_id=payer.id,
        stripe_config=config,
    )
    winner_session = Session(engine, expire_on_commit=False)
    winner = services.start_payment(winner_session, **arguments)  # not committed yet
    loser = {}

    def second_request():
        with Session(engine, expire_on_commit=False) as own:
            loser["payment"] = services.start_payment(own, **arguments)
            own.commit()

    thread = threading.Thread(target=second_request)
    thread.start()
    time.sleep(0.5)  # the second has looked, found nothing, and waits on its insert
    assert "payment" not in loser
    winner_session.commit()
    winner_session.close()
    thread.join(30)
    assert loser["payment"].id == winner.id
    assert len(payments_of(session, purpose)) == 1
    assert len(localstripe.intents_for(purpose)) == 1


def test_a_declined_card_fails_the_payment_and_a_retry_starts_afresh(
    payer, client, session, localstripe, live_server
):
    purpose = helpers.new_purpose()
    start(client, purpose)
    [payment] = payments_of(session, purpose)
    localstripe.send_webhooks_to(live_server + "/payments/stripe/webhook")
    with pytest.raises(Exception, match="declined"):
        localstripe.pay(payment.stripe_payment_intent_id, helpers.DECLINED_CARD)
    helpers.wait_for(lambda: payments_of(session, purpose)[0].status is PaymentStatus.FAILED)

    page = client.get(f"/payments/{payment.id}", headers=EN).get_data(as_text=True)
    assert "did not go through" in page
    retried = client.post(f"/payments/{payment.id}/retry", headers=EN)
    assert retried.status_code == 303
    old, new = sorted(payments_of(session, purpose), key=lambda p: p.id)
    assert retried.headers["Location"] == f"/payments/{new.id}"
    assert (old.status, new.status) == (PaymentStatus.FAILED, PaymentStatus.PENDING)
    canceled = localstripe.client().v1.payment_intents.retrieve(old.stripe_payment_intent_id)
    assert canceled.status == "canceled"  # the old intent can no longer take money


def test_a_colleague_who_starts_the_same_purpose_takes_over_the_payment(
    payer, client, session, auth
):
    purpose = helpers.new_purpose()
    location = start(client, purpose).headers["Location"]
    auth.logout()
    factories.user(session, Role.OWNER, email="colleague@example.cn")
    session.commit()
    auth.login("colleague@example.cn")
    assert start(client, purpose).headers["Location"] == location
    assert client.get(location, headers=EN).status_code == 200
    [payment] = payments_of(session, purpose)
    assert payment.payer_id != payer.id


def test_another_users_payment_is_not_found(payer, client, session, auth):
    location = start(client, helpers.new_purpose()).headers["Location"]
    auth.logout()
    factories.user(session, Role.OWNER, email="other@example.cn")
    session.commit()
    auth.login("other@example.cn")
    assert client.get(location).status_code == 404
    assert client.get(location + "/status").status_code == 404
    assert client.post(location + "/retry").status_code == 404


def test_without_stripe_keys_the_payment_page_says_not_configured(app, client, auth, session):
    app.config.update(STRIPE_SECRET_KEY=None, STRIPE_PUBLISHABLE_KEY=None)
    user = factories.user(session, Role.OWNER, email="payer@example.cn")
    payment = Payment(
        purpose_kind="test", purpose_id=1, amount_fen=5000, description="x", payer_id=user.id
    )
    session.add(payment)
    session.commit()
    auth.login("payer@example.cn")
    response = client.get(f"/payments/{payment.id}", headers=EN)
    assert response.status_code == 503
    assert "Payments are not configured" in response.get_data(as_text=True)
    assert client.get(f"/payments/{payment.id}/status").status_code == 200


def test_reconcile_lists_what_differs_from_stripe(payer, client, runner, session, localstripe):
    paid_at_stripe, untouched = helpers.new_purpose(), helpers.new_purpose()
    start(client, paid_at_stripe)
    start(client, untouched)
    [payment] = payments_of(session, paid_at_stripe)
    localstripe.pay(payment.stripe_payment_intent_id)  # no webhook configured for this app
    result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 1, result.output
    assert f"payment {payment.id} " in result.output
    assert "status is pending here, succeeded at Stripe" in result.output
    assert "1 differences." in result.output
    count = session.exec(select(func.count()).select_from(Payment)).one()
    assert count == 2  # reconciling only reads
