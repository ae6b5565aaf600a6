"""Sign-up, sign-in, password change and linking a person, through the pages."""

import re

import pytest
from sqlmodel import select

from portal.accounts.models import Role, User
from tests import factories

SIGNUP = {
    "display_name": "王小明",
    "email": "Xiaoming@Example.cn",
    "password": "a-long-password",
    "confirm": "a-long-password",
    "agree": "y",
}


def test_signup_creates_an_owner_who_then_signs_in(client, session):
    response = client.post("/signup", data=SIGNUP)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    user = factories.find_user(session, "xiaoming@example.cn")
    assert user.role is Role.OWNER
    assert "a-long-password" not in user.password_hash
    login = {"email": SIGNUP["email"], "password": SIGNUP["password"]}
    # Consent to the privacy notice was recorded at sign-up: sign-in goes straight home.
    assert client.post("/login", data=login).headers["Location"] == "/"
    assert "王小明" in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Invalid email address."),
        ("email", "", "This field is required."),
        ("password", "short", "Use 12 to 128 characters."),
        ("password", "eleven-char", "Use 12 to 128 characters."),
        ("password", "x" * 500, "Use 12 to 128 characters."),
        ("password", "password1234", "This password is too common"),
        ("password", "qwertyuiop123", "This password is too common"),
        ("password", "123456789012", "This password is too common"),
        ("confirm", "something-else", "The passwords differ."),
        ("display_name", "名" * 65, "Field cannot be longer than 64 characters."),
    ],
)
def test_signup_refuses_bad_input_next_to_the_field(client, field, value, message):
    response = client.post(
        "/signup", data=SIGNUP | {field: value}, headers={"Accept-Language": "en"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="王小明"' in page or field == "display_name"  # nothing entered is lost


def test_signup_errors_are_in_chinese_by_default(client):
    response = client.post("/signup", data=SIGNUP | {"confirm": "different-one"})
    assert "两次输入的密码不一致" in response.get_data(as_text=True)


def _signup_answer(client, data) -> tuple[int, str, str]:
    response = client.post("/signup", data=data, headers={"Accept-Language": "en"})
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    # CSRF tokens carry the second they were signed in: not part of the answer's meaning.
    text = re.sub(r'"(X-CSRFToken": ")?[\w-]+\.[\w-]+\.[\w-]+"', '""', page.get_data(as_text=True))
    return response.status_code, response.headers["Location"], text


def test_signup_does_not_tell_whether_an_address_has_an_account(client, session):
    """The same answer for a taken and a new address, and the taken account is untouched."""
    factories.user(session, email="xiaoming@example.cn")
    session.commit()
    taken = _signup_answer(client, SIGNUP)
    new = _signup_answer(client, SIGNUP | {"email": "someone-new@example.cn"})
    assert taken == new
    assert taken[0] == 303 and "already exists" not in taken[2]
    assert "If this email address is new to the portal" in taken[2]
    session.expire_all()
    assert factories.find_user(session, "xiaoming@example.cn").display_name == "测试用户"
    login = {"email": SIGNUP["email"], "password": SIGNUP["password"]}
    assert client.post("/login", data=login).status_code == 422


def test_form_without_csrf_token_is_refused(app):
    response = app.test_client().post("/signup", data=SIGNUP)
    assert response.status_code == 400


def test_hostile_input_is_escaped(client, session):
    response = client.post(
        "/signup", data=SIGNUP | {"display_name": "<script>alert(1)</script>", "confirm": "x"}
    )
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_login_and_logout(client, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    response = client.post(
        "/login", data={"email": "OWNER@example.cn", "password": "correct-horse-battery"}
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_login_with_a_wrong_password_says_so_and_keeps_the_email(client, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    response = client.post(
        "/login",
        data={"email": "owner@example.cn", "password": "wrong-password"},
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The email or the password is not correct." in page
    assert 'value="owner@example.cn"' in page


def _sign_in(client, password: str, address: str = "203.0.113.7"):
    return client.post(
        "/login",
        data={"email": "owner@example.cn", "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failed_sign_ins_make_that_address_wait_for_that_account(client, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    answers = [_sign_in(client, "wrong-password").status_code for _ in range(4)]
    assert answers == [422, 422, 422, 429]
    refused = _sign_in(client, "correct-horse-battery")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 10


def test_a_strangers_failures_do_not_lock_the_owner_out(client, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    for _ in range(12):
        _sign_in(client, "wrong-password", address="198.51.100.66")
    assert _sign_in(client, "correct-horse-battery", address="203.0.113.7").status_code == 303


def test_successful_sign_ins_do_not_count_toward_the_limit(client, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    for _ in range(25):
        assert _sign_in(client, "correct-horse-battery").status_code == 303
        client.post("/logout")
    assert _sign_in(client, "wrong-password").status_code == 422


def test_the_wait_grows_with_the_failures():
    """Each tier allows more failures and makes the next one wait longer."""
    from limits import parse_many

    from portal.extensions import SIGN_IN_TIERS

    tiers = parse_many(SIGN_IN_TIERS)
    assert [t.amount for t in tiers] == sorted(t.amount for t in tiers)
    windows = [t.get_expiry() for t in tiers]
    assert windows == sorted(windows) and len(set(windows)) == len(windows) >= 3


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "////evil.example", "/\\evil.example"]
)
def test_login_never_redirects_off_site(client, session, target):
    factories.user(session, email="owner@example.cn")
    session.commit()
    response = client.post(
        f"/login?next={target}",
        data={"email": "owner@example.cn", "password": "correct-horse-battery"},
    )
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    response = client.post(
        "/login?next=/my/vehicles",
        data={"email": "owner@example.cn", "password": "correct-horse-battery"},
    )
    assert response.headers["Location"] == "/my/vehicles"


def test_password_change_signs_out_other_sessions(app, client, auth, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    other_device = type(client)(app.test_client())
    auth.login("owner@example.cn")
    other_device.post(
        "/login", data={"email": "owner@example.cn", "password": "correct-horse-battery"}
    )
    response = client.post(
        "/account/password",
        data={
            "current": "correct-horse-battery",
            "new": "another-long-one",
            "confirm": "another-long-one",
        },
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    auth.logout()
    auth.login("owner@example.cn", "another-long-one")


def test_password_change_with_a_wrong_current_password(client, auth, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    auth.login("owner@example.cn")
    response = client.post(
        "/account/password",
        data={
            "current": "not-my-password",
            "new": "another-long-one",
            "confirm": "another-long-one",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "The current password is not correct." in response.get_data(as_text=True)


def test_owner_links_to_a_registry_person_and_sees_their_vehicles(client, auth, session):
    number = factories.resident_id()
    person = factories.person(session, name="李娜", id_number=number)
    car = factories.vehicle(session, owner=person)
    factories.user(session, email="owner@example.cn")
    session.commit()
    auth.login("owner@example.cn")
    response = client.post("/account/person", data={"name": "李娜", "id_number": number})
    assert response.status_code == 303
    page = client.get("/my/vehicles").get_data(as_text=True)
    assert car.vin in page


@pytest.mark.parametrize(
    ("name", "id_number", "message"),
    [
        ("王五", None, "No person with this name and ID number is in the vehicle registry."),
        ("李娜", "44010619850312", "18 characters"),
        ("李娜", "44010619850312001Y", "last character"),
        ("", None, "This field is required."),
    ],
)
def test_link_person_refuses_what_does_not_match(client, auth, session, name, id_number, message):
    number = factories.resident_id()
    factories.person(session, name="李娜", id_number=number)
    factories.user(session, email="owner@example.cn")
    session.commit()
    auth.login("owner@example.cn")
    response = client.post(
        "/account/person",
        data={"name": name, "id_number": id_number or number},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_person_links_to_one_account_only(client, auth, session):
    number = factories.resident_id()
    person = factories.person(session, name="李娜", id_number=number)
    factories.user(session, person_row=person)
    factories.user(session, email="second@example.cn")
    session.commit()
    auth.login("second@example.cn")
    response = client.post(
        "/account/person",
        data={"name": "李娜", "id_number": number},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "already linked to another account" in response.get_data(as_text=True)


def test_language_switch_is_remembered(client, auth, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    auth.login("owner@example.cn")
    client.post("/language", data={"locale": "en", "next": "/account"})
    assert "Change the password" in client.get("/account").get_data(as_text=True)
    client.post("/language", data={"locale": "zh_CN", "next": "https://evil.example"})
    assert "修改密码" in client.get("/account").get_data(as_text=True)


def test_users_create_command(runner, session):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "officer@example.cn",
            "--name",
            "officer",
            "--role",
            "officer",
            "--province",
            "330000",
            "--password",
            "long-enough-pw",
        ]
    )
    assert result.exit_code == 0, result.output
    user = factories.find_user(session, "officer@example.cn")
    assert (user.role, user.province_code) == (Role.OFFICER, "330000")


@pytest.mark.parametrize(
    ("password", "message"),
    [("x", "12 to 128 characters"), ("password1234", "too common")],
)
def test_users_create_refuses_a_weak_password(runner, session, password, message):
    arguments = ["users", "create", "--email", "o@example.cn", "--name", "o", "--role", "admin"]
    result = runner.invoke(args=[*arguments, "--password", password])
    assert result.exit_code != 0 and message in result.output
    assert session.exec(select(User).where(User.email == "o@example.cn")).first() is None


def test_a_password_change_to_a_common_password_is_refused(client, auth, session):
    factories.user(session, email="owner@example.cn")
    session.commit()
    auth.login("owner@example.cn")
    response = client.post(
        "/account/password",
        data={"current": "correct-horse-battery", "new": "iloveyou1234", "confirm": "iloveyou1234"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "This password is too common" in response.get_data(as_text=True)
