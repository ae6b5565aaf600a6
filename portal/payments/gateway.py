"""The only module that talks to Stripe: a client made per call from the app's settings.

Settings arrive as a StripeConfig built from the app config when needed (STYLE 17), so
nothing reads the environment at import time and nothing sets stripe's module globals
(requests in other threads may be using other settings, e.g. in the tests). Stripe's
answers come back as small dataclasses, so the services never handle Stripe objects.
"""

import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import stripe

from portal.messages import N_
from portal.payments.errors import BadWebhook, NotConfigured, ProviderError

log = logging.getLogger(__name__)
STRIPE_JS_URL = "https://js.stripe.com/v3/"
TIMEOUT_SECONDS = 20
# Seconds a webhook stamp may be off either way (Stripe's own tolerance for old ones).
CLOCK_SKEW = stripe.Webhook.DEFAULT_TOLERANCE


@dataclass(frozen=True)
class StripeConfig:
    """The Stripe settings of the app (STRIPE_* keys)."""

    secret_key: str | None = None
    publishable_key: str | None = None
    webhook_secret: str | None = None
    api_base: str | None = None
    js_url: str = STRIPE_JS_URL

    @classmethod
    def from_app(cls, config: Mapping[str, Any]) -> "StripeConfig":
        """Read the settings from a Flask config mapping."""
        return cls(
            secret_key=config.get("STRIPE_SECRET_KEY") or None,
            publishable_key=config.get("STRIPE_PUBLISHABLE_KEY") or None,
            webhook_secret=config.get("STRIPE_WEBHOOK_SECRET") or None,
            api_base=config.get("STRIPE_API_BASE") or None,
            js_url=config.get("STRIPE_JS_URL") or STRIPE_JS_URL,
        )

    @property
    def configured(self) -> bool:
        """Both keys are set: the server can create intents and the page can confirm them."""
        return bool(self.secret_key and self.publishable_key)


@dataclass(frozen=True)
class Intent:
    """What the portal needs of a PaymentIntent."""

    id: str
    status: str
    amount: int
    currency: str
    client_secret: str | None
    refunded: int | None = None  # of the latest charge, when it was asked for


@dataclass(frozen=True)
class RefundResult:
    """What the portal records of a refund."""

    id: str
    status: str
    amount: int


def require_configured(config: StripeConfig) -> None:
    """NotConfigured unless both keys are set."""
    if not config.configured:
        raise NotConfigured(
            N_("Card payments are not set up on this portal yet. Please try again later.")
        )


@contextmanager
def _client(config: StripeConfig) -> Iterator[stripe.StripeClient]:
    require_configured(config)
    http_client = stripe.new_default_http_client(timeout=TIMEOUT_SECONDS)
    try:
        yield stripe.StripeClient(
            config.secret_key,
            base_addresses={"api": config.api_base} if config.api_base else None,
            http_client=http_client,
            max_network_retries=1,
        )
    except stripe.StripeError as error:
        log.warning("Stripe refused a call: %s", error)
        raise ProviderError(
            N_("The payment provider did not accept the request. Please try again.")
        ) from error
    finally:
        http_client.close()  # its connection pool would otherwise outlive the call


def _intent(answer) -> Intent:
    charge = getattr(answer, "latest_charge", None)
    return Intent(
        id=answer.id,
        status=answer.status,
        amount=answer.amount,
        currency=answer.currency,
        client_secret=answer.client_secret,
        refunded=getattr(charge, "amount_refunded", None) if charge else None,
    )


def create_intent(
    config: StripeConfig,
    *,
    amount_fen: int,
    currency: str,
    description: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> Intent:
    """A new card PaymentIntent for the amount (the server's, never the browser's)."""
    params = {
        "amount": amount_fen,
        "currency": currency,
        "payment_method_types": ["card"],
        # In metadata rather than `description`, which localstripe refuses.
        "metadata": metadata | {"description": description[:500]},
    }
    with _client(config) as client:
        answer = client.v1.payment_intents.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    return _intent(answer)


def retrieve_intent(config: StripeConfig, intent_id: str) -> Intent:
    """The intent as Stripe has it now."""
    with _client(config) as client:
        return _intent(client.v1.payment_intents.retrieve(intent_id))


def retrieve_intents(
    config: StripeConfig, intent_ids: Iterable[str]
) -> Iterator[tuple[str, Intent | None]]:
    """Each intent with its latest charge (for refunds), or None if Stripe has no such intent."""
    with _client(config) as client:
        for intent_id in intent_ids:
            try:
                answer = client.v1.payment_intents.retrieve(
                    intent_id, params={"expand": ["latest_charge"]}
                )
            except stripe.InvalidRequestError:
                yield intent_id, None
            else:
                yield intent_id, _intent(answer)


def cancel_intent(config: StripeConfig, intent_id: str) -> Intent:
    """Cancel an intent that can no longer be paid through the portal; its state after."""
    with _client(config) as client:
        answer = client.v1.payment_intents.retrieve(intent_id)
        if answer.status in ("requires_payment_method", "requires_confirmation", "requires_action"):
            answer = client.v1.payment_intents.cancel(intent_id)
    return _intent(answer)


TEST_CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


def pay_with_test_card(config: StripeConfig, intent_id: str) -> Intent:
    """localstripe only: what Stripe.js does with the test card 4242…, done by the server.

    localstripe's stand-in for Stripe.js cannot confirm an intent that has no card yet,
    so a page served against localstripe offers this instead (docs/payments.md).
    """
    if not (config.api_base and (config.secret_key or "").startswith("sk_test_")):
        raise NotConfigured(N_("The test card is only offered against a local Stripe."))
    with _client(config) as client:
        method = client.v1.payment_methods.create(params={"type": "card", "card": TEST_CARD})
        client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
        return _intent(client.v1.payment_intents.confirm(intent_id))


def create_refund(
    config: StripeConfig,
    *,
    intent_id: str,
    amount_fen: int,
    metadata: dict[str, str],
    idempotency_key: str,
) -> RefundResult:
    """Give back amount_fen of the intent's charge."""
    with _client(config) as client:
        answer = client.v1.refunds.create(
            params={"payment_intent": intent_id, "amount": amount_fen, "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
    return RefundResult(id=answer.id, status=answer.status, amount=answer.amount)


def verify_event(payload: bytes, signature: str, secret: str | None) -> dict[str, Any]:
    """The event in a webhook body, if its Stripe-Signature verifies; BadWebhook if not."""
    if not secret:
        # Never accept an unverified event (STYLE, webhook shortcuts): refuse them all.
        raise NotConfigured(N_("The webhook secret is not set; events cannot be verified."))
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as error:
        raise BadWebhook(N_("The signature of the event does not verify.")) from error
    except ValueError as error:  # a body that is not JSON, behind a valid signature
        raise BadWebhook(N_("The body of the event is not valid JSON.")) from error
    if _stamped_ahead(signature):
        raise BadWebhook(N_("The event is stamped in the future."))
    return event.to_dict()


def _stamped_ahead(signature: str) -> bool:
    """A signature time beyond the clock skew ahead of ours.

    Stripe's library refuses stamps older than its tolerance, not newer ones; a capture
    signed "in the future" would otherwise stay replayable until that time came.
    """
    stamps = [item[2:] for item in signature.split(",") if item.strip().startswith("t=")]
    return not (stamps and stamps[0].isdigit()) or int(stamps[0]) > time.time() + CLOCK_SKEW
