"""The official working-day calendar (DOMAIN §1.7) and its administration page."""

from datetime import date

import pytest

from portal.accounts.models import Role
from portal.workdays import rules
from portal.workdays.services import package_schedule
from tests import factories

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize(
    ("start", "count", "due"),
    [
        # DOMAIN §1.7: across the Spring Festival (15-23 Feb off, Sat 14 and 28 Feb worked).
        (date(2026, 2, 10), 15, date(2026, 3, 9)),
        # Across National Day (1-7 Oct off, Sun 20 Sep and Sat 10 Oct worked).
        (date(2026, 9, 25), 15, date(2026, 10, 22)),
        # The payout target, 30 working days from an approval before the Spring Festival.
        (date(2026, 2, 2), 30, date(2026, 3, 20)),
        (date(2026, 3, 9), -15, date(2026, 2, 10)),
    ],
)
def test_deadlines_follow_the_official_calendar(start, count, due):
    deadline = rules.add_working_days(start, count, package_schedule())
    assert deadline == rules.Deadline(day=due, estimated=False)


def test_the_weekday_count_would_have_been_wrong():
    assert rules.add_working_days(date(2026, 2, 10), 15, rules.Schedule()).day == date(2026, 3, 3)


def test_beyond_every_known_year_it_counts_monday_to_friday_and_says_so():
    deadline = rules.add_working_days(date(2026, 12, 21), 15, package_schedule())
    assert deadline == rules.Deadline(day=date(2027, 1, 11), estimated=True)


def test_working_days_between_counts_after_the_start():
    schedule = package_schedule()
    assert rules.working_days_between(date(2026, 2, 10), date(2026, 3, 9), schedule) == 15
    assert rules.working_days_between(date(2026, 3, 9), date(2026, 2, 10), schedule) == -15
    assert rules.working_days_between(date(2026, 3, 9), date(2026, 3, 9), schedule) == 0


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("2027-02-06..2027-02-08", [date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]),
        ("2027-01-01, 2027-01-02\n", [date(2027, 1, 1), date(2027, 1, 2)]),
        ("2027-10-01~2027-10-01", [date(2027, 10, 1)]),
        ("", []),
    ],
)
def test_days_are_typed_as_dates_and_ranges(text, days):
    assert rules.parse_days(text) == days


@pytest.mark.parametrize(
    "text", ["2027-13-01", "tomorrow", "2027-02-08..2027-02-06", "2027-01-01..2027-03-01"]
)
def test_what_is_not_a_date_or_a_short_range_is_refused(text):
    with pytest.raises(ValueError):
        rules.parse_days(text)


# --- /admin/calendar ---

YEAR_2027 = {
    "year": "2027",
    "days_off": "2027-01-01\n2027-02-06..2027-02-14\n2027-10-01..2027-10-07",
    "days_worked": "2027-02-20\n2027-09-26",
}


@pytest.fixture
def admin(session, auth):
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    auth.login("admin@example.cn")


def test_an_administrator_enters_the_next_year_and_deadlines_use_it(app, client, admin):
    page = client.get("/admin/calendar", headers=EN).get_data(as_text=True)
    assert "2004 to 2026" in page
    response = client.post("/admin/calendar", data=YEAR_2027, headers=EN)
    assert response.status_code == 303
    page = client.get("/admin/calendar", headers=EN).get_data(as_text=True)
    assert "The 2027 schedule is saved." in page and "?year=2027" in page
    with app.test_request_context():
        from portal import db
        from portal.workdays import services

        # Friday 2027-02-05: the next working day is Monday 15 February, not the 8th.
        assert services.deadline(db.session(), date(2027, 2, 5), 1) == rules.Deadline(
            day=date(2027, 2, 15), estimated=False
        )
        assert services.deadline(db.session(), date(2027, 2, 19), 1).day == date(2027, 2, 20)
    refill = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "2027-02-14" in refill and "2027-09-26" in refill


def test_a_year_entered_again_replaces_the_first_entry(app, client, admin):
    client.post("/admin/calendar", data=YEAR_2027)
    corrected = YEAR_2027 | {"days_worked": "2027-02-20"}
    assert client.post("/admin/calendar", data=corrected).status_code == 303
    with app.test_request_context():
        from portal import db
        from portal.workdays import services

        assert services.entered_days(db.session(), 2027)[1] == [date(2027, 2, 20)]
        assert not services.schedule(db.session()).is_working_day(date(2027, 9, 26))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("year", "", "This field is required."),
        ("year", "1999", "Number must be between 2000 and 2100."),
        ("days_off", "", "This field is required."),
        ("days_off", "soon", "“soon” is not a date"),
        ("days_off", "2027-01-01\n" * 400, "Field cannot be longer than 4000 characters."),
        ("days_off", "2028-01-01", "2028-01-01 is not in 2027."),
        ("days_worked", "2027-02-22", "2027-02-22 is a weekday"),
        ("days_worked", "2027-01-01", "2027-01-01 is both off and worked."),
        ("days_worked", "<script>alert(1)</script>", "is not a date"),
    ],
)
def test_a_wrong_schedule_gets_its_message_next_to_the_field(client, admin, field, value, message):
    response = client.post("/admin/calendar", data=YEAR_2027 | {field: value}, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page.replace("&#34;", '"').replace("&lt;", "<").replace("&gt;", ">")
    assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize("role", [Role.OWNER, Role.REVIEWER, Role.DEALER])
def test_only_administrators_open_the_calendar(client, session, auth, role):
    factories.user(
        session,
        role,
        email="someone@example.cn",
        dealer_row=factories.dealer(session) if role is Role.DEALER else None,
    )
    session.commit()
    auth.login("someone@example.cn")
    assert client.get("/admin/calendar").status_code == 403
    assert client.post("/admin/calendar", data=YEAR_2027).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/admin/calendar").status_code == 302
