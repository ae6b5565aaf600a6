"""Forgotten passwords, the privacy notice and consent, and the "my data" download (§6)."""

import json
import re

import pytest
from sqlmodel import select

from portal.accounts import privacy
from portal.accounts.models import Role
from portal.accounts.privacy import PrivacyConsent
from tests import factories
from tests.conftest import Auth, FormClient
from tests.mail_server import text_of

EN = {"Accept-Language": "en"}
NEW_PASSWORD = "a-brand-new-passphrase"
LINK = re.compile(r"http://127\.0\.0\.1:5000(/password/reset/[^\s]+)")


@pytest.fixture
def owner(session):
    user = factories.user(session, email="owner@example.cn")
    session.commit()
    return user


def _reset_link(smtp, address="owner@example.cn") -> str:
    [message] = [m for m in smtp.to(address) if m["Subject"] in ("重置密码", "Reset your password")]
    return LINK.search(text_of(message)).group(1)


def test_a_forgotten_password_is_reset_from_the_emailed_link(client, auth, smtp, owner):
    auth.login("owner@example.cn")
    auth.logout()
    answer = client.post("/password/forgot", data={"email": "Owner@Example.cn"}, headers=EN)
    assert answer.status_code == 303
    link = _reset_link(smtp)
    form = client.get(link, headers=EN)
    assert form.status_code == 200 and "Set a new password" in form.get_data(as_text=True)
    done = client.post(link, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    auth.login("owner@example.cn", NEW_PASSWORD)
    # The link worked once; the change was told by a security notice.
    assert "has been used already" in client.get(link, headers=EN).get_data(as_text=True)
    assert any(m["Subject"] == "您的密码已更改" for m in smtp.to("owner@example.cn"))


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, smtp, owner):
    known = client.post("/password/forgot", data={"email": "owner@example.cn"}, headers=EN)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.cn"}, headers=EN)
    assert (known.status_code, known.headers["Location"]) == (303, "/login")
    assert (unknown.status_code, unknown.headers["Location"]) == (303, "/login")
    assert smtp.to("nobody@example.cn") == []


def test_resetting_ends_every_session_and_older_links(app, client, auth, smtp, owner):
    elsewhere = FormClient(app.test_client())
    Auth(elsewhere).login("owner@example.cn")
    client.post("/password/forgot", data={"email": "owner@example.cn"})
    client.post("/password/forgot", data={"email": "owner@example.cn"})
    first, second = [LINK.search(text_of(m)).group(1) for m in smtp.to("owner@example.cn")]
    assert (
        client.post(second, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    )
    assert elsewhere.get("/account").status_code == 302  # signed out there
    assert client.get(first).status_code == 400


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not-a-token", "This link is not valid"),
        ("x" * 300, "This link is not valid"),
        ("eyJ1c2VyIjoxLCJoYXNoIjoiMCJ9.aaaa.bbbb", "This link is not valid"),
    ],
    ids=["garbage", "oversized", "forged"],
)
def test_a_bad_link_says_so_and_offers_a_new_one(client, token, message):
    answer = client.get(f"/password/reset/{token}", headers=EN)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert message in page and "/password/forgot" in page


def test_an_expired_link_says_so(app, client, smtp, owner, monkeypatch):
    client.post("/password/forgot", data={"email": "owner@example.cn"})
    link = _reset_link(smtp)
    from portal.accounts import recovery

    monkeypatch.setattr(recovery, "LIFETIME_SECONDS", -1)
    assert "has expired" in client.get(link, headers=EN).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"new": "short", "confirm": "short"}, "Use 12 to 128 characters."),
        ({"new": NEW_PASSWORD, "confirm": "other"}, "The passwords differ."),
        ({"new": "", "confirm": ""}, "This field is required."),
        ({"new": "\x00" + NEW_PASSWORD, "confirm": NEW_PASSWORD}, "Remove the control characters"),
    ],
    ids=["short", "differ", "missing", "nul"],
)
def test_a_wrong_new_password_is_refused_next_to_the_field(client, smtp, owner, data, message):
    client.post("/password/forgot", data={"email": "owner@example.cn"})
    answer = client.post(_reset_link(smtp), data=data, headers=EN)
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)


@pytest.mark.parametrize("email", ["", "not-an-address\x00", "a" * 300 + "@example.cn"])
def test_the_forgot_form_refuses_bad_input(client, email):
    assert client.post("/password/forgot", data={"email": email}).status_code == 422


def test_requests_for_one_address_are_limited(client, smtp, owner):
    answers = [
        client.post("/password/forgot", data={"email": "owner@example.cn"}).status_code
        for _ in range(4)
    ]
    assert answers == [303, 303, 303, 429]
    assert len(smtp.to("owner@example.cn")) == 3


# --- Privacy notice and consent ---


def test_sign_up_shows_the_notice_and_requires_consent(client, session):
    page = client.get("/signup", headers=EN).get_data(as_text=True)
    assert "What we collect" in page and "Who sees it" in page
    data = {
        "display_name": "王小明",
        "email": "new@example.cn",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    refused = client.post("/signup", data=data, headers=EN)
    assert refused.status_code == 422
    assert "Tick the box to agree" in refused.get_data(as_text=True)
    assert client.post("/signup", data=data | {"agree": "y"}).status_code == 303
    user = factories.find_user(session, "new@example.cn")
    [consent] = session.exec(select(PrivacyConsent).where(PrivacyConsent.user_id == user.id)).all()
    assert consent.version == privacy.VERSION


def test_a_changed_notice_asks_again_at_sign_in(client, auth, session):
    factories.user(session, email="old@example.cn", consented=False)
    session.commit()
    answer = client.post(
        "/login?next=/my/vehicles", data={"email": "old@example.cn", "password": factories.PASSWORD}
    )
    assert answer.headers["Location"] == "/privacy/consent?next=/my/vehicles"
    page = client.get("/privacy/consent?next=/my/vehicles", headers=EN).get_data(as_text=True)
    assert "Our privacy notice has changed" in page
    assert client.post("/privacy/consent?next=/my/vehicles", data={}).status_code == 422
    agreed = client.post("/privacy/consent?next=//evil.example", data={"agree": "y"})
    assert agreed.headers["Location"] == "/"
    auth.logout()
    assert auth.login("old@example.cn").headers["Location"] == "/"


def test_the_notice_is_public(client):
    assert "Who sees it" in client.get("/privacy", headers=EN).get_data(as_text=True)


def test_a_taken_address_at_sign_up_tells_its_owner(client, smtp, owner):
    data = {
        "display_name": "x",
        "email": "owner@example.cn",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "agree": "y",
    }
    assert client.post("/signup", data=data).status_code == 303
    assert [m["Subject"] for m in smtp.to("owner@example.cn")] == ["有人尝试用您的邮箱注册"]


# --- My data ---


def test_my_data_holds_what_the_portal_knows_masked(app, client, auth, session):
    from tests import subsidy_helpers as h

    h.seed(session)
    applicant = h.Applicant(session)
    h.draft(session, applicant, files=app.extensions["storage"])
    session.commit()
    auth.login(applicant.email)
    answer = client.get("/account/data")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(answer.get_data(as_text=True))
    assert data["account"]["email"] == applicant.email
    assert data["account"]["privacy_consents"][0]["version"] == privacy.VERSION
    assert "*" in data["person"]["id_masked"]
    assert data["vehicles"] and data["subsidy_applications"][0]["papers"]
    text = answer.get_data(as_text=True)
    for secret in ("password_hash", "id_hash", "bank_card_sealed", applicant.id_number):
        assert secret not in text


def test_my_data_is_only_for_the_signed_in_person(client):
    assert client.get("/account/data").status_code == 302


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_staff_download_their_own_data_only(client, auth, session, role):
    factories.user(session, role, email="staff@example.cn")
    session.commit()
    auth.login("staff@example.cn")
    data = client.get("/account/data").get_json()
    assert data["account"]["email"] == "staff@example.cn" and data["person"] is None
