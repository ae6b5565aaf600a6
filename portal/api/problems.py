"""RFC 9457 problem details of the API: invalid fields, refused filings, auth failures.

Domain and HTTP errors under /api/ are already problem+json (`portal.errors`); this
module adds the members the API promises on top (`errors`, `reasons`) and translates
pydantic's error codes into the reader's language, keeping the code for machines.
"""

from flask import Response, jsonify
from flask_babel import gettext
from pydantic import ValidationError

from portal.accounts.models import Role
from portal.api.schemas import FieldError, Problem
from portal.errors import translate
from portal.messages import N_, MessageError

PROBLEM_JSON = "application/problem+json"

# pydantic's error type -> our message template (filled from the error's ctx).
MESSAGES = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("This field is not part of the request."),
    "string_type": N_("Enter text."),
    "string_too_short": N_("Enter at least %(min_length)s characters."),
    "string_too_long": N_("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": N_("This value has a format or characters that are not accepted."),
    "int_type": N_("Enter a whole number."),
    "int_parsing": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "greater_than": N_("Enter a number greater than %(gt)s."),
    "greater_than_equal": N_("Enter a number of at least %(ge)s."),
    "less_than_equal": N_("Enter a number of at most %(le)s."),
    "bool_type": N_("Enter true or false."),
    "bool_parsing": N_("Enter true or false."),
    "date_type": N_("Enter a date as YYYY-MM-DD."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": N_("Enter a date as YYYY-MM-DD."),
    "enum": N_("Choose one of: %(expected)s."),
    "model_type": N_("Enter an object."),
    "model_attributes_type": N_("Enter an object."),
    "bytes_type": N_("Choose a file."),
    "json_invalid": N_("The body is not valid JSON."),
    "json_type": N_("The body is not valid JSON."),
}


def problem(status: int, title: str, detail: str, *, headers=None, **members) -> Response:
    """A problem+json response; members are extensions such as errors or reasons."""
    body = Problem(title=title, status=status, detail=detail, **members)
    # Leave out absent extensions, but keep a field error's "field": null.
    dumped = body.model_dump(mode="json")
    response = jsonify({name: value for name, value in dumped.items() if value is not None})
    response.status_code = status
    response.content_type = PROBLEM_JSON
    response.headers.extend(headers or {})
    return response


def field_errors(error: ValidationError) -> list[FieldError]:
    """pydantic's errors as {field, message, type}, in the reader's language."""
    return [
        FieldError(
            field=".".join(str(part) for part in item["loc"]) or None,
            message=_message(item),
            type=item["type"],
        )
        for item in error.errors(include_url=False, include_input=False)
    ]


def _message(item) -> str:
    context = item.get("ctx") or {}
    cause = context.get("error")
    if isinstance(cause, MessageError):
        return translate(cause)
    if isinstance(cause, Exception):
        return str(cause)  # e.g. a form validator's lazily translated message
    template = MESSAGES.get(item["type"])
    if template is None:
        return item["msg"]
    return gettext(template, **{name: str(value) for name, value in context.items()})


def invalid(errors: list[FieldError]) -> Response:
    """422: the request's fields are wrong; each error names its field."""
    return problem(
        422,
        gettext("Invalid request"),
        gettext("Some fields are missing or not valid; see errors."),
        errors=errors,
    )


def refused(reasons: list[str]) -> Response:
    """422: the case cannot be filed or submitted, with every reason."""
    return problem(
        422,
        gettext("The transfer cannot be filed"),
        gettext("The transfer cannot be filed."),
        reasons=reasons,
    )


def unauthorized(*, invalid_token: bool) -> Response:
    """401 with the challenge RFC 6750 asks for."""
    challenge = 'Bearer realm="portal"'
    if invalid_token:
        challenge += ', error="invalid_token"'
    return problem(
        401,
        gettext("Sign-in required"),
        gettext("Send a valid API token as 'Authorization: Bearer <token>'."),
        headers={"WWW-Authenticate": challenge},
    )


def forbidden(roles: tuple[Role, ...] = (Role.DEALER,)) -> Response:
    """403: a valid token whose user may not use this endpoint (it is for another role)."""
    if len(roles) > 1:
        detail = gettext("This endpoint is not open to this token's account.")
    elif roles[0] is Role.OWNER:
        detail = gettext(
            "These endpoints are for car owners; this token's account cannot use them."
        )
    else:
        detail = gettext("The JSON API is for dealer staff; this token's account cannot use it.")
    return problem(403, gettext("Not allowed"), detail)
