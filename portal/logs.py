"""Logs: every record masked before any handler; one line per request with its id.

A record factory, not a filter on some handler: gunicorn, Flask, SQLAlchemy, Huey and
the payments module each log through their own loggers and handlers, and a filter would
have to be attached to each of them, now and whenever one is added. The factory also
stamps each record with the id of the request (or of the request that queued the job)
it was written for, so one request can be followed across machines.
"""

import logging
import re
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import pythonjsonlogger.json
from flask import Flask, Response, g, request
from flask.logging import wsgi_errors_stream
from flask_login import current_user

from portal.redaction import redact

_MARK = "_portal_redacting"


def install() -> None:
    """Wrap the process's log record factory once (create_app may run many times)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _MARK, False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        return redacted(previous(*args, **kwargs))

    setattr(factory, _MARK, True)
    logging.setLogRecordFactory(factory)


def redacted(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message, traceback and stack masked (formatted once, here)."""
    record.request_id = REQUEST_ID.get()
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: let logging report it as it would
        return record
    record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


# --- one line per request, with an id that follows it across machines and into jobs ----

REQUEST_ID = ContextVar("request_id", default=None)
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # the load balancer's, if it set one
requests_log = logging.getLogger("portal.requests")
_HANDLER_MARK = "_portal_handler"


def init_app(app: Flask) -> None:
    """Log every request on one line (JSON when LOG_FORMAT=json) and echo its id."""
    _handler().setFormatter(_formatter(app.config["LOG_FORMAT"]))
    app.before_request(_start_request)
    app.after_request(_log_request)
    app.teardown_request(lambda _error: REQUEST_ID.set(None))


def _handler() -> logging.Handler:
    """The portal's one log handler, added to the `portal` logger once per process.

    It writes to Flask's wsgi_errors_stream, which is looked up at each record (the
    server's error stream in a request, stderr otherwise).
    """
    logger = logging.getLogger("portal")
    for handler in logger.handlers:
        if getattr(handler, _HANDLER_MARK, False):
            return handler
    handler = logging.StreamHandler(wsgi_errors_stream)
    setattr(handler, _HANDLER_MARK, True)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """JSON lines; a traceback is formatted here again, so it is masked here again."""

    def formatException(self, exc_info) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(exc_info))


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


def request_id() -> str | None:
    """The id of the request (or of the request that queued the job) being served."""
    return REQUEST_ID.get()


@contextmanager
def job_of_request(queued_by: str | None) -> Iterator[None]:
    """Log a job's records under the id of the request that queued it."""
    token = REQUEST_ID.set(queued_by)
    try:
        yield
    finally:
        REQUEST_ID.reset(token)


def _start_request() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _ACCEPTED_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    REQUEST_ID.set(g.request_id)


def _log_request(response: Response) -> Response:
    """method, path without its query (it may hold what someone searched), status, time, user."""
    if "request_id" not in g:  # a request refused before before_request ran
        return response
    response.headers["X-Request-ID"] = g.request_id
    milliseconds = round((time.perf_counter() - g.request_started) * 1000, 1)
    user_id = current_user.id if current_user.is_authenticated else None  # not get_id(): a secret
    fields = {
        "method": request.method,
        "path": redact(request.path),
        "status": response.status_code,
        "ms": milliseconds,
        "user_id": user_id,
    }
    requests_log.info(" ".join(f"{name}={value}" for name, value in fields.items()), extra=fields)
    return response
