"""Who may open a page: a decorator by role (objects are scoped in the services)."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.accounts.models import Role, User


def roles_required(*roles: Role):
    """Signed in with one of these roles, or 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


STAFF = (Role.ADMIN, Role.REVIEWER, Role.OFFICER)


def signed_in_user() -> User:
    """The signed-in user as a plain object (services must not receive the proxy)."""
    return current_user._get_current_object()
