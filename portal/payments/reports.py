"""What admins read about payments: the filtered list, totals, the CSV export, reconciliation."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from portal.accounts.models import User
from portal.db import Page, fetch_page
from portal.payments import gateway, rules
from portal.payments.gateway import StripeConfig
from portal.payments.models import Payment
from portal.payments.rules import PaymentStatus

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class PaymentFilter:
    """The list's filters; dates are calendar days in China, both ends included."""

    status: PaymentStatus | None = None
    purpose_kind: str | None = None
    since: date | None = None
    until: date | None = None

    def where(self) -> list:
        """The WHERE clauses for these filters."""
        clauses = []
        if self.status is not None:
            clauses.append(Payment.status == self.status)
        if self.purpose_kind:
            clauses.append(Payment.purpose_kind == self.purpose_kind)
        if self.since is not None:
            clauses.append(Payment.created_at >= _start_of(self.since))
        if self.until is not None:
            clauses.append(Payment.created_at < _start_of(self.until + timedelta(days=1)))
        return clauses


def _start_of(day: date) -> datetime:
    """Midnight in China on day, in UTC (times are stored in UTC)."""
    return datetime.combine(day, time(), tzinfo=CHINA).astimezone(UTC)


@dataclass(frozen=True)
class PaymentRow:
    """One line of the list: the payment and who paid."""

    payment: Payment
    payer_email: str


def _rows(filters: PaymentFilter):
    return (
        select(Payment, User.email)
        .join(User, User.id == Payment.payer_id)
        .where(*filters.where())
        .order_by(Payment.created_at.desc(), Payment.id.desc())
    )


def list_payments(session: Session, *, filters: PaymentFilter, page: int, page_size: int) -> Page:
    """One page of payments, newest first; has_next without counting the table."""
    return fetch_page(session, _rows(filters), page, page_size, row=PaymentRow)


@dataclass(frozen=True)
class Total:
    """How many payments are in a status, what they charged and what went back."""

    status: PaymentStatus
    count: int
    amount_fen: int
    refunded_fen: int


def totals(session: Session, *, filters: PaymentFilter) -> list[Total]:
    """Sums by status for the filtered payments, in one query."""
    statement = (
        select(
            Payment.status,
            func.count(),
            func.coalesce(func.sum(Payment.amount_fen), 0),
            func.coalesce(func.sum(Payment.refunded_fen), 0),
        )
        .where(*filters.where())
        .group_by(Payment.status)
    )
    found = {
        status: Total(status, n, amount, refunded)
        for status, n, amount, refunded in session.exec(statement)
    }
    return [found[status] for status in PaymentStatus if status in found]


def export_rows(session: Session, *, filters: PaymentFilter) -> Iterator[PaymentRow]:
    """Every filtered payment, fetched in batches (for the CSV export)."""
    statement = _rows(filters).execution_options(yield_per=500)
    for payment, email in session.exec(statement):
        yield PaymentRow(payment, email)


def purpose_kinds(session: Session) -> list[str]:
    """The kinds of purpose that have payments (for the filter's choices)."""
    return list(
        session.exec(select(Payment.purpose_kind).distinct().order_by(Payment.purpose_kind))
    )


@dataclass(frozen=True)
class Difference:
    """A local payment that disagrees with Stripe's intent."""

    payment_id: int
    intent_id: str
    field: str  # "intent", "status", "amount" or "refunded"
    local: str
    stripe: str


def reconcile(
    session: Session, *, stripe_config: StripeConfig, since: date | None = None
) -> list[Difference]:
    """Compare each payment that has an intent with Stripe's record of it (read only)."""
    statement = select(Payment).where(Payment.stripe_payment_intent_id.is_not(None))
    if since is not None:
        statement = statement.where(Payment.created_at >= _start_of(since))
    payments = {p.stripe_payment_intent_id: p for p in session.exec(statement.order_by(Payment.id))}
    differences = []
    for intent_id, intent in gateway.retrieve_intents(stripe_config, list(payments)):
        differences.extend(_compare(payments[intent_id], intent))
    return differences


def _compare(payment: Payment, intent: gateway.Intent | None) -> list[Difference]:
    def difference(field: str, local, stripe) -> Difference:
        return Difference(
            payment.id, payment.stripe_payment_intent_id, field, str(local), str(stripe)
        )

    if intent is None:
        return [difference("intent", payment.stripe_payment_intent_id, "missing")]
    found = []
    if not rules.stripe_agrees(payment.status, intent.status):
        found.append(difference("status", payment.status.value, intent.status))
    if intent.amount != payment.amount_fen:
        found.append(difference("amount", payment.amount_fen, intent.amount))
    if intent.refunded is not None and intent.refunded != payment.refunded_fen:
        found.append(difference("refunded", payment.refunded_fen, intent.refunded))
    return found
