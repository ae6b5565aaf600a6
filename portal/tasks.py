"""Background jobs on Huey: SQLite storage in instance/ by default, Redis at scale.

Consumers run `huey_consumer portal.tasks.huey`; tests switch on immediate mode, so a
task runs inside the request that queued it.
"""

import logging
import os
from functools import cache

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

from portal import logs
from portal.config import INSTANCE_PATH


def _make_huey():
    redis_url = os.environ.get("HUEY_REDIS_URL")
    if redis_url:
        return RedisHuey("portal", url=redis_url)
    path = os.environ.get("HUEY_SQLITE_PATH", str(INSTANCE_PATH / "huey.db"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return SqliteHuey("portal", filename=path)


huey = _make_huey()
log = logging.getLogger(__name__)


@cache
def _consumer_app():
    from portal import create_app

    return create_app()


def _app():
    return current_app._get_current_object() if has_app_context() else _consumer_app()


def queue_import(job_id: int) -> None:
    """Queue an import job, with the id of the request that queued it for the logs."""
    run_import(job_id, logs.request_id())


@huey.task()
def run_import(job_id: int, request_id: str | None = None) -> None:
    """Run an import job queued from the admin page."""
    from portal.imports import services

    app = _app()
    with app.app_context(), logs.job_of_request(request_id):
        log.info("import job %s: started", job_id)
        job = services.run_import(
            app.extensions["db_engine"],
            job_id=job_id,
            files=app.extensions["storage"],
            key=app.config["ID_HASH_KEY"].encode(),
        )
        log.info("import job %s: %s", job_id, job.status.value if job else "gone")


@huey.task()
def read_document(reading_id: int) -> None:
    """Read an uploaded paper (QR, PDF text, OCR) in the consumer, never in a request."""
    from portal import web
    from portal.reading import services

    app = _app()
    with app.app_context():
        services.run(
            app.extensions["db_engine"],
            reading_id=reading_id,
            files=app.extensions["storage"],
            keys=web.card_keys(),
            id_key=web.id_hash_key(),
        )


@huey.task()
def deliver_notice(delivery_id: int) -> None:
    """Send one notice from the outbox (queued when the change that made it commits)."""
    from portal.notices import delivery

    app = _app()
    with app.app_context():
        delivery.deliver(
            app.extensions["db_engine"], delivery_id, links=app.extensions["email_links"]
        )


@huey.periodic_task(crontab(minute="*"))
def sweep_notices() -> None:
    """Send what is due in the outbox: retries, and rows whose hand-over was lost."""
    from portal.notices import delivery

    app = _app()
    with app.app_context():
        delivery.sweep(app.extensions["db_engine"], links=app.extensions["email_links"])


@huey.on_startup()
def sweep_notices_on_start() -> None:
    """A consumer that starts sends what a consumer that died left in the outbox."""
    sweep_notices.call_local()


@huey.periodic_task(crontab(hour="1", minute="0"))  # 09:00 in Beijing on a UTC machine
def tell_reviewers_of_overdue() -> None:
    """Reviewers hear each working morning how much of their queue is past its target."""
    from portal.audit import china_today
    from portal.db import transaction
    from portal.subsidy.review import overdue

    app = _app()
    with app.app_context(), transaction(app.extensions["db_engine"]) as session:
        overdue.tell_reviewers(session, china_today())
