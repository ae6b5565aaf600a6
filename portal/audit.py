"""The append-only audit log: who changed what, when, from which state to which."""

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, Session, SQLModel, select

from portal.redaction import redact_value

CHINA = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time in UTC (all stored times are UTC)."""
    return datetime.now(UTC)


def china_today() -> date:
    """Today's date in China, for dates that are dates (a registration, a sale)."""
    return datetime.now(CHINA).date()


def in_china(moment: datetime) -> datetime:
    """A stored time in China's zone (SQLite gives the stored UTC time back without one)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA)


def china_date(moment: datetime) -> date:
    """The date in China of a stored (UTC) time: the day people saw it happen."""
    return in_china(moment).date()


def china_midnight(day: date) -> datetime:
    """The start of a day in China, as an aware time to compare stored times with."""
    return datetime.combine(day, datetime.min.time(), tzinfo=CHINA)


class AuditEvent(SQLModel, table=True):
    """One state change; rows are only ever inserted."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    entity: str = Field(max_length=32)
    entity_id: int
    action: str = Field(max_length=48)
    from_state: str | None = Field(default=None, max_length=32)
    to_state: str | None = Field(default=None, max_length=32)
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


def record(
    session: Session,
    *,
    actor_id: int | None,
    entity: str,
    entity_id: int,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit event to the session (committed with the change it describes).

    Free text in the detail (a reason someone typed) is redacted: an ID number or a card
    typed there is masked, since the log is kept for years and read by many.
    """
    session.add(
        AuditEvent(
            actor_id=actor_id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            detail=redact_value(detail),
        )
    )


def history(session: Session, entity: str, entity_id: int) -> list[AuditEvent]:
    """Events of one entity, oldest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(session.exec(statement))
