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


def submitted_email() -> str:
    """Rate-limit key for the account being signed in to, whatever address it comes from."""
    return "account:" + request.form.get("email", "").strip().lower()
