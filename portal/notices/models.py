"""Notices in the inbox, the email outbox, and which kinds a person gets by email."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from portal.audit import utcnow
from portal.enums import enum_column


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for a consumer (or for its next attempt)
    SENDING = "sending"  # claimed by a consumer until claimed_until
    SENT = "sent"
    FAILED = "failed"  # every attempt failed; kept for the administrator


class Notice(SQLModel, table=True):
    """One change a person waited for, as the inbox shows it (DOMAIN §6).

    The message is not stored translated: `kind` names it and `params` fill it, so it
    reads in whichever language the person reads it in.
    """

    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    kind: str = Field(max_length=32)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    link: str | None = Field(default=None, max_length=200)  # a path inside the portal
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None

    __table_args__ = (
        # The inbox, newest first, one page at a time.
        Index("ix_notice_user_newest", "user_id", "id"),
        # The unread count in every page's header reads only unread rows.
        Index(
            "ix_notice_unread",
            "user_id",
            postgresql_where=text("read_at IS NULL"),
            sqlite_where=text("read_at IS NULL"),
        ),
    )


class Delivery(SQLModel, table=True):
    """The outbox: one notice on one channel, sent by the job consumer.

    The unique (notice, channel) pair is the key that keeps a notice from going out twice;
    a consumer claims a row with a conditional UPDATE before sending it.
    """

    __tablename__ = "notice_delivery"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id")
    channel: str = Field(max_length=16)
    status: DeliveryStatus = Field(
        sa_type=enum_column(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=200)

    __table_args__ = (
        UniqueConstraint("notice_id", "channel", name="uq_notice_delivery_channel"),
        # The sweep reads only rows still to send.
        Index(
            "ix_notice_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'sending')"),
            sqlite_where=text("status IN ('pending', 'sending')"),
        ),
    )


class EmailOff(SQLModel, table=True):
    """A kind of notice the person does not want by email (the inbox still has it)."""

    __tablename__ = "notice_email_off"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    category: str = Field(max_length=16, primary_key=True)
