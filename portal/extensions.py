"""The Flask extension objects, unbound; create_app binds them."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


# Failed sign-ins allowed per address and account, tier by tier: after 3 failures the
# next try waits for the rest of 10 seconds, after 5 a minute, after 10 a quarter of an
# hour, after 20 two hours. The wait grows with the failures instead of a flat block.
SIGN_IN_TIERS = "3 per 10 seconds; 5 per minute; 10 per 15 minutes; 20 per 2 hours"


def address_and_account() -> str:
    """Rate-limit key of a sign-in: the client's address and the account together.

    Keyed on the account alone, anyone could lock a person out by failing on purpose;
    keyed on the address alone, a botnet could guess one account from many addresses
    (the per-address limit still applies too). Together, a stranger's failures slow the
    stranger down, not the owner signing in from home.
    """
    account = request.form.get("email", "").strip().lower()[:254]
    return f"sign-in:{get_remote_address()}:{account}"


def failed_sign_in(response) -> bool:
    """Only failed sign-ins count toward the limits; a success redirects (303)."""
    return response.status_code != 303
