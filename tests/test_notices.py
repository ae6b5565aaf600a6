"""Notices (DOMAIN §6): inbox, unread count, email by loopback SMTP or .eml, the outbox."""

from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from sqlmodel import select

from portal.accounts.models import Role, User
from portal.audit import utcnow
from portal.notices import delivery
from portal.notices import services as notices
from portal.notices.models import Delivery, DeliveryStatus, Notice
from tests import factories
from tests.mail_server import html_of, text_of

EN = {"Accept-Language": "en"}


@pytest.fixture
def owner(session):
    user = factories.user(session, email="owner@example.cn")
    session.commit()
    return user


def _notify(app, session, user, kind="application_returned", **params):
    """A notice committed as a service in a request would: the job it queues runs in the
    test's app. (Not a context around the whole test: requests would share its `g`.)"""
    params = params or {"number": "GD2026000001", "reasons": ["The invoice is unreadable."]}
    with app.app_context():
        notice = notices.notify(
            session, user_id=user.id, kind=kind, params=params, link="/subsidies"
        )
        session.commit()
    return notice


def test_a_notice_is_in_the_inbox_counted_in_the_header_until_read(
    app, client, auth, session, owner
):
    _notify(app, session, owner)
    auth.login("owner@example.cn")
    home = client.get("/", headers=EN).get_data(as_text=True)
    assert 'aria-label="1 unread"' in home
    inbox = client.get("/inbox", headers=EN).get_data(as_text=True)
    assert "Application GD2026000001 returned for correction" in inbox
    assert "The invoice is unreadable." in inbox
    notice = session.exec(select(Notice)).one()
    opened = client.post(f"/inbox/{notice.id}/read")
    assert opened.status_code == 303 and opened.headers["Location"] == "/subsidies"
    assert "unread" not in client.get("/", headers=EN).get_data(as_text=True)


def test_the_header_count_is_kept_with_the_notices_exactly(app, client, auth, session, owner):
    """The count lives on the account (no count per page): it follows every notice
    written, each one read once, and a batch to several people (issue 9)."""
    other = factories.user(session, email="other@example.cn")
    session.commit()
    with app.app_context():
        tells = [
            notices.Tell(user.id, "import_finished", _import(n))
            for n, user in enumerate([owner, owner, other])
        ]
        notices.notify_all(session, tells)
        session.commit()
    auth.login("owner@example.cn")
    assert 'aria-label="2 unread"' in client.get("/", headers=EN).get_data(as_text=True)
    first = session.exec(select(Notice).where(Notice.user_id == owner.id)).first()
    client.post(f"/inbox/{first.id}/read")
    client.post(f"/inbox/{first.id}/read")  # read again: counted off once
    assert 'aria-label="1 unread"' in client.get("/", headers=EN).get_data(as_text=True)
    client.post("/inbox/read-all")
    session.expire_all()
    counts = {
        u.email: u.unread_notices
        for u in (session.get(User, owner.id), session.get(User, other.id))
    }
    assert counts == {"owner@example.cn": 0, "other@example.cn": 1}


def test_one_notice_read_twice_at_once_is_counted_off_once(app, session, owner):
    """Two clicks on the same notice, each in its own transaction, both seeing it unread."""
    from sqlmodel import Session

    notice = _notify(app, session, owner)
    engine = app.extensions["db_engine"]
    with Session(engine) as first, Session(engine) as second:
        # Both load it (and keep it) before either marks it.
        loaded = [racer.get(Notice, notice.id) for racer in (first, second)]
        assert [row.read_at for row in loaded] == [None, None]
        for racer in (first, second):
            notices.mark_read(racer, user_id=owner.id, notice_id=notice.id)
            racer.commit()
    session.expire_all()
    assert session.get(User, owner.id).unread_notices == 0


def _import(number: int) -> dict:
    return {"name": f"f{number}.csv", "created": 1, "updated": 0, "failed": 0}


def test_the_inbox_reads_in_the_readers_language(app, client, auth, session, owner):
    _notify(app, session, owner)
    auth.login("owner@example.cn")
    inbox = client.get("/inbox", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "申请 GD2026000001 已退回修改" in inbox


def test_a_notice_writes_its_dates_as_every_page_does(app, client, auth, session, owner):
    """The notice said "Dec 6, 2026" where the same page says "6 Dec 2026" (issue 14)."""
    days = {"date": {"date": "2026-12-06"}, "due": {"date": "2026-12-25"}}
    _notify(app, session, owner, "application_submitted", number="GD2026S1", position=1, **days)
    auth.login("owner@example.cn")
    inbox = client.get("/inbox", headers=EN).get_data(as_text=True)
    assert "received on 6 Dec 2026" in inbox and "due by 25 Dec 2026" in inbox
    inbox = client.get("/inbox", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "2026年12月6日" in inbox and "2026年12月25日" in inbox


def test_mark_all_read_and_the_count_stops_at_99(app, client, auth, session, owner):
    with app.app_context():
        for number in range(101):
            params = {"name": f"f{number}.csv", "created": 1, "updated": 0, "failed": 0}
            notices.notify(session, user_id=owner.id, kind="import_finished", params=params)
        session.commit()
    auth.login("owner@example.cn")
    assert "99+" in client.get("/", headers=EN).get_data(as_text=True)
    inbox = client.get("/inbox?page=2", headers=EN).get_data(as_text=True)
    assert "f80.csv" in inbox and "f81.csv" not in inbox
    client.post("/inbox/read-all")
    assert "badge-unread" not in client.get("/", headers=EN).get_data(as_text=True)


def test_nobody_reads_or_marks_another_persons_notice(app, client, auth, session, owner):
    notice = _notify(app, session, owner)
    factories.user(session, email="other@example.cn")
    session.commit()
    auth.login("other@example.cn")
    assert "GD2026000001" not in client.get("/inbox").get_data(as_text=True)
    assert client.post(f"/inbox/{notice.id}/read").status_code == 404
    assert client.post("/inbox/99999999999/read").status_code == 404
    session.refresh(notice)
    assert notice.read_at is None


def test_signed_out_visitors_have_no_inbox(client):
    assert client.get("/inbox").status_code == 302
    assert client.post("/inbox/read-all").status_code in (302, 400)


def test_the_email_goes_through_smtp_in_the_accounts_language(app, session, smtp, owner):
    owner.locale = "en"
    session.add(owner)
    session.commit()
    _notify(app, session, owner)
    [message] = smtp.to("owner@example.cn")
    assert message["Subject"] == "Application GD2026000001 returned for correction"
    assert "The invoice is unreadable." in text_of(message)
    assert "http://127.0.0.1:5000/subsidies" in html_of(message)
    row = session.exec(select(Delivery)).one()
    assert row.status is DeliveryStatus.SENT and row.attempts == 1


def test_chinese_is_the_default_language_of_email(app, session, smtp, owner):
    _notify(app, session, owner)
    [message] = smtp.to("owner@example.cn")
    assert message["Subject"] == "申请 GD2026000001 已退回修改"


def test_without_a_mail_server_the_email_is_an_eml_file(app, session, owner):
    notice = _notify(app, session, owner)
    path = Path(app.config["MAIL_FOLDER"]) / f"notice-{notice.id}-email.eml"
    message = message_from_bytes(path.read_bytes(), policy=default)
    assert message["To"] == "owner@example.cn"
    assert "GD2026000001" in text_of(message)


def test_a_kind_switched_off_stays_in_the_inbox_but_sends_no_email(
    app, client, auth, session, smtp, owner
):
    auth.login("owner@example.cn")
    account = client.get("/account", headers=EN).get_data(as_text=True)
    assert "Subsidy applications" in account and "Security of my account" not in account
    # Only the transfer box stays ticked: subsidy notices are switched off.
    assert client.post("/account/notices", data={"transfer": "y"}).status_code == 303
    _notify(app, session, owner)
    assert smtp.to("owner@example.cn") == []
    assert session.exec(select(Notice)).one().kind == "application_returned"
    # Security notices cannot be switched off.
    client.post("/account/notices", data={"security": ""})
    _notify(app, session, owner, kind="password_changed")
    assert [m["Subject"] for m in smtp.to("owner@example.cn")] == ["您的密码已更改"]


def test_the_email_settings_refuse_hostile_input(client, auth, owner):
    auth.login("owner@example.cn")
    response = client.post("/account/notices", data={"subsidy": "\x00"}, headers=EN)
    assert response.status_code == 422
    assert "Remove the control characters" in response.get_data(as_text=True)


def _nobody_listens(app, smtp):
    app.config["MAIL_PORT"] = smtp.port + 1 if smtp.port < 65535 else smtp.port - 1


def test_a_failed_send_is_retried_later_and_sent_once(app, session, smtp, owner):
    _nobody_listens(app, smtp)
    _notify(app, session, owner)
    row = session.exec(select(Delivery)).one()
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1
    assert row.last_error and "@" not in row.last_error
    app.config["MAIL_PORT"] = smtp.port
    engine = app.extensions["db_engine"]
    with app.app_context():
        assert delivery.sweep(engine, links={}) == 0  # not before its next attempt is due
        _due_now(session, row)
        assert delivery.sweep(engine, links={}) == 1
        assert delivery.sweep(engine, links={}) == 0
    assert len(smtp.to("owner@example.cn")) == 1


def test_after_the_last_attempt_the_row_is_failed_and_left_alone(app, session, smtp, owner):
    _nobody_listens(app, smtp)
    _notify(app, session, owner)
    row = session.exec(select(Delivery)).one()
    with app.app_context():
        for _ in range(delivery.MAX_ATTEMPTS - 1):
            _due_now(session, row)
            delivery.sweep(app.extensions["db_engine"], links={})
    session.refresh(row)
    assert row.status is DeliveryStatus.FAILED and row.attempts == delivery.MAX_ATTEMPTS


def test_a_notice_rolled_back_with_its_change_is_never_sent(app, session, smtp, owner):
    with app.app_context():
        notices.notify(session, user_id=owner.id, kind="password_changed")
        session.rollback()
    assert session.exec(select(Notice)).all() == [] and smtp.messages == []


def test_a_row_claimed_by_a_consumer_that_died_is_sent_once_its_claim_expires(
    app, session, smtp, owner
):
    _nobody_listens(app, smtp)
    _notify(app, session, owner, kind="password_changed")
    app.config["MAIL_PORT"] = smtp.port
    row = session.exec(select(Delivery)).one()
    # A consumer claimed it and was killed before its SMTP conversation.
    row.status, row.claimed_until = DeliveryStatus.SENDING, utcnow() + timedelta(minutes=5)
    row.next_attempt_at = utcnow()
    session.add(row)
    session.commit()
    engine = app.extensions["db_engine"]
    with app.app_context():
        assert delivery.sweep(engine, links={}) == 0  # its claim still runs
        row.claimed_until = utcnow() - timedelta(seconds=1)
        session.add(row)
        session.commit()
        assert delivery.sweep(engine, links={}) == 1
        assert delivery.sweep(engine, links={}) == 0
        assert delivery.deliver(engine, row.id, links={}) is False  # sent: never again
    assert len(smtp.to("owner@example.cn")) == 1


def _due_now(session, row):
    session.refresh(row)
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()


def test_staff_notices_reach_staff_too(app, session, smtp):
    reviewer = factories.user(session, Role.REVIEWER, email="reviewer@example.cn")
    _notify(app, session, reviewer, kind="queue_overdue", count=3, province="广东省")
    assert smtp.to("reviewer@example.cn")[0]["Subject"].startswith("您的队列中有 3 份申请")


def test_a_server_that_fumbles_quit_after_taking_the_message_gets_it_once(
    app, session, smtp, owner
):
    # The message was the server's at its 250 to DATA: what it answers to QUIT after that
    # is no failed send, to be retried (smtplib's `with` would raise on it).
    smtp.answer_quit_with("421 Closing the connection")
    _notify(app, session, owner)
    row = session.exec(select(Delivery)).one()
    assert row.status is DeliveryStatus.SENT and row.attempts == 1
    assert len(smtp.to("owner@example.cn")) == 1
