"""Sign-in sessions kept on the server, so signing out really ends them.

Flask's session cookie and Flask-Login's remember cookie are signed, not stored: a copy
taken before `POST /logout` would stay valid for as long as it is signed for. So each
sign-in gets a row here, and both cookies carry only that row's random secret (as the
Flask-Login id). Every request looks the row up; signing out deletes it, and a password
change deletes all of the account's rows. The rows live in the database that every app
machine shares, so this holds with any number of machines behind a load balancer.

Only the SHA-256 of a secret is stored, as for API tokens (accounts/tokens.py): the
secret is 256 random bits, and a copy of the table opens no session.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, inspect
from sqlmodel import Field, Session, SQLModel, select

from portal.accounts.models import User
from portal.accounts.tokens import hash_secret
from portal.audit import utcnow

# The longest a sign-in lasts, even with "keep me signed in" (REMEMBER_COOKIE_DURATION).
LIFETIME = timedelta(days=30)
MAX_SECRET = 64  # characters; a longer id is not one of ours


class LoginSession(SQLModel, table=True):
    """One sign-in of a user on one browser; deleted when it ends."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


def start(session: Session, *, user: User) -> str:
    """Open a session for the user; returns its secret, and gives it to the user as its id.

    Expired rows of the same user are deleted on the way, so the table does not grow
    with sign-ins whose cookies were simply thrown away.
    """
    session.exec(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.created_at < utcnow() - LIFETIME
        )
    )
    secret = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, secret_hash=hash_secret(secret)))
    session.flush()
    carry(user, secret)
    return secret


def carry(user: User, secret: str) -> None:
    """Attach the session's secret to the loaded user, where `User.get_id` finds it."""
    inspect(user).info["login_secret"] = secret


def user_for(session: Session, secret: str) -> User | None:
    """The active user of this unexpired session, or None."""
    if not secret or len(secret) > MAX_SECRET:
        return None
    statement = (
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.secret_hash == hash_secret(secret),
            LoginSession.created_at >= utcnow() - LIFETIME,
        )
    )
    user = session.exec(statement).first()
    if user is None or not user.active:
        return None
    carry(user, secret)
    return user


def end(session: Session, secret: str | None) -> None:
    """End one session (sign-out); an unknown secret changes nothing."""
    if secret:
        session.exec(delete(LoginSession).where(LoginSession.secret_hash == hash_secret(secret)))


def end_all(session: Session, *, user: User) -> None:
    """End every session of the user, on every device (password change)."""
    session.exec(delete(LoginSession).where(LoginSession.user_id == user.id))
