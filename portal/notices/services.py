"""Writing notices with the change they tell of, and the inbox that shows them (DOMAIN §6).

`notify` adds the inbox row and, unless the person switched the kind off, an email to the
outbox, in the caller's transaction: the notice exists exactly when the change does. The
email is handed to the job consumer once that transaction commits; if the hand-over is
lost, the consumer's sweep finds the row (notices/delivery.py).
"""

from collections import Counter
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import case, delete, update
from sqlmodel import Session, select

from portal import audit
from portal.accounts.models import User
from portal.db import Page, fetch_page, once_committed
from portal.errors import NotFound
from portal.messages import N_
from portal.notices.kinds import KINDS, Category
from portal.notices.models import Delivery, EmailOff, Notice

EMAIL = "email"
UNREAD_SHOWN = 99  # the header counts up to here, then shows "99+"


@dataclass(frozen=True)
class Tell:
    """One notice to write: to whom, which kind, what fills it, where it leads."""

    user_id: int
    kind: str
    params: dict = field(default_factory=dict)
    link: str = ""


def notify(
    session: Session, *, user_id: int, kind: str, params: dict | None = None, link: str = ""
) -> Notice:
    """Tell the user of a change: an inbox row, and an email unless switched off."""
    return notify_all(session, [Tell(user_id, kind, params or {}, link)])[0]


def notify_all(session: Session, tells: list[Tell]) -> list[Notice]:
    """Write many notices at once (a payout batch): a few statements, not a few per row."""
    rows = [
        Notice(user_id=t.user_id, kind=t.kind, params=t.params, link=t.link or None) for t in tells
    ]
    session.add_all(rows)
    session.flush()
    _count_unread(session, Counter(t.user_id for t in tells))
    off = _email_off_of(session, {t.user_id for t in tells})
    deliveries = [
        Delivery(notice_id=row.id, channel=EMAIL)
        for row in rows
        if KINDS[row.kind].category not in off.get(row.user_id, ())
    ]
    session.add_all(deliveries)
    session.flush()
    for delivery in deliveries:
        _hand_to_consumer(session, delivery.id)
    return rows


def _count_unread(session: Session, added: Counter[int]) -> None:
    """Keep each account's unread count with its notices, in the notices' transaction: one
    UPDATE for a whole payout batch, which locks its accounts in id order, so two batches
    with people in common wait for each other instead of deadlocking."""
    by_account = case(added, value=User.id)
    _add_unread(session, User.id.in_(sorted(added)), by_account)


def _add_unread(session: Session, which, number) -> None:
    # Relative, so concurrent notices and readings of the same account add up exactly;
    # "fetch" also refreshes the signed-in user shown in this request's header.
    session.exec(
        update(User)
        .where(which)
        .values(unread_notices=User.unread_notices + number)
        .execution_options(synchronize_session="fetch")
    )


def _email_off_of(session: Session, user_ids: set[int]) -> dict[int, set[Category]]:
    statement = select(EmailOff).where(EmailOff.user_id.in_(sorted(user_ids)))
    off: dict[int, set[Category]] = {}
    for row in session.exec(statement):
        off.setdefault(row.user_id, set()).add(Category(row.category))
    return off


def _hand_to_consumer(session: Session, delivery_id: int) -> None:
    def queue() -> None:
        # Outside the app (a script on the services) there is no queue to hand it to:
        # the consumer's sweep sends it. The app holds the task (create_app), so the
        # features that notify need no import of portal.tasks, which imports them.
        if has_app_context():
            current_app.extensions["deliver_notice"](delivery_id)

    once_committed(session, queue)


def inbox(session: Session, *, user_id: int, page: int, page_size: int) -> Page:
    """The user's notices, newest first, one page (index ix_notice_user_newest)."""
    statement = select(Notice).where(Notice.user_id == user_id).order_by(Notice.id.desc())
    return fetch_page(session, statement, page, page_size)


def mark_read(session: Session, *, user_id: int, notice_id: int) -> Notice:
    """Mark one of the user's notices read; another person's is not found.

    Marked by a conditional UPDATE, so two clicks at once take it off the count once."""
    notice = session.get(Notice, notice_id)
    if notice is None or notice.user_id != user_id:
        raise NotFound(N_("There is no such notice."))
    marked = session.exec(
        update(Notice)
        .where(Notice.id == notice_id, Notice.read_at.is_(None))
        .values(read_at=audit.utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if marked.rowcount:
        _add_unread(session, User.id == user_id, -marked.rowcount)
    return notice


def mark_all_read(session: Session, *, user_id: int) -> None:
    """Mark every unread notice of the user read, and take exactly those off the count."""
    marked = session.exec(
        update(Notice)
        .where(Notice.user_id == user_id, Notice.read_at.is_(None))
        .values(read_at=audit.utcnow())
    )
    if marked.rowcount:
        _add_unread(session, User.id == user_id, -marked.rowcount)


def email_off(session: Session, user_id: int) -> set[Category]:
    """The categories the user does not want by email."""
    return _email_off_of(session, {user_id}).get(user_id, set())


def set_email_off(session: Session, *, user_id: int, categories: set[Category]) -> None:
    """Switch email off for exactly these categories; security notices always go."""
    session.exec(delete(EmailOff).where(EmailOff.user_id == user_id))
    session.add_all(
        EmailOff(user_id=user_id, category=category.value)
        for category in categories
        if category.switchable
    )


def all_of(session: Session, user_id: int) -> list[Notice]:
    """Every notice of the user, oldest first (the "my data" download)."""
    return list(session.exec(select(Notice).where(Notice.user_id == user_id).order_by(Notice.id)))
