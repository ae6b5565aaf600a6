"""Forgotten passwords: a signed, single-use link by email that expires in 30 minutes.

The link carries the account's id and a fingerprint of its current password hash,
signed with the app's secret and a time stamp. Setting a new password changes the hash,
so the link that did it, and every other link sent before, opens nothing afterwards.
The link is made by the job consumer when the email is sent (`reset_link`), so it never
sits in the database, and its 30 minutes start when it leaves.
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from portal.accounts.models import User
from portal.accounts.services import normalize_email, set_password
from portal.errors import DomainError
from portal.messages import N_
from portal.notices import services as notices

LIFETIME_SECONDS = 30 * 60
INVALID = N_("This link is not valid: ask for a new one.")
_SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_link(user: User) -> str:
    """The address of a fresh reset link for the user (made when the email is sent)."""
    token = _serializer().dumps({"user": user.id, "hash": _fingerprint(user)})
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/password/reset/{token}"


def request_reset(session: Session, *, email: str) -> None:
    """Email a reset link to the address's active account; nothing for an unknown one."""
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if user is not None and user.active:
        notices.notify(session, user_id=user.id, kind="password_reset", link="/login")


def user_of(session: Session, token: str) -> User:
    """The account a reset token was made for, or a domain error saying why not."""
    try:
        claims = _serializer().loads(token, max_age=LIFETIME_SECONDS)
    except SignatureExpired as error:
        raise DomainError(N_("This link has expired: ask for a new one.")) from error
    except BadSignature as error:
        raise DomainError(INVALID) from error
    user = session.get(User, claims.get("user")) if isinstance(claims, dict) else None
    if user is None or not user.active or claims.get("hash") != _fingerprint(user):
        raise DomainError(N_("This link has been used already: ask for a new one."))
    return user


def reset(session: Session, *, token: str, password: str) -> User:
    """Set a new password from a reset link; every session and API token of the account ends."""
    user = user_of(session, token)
    set_password(session, user=user, password=password, action="password_reset")
    return user
