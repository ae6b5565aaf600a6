"""The privacy notice and each person's recorded consent to it (DOMAIN §6, PIPL).

The notice's text is templates/accounts/_privacy_notice.html; VERSION names it. Sign-up
records consent to the current version; a person whose latest consent is to an older
version is asked again at the next sign-in.
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from portal import audit
from portal.audit import utcnow
from portal.db import unique_or
from portal.errors import Conflict
from portal.messages import N_

# Change when the notice's text changes in substance: everyone is asked again.
VERSION = "2026-12-06"


class PrivacyConsent(SQLModel, table=True):
    """A person agreed to a version of the privacy notice at a time."""

    __tablename__ = "privacy_consent"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    version: str = Field(max_length=16)
    consented_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "version", name="uq_privacy_consent"),)


def has_current_consent(session: Session, user_id: int) -> bool:
    """Whether the user agreed to the current version of the notice."""
    statement = select(PrivacyConsent.id).where(
        PrivacyConsent.user_id == user_id, PrivacyConsent.version == VERSION
    )
    return session.exec(statement).first() is not None


def consent(session: Session, *, user_id: int) -> None:
    """Record the user's consent to the current version (once; a repeat changes nothing)."""
    if has_current_consent(session, user_id):
        return
    with unique_or(session, Conflict(N_("Your consent is already recorded."))):
        session.add(PrivacyConsent(user_id=user_id, version=VERSION))
    audit.record(
        session,
        actor_id=user_id,
        entity="user",
        entity_id=user_id,
        action="privacy_consent",
        detail={"version": VERSION},
    )


def consents_of(session: Session, user_id: int) -> list[PrivacyConsent]:
    """The user's consents, oldest first (the "my data" download)."""
    statement = select(PrivacyConsent).where(PrivacyConsent.user_id == user_id)
    return list(session.exec(statement.order_by(PrivacyConsent.id)))
