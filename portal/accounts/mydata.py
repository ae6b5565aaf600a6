""" "My data": everything the portal holds about a person, as one JSON document (DOMAIN §6).

PIPL lets a person see and download what is held about them. Values are given as the
person is shown them: the ID number masked, the bank card masked; keyed hashes and
sealed values are left out (they are the portal's means of protecting the data, and
say nothing a person can read). Each list belongs to one person, so it is small.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlmodel import Session, SQLModel, or_, select

from portal.accounts import privacy
from portal.accounts.models import User
from portal.notices import render
from portal.notices import services as notices
from portal.payments.models import Payment, Refund
from portal.registry.models import Ownership, Person, Vehicle
from portal.subsidy.models import Application, ApplicationDocument
from portal.transfer.models import TransferCase
from portal.valuation.models import ValuationRecord

# What protects data rather than being it: never exported.
_HIDDEN_SUFFIXES = ("_hash", "_sealed", "password_hash", "stripe_payment_intent_id")


def export(session: Session, user: User) -> dict:
    """Everything held about the user and the registry person linked to the account."""
    person = session.get(Person, user.person_id) if user.person_id else None
    return {
        "account": _plain(user, drop=("person_id",))
        | {"privacy_consents": [_plain(row) for row in privacy.consents_of(session, user.id)]},
        "person": _plain(person, drop=("id",)) if person else None,
        "vehicles": _vehicles(session, person),
        "subsidy_applications": _applications(session, user),
        "transfer_cases": _cases(session, user, person),
        "payments": _payments(session, user),
        "notices": [
            _plain(notice) | {"title": render.title(notice), "text": render.text(notice)}
            for notice in notices.all_of(session, user.id)
        ],
        "valuations": [
            _plain(row)
            for row in session.exec(
                select(ValuationRecord).where(ValuationRecord.user_id == user.id)
            )
        ],
    }


def _vehicles(session: Session, person: Person | None) -> list[dict]:
    if person is None:
        return []
    rows = session.exec(
        select(Ownership, Vehicle)
        .join(Vehicle, Vehicle.id == Ownership.vehicle_id)
        .where(Ownership.person_id == person.id)
        .order_by(Ownership.start)
    )
    return [
        _plain(vehicle) | {"held": _plain(held, drop=("vehicle_id",))} for held, vehicle in rows
    ]


def _applications(session: Session, user: User) -> list[dict]:
    applications = session.exec(
        select(Application).where(Application.applicant_id == user.id).order_by(Application.id)
    ).all()
    documents = session.exec(
        select(ApplicationDocument).where(
            ApplicationDocument.application_id.in_([a.id for a in applications])
        )
    ).all()
    return [
        _plain(application)
        | {
            "papers": [
                _plain(paper, drop=("stored_name",))
                for paper in documents
                if paper.application_id == application.id
            ]
        }
        for application in applications
    ]


def _cases(session: Session, user: User, person: Person | None) -> list[dict]:
    """Cases the user filed, and cases in which the linked person sold or bought."""
    mine = [TransferCase.created_by == user.id]
    if person is not None:
        sold = select(Ownership.id).where(Ownership.person_id == person.id)
        mine += [
            TransferCase.seller_ownership_id.in_(sold),
            TransferCase.buyer_id_hash == person.id_hash,
        ]
    rows = session.exec(select(TransferCase).where(or_(*mine)).order_by(TransferCase.id))
    return [_plain(case) for case in rows]


def _payments(session: Session, user: User) -> list[dict]:
    payments = session.exec(
        select(Payment).where(Payment.payer_id == user.id).order_by(Payment.id)
    ).all()
    refunds = session.exec(
        select(Refund).where(Refund.payment_id.in_([p.id for p in payments]))
    ).all()
    return [
        _plain(payment) | {"refunds": [_plain(r) for r in refunds if r.payment_id == payment.id]}
        for payment in payments
    ]


def _plain(row: SQLModel | None, drop: tuple[str, ...] = ()) -> dict:
    """A row's fields as JSON values, without the protective ones."""
    if row is None:
        return {}
    return {
        name: _json(value)
        for name, value in row.model_dump().items()
        if name not in drop and not name.endswith(_HIDDEN_SUFFIXES)
    }


def _json(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value
