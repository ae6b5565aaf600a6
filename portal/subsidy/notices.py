"""The applicant's notices of each change to an application (DOMAIN §6, §1.4).

Written by the services that make the change, in their transaction. They name the
application by its number and the card by its mask, never an ID or card number.
"""

from sqlmodel import Session, select

from portal.audit import china_date
from portal.messages import N_
from portal.notices import services as notices
from portal.notices.services import Tell
from portal.subsidy import standing
from portal.subsidy.models import Application

ADVICE_AFTER_FAILURE = N_(
    "Nothing is lost: the payment will be made again, or you will be asked for another card."
)


def _link(application: Application) -> str:
    return f"/subsidies/{application.id}"


def _tell(session: Session, application: Application, kind: str, **params) -> None:
    notices.notify(
        session,
        user_id=application.applicant_id,
        kind=kind,
        params={"number": application.number} | params,
        link=_link(application),
    )


def _due(deadline) -> dict:
    return {"date": deadline.day.isoformat()}


def submitted(session: Session, application: Application, *, position: int | None) -> None:
    """Received, with its place in the queue (counted once, at submission) and the date a
    decision is due."""
    _tell(
        session,
        application,
        "application_submitted",
        date={"date": china_date(application.clock_start).isoformat()},
        position=position,
        due=_due(standing.decision_due(session, application)),
    )


def returned(session: Session, application: Application) -> None:
    _tell(session, application, "application_returned", reasons=[application.decision_note])


def approved(session: Session, application: Application) -> None:
    _tell(
        session,
        application,
        "application_approved",
        amount=application.amount_fen,
        due=_due(standing.payout_due(session, application)),
    )


def rejected(session: Session, application: Application) -> None:
    reasons = [{"label": "reject_reason", "value": application.reject_reason.value}]
    if application.decision_note:
        reasons.append(application.decision_note)
    _tell(session, application, "application_rejected", reasons=reasons)


def payout_sent(session: Session, application_ids: list[int]) -> None:
    """The batch went to the bank: every applicant in it, in a few statements."""
    rows = session.exec(select(Application).where(Application.id.in_(application_ids)))
    notices.notify_all(
        session,
        [
            Tell(
                row.applicant_id,
                "payout_sent",
                {"number": row.number, "amount": row.amount_fen, "card": row.bank_card_masked},
                _link(row),
            )
            for row in rows
        ],
    )


def paid(session: Session, application: Application) -> None:
    _tell(
        session,
        application,
        "payout_paid",
        amount=application.amount_fen,
        card=application.bank_card_masked,
    )


def payout_failed(session: Session, application: Application, reason: str) -> None:
    """The bank's reason and what happens next."""
    _tell(
        session,
        application,
        "payout_failed",
        amount=application.amount_fen,
        card=application.bank_card_masked,
        reason=reason or {"message": N_("the bank gave no reason")},
        advice={"message": ADVICE_AFTER_FAILURE},
    )


def card_needed(session: Session, application: Application) -> None:
    """The way forward after a failure: another card (DOMAIN §1.3)."""
    _tell(
        session,
        application,
        "payout_card_needed",
        card=application.bank_card_masked,
        reason=application.decision_note or "",
    )
