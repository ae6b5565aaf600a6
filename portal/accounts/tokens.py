"""API tokens: dealers' systems call the JSON API with a bearer secret made on the account page.

Only the SHA-256 of a secret is stored. The secret is 256 random bits, so a plain hash is
enough (no slow password hash is needed to resist guessing), and looking a token up by
its hash means no secret is ever compared byte by byte: timing reveals nothing.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Field, Session, SQLModel, select

from portal import audit
from portal.accounts.models import Role, User
from portal.audit import utcnow
from portal.errors import DomainError, NotFound
from portal.messages import N_

SECRET_PREFIX = "pt_"  # marks a portal token, so leak scanners and people recognise it
PREFIX_LENGTH = 8
# Owners use the subsidy endpoints, dealers the transfer ones (docs/api.md).
TOKEN_ROLES = (Role.OWNER, Role.DEALER, Role.ADMIN)
# last_used_at is written at most this often, so busy API clients do not turn every
# read into a write on the user's token row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiToken(SQLModel, table=True):
    """A bearer token of a user for the JSON API; revoked tokens are kept for the record."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=PREFIX_LENGTH)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class TokenNotAllowed(DomainError):
    status = 403
    title = N_("Not allowed")


def hash_secret(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(session: Session, *, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token of the user and its secret, which is shown once and never stored."""
    if user.role not in TOKEN_ROLES:
        raise TokenNotAllowed(N_("Only dealer staff and administrators can create API tokens."))
    name = name.strip()
    if not name or len(name) > 64:
        raise DomainError(N_("Give the token a name of at most 64 characters."))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=hash_secret(secret), prefix=secret[:PREFIX_LENGTH]
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        entity="api_token",
        entity_id=token.id,
        action="created",
        detail={"name": name, "prefix": token.prefix},
    )
    return token, secret


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, the active ones first, newest first."""
    statement = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    )
    return list(session.exec(statement))


def user_for_token(session: Session, secret: str) -> User | None:
    """The active user holding this unrevoked secret, or None; notes when it was used."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 128:
        return None
    statement = select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    row = session.exec(statement.where(ApiToken.token_hash == hash_secret(secret))).first()
    if row is None:
        return None
    token, user = row
    if not token.active or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.add(token)
    return user


def revoke(session: Session, *, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens; another user's token is NotFound."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(N_("There is no such token."))
    _revoke(session, user, token)
    return token


def revoke_all(session: Session, *, user: User) -> None:
    """Revoke every active token of the user (after a password change)."""
    for token in tokens_of(session, user):
        _revoke(session, user, token)


def _revoke(session: Session, user: User, token: ApiToken) -> None:
    if token.active:
        token.revoked_at = utcnow()
        session.add(token)
        audit.record(
            session,
            actor_id=user.id,
            entity="api_token",
            entity_id=token.id,
            action="revoked",
            detail={"prefix": token.prefix},
        )
