"""The failures tests/test_hostile_sweep.py found, each pinned on its own: wrong, oversized
or hostile input answers 4xx with a message, never 500."""

import io

import pytest

from portal.accounts.models import Role
from tests import factories
from tests import subsidy_helpers as h

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize("url", ["/transfers/{}", "/subsidies/{}", "/vehicles/{}", "/payments/{}"])
def test_an_id_past_64_bits_in_a_page_address_is_not_found(client, auth, session, url):
    """SQLite cannot bind it (OverflowError) and PostgreSQL's integer column refuses it."""
    admin = factories.user(session, Role.ADMIN)
    session.commit()
    auth.login(admin.email)
    assert client.get(url.format(2**63), headers=EN).status_code == 404


@pytest.mark.parametrize("page", ["9" * 10_000, "²", "0" * 5000 + "2", "-3"])
@pytest.mark.parametrize("url", ["/vehicles", "/payments/admin", "/admin/subsidies/payouts"])
def test_a_page_number_of_any_length_or_digit_is_a_page_not_a_500(client, auth, session, url, page):
    """Python refuses to turn more than 4,300 digits into an int, and int("²") fails."""
    admin = factories.user(session, Role.ADMIN)
    session.commit()
    auth.login(admin.email)
    assert client.get(url, query_string={"page": page}, headers=EN).status_code == 200


def test_a_program_year_filter_of_10_000_digits_shows_every_year(client, auth, session):
    admin = factories.user(session, Role.ADMIN)
    session.commit()
    auth.login(admin.email)
    answer = client.get("/admin/subsidies/programs", query_string={"year": "9" * 10_000})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("url", "field"), [("/password/forgot", "email"), ("/account/tokens", "name")]
)
def test_a_file_posted_under_a_text_field_is_a_422_not_a_500(client, auth, session, url, field):
    """Flask-WTF gave the text field the upload object; its length check raised TypeError."""
    dealer = factories.user(session, Role.DEALER, dealer_row=factories.dealer(session))
    session.commit()
    auth.login(dealer.email)
    upload = (io.BytesIO(b"\x00\xff"), "x.pdf")
    answer = client.post(url, data={field: upload}, headers=EN)
    assert answer.status_code == 422
    assert 'class="error"' in answer.get_data(as_text=True)


@pytest.mark.parametrize("year", [str(2**63), "-1"])
def test_the_calendar_page_asked_for_a_year_past_64_bits_is_an_empty_form(
    client, auth, session, year
):
    """?year= was queried as typed: SQLite cannot bind 2**63 (OverflowError, 500)."""
    admin = factories.user(session, Role.ADMIN)
    session.commit()
    auth.login(admin.email)
    assert client.get("/admin/calendar", query_string={"year": year}).status_code == 200


@pytest.mark.parametrize("vehicle_id", [str(2**63), "9" * 10_000])
def test_filing_a_transfer_for_a_vehicle_id_no_column_holds_is_refused(
    client, auth, session, vehicle_id
):
    """int() of 10,000 digits raised ValueError, and 2**63 could not be bound: both 500s."""
    dealer = factories.user(session, Role.DEALER, dealer_row=factories.dealer(session))
    session.commit()
    auth.login(dealer.email)
    answer = client.post("/transfers/new", data={"vehicle_id": vehicle_id}, headers=EN)
    assert answer.status_code == 422
    assert "No vehicle with this VIN or plate is in the registry." in answer.get_data(as_text=True)


@pytest.mark.parametrize("reading", [str(2**63), "9" * 10_000])
def test_a_step_asked_for_a_reading_id_no_column_holds_is_not_found(
    app, client, auth, session, reading
):
    h.seed(session)
    applicant = h.Applicant(session)
    application = h.draft(session, applicant, files=app.extensions["storage"])
    auth.login(applicant.email)
    url = f"/subsidies/{application.id}/step/new-car"
    assert client.get(url, query_string={"reading": reading}, headers=EN).status_code == 404
