"""Domain errors and the one place that turns them, and HTTP errors, into responses.

A domain error carries an English message template marked with N_ and its
parameters; it is translated when shown, so pure rules can raise it without Flask.
"""

from enum import Enum

from flask import Flask, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from portal import db
from portal.labels import label
from portal.messages import N_, MessageError


class DomainError(MessageError):
    """A request that the rules refuse; shown as a 4xx page or problem+json."""

    status = 400
    title = N_("The request cannot be carried out")

    def problem_members(self, detail: str) -> dict:
        """Extension members of the problem+json answer (RFC 9457), none by default."""
        return {}


class NotFound(DomainError):
    """Missing, or outside the user's scope: both look the same from outside."""

    status = 404
    title = N_("Not found")


class Conflict(DomainError):
    """An illegal state change or a duplicate claim."""

    status = 409
    title = N_("Conflict")


def refusal_status(error: Exception) -> int:
    """The status of a form answered with an error next to a field.

    409 when the request lost to another (a race on a unique claim, a state that moved
    on), so clients can tell "reload and look" from "fix what you typed" (422).
    """
    return 409 if isinstance(error, Conflict) else 422


def translate(error) -> str:
    """The error's message in the user's language; stored codes in it become labels."""
    params = {
        name: label(value) if isinstance(value, Enum) else value
        for name, value in error.params.items()
    }
    return gettext(error.message, **params)


def register_error_handlers(app: Flask) -> None:
    """Render domain and HTTP errors as pages, or problem+json under /api/."""
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)


def _wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def _problem(status: int, title: str, detail: str):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return body, status, {"Content-Type": "application/problem+json"}


def _domain_error(error: DomainError):
    title, detail = gettext(error.title), translate(error)
    if _wants_problem_json():
        body, status, headers = _problem(error.status, title, detail)
        return body | error.problem_members(detail), status, headers
    if request.headers.get("HX-Request") == "true":
        # An htmx action that failed: show the reason where messages go, change nothing else.
        fragment = render_template("errors/_message.html", detail=detail)
        return fragment, error.status, {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
    page = render_template("errors/error.html", status=error.status, title=title, detail=detail)
    return page, error.status


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code >= 500:  # a failed flush leaves the session unusable until rolled back
        db.rollback_request()
    title = gettext(HTTP_TITLES.get(error.code, N_("Something went wrong")))
    detail = gettext(HTTP_DETAILS.get(error.code, N_("Please try again later.")))
    # A 405 names the methods the address does accept (RFC 9110 §15.5.6), page or API.
    allow = {"Allow": ", ".join(error.valid_methods)} if isinstance(error, MethodNotAllowed) else {}
    if _wants_problem_json():
        body, status, headers = _problem(error.code, title, detail)
        return body, status, headers | allow
    page = render_template("errors/error.html", status=error.code, title=title, detail=detail)
    return page, error.code, allow


HTTP_TITLES = {
    400: N_("Bad request"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    413: N_("File too large"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
}
HTTP_DETAILS = {
    400: N_("The request could not be understood. Reload the page and try again."),
    403: N_("Your account cannot open this page."),
    404: N_("There is nothing here, or you cannot see it."),
    405: N_("This address does not accept that kind of request."),
    413: N_("The upload is larger than the portal accepts."),
    429: N_("Too many attempts in a short time. Wait a while and try again."),
    500: N_("The portal hit an error. It has been logged; please try again later."),
}
