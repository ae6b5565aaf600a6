"""Bearer authentication of the API and the key its rate limit counts by."""

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from portal import db
from portal.accounts import tokens
from portal.accounts.models import Role, User
from portal.api import problems

PUBLIC_ENDPOINTS = {"api.openapi_document"}


def bearer_secret() -> str | None:
    """The secret of an `Authorization: Bearer <secret>` header, or None."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret else None


def for_role(*roles: Role):
    """Mark an API view as one for tokens of these roles; unmarked views are for dealer staff."""

    def mark(view):
        view.api_roles = roles
        return view

    return mark


def anonymous_allowed(view):
    """Mark an API view that answers without a token too; a token sent must be valid (any role)."""
    view.api_anonymous = True
    return view


def authenticate():
    """The blueprint's before_request: a valid token of the view's role, or 401 / 403."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    secret = bearer_secret()
    view = current_app.view_functions.get(request.endpoint)
    anonymous = getattr(view, "api_anonymous", False)
    if anonymous and secret is None:
        return None
    user = tokens.user_for_token(db.session(), secret) if secret else None
    if user is None:
        return problems.unauthorized(invalid_token=secret is not None)
    roles = getattr(view, "api_roles", (Role.DEALER,))
    if not anonymous and user.role not in roles:
        return problems.forbidden(roles)
    g.api_user = user
    return None


def api_user() -> User:
    """The user whose token authenticated this request."""
    return g.api_user


def optional_api_user() -> User | None:
    """The token's user, or None for an anonymous call (views marked anonymous_allowed)."""
    return g.get("api_user")


def rate_limit() -> str:
    """Requests a token may make (settable, so tests can reach the limit quickly)."""
    return current_app.config["API_RATE_LIMIT"]


def rate_key() -> str:
    """Count per token (by its hash, never the secret), or per address without one."""
    secret = bearer_secret()
    if secret:
        return "api-token:" + tokens.hash_secret(secret)[:32]
    return "api-address:" + (get_remote_address() or "")
