"""A notice survives a job consumer killed while sending it (issue 13, "Done when").

Real processes, as `make run` starts them: the portal under `flask run` and
`huey_consumer portal.tasks.huey` sharing a Huey queue (SQLite, this test's own) and the
test's database (SQLite or TEST_DATABASE_URL's PostgreSQL); a real SMTP server on
loopback (tests/mail_server.py). A reviewer returns an application through HTTP; the
owner's notice is handed to the consumer, which claims its outbox row and starts the
SMTP conversation; the server holds that conversation at a chosen stage and the test
kills the consumer with SIGKILL there. A new consumer starts once the dead one's claim
(NOTICE_CLAIM_SECONDS, a few seconds here) has run out, and its sweep at start sends the
notice again. Every wait is for a state, polled and capped, never a fixed sleep.

Killed before the server has the message: it arrives exactly once. Killed after the
server has kept it but before the consumer heard 250 and marked the row: SMTP has no way
to ask "did you get this one?", so it is sent again, with the same Message-ID, for mail
systems to see it as the same message (at least once; docs/notices.md).
"""

import os
import re

import pytest
import requests
from sqlalchemy import or_
from sqlmodel import select

from portal.accounts.models import Role
from portal.audit import utcnow
from portal.notices.models import Delivery, DeliveryStatus, Notice
from tests import factories, servers
from tests import subsidy_helpers as h
from tests.conftest import PASSWORD

CLAIM_SECONDS = 3  # the dead consumer's hold on the row; production's is 5 minutes
# Settings naming other parts (Redis, S3, production) that this test runs without.
OTHER_PARTS = ("HUEY_REDIS_URL", "CACHE_URL", "RATELIMIT_STORAGE_URI", "STORAGE_URL")
OTHER_PARTS += ("S3_ENDPOINT_URL", "PORTAL_ENV")
RETURNED = "returned for correction"


class Visitor:
    """A person's browser against the portal process: its cookies and the CSRF token."""

    TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

    def __init__(self, base: str):
        self.base, self.http = base, requests.Session()
        self.http.headers["Accept-Language"] = "en"

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, allow_redirects=False, timeout=60)

    def post(self, path: str, data: dict) -> requests.Response:
        token = self.TOKEN.search(self.get("/").text).group(1)
        data = data | {"csrf_token": token}
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=60)

    def sign_in(self, email: str) -> None:
        answer = self.post("/login", {"email": email, "password": PASSWORD})
        assert answer.status_code == 303, answer.text


@pytest.fixture
def processes():
    """Child processes started by a test, stopped at its end (even when it fails)."""
    started: list[servers.Process] = []
    yield started
    for process in started:
        process.stop()


def _environment(app, smtp, tmp_path) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("TEST_") and name not in OTHER_PARTS
    }
    return inherited | {
        "DATABASE_URL": app.config["DATABASE_URL"],
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
        "SECRET_KEY": app.config["SECRET_KEY"],
        "ID_HASH_KEY": app.config["ID_HASH_KEY"],
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "MAIL_FOLDER": app.config["MAIL_FOLDER"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "NOTICE_CLAIM_SECONDS": str(CLAIM_SECONDS),
    }


@pytest.mark.parametrize(
    ("stage", "copies"),
    [("MAIL", 1), ("DATA", 2)],
    ids=["before-the-server-has-it-sent-exactly-once", "after-it-kept-it-sent-again-same-id"],
)
def test_a_notice_survives_a_consumer_killed_while_sending_it(
    stage, copies, app, session, smtp, tmp_path, processes
):
    h.seed(session)
    factories.user(session, Role.REVIEWER, email="gd@example.cn")
    applicant = h.Applicant(session)
    application = h.submitted(session, applicant, files=app.extensions["storage"])
    env = _environment(app, smtp, tmp_path)
    first = servers.job_consumer(env, tmp_path / "consumer-1.log")
    processes.append(first)
    web = servers.portal_web(env, tmp_path / "web.log")  # starting while the consumer does
    processes.append(web)
    # Its sweep at start sends the "submitted" notice the arranging left in the outbox
    # with no queue at hand: the consumer is up, and a lost hand-over is not lost.
    first.wait_for(lambda: smtp.to(applicant.email), "the first consumer's sweep at start")

    smtp.hold(stage)
    reviewer = Visitor(web.url)
    reviewer.sign_in("gd@example.cn")
    note = {"return-note": "The invoice photo is blurred."}
    assert reviewer.post(f"/review/{application.id}/return", note).status_code == 303
    reviewer.http.close()
    first.wait_for(smtp.is_holding, f"the consumer's SMTP conversation to reach {stage}")
    notice = _returned_notice(session, applicant.user.id)
    row = _delivery_of(session, notice)
    # The consumer has claimed the row and is talking to the server: kill it there.
    assert (row.status, row.attempts) == (DeliveryStatus.SENDING, 1)
    first.kill()
    smtp.release()

    servers.until(lambda: _claim_ended(session, row), "the dead consumer's claim to end")
    second = servers.job_consumer(env, tmp_path / "consumer-2.log")
    processes.append(second)
    second.wait_for(
        lambda: _delivery_of(session, notice).status is DeliveryStatus.SENT,
        "the new consumer to send the notice",
    )
    assert _delivery_of(session, notice).attempts == 2
    # Exactly once when the server had nothing of it; else a second copy that names
    # itself the same message as the first.
    message_ids = [message["Message-ID"] for message in smtp.to(applicant.email)]
    assert message_ids.count(_message_id(app, notice)) == copies
    assert len(message_ids) == 1 + copies  # the "submitted" notice's, once
    owner = Visitor(web.url)
    owner.sign_in(applicant.email)
    inbox = owner.get("/inbox").text
    owner.http.close()
    assert inbox.count(RETURNED) == 1


def _returned_notice(session, user_id: int) -> Notice:
    session.commit()  # a new transaction: what the other processes committed since
    return session.exec(
        select(Notice).where(Notice.user_id == user_id, Notice.kind == "application_returned")
    ).one()


def _delivery_of(session, notice: Notice) -> Delivery:
    session.commit()
    session.expire_all()
    return session.exec(select(Delivery).where(Delivery.notice_id == notice.id)).one()


def _claim_ended(session, row: Delivery) -> bool:
    """Whether no claim holds the row now: the consumers' own test (delivery._open), in SQL
    on the same clock; a row no longer claimed at all ends the wait too (and fails after)."""
    session.commit()
    ended = or_(Delivery.claimed_until < utcnow(), Delivery.claimed_until.is_(None))
    return session.exec(select(Delivery.id).where(Delivery.id == row.id, ended)).first() is not None


def _message_id(app, notice: Notice) -> str:
    return f"<notice-{notice.id}-email@{app.config['MAIL_DOMAIN']}>"
