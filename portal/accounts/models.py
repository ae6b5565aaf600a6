"""Accounts: who may sign in, with which role and scope."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, inspect
from sqlmodel import Field, SQLModel

from portal.audit import utcnow
from portal.enums import enum_column


class Role(StrEnum):
    OWNER = "owner"
    DEALER = "dealer"
    REVIEWER = "reviewer"
    OFFICER = "officer"
    ADMIN = "admin"

    @property
    def province_scoped(self) -> bool:
        """Reviewers and transfer officers work for one province (ARCHITECTURE, Roles)."""
        return self in (Role.REVIEWER, Role.OFFICER)


class User(UserMixin, SQLModel, table=True):
    """A person who signs in to the portal."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=64)
    password_hash: str = Field(max_length=256)
    role: Role = Field(sa_type=enum_column(Role))
    province_code: str | None = Field(default=None, foreign_key="province.code", max_length=6)
    dealer_id: int | None = Field(default=None, foreign_key="dealer.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", unique=True)
    locale: str | None = Field(default=None, max_length=8)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # Kept with the notices (notices.services) so the header of every page reads it with
    # the user: no count of the notice table per request (issue 9).
    unread_notices: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    __table_args__ = (
        CheckConstraint(
            "(role IN ('reviewer', 'officer')) = (province_code IS NOT NULL)",
            name="ck_user_province_scope",
        ),
        CheckConstraint("(role = 'dealer') = (dealer_id IS NOT NULL)", name="ck_user_dealer"),
        CheckConstraint("unread_notices >= 0", name="ck_user_unread_notices"),
    )

    def get_id(self) -> str:
        """Flask-Login's id: the secret of this sign-in's server-side session.

        It is set by `accounts.sessions` when a session starts or is looked up, so the
        session and remember cookies name one sign-in that signing out can end.
        """
        secret = inspect(self).info.get("login_secret")
        if secret is None:
            raise RuntimeError("Sign users in through portal.accounts.sessions.")
        return secret

    @property
    def is_active(self) -> bool:
        return self.active
