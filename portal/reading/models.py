"""A paper being read: the job's state and progress, and what was read, sealed at rest."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from portal.audit import utcnow
from portal.enums import enum_column
from portal.reading.terms import PaperKind, ReadingStatus, ReadMethod


class DocumentReading(SQLModel, table=True):
    """One paper read in the background; any web worker shows its progress from here.

    The fields read hold a name and a resident ID number (DOMAIN §6): they are kept only
    sealed (AES-GCM under CARD_KEYS, portal/cards.py), bound to this row.
    """

    __tablename__ = "document_reading"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    # The application whose paper this is; None for a reading asked for through the API.
    application_id: int | None = Field(default=None, foreign_key="subsidy_application.id")
    kind: PaperKind = Field(sa_type=enum_column(PaperKind))
    status: ReadingStatus = Field(sa_type=enum_column(ReadingStatus), default=ReadingStatus.QUEUED)
    progress: int = 0  # percent, for the progress bar
    # The file waiting to be read (upload area "reading"); removed once it is read.
    stored_name: str | None = Field(default=None, max_length=64)
    method: ReadMethod | None = Field(default=None, sa_type=enum_column(ReadMethod))
    fields_sealed: str | None = Field(default=None, sa_column=Column(Text))
    problems: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # What the anti-fraud checks look up without opening the seal (DOMAIN §1.5): the
    # invoice's number and date, and the buyer's ID number only as its keyed hash.
    invoice_number: str | None = Field(default=None, max_length=20)
    invoice_date: date | None = None
    buyer_id_hash: str | None = Field(default=None, max_length=64)
    # The name read against the registry's, decided when read (DOMAIN §1.5): the invoice's
    # buyer against the applicant, the licence's owner against the car's registered owner.
    # None: no name was read, or the registry has none to compare with.
    name_agrees: bool | None = None
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None

    __table_args__ = (
        Index("ix_document_reading_user", "user_id", "id"),
        Index("ix_document_reading_application", "application_id", "kind", "id"),
        Index("ix_document_reading_invoice_number", "invoice_number"),
    )
