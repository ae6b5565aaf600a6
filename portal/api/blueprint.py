"""The /api/v1 blueprint: bearer-token check, one rate limit, the errors every area shares.

The areas' modules (`transfers.py`, `subsidy.py`, `valuation.py`) add their routes to
it; `views.py` gathers them for create_app.
"""

from flask import Blueprint

from portal.api import auth, problems
from portal.api.common import InvalidRequest
from portal.api.schemas import FieldError
from portal.errors import translate
from portal.extensions import limiter
from portal.identifiers import InvalidIdentifier

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(auth.authenticate)
# One budget per token for the whole API, whichever endpoint it spends it on.
limiter.shared_limit(auth.rate_limit, scope="api", key_func=auth.rate_key)(bp)


@bp.errorhandler(InvalidRequest)
def _invalid(error: InvalidRequest):
    return problems.invalid(error.errors)


@bp.errorhandler(InvalidIdentifier)
def _invalid_identifier(error: InvalidIdentifier):
    # The schemas check identifiers first; this keeps a missed one a 422, not a 500.
    return problems.invalid([FieldError(field=None, message=translate(error), type="identifier")])
