"""The official schedule of years administrators entered (DOMAIN §1.7)."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from portal.audit import utcnow


class CalendarYear(SQLModel, table=True):
    """A year whose schedule an administrator entered; it replaces the package's for that year."""

    __tablename__ = "calendar_year"

    year: int = Field(primary_key=True)
    entered_by: int | None = Field(default=None, foreign_key="user_account.id")
    entered_at: datetime = Field(default_factory=utcnow)


class OfficialDay(SQLModel, table=True):
    """A day of an entered year that breaks the Monday-to-Friday rule: off, or worked."""

    __tablename__ = "official_day"

    day: date = Field(primary_key=True)
    year: int = Field(foreign_key="calendar_year.year", index=True)
    worked: bool
