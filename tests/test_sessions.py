"""Signing out ends the session on the server: copies of the old cookies open nothing."""

from portal.accounts import tokens
from portal.accounts.models import Role
from tests import factories
from tests.conftest import FormClient

PASSWORD = factories.PASSWORD


def _signed_in(app, email: str, *, remember: bool = False) -> FormClient:
    client = FormClient(app.test_client())
    data = {"email": email, "password": PASSWORD} | ({"remember": "y"} if remember else {})
    assert client.post("/login", data=data).status_code == 303
    return client


def _with_cookie(app, name: str, value: str) -> FormClient:
    """A browser that has only this one cookie (a copy someone kept)."""
    browser = FormClient(app.test_client())
    browser.set_cookie(name, value)
    return browser


def test_a_session_cookie_replayed_after_logout_is_refused(app, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    client = _signed_in(app, "owner@example.cn")
    kept = client.get_cookie("session").value
    assert _with_cookie(app, "session", kept).get("/account").status_code == 200
    assert client.post("/logout").status_code == 303
    assert _with_cookie(app, "session", kept).get("/account").status_code == 302


def test_a_remember_cookie_replayed_after_logout_is_refused(app, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    client = _signed_in(app, "owner@example.cn", remember=True)
    kept = client.get_cookie("remember_token").value
    assert _with_cookie(app, "remember_token", kept).get("/account").status_code == 200
    client.post("/logout")
    assert _with_cookie(app, "remember_token", kept).get("/account").status_code == 302


def test_signing_out_on_one_device_keeps_the_others(app, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    phone, laptop = _signed_in(app, "owner@example.cn"), _signed_in(app, "owner@example.cn")
    phone.post("/logout")
    assert laptop.get("/account").status_code == 200


def test_a_forged_or_oversized_session_id_opens_nothing(app, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    client = _signed_in(app, "owner@example.cn")
    with client.session_transaction() as cookie:
        cookie["_user_id"] = "1.1"  # the old form: user id and session version
    assert client.get("/account").status_code == 302
    with client.session_transaction() as cookie:
        cookie["_user_id"] = "x" * 5000
    assert client.get("/account").status_code == 302


def test_a_password_change_ends_other_sessions_and_revokes_api_tokens(app, session):
    dealer = factories.dealer(session)
    user = factories.user(session, Role.DEALER, email="d@example.cn", dealer_row=dealer)
    session.commit()
    _token, secret = tokens.create_token(session, user=user, name="DMS")
    session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    client, other = _signed_in(app, "d@example.cn"), _signed_in(app, "d@example.cn", remember=True)
    kept = other.get_cookie("remember_token").value
    assert client.get("/api/v1/transfers", headers=bearer).status_code == 200
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a-new-long-secret", "confirm": "a-new-long-secret"},
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert _with_cookie(app, "remember_token", kept).get("/account").status_code == 302
    assert client.get("/api/v1/transfers", headers=bearer).status_code == 401
    session.expire_all()
    assert all(not token.active for token in tokens.tokens_of(session, user))


def test_signing_out_in_a_browser_restored_from_its_remember_cookie(app, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    kept = _signed_in(app, "owner@example.cn", remember=True).get_cookie("remember_token").value
    assert _with_cookie(app, "remember_token", kept).post("/logout").status_code == 303
    assert _with_cookie(app, "remember_token", kept).get("/account").status_code == 302


def test_the_remember_cookie_lasts_as_long_as_the_session(app, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    client = _signed_in(app, "owner@example.cn", remember=True)
    cookie = client.get_cookie("remember_token")
    days = (cookie.expires - cookie.expires.now(cookie.expires.tzinfo)).days
    assert 28 <= days <= 30


def test_a_session_older_than_its_lifetime_is_refused(app, session):
    from datetime import timedelta

    from sqlmodel import select

    from portal.accounts.sessions import LIFETIME, LoginSession
    from portal.audit import utcnow

    factories.user(session, email="owner@example.cn")
    session.commit()
    client = _signed_in(app, "owner@example.cn")
    row = session.exec(select(LoginSession)).one()
    row.created_at = utcnow() - LIFETIME - timedelta(minutes=1)
    session.add(row)
    session.commit()
    assert client.get("/account").status_code == 302
