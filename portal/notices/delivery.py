"""The consumer's side of the outbox: claim a row, send it, record the outcome.

Never twice: a consumer claims a row with one conditional UPDATE (pending, or a claim
that expired) before sending, so two consumers never both send it; the row is marked
sent right after. Never lost: a row whose hand-over to the queue was lost, whose
consumer died before sending, or whose attempt failed stays pending (or its claim
expires) and the sweep, run every minute and at each consumer's start, sends it.
The one window left, a consumer dying after the server took the message and before
the row is marked, sends it again with the same Message-ID (docs/notices.md).
"""

import logging
import smtplib
from datetime import timedelta

from flask import current_app
from sqlalchemy import String, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from portal.accounts.models import User
from portal.audit import utcnow
from portal.db import inline, transaction
from portal.notices import mail
from portal.notices.models import Delivery, DeliveryStatus, Notice

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SWEEP_BATCH = 200
STILL_TO_SEND = [DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value]


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt: 1, 2, 4 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def deliver(engine: Engine, delivery_id: int, *, links: dict) -> bool:
    """Send one outbox row if this consumer wins its claim; True when it was sent.

    links: kinds whose email carries a link made at sending time (a password reset's
    signed link, valid from the moment it is sent) mapped to the function making it.
    """
    with transaction(engine) as session:  # the claim alone: a short write on SQLite
        if not _claim(session, delivery_id):
            return False
    with transaction(engine) as session:
        delivery = session.get(Delivery, delivery_id)
        notice = session.get(Notice, delivery.notice_id)
        user = session.get(User, notice.user_id)
        key = f"notice-{notice.id}-{delivery.channel}"
        make_link = links.get(notice.kind)
        message = mail.compose(
            notice,
            to=user.email,
            locale=user.locale or "zh_CN",
            key=key,
            extra_link=make_link(user) if make_link else "",
        )
    try:
        mail.send(message, key=key)
    except (smtplib.SMTPException, OSError) as error:
        _record_failure(engine, delivery_id, error)
        return False
    with transaction(engine) as session:
        session.exec(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(status=DeliveryStatus.SENT, sent_at=utcnow(), claimed_until=None)
        )
    return True


def _claim(session, delivery_id: int) -> bool:
    now = utcnow()
    # NOTICE_CLAIM_SECONDS (5 minutes) outlasts any SMTP conversation (mail.STEP_SECONDS, a
    # dozen steps at most), so no other consumer takes the row while this one may be sending.
    claim = timedelta(seconds=current_app.config["NOTICE_CLAIM_SECONDS"])
    claimed = session.exec(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.next_attempt_at <= now, _open(now))
        .values(
            status=DeliveryStatus.SENDING,
            claimed_until=now + claim,
            attempts=Delivery.attempts + 1,
        )
    )
    return claimed.rowcount == 1


def _open(now):
    """Still to send: waiting, or claimed by a consumer that has not finished in time."""
    return or_(
        Delivery.status == DeliveryStatus.PENDING,
        (Delivery.status == DeliveryStatus.SENDING) & (Delivery.claimed_until < now),
    )


def _record_failure(engine: Engine, delivery_id: int, error: Exception) -> None:
    """Back to pending with a later attempt, or failed for good after MAX_ATTEMPTS."""
    # The error's class only: an SMTP answer may quote the address.
    reason = type(error).__name__
    log.warning("notice delivery %s failed: %s", delivery_id, reason)
    with transaction(engine) as session:
        delivery = session.get(Delivery, delivery_id)
        exhausted = delivery.attempts >= MAX_ATTEMPTS
        delivery.status = DeliveryStatus.FAILED if exhausted else DeliveryStatus.PENDING
        delivery.next_attempt_at = utcnow() + backoff(delivery.attempts)
        delivery.claimed_until = None
        delivery.last_error = reason
        session.add(delivery)


def due(engine: Engine) -> list[int]:
    """Outbox rows to send now, oldest first, one batch (index ix_notice_delivery_due)."""
    now = utcnow()
    statement = (
        select(Delivery.id)
        .where(
            # Written into the SQL, so PostgreSQL sees that the partial index fits.
            Delivery.status.in_(inline(STILL_TO_SEND, String())),
            Delivery.next_attempt_at <= now,
            _open(now),
        )
        .order_by(Delivery.next_attempt_at)
        .limit(inline(SWEEP_BATCH))
    )
    with transaction(engine) as session:
        return list(session.exec(statement))


def sweep(engine: Engine, *, links: dict) -> int:
    """Send every row that is due; returns how many this consumer sent."""
    return sum(deliver(engine, delivery_id, links=links) for delivery_id in due(engine))
