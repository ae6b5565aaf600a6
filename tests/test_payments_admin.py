"""Admin pages of payments: refunds through localstripe, the list, the export, the fee schedule."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.accounts.models import Role
from portal.audit import AuditEvent
from portal.payments import services
from portal.payments.models import FeeItem, Payment, Refund
from portal.payments.rules import DEFAULT_FEES, PaymentStatus
from tests import factories
from tests import payments_helpers as helpers
from tests.payments_helpers import localstripe_fixture, stripe_app_fixture  # noqa: F401

EN = {"Accept-Language": "en"}


@pytest.fixture
def admin(stripe_app, client, auth, session):
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    auth.login("admin@example.cn")
    return client


@pytest.fixture
def paid(stripe_app, admin, session, localstripe):
    """A 30-yuan payment paid at localstripe and settled by its (hand-delivered) event."""
    purpose = helpers.new_purpose()
    admin.post(f"/_test/purposes/{purpose}/pay")
    payment = session.exec(select(Payment).where(Payment.purpose_id == purpose)).one()
    intent = localstripe.pay(payment.stripe_payment_intent_id)
    body = helpers.event(
        "payment_intent.succeeded",
        {"id": intent.id, "object": "payment_intent", "amount": 3000, "currency": "cny"},
    )
    assert helpers.deliver(admin, body).json["outcome"] == "applied"
    session.commit()  # end the read transaction: see what others committed
    session.expire_all()
    return session.get(Payment, payment.id)


def refund(client, payment, amount: str, reason: str = "Case withdrawn before inspection"):
    return client.post(
        f"/payments/admin/{payment.id}", data={"amount": amount, "reason": reason}, headers=EN
    )


def test_partial_refund_then_the_rest(admin, paid, session, localstripe):
    page = admin.get(f"/payments/admin/{paid.id}", headers=EN).get_data(as_text=True)
    assert 'value="30.00"' in page  # what is left, proposed
    assert refund(admin, paid, "10").status_code == 303
    session.commit()  # end the read transaction: see what others committed
    session.expire_all()
    payment = session.get(Payment, paid.id)
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.PARTIALLY_REFUNDED, 1000)
    assert refund(admin, paid, "20.00").status_code == 303
    session.commit()  # end the read transaction: see what others committed
    session.expire_all()
    payment = session.get(Payment, paid.id)
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.REFUNDED, 3000)

    rows = session.exec(select(Refund).where(Refund.payment_id == paid.id)).all()
    assert [r.amount_fen for r in rows] == [1000, 2000]
    assert all(r.stripe_refund_id and r.reason.startswith("Case withdrawn") for r in rows)
    charge = (
        localstripe.client()
        .v1.payment_intents.retrieve(
            paid.stripe_payment_intent_id, params={"expand": ["latest_charge"]}
        )
        .latest_charge
    )
    assert charge.amount_refunded == 3000
    audited = session.exec(
        select(AuditEvent.to_state).where(
            AuditEvent.entity == "payment", AuditEvent.action == "refunded"
        )
    ).all()
    assert audited == ["partially_refunded", "refunded"]
    assert (paid.purpose_id, paid.id) in helpers.REFUNDED


def test_a_refund_above_what_is_left_is_refused_next_to_the_field(admin, paid, session):
    assert refund(admin, paid, "25").status_code == 303
    response = refund(admin, paid, "5.01", reason="Second thoughts")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "At most ¥5.00 is left to refund." in page
    assert 'value="5.01"' in page and "Second thoughts" in page  # nothing lost
    session.commit()  # end the read transaction: see what others committed
    session.expire_all()
    assert session.get(Payment, paid.id).refunded_fen == 2500


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("", "x", "Enter an amount."),
        ("0", "x", "Enter an amount above zero."),
        ("-3", "x", "The amount cannot be negative."),
        ("ten", "x", "Enter an amount in yuan, like 50 or 12.50."),
        ("10", "", "Say why the money is given back."),
    ],
)
def test_refund_form_errors(admin, paid, amount, reason, message):
    response = refund(admin, paid, amount, reason)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_an_unpaid_payment_cannot_be_refunded(admin, session):
    user = factories.user(session, Role.OWNER)
    payment = Payment(
        purpose_kind="test", purpose_id=1, amount_fen=100, description="x", payer_id=user.id
    )
    session.add(payment)
    session.commit()
    response = refund(admin, payment, "1")
    assert response.status_code == 422
    assert "Only a paid payment can be refunded." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.OWNER, Role.DEALER, Role.OFFICER, Role.REVIEWER])
def test_only_admins_open_the_admin_pages(client, auth, session, role):
    dealer = factories.dealer(session) if role is Role.DEALER else None
    factories.user(session, role, email="someone@example.cn", dealer_row=dealer)
    session.commit()
    auth.login("someone@example.cn")
    for url in ("/payments/admin", "/payments/admin/export.csv", "/payments/admin/1",
                "/payments/admin/fees"):  # fmt: skip
        assert client.get(url).status_code == 403
    assert client.post("/payments/admin/fees", data={"plate_pair": "0"}).status_code == 403
    assert client.post("/payments/admin/1", data={"amount": "1", "reason": "x"}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/payments/admin").status_code == 302
    assert client.get("/payments/1").status_code == 302


def _payments(session, payer, specs):
    now = datetime.now(UTC)
    for days_ago, status, amount, kind in specs:
        session.add(
            Payment(
                purpose_kind=kind,
                purpose_id=helpers.new_purpose(),
                amount_fen=amount,
                status=status,
                description=f"{kind} fee",
                payer_id=payer.id,
                created_at=now - timedelta(days=days_ago),
            )
        )
    session.commit()


def test_list_filters_totals_pages_and_export(admin, app, session):
    payer = factories.user(session, Role.OWNER, email="buyer@example.cn")
    S = PaymentStatus
    _payments(
        session,
        payer,
        [(0, S.SUCCEEDED, 5000, "transfer_case")] * 3
        + [
            (1, S.PENDING, 3000, "test"),
            (40, S.SUCCEEDED, 1000, "test"),
            (2, S.FAILED, 700, "test"),
        ],
    )
    page = admin.get("/payments/admin", headers=EN).get_data(as_text=True)
    assert 'class="error"' not in page
    assert "¥160.00" in page  # the succeeded total: 3 × 50 + 10 yuan
    filtered = admin.get("/payments/admin?status=succeeded&kind=test", headers=EN)
    assert "¥10.00" in filtered.get_data(as_text=True)
    assert "¥150.00" not in filtered.get_data(as_text=True)
    today = datetime.now(UTC).date()
    recent = admin.get(f"/payments/admin?since={today - timedelta(days=3)}", headers=EN)
    assert "¥10.00" not in recent.get_data(as_text=True)
    bad = admin.get("/payments/admin?status=nonsense&since=yesterday", headers=EN)
    assert bad.status_code == 200  # bad filters are shown as errors and ignored
    assert bad.get_data(as_text=True).count('class="error"') == 2
    assert "¥160.00" in bad.get_data(as_text=True)

    app.config["PAGE_SIZE"] = 4
    first = admin.get("/payments/admin?kind=test", headers=EN).get_data(as_text=True)
    assert 'rel="next"' not in first
    first = admin.get("/payments/admin", headers=EN).get_data(as_text=True)
    assert 'rel="next"' in first
    second = admin.get("/payments/admin?page=2", headers=EN).get_data(as_text=True)
    assert 'rel="prev"' in second and 'rel="next"' not in second

    export = admin.get("/payments/admin/export.csv?kind=test", headers=EN)
    assert export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Payment", "Created", "For"]
    assert len(rows) == 4
    assert {row[6] for row in rows[1:]} == {"30.00", "10.00", "7.00"}
    assert {row[5] for row in rows[1:]} == {"buyer@example.cn"}


# --- the fee schedule -------------------------------------------------------------------


def test_the_export_runs_no_formula_from_a_payer_or_a_description(admin, session):
    payer = factories.user(session, Role.OWNER, email="=cmd|' /C calc'!A0@example.cn")
    _payments(session, payer, [(0, PaymentStatus.SUCCEEDED, 5000, "@SUM(1+1)")])
    export = admin.get("/payments/admin/export.csv", headers=EN)
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][5] == "'=cmd|' /c calc'!a0@example.cn"  # emails are stored lower case
    assert rows[1][2] == "'@SUM(1+1)" and rows[1][4] == "'@SUM(1+1) fee"


def fees_form(client, **changes) -> dict:
    current = {code: f"{fen // 100}.{fen % 100:02d}" for code, fen in DEFAULT_FEES.items()}
    return current | changes


def test_fee_schedule_shows_the_defaults_and_saves_a_change(admin, session):
    page = admin.get("/payments/admin/fees", headers=EN).get_data(as_text=True)
    assert "Number plates (a pair)" in page
    assert 'value="100.00"' in page
    response = admin.post("/payments/admin/fees", data=fees_form(admin, plate_pair="120.5"))
    assert response.status_code == 303
    assert services.fee_amount(session, "plate_pair") == 12050
    assert services.fee_amount(session, "temporary_plate") == 500
    [change] = session.exec(select(AuditEvent).where(AuditEvent.entity == "fee_item")).all()
    assert (change.from_state, change.to_state, change.detail) == (
        "10000",
        "12050",
        {"code": "plate_pair"},
    )
    assert len(session.exec(select(FeeItem)).all()) == 6


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "The amount cannot be negative."),
        ("abc", "Enter an amount in yuan, like 50 or 12.50."),
        ("100000.01", "A fee can be at most ¥100,000.00."),
        ("9" * 30, "The amount is too large."),
        ("1.234", "Use at most two decimals (fen)."),
        ("", "Enter an amount."),
        ("1e5", "Enter an amount in yuan, like 50 or 12.50."),
        ("NaN", "Enter an amount in yuan, like 50 or 12.50."),
        ('<script>alert("x")</script>', "Enter an amount in yuan, like 50 or 12.50."),
    ],
)
def test_fee_schedule_refuses_bad_amounts_next_to_the_field(admin, session, value, message):
    data = fees_form(admin, plate_pair=value, temporary_plate="6")
    response = admin.post("/payments/admin/fees", data=data, headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "<script>alert" not in page  # shown escaped, never run
    assert 'value="6"' in page  # the other entries are kept
    assert services.fee_amount(session, "temporary_plate") == 500  # nothing saved
    assert session.exec(select(AuditEvent).where(AuditEvent.entity == "fee_item")).all() == []


def test_full_width_input_is_understood(admin, session):
    data = fees_form(admin, valuation_report="￥３５．５")
    assert admin.post("/payments/admin/fees", data=data).status_code == 303
    assert services.fee_amount(session, "valuation_report") == 3550


def test_the_seed_stores_the_fee_schedule_once(runner, session):
    result = runner.invoke(args=["seed", "reference"])
    assert result.exit_code == 0, result.output
    amounts = {item.code: item.amount_fen for item in session.exec(select(FeeItem))}
    assert amounts == DEFAULT_FEES
    assert services.ensure_fee_schedule(session) == 0
