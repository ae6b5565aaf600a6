"""Every log record of the process passes through `portal.redaction` before any handler.

A record factory, not a filter on some handler: gunicorn, Flask, SQLAlchemy, Huey and
the payments module each log through their own loggers and handlers, and a filter would
have to be attached to each of them, now and whenever one is added.
"""

import logging
import traceback

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
