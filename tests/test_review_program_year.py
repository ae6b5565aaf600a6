"""The reviewer checks an application against another year's program (issue 16, "Past
programs"): the years of the application's own province and kind, its own by default."""

import html
import re

import pytest
from sqlmodel import delete

from portal.accounts.models import Role
from portal.audit import china_today
from portal.subsidy import program_lookup
from portal.subsidy.models import Program, ProgramTier
from portal.subsidy.terms import Kind
from tests import factories
from tests import subsidy_helpers as h

ZHEJIANG = "330000"
EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
THIS_YEAR = china_today().year


@pytest.fixture
def world(app, session):
    """Guangdong with every seeded year; Zhejiang without its 2024 scrapping program."""
    h.seed(session, h.GUANGDONG, ZHEJIANG)
    gone = program_lookup.program_of_year(
        session, province_code=ZHEJIANG, kind=Kind.SCRAPPING, year=2024
    )
    session.exec(delete(ProgramTier).where(ProgramTier.program_id == gone.id))
    session.exec(delete(Program).where(Program.id == gone.id))
    factories.user(session, Role.REVIEWER, email="gd@example.cn")
    factories.user(session, Role.REVIEWER, email="zj@example.cn", province_code=ZHEJIANG)
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    files = app.extensions["storage"]
    owner = h.Applicant(session)
    guangdong = h.submitted(session, owner, files=files)
    applicant = h.Applicant(session)
    entry = h.new_car_entry(
        applicant,
        plate=f"浙AD{factories.next_serial() % 100000:05d}",
        invoice_city_code="330100",
    )
    zhejiang = h.submitted(session, applicant, province=ZHEJIANG, entry=entry, files=files)
    return {"gd": guangdong, "zj": zhejiang, "gd_owner": owner}


def page(client, application, headers=EN, **query):
    return client.get(f"/review/{application.id}", query_string=query, headers=headers)


def options(text: str) -> list[str]:
    select = re.search(r'<select[^>]*name="program_year".*?</select>', text, re.S).group(0)
    return re.findall(r'value="([^"]*)"', select)


def help_text(text: str) -> str:
    return re.search(r'<div id="program_year-help">(.*?)</div>', text, re.S).group(1)


def test_the_page_checks_against_the_application_s_own_program_by_default(client, auth, world):
    auth.login("gd@example.cn")
    response = page(client, world["gd"])
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert options(text) == [str(THIS_YEAR), "2025", "2024"]
    assert f'<option selected value="{THIS_YEAR}">' in text
    assert f"{THIS_YEAR} (the application's program)" in html.unescape(text)
    assert f"Checked against the {THIS_YEAR} program: Scrapping renewal (报废更新)." in text
    assert "Every rule of the program is met." in text


def test_an_earlier_year_s_rules_are_checked_on_request(client, auth, world):
    auth.login("gd@example.cn")
    response = page(client, world["gd"], program_year="2024")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option selected value="2024">' in text
    assert "Checked against the 2024 program" in text
    # A petrol car first registered in September 2012 is too young for 2024's scrapping rule
    # (National III or older: by 30 June 2011), old enough for this year's.
    assert "Every rule of the program is met." not in text
    assert 'class="rule-failed"' in text
    chinese = page(client, world["gd"], headers=ZH, program_year="2024").get_data(as_text=True)
    assert "按2024年度补贴活动核验" in chinese and "Checked against" not in chinese


def test_an_admin_may_choose_a_year_too(client, auth, world):
    auth.login("admin@example.cn")
    response = page(client, world["zj"], program_year="2025")
    assert response.status_code == 200
    assert "Checked against the 2025 program" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Choose a program year."),
        ("2019", "The province has no program of this kind that year"),
        ("2025.0", "The province has no program of this kind that year"),
        ("<script>alert(1)</script>", "The province has no program of this kind that year"),
        ("9" * 500, "The province has no program of this kind that year"),
    ],
)
def test_a_wrong_year_is_refused_next_to_the_field(client, auth, world, value, message):
    auth.login("gd@example.cn")
    response = page(client, world["gd"], program_year=value)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html.unescape(help_text(text))
    assert "<script>alert(1)" not in text
    # The panel still answers, for the application's own program.
    assert f"Checked against the {THIS_YEAR} program" in text


def test_a_control_character_is_refused_before_the_page(client, auth, world):
    auth.login("gd@example.cn")
    response = page(client, world["gd"], program_year="2025\x00")
    assert response.status_code == 422  # the app-wide guard names the parameter
    assert "Remove the control characters" in response.get_data(as_text=True)
    assert "program_year" in response.get_data(as_text=True)


def test_a_province_without_that_year_s_program_never_borrows_another_s(client, auth, world):
    auth.login("zj@example.cn")
    text = page(client, world["zj"]).get_data(as_text=True)
    assert options(text) == [str(THIS_YEAR), "2025"]  # Guangdong's 2024 is not Zhejiang's
    response = page(client, world["zj"], program_year="2024")
    assert response.status_code == 422
    assert "no program of this kind that year" in response.get_data(as_text=True)


def test_another_province_s_reviewer_and_an_owner_cannot_use_it(client, auth, world):
    auth.login("zj@example.cn")
    assert page(client, world["gd"], program_year="2024").status_code == 404
    auth.logout()
    auth.login(world["gd_owner"].email)  # the applicant himself
    assert page(client, world["gd"], program_year="2025").status_code == 403
