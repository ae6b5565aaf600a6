"""Payments test helpers: localstripe on loopback, a live server, signed events, a purpose.

Import the fixtures by their `*_fixture` names (pytest finds them under `name=`):
    from tests.payments_helpers import localstripe_fixture  # noqa: F401
No test patches the stripe module: Stripe calls go over HTTP to a real localstripe.
"""

import hashlib
import hmac
import itertools
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import stripe
from flask import Blueprint, current_app, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.serving import make_server

from portal import db
from portal.payments import services
from portal.payments.gateway import StripeConfig

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "sk_test_portal"
WEBHOOK_SECRET = "whsec_portal_test"
TEST_CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
DECLINED_CARD = TEST_CARD | {"number": "4000000000000341"}


# --- localstripe, one per test session --------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalStripe:
    """A localstripe process on a free port; stopped once at the end of the session.

    Each pytest-xdist worker starts its own. A port found free can be taken by another
    worker or run before localstripe binds it; then localstripe exits and another port
    is tried.
    """

    ATTEMPTS = 3

    def __init__(self):
        for attempt in range(1, self.ATTEMPTS + 1):
            self._start(free_port())
            try:
                self._wait_until_it_answers()
                return
            except LocalStripeExited:
                if attempt == self.ATTEMPTS:
                    raise

    def _start(self, port: int) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        # --from-scratch: never load the state another run left in /tmp/localstripe.pickle.
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "localstripe"), "--port", str(port), "--from-scratch"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _wait_until_it_answers(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/js.stripe.com/v3/", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise LocalStripeExited(f"localstripe exited at start on {self.port}") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("localstripe did not answer within 20 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self) -> stripe.StripeClient:
        """A client for arranging things at Stripe the way a browser or Stripe would."""
        return stripe.StripeClient(
            SECRET_KEY, base_addresses={"api": self.base}, max_network_retries=0
        )

    def send_webhooks_to(self, url: str, secret: str = WEBHOOK_SECRET) -> None:
        """localstripe's webhook configuration: signed events are POSTed to url."""
        data = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
        with urllib.request.urlopen(self.base + "/_config/webhooks/portal", data=data, timeout=5):
            pass

    def intents_for(self, purpose_id: int) -> list:
        """The PaymentIntents localstripe holds for a test purpose."""
        return [
            intent
            for intent in self.client()
            .v1.payment_intents.list(params={"limit": 100})
            .auto_paging_iter()
            if intent.metadata.to_dict().get("purpose_kind") == "test"
            and intent.metadata.to_dict().get("purpose_id") == str(purpose_id)
        ]

    def pay(self, intent_id: str, card: dict = TEST_CARD):
        """What Stripe.js does in the browser: a card, attached to the intent, confirmed."""
        client = self.client()
        method = client.v1.payment_methods.create(params={"type": "card", "card": card})
        client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
        return client.v1.payment_intents.confirm(intent_id)


class LocalStripeExited(RuntimeError):
    """localstripe stopped before answering (most often: its port was taken)."""


_shared: LocalStripe | None = None


@pytest.fixture(scope="session", name="localstripe")
def localstripe_fixture():
    global _shared
    if _shared is None:
        _shared = LocalStripe()
    yield _shared
    _shared.stop()


def stripe_settings(localstripe: LocalStripe) -> dict:
    return {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": "pk_test_portal",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe.base,
        "STRIPE_JS_URL": localstripe.base + "/js.stripe.com/v3/",
    }


@pytest.fixture(name="stripe_app")
def stripe_app_fixture(app, localstripe):
    """The test app talking to localstripe, with the test purpose's pay route."""
    app.config.update(stripe_settings(localstripe))
    app.register_blueprint(purposes)
    return app


@pytest.fixture(name="live_server")
def live_server_fixture(stripe_app):
    """The app served on a loopback port in a thread, for localstripe's webhooks."""
    server = make_server("127.0.0.1", 0, stripe_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


# --- a purpose to pay for ---------------------------------------------------------------

_purpose_ids = itertools.count(os.getpid() % 1000 * 10_000 + 1)
EXISTING: set[int] = set()  # purposes that exist; others make the handler raise
PAID: list[tuple[int, int]] = []  # (purpose_id, payment_id) per handler call
REFUNDED: list[tuple[int, int]] = []


def new_purpose(exists: bool = True) -> int:
    """A fresh purpose id, unique in the test session (localstripe keeps every intent)."""
    purpose_id = next(_purpose_ids)
    if exists:
        EXISTING.add(purpose_id)
    return purpose_id


@services.on_paid("test")
def _paid(session, purpose_id: int, payment) -> None:
    if purpose_id not in EXISTING:
        raise services.PurposeMissing(purpose_id)
    PAID.append((purpose_id, payment.id))


@services.on_refunded("test")
def _refunded(session, purpose_id: int, payment) -> None:
    REFUNDED.append((purpose_id, payment.id))


purposes = Blueprint("test_purposes", __name__)


@purposes.post("/_test/purposes/<int:purpose_id>/pay")
@login_required
def pay_for(purpose_id: int):
    """What a feature's pay button does: the server's amount, then the payment page."""
    session = db.session()
    payment = services.start_payment(
        session,
        purpose_kind="test",
        purpose_id=purpose_id,
        amount_fen=services.fee_amount(session, "valuation_report"),
        description=f"Test purpose {purpose_id}",
        payer_id=current_user.id,
        stripe_config=StripeConfig.from_app(current_app.config),
        return_path=f"/_test/purposes/{purpose_id}",
    )
    return redirect(url_for("payments.pay", payment_id=payment.id), 303)


# --- events signed by hand, as Stripe signs them ----------------------------------------

_event_ids = itertools.count(1)


def event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    """A Stripe event around obj."""
    return {
        "id": event_id or f"evt_test_{os.getpid()}_{next(_event_ids)}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def signature(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=..., v1=HMAC-SHA256(secret, "t.payload")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def deliver(client, body: dict | bytes, *, secret: str = WEBHOOK_SECRET, header: str | None = None):
    """POST an event to the webhook the way Stripe does (no CSRF token, raw JSON body)."""
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Stripe-Signature": header if header is not None else signature(payload, secret)}
    raw = getattr(client, "client", client)  # past FormClient, which would add a form token
    return raw.post(
        "/payments/stripe/webhook", data=payload, headers=headers, content_type="application/json"
    )


def wait_for(predicate, timeout: float = 15.0):
    """Poll until predicate() is truthy (localstripe sends webhooks after about a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out waiting")
