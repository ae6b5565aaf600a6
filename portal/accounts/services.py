"""Account use cases: sign-up, sign-in, password change, linking a registry person."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from portal import audit
from portal.accounts import passwords, privacy, sessions, tokens
from portal.accounts.models import Role, User
from portal.db import unique_or
from portal.errors import Conflict, DomainError
from portal.messages import N_
from portal.notices import services as notices
from portal.registry import services as registry

hasher = PasswordHasher()

# Verified against when the email is unknown, so a wrong email costs as long as a
# wrong password and timing does not reveal which accounts exist.
_DUMMY_HASH = hasher.hash("not-a-real-password")


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively."""
    return email.strip().lower()


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role = Role.OWNER,
    province_code: str | None = None,
    dealer_id: int | None = None,
    actor_id: int | None = None,
) -> User:
    """Create an account; a weak password is refused, a taken email is a Conflict."""
    check_password_rule(password)
    email = normalize_email(email)
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise Conflict(N_("An account with this email already exists."))
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hasher.hash(password),
        role=role,
        province_code=province_code if role.province_scoped else None,
        dealer_id=dealer_id if role is Role.DEALER else None,
    )
    # The unique index decides when two sign-ups with one email race.
    with unique_or(session, Conflict(N_("An account with this email already exists."))):
        session.add(user)
    audit.record(
        session,
        actor_id=actor_id,
        entity="user",
        entity_id=user.id,
        action="created",
        to_state=role.value,
    )
    return user


def sign_up(session: Session, *, email: str, password: str, display_name: str) -> None:
    """An owner's account for a new address, with consent to the privacy notice; for a
    taken one nothing, without telling the visitor (the address's owner gets a notice).

    The taken path spends a password hash too, so its answer takes as long.
    """
    try:
        user = create_user(session, email=email, password=password, display_name=display_name)
    except Conflict:
        hasher.hash(password)
        owner = session.exec(select(User.id).where(User.email == normalize_email(email))).first()
        if owner is not None:  # None only while a racing sign-up is not yet committed
            notices.notify(session, user_id=owner, kind="signup_attempt", link="/login")
    else:
        privacy.consent(session, user_id=user.id)  # the form's box was ticked (DOMAIN §6)


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def check_password_rule(password: str) -> None:
    """The password rule, as a domain error for the pages, the command line and resets."""
    try:
        passwords.check_password(password)
    except passwords.WeakPassword as error:
        raise DomainError(error.message, **error.params) from error


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one.

    Every session of the account ends and its API tokens are revoked: whoever knew the
    old password may have signed in or made a token with it.
    """
    if not _verify(user.password_hash, current):
        raise DomainError(N_("The current password is not correct."))
    set_password(session, user=user, password=new, action="password_changed")


def set_password(session: Session, *, user: User, password: str, action: str) -> None:
    """The new password (by the rule), every session and API token ended, audited and told
    to the account's owner (a security notice)."""
    check_password_rule(password)
    user.password_hash = hasher.hash(password)
    session.add(user)
    sessions.end_all(session, user=user)
    tokens.revoke_all(session, user=user)
    audit.record(session, actor_id=user.id, entity="user", entity_id=user.id, action=action)
    notices.notify(session, user_id=user.id, kind="password_changed", link="/account")


def set_locale(session: Session, *, user: User, locale: str) -> None:
    """Remember the user's language."""
    user.locale = locale
    session.add(user)


def link_person(session: Session, *, user: User, name: str, id_number: str, key: bytes) -> None:
    """Link an owner's account to the registry person with this name and ID number."""
    if user.role is not Role.OWNER:
        raise DomainError(N_("Only car owners link their account to a person."))
    person = registry.find_person(session, id_number=id_number, key=key)
    if person is None or person.name != name.strip():
        raise DomainError(N_("No person with this name and ID number is in the vehicle registry."))
    taken = (
        select(func.count())
        .select_from(User)
        .where(User.person_id == person.id, User.id != user.id)
    )
    if session.exec(taken).one():
        raise Conflict(N_("This person is already linked to another account."))
    with unique_or(session, Conflict(N_("This person is already linked to another account."))):
        user.person_id = person.id
        session.add(user)
    audit.record(
        session,
        actor_id=user.id,
        entity="user",
        entity_id=user.id,
        action="person_linked",
        detail={"person_id": person.id},
    )
