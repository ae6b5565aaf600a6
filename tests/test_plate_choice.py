"""The buyer chooses the new plate, as 12123's number selection does (DOMAIN §2.3, issue 14):
free numbers offered in the destination's format, or one composed and checked; the choice
reserved for the case, never for two; issued at registration; drawn there if nobody chose."""

import re
import threading
from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal.accounts.models import Role, User
from portal.errors import Conflict
from portal.registry.models import Vehicle
from portal.registry.terms import FuelType
from portal.transfer import plates, rules
from portal.transfer.models import PlateReservation, TransferCase
from portal.transfer.terms import TransferStatus
from tests import factories
from tests.conftest import FormClient
from tests.test_api import token_for
from tests.test_paperwork import pdf_text
from tests.test_transfers import EN, as_user, case_of, open_case, world  # noqa: F401  (fixture)


@pytest.fixture
def sale(world):  # noqa: F811  (test_transfers' world: a Shenzhen car, dealers, officers)
    return world


PLATE_FIELD = re.compile(r'id="composed-help">(.*?)</div>', re.S)


def offered(page: str) -> list[str]:
    return re.findall(r'name="plate" value="([^"]+)"', page)


def composed_error(page: str) -> str:
    return PLATE_FIELD.search(page).group(1)


def live(session) -> list[PlateReservation]:
    session.commit()
    session.expire_all()
    return session.exec(
        select(PlateReservation).where(PlateReservation.released_at.is_(None))
    ).all()


def released_case(session, *, fuel_type=FuelType.PETROL) -> tuple[TransferCase, str]:
    """A Shenzhen car sold to Hangzhou, released by Guangdong; and its clerk's email."""
    car = factories.vehicle(session, owner=factories.person(session), fuel_type=fuel_type)
    case = factories.transfer_case(
        session,
        car,
        price_fen=8_650_000,
        mileage_km=68_000,
        sale_date=date(2026, 11, 30),
        status=TransferStatus.RELEASED,
        destination_city_code="330100",
    )
    session.commit()
    return case, session.get(User, case.created_by).email


def test_the_offered_numbers_are_free_numbers_of_the_destination(client, auth, session, sale):
    factories.vehicle(session, plate="浙A12345", city_code="330100")
    session.commit()
    case_url = open_case(client, auth, sale)
    page = client.get(case_url + "/plate", headers=EN)
    assert page.status_code == 200
    numbers = offered(page.text)
    assert len(numbers) == len(set(numbers)) == 50  # the PLATE_CHOICES default
    for number in numbers:  # DOMAIN §4: 浙A + five, at most two letters, no I or O
        assert rules.chosen_plate(number, prefix="浙A", fuel_type=FuelType.PETROL) == number
    assert not session.exec(select(Vehicle).where(Vehicle.plate.in_(numbers))).all()
    assert plates.free_of(session, ["浙A12345", *numbers]) == numbers


def test_the_count_offered_is_a_setting(app, client, auth, sale):
    app.config["PLATE_CHOICES"] = 7
    case_url = open_case(client, auth, sale)
    assert len(offered(client.get(case_url + "/plate").text)) == 7


def test_a_new_energy_car_is_offered_green_numbers(client, auth, session, sale):
    sale["car"].fuel_type = FuelType.BEV
    session.add(sale["car"])
    session.commit()
    case_url = open_case(client, auth, sale)
    numbers = offered(client.get(case_url + "/plate").text)
    assert numbers and all(len(n) == 8 and n[2] == "D" for n in numbers)
    answer = client.post(case_url + "/plate", data={"plate": "F12345"}, headers=EN)
    assert answer.status_code == 422 and "D, A, B, C, E" in composed_error(answer.text)
    assert client.post(case_url + "/plate", data={"plate": "浙AD23456"}).status_code == 303


def test_picking_an_offered_number_reserves_it_and_shows_it_on_the_case(
    client, auth, session, sale
):
    case_url = open_case(client, auth, sale)
    number = offered(client.get(case_url + "/plate").text)[0]
    answer = client.post(case_url + "/plate", data={"plate": number, "source": "offered"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#vehicle")
    assert case_of(session, case_url).new_plate == number
    assert [r.plate for r in live(session)] == [number]
    page = client.get(case_url, headers=EN).text
    assert f'{number}</span> <span class="meta">chosen, reserved until registration' in page
    assert "Change the new plate" in page and f"New plate chosen</strong>: {number}" in page

    # A second choice gives the first number back.
    assert client.post(case_url + "/plate", data={"plate": "浙A2B3C4"}).status_code == 303
    assert [r.plate for r in live(session)] == ["浙A2B3C4"]
    assert case_of(session, case_url).new_plate == "浙A2B3C4"


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [
        ("", 422, "Pick one of the numbers, or type one."),
        ("   ", 422, "Pick one of the numbers, or type one."),
        ("1" * 200, 422, "A plate has at most 8 characters."),
        ("粤B12345", 422, "A plate of this city starts with 浙A."),
        ("ABC12", 422, "at most two letters"),
        ("1I345", 422, "only digits and letters other than I and O"),
        ("1234", 422, "this one has 6"),
        ("1234挂", 422, "plates are not issued to private cars"),
        ("D12345", 422, "not new-energy"),
        ("<script>", 422, "this one has 10"),
        ("'; DROP TABLE", 422, "A plate"),
        ("浙A12345", 409, "浙A12345 is taken. Choose another number."),
    ],
)
def test_a_composed_number_is_checked_and_the_reason_shown_next_to_it(
    client, auth, session, sale, typed, status, message
):
    factories.vehicle(session, plate="浙A12345", city_code="330100")
    session.commit()
    case_url = open_case(client, auth, sale)
    answer = client.post(
        case_url + "/plate", data={"plate": typed, "source": "composed"}, headers=EN
    )
    assert answer.status_code == status
    error = composed_error(answer.text)
    assert message in error and "<script>" not in answer.text
    assert 'aria-invalid="true"' in answer.text
    if typed.strip() and len(typed) < 20:  # what was typed stays in the field
        assert (
            'value="{}"'.format(
                typed.replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;")
            )
            in answer.text
        )
    assert live(session) == []


def test_a_number_another_case_holds_is_taken(client, auth, session, sale):
    other, _clerk = released_case(session)
    other_url = f"/transfers/{other.id}"
    case_url = open_case(client, auth, sale)
    assert client.post(case_url + "/plate", data={"plate": "浙A88888"}).status_code == 303
    as_user(client, auth, _clerk)
    answer = client.post(other_url + "/plate", data={"plate": "88888"}, headers=EN)
    assert answer.status_code == 409 and "浙A88888 is taken" in composed_error(answer.text)
    assert "88888" in answer.text  # kept in the field


@pytest.mark.parametrize("email", ["other@example.cn", "sc@example.cn"])
def test_another_dealer_or_province_cannot_choose(client, auth, session, sale, email):
    case_url = open_case(client, auth, sale)
    as_user(client, auth, email)
    assert client.get(case_url + "/plate").status_code == 404
    assert client.post(case_url + "/plate", data={"plate": "浙A12345"}).status_code == 404
    assert live(session) == []


def test_the_officers_see_the_choice_but_do_not_make_it(client, auth, session, sale):
    case_url = open_case(client, auth, sale)
    as_user(client, auth, "zj@example.cn")
    assert "Choose the new plate" not in client.get(case_url, headers=EN).text
    answer = client.post(case_url + "/plate", data={"plate": "浙A12345"}, headers=EN)
    assert answer.status_code == 409 and "Only the dealer who filed the case" in answer.text
    assert live(session) == []


def test_two_cases_racing_for_one_number_get_it_once(app, session):
    """Two clerks of two cases reserve the same number at the same moment: one wins."""
    racers = []
    for _ in range(2):
        case, email = released_case(session)
        clerk = FormClient(app.test_client())
        clerk.post("/login", data={"email": email, "password": factories.PASSWORD})
        racers.append((clerk, clerk.csrf_token(), case.id))
    barrier, answers, pages = threading.Barrier(len(racers)), [], []

    def choose(clerk, token, case_id):
        barrier.wait()
        answer = clerk.client.post(
            f"/transfers/{case_id}/plate",
            data={"plate": "浙A66666", "csrf_token": token},
            headers=EN,
        )
        answers.append(answer.status_code)
        pages.append(answer.get_data(as_text=True))

    threads = [threading.Thread(target=choose, args=racer) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(answers) == [303, 409], answers
    # The unique index stopped the loser mid-race, or its check saw the winner's commit.
    loser = pages[answers.index(409)]
    assert (
        "浙A66666 was reserved for another case just now" in loser or "浙A66666 is taken" in loser
    ), loser
    assert [r.plate for r in live(session)] == ["浙A66666"]


def test_registration_issues_the_chosen_number(client, auth, session, sale):
    case, clerk = released_case(session)
    as_user(client, auth, clerk)
    assert client.post(f"/transfers/{case.id}/plate", data={"plate": "A1234"}).status_code == 303
    as_user(client, auth, "zj@example.cn")
    assert client.post(f"/transfers/{case.id}/register").status_code == 303
    assert client.post(f"/transfers/{case.id}/complete").status_code == 303
    session.expire_all()
    vehicle = session.get(Vehicle, case.vehicle_id)
    assert vehicle.plate == "浙AA1234" and vehicle.city_code == "330100"
    page = client.get(f"/vehicles/{vehicle.id}", headers=EN).text
    history = re.search(r'id="plates">(.*?)</section>', page, re.S).group(1)
    assert history.index("浙AA1234") < history.index("粤B")  # the history keeps both
    # Issued, the number stays reserved: nobody is offered it again.
    assert plates.free_of(session, ["浙AA1234"]) == []
    as_user(client, auth, clerk)
    assert client.get(f"/transfers/{case.id}/plate", headers=EN).status_code == 409


def test_registration_draws_a_number_when_nobody_chose(client, auth, session, sale):
    case, _clerk = released_case(session)
    as_user(client, auth, "zj@example.cn")
    assert client.post(f"/transfers/{case.id}/register").status_code == 303
    drawn = case_of(session, f"/transfers/{case.id}").new_plate
    assert rules.chosen_plate(drawn, prefix="浙A", fuel_type=FuelType.PETROL) == drawn
    assert [(r.plate, r.case_id) for r in live(session)] == [(drawn, case.id)]


def test_registration_refuses_a_chosen_number_a_car_brought_since(client, auth, session, sale):
    case, clerk = released_case(session)
    as_user(client, auth, clerk)
    assert client.post(f"/transfers/{case.id}/plate", data={"plate": "55555"}).status_code == 303
    factories.vehicle(session, plate="浙A55555", city_code="330100")  # the authority's import
    session.commit()
    as_user(client, auth, "zj@example.cn")
    answer = client.post(f"/transfers/{case.id}/register", headers=EN)
    assert answer.status_code == 409 and "the dealer must choose again" in answer.text
    assert case_of(session, f"/transfers/{case.id}").status is TransferStatus.RELEASED


def test_withdrawing_gives_the_number_back(client, auth, session, sale):
    case_url = open_case(client, auth, sale)
    assert client.post(case_url + "/plate", data={"plate": "77777"}).status_code == 303
    assert client.post(case_url + "/withdraw").status_code == 303
    assert live(session) == [] and case_of(session, case_url).new_plate is None
    assert plates.free_of(session, ["浙A77777"]) == ["浙A77777"]


def test_a_choice_made_as_the_case_is_withdrawn_reserves_nothing(client, auth, session, sale):
    """The clerk's request read the case open; the withdrawal committed before it wrote."""
    case_url = open_case(client, auth, sale)
    stale = case_of(session, case_url)
    session.commit()  # the read is over; the case object stays as it was read
    assert client.post(case_url + "/withdraw").status_code == 303
    dealer = session.get(User, stale.created_by)
    with pytest.raises(Conflict):
        plates.choose(session, user=dealer, case=stale, text="66666")
    session.rollback()
    assert live(session) == []


# --- the JSON API: a dealer's system lists the offered numbers and reserves one ---------


def test_a_dealers_system_lists_offered_numbers_and_reserves_one(app, session):
    case, clerk = released_case(session)
    dealer = token_for(session, clerk)
    api = app.test_client()
    offer = api.get(f"/api/v1/transfers/{case.id}/plates", headers=dealer)
    assert offer.status_code == 200
    assert offer.json["prefix"] == "浙A" and offer.json["chosen"] is None
    assert len(offer.json["numbers"]) == 50 and offer.json["new_energy"] is False
    number = offer.json["numbers"][3]
    chosen = api.post(f"/api/v1/transfers/{case.id}/plate", json={"plate": number}, headers=dealer)
    assert chosen.status_code == 200 and chosen.json["new_plate"] == number
    assert api.get(f"/api/v1/transfers/{case.id}/plates", headers=dealer).json["chosen"] == number


def test_the_api_refuses_taken_invalid_and_foreign_choices(app, session):
    case, clerk = released_case(session)
    other, other_clerk = released_case(session)
    api, dealer = app.test_client(), token_for(session, clerk)
    url = f"/api/v1/transfers/{case.id}/plate"
    assert api.post(url, json={"plate": "99999"}, headers=dealer).status_code == 200
    taken = api.post(
        f"/api/v1/transfers/{other.id}/plate",
        json={"plate": "浙A99999"},
        headers=token_for(session, other_clerk),
    )
    assert taken.status_code == 409 and taken.content_type == "application/problem+json"
    assert "浙A99999 is taken" in taken.json["detail"]
    invalid = api.post(url, json={"plate": "粤B12345"}, headers=dealer)
    assert invalid.status_code == 422
    assert invalid.json["errors"][0]["field"] == "plate"
    assert "starts with 浙A" in invalid.json["errors"][0]["message"]
    for body in (
        {"plate": "1" * 17},
        {"plate": "\x00"},
        {"plate": 12345},
        {},
        {"plate": "1", "x": 1},
    ):
        assert api.post(url, json=body, headers=dealer).status_code == 422, body
    # Another dealer's system cannot see the case, nor choose for it.
    foreign = token_for(session, other_clerk)
    assert api.get(f"/api/v1/transfers/{case.id}/plates", headers=foreign).status_code == 404
    assert api.post(url, json={"plate": "12346"}, headers=foreign).status_code == 404
    assert [r.plate for r in live(session)] == ["浙A99999"]


def test_the_database_holds_a_number_for_one_case_only(session):
    """The index itself, without the services' checks: a second live hold is refused,
    a released one does not count."""
    from sqlalchemy.exc import IntegrityError

    first, _ = released_case(session)
    second, _ = released_case(session)
    session.add(PlateReservation(plate="浙A11111", case_id=first.id))
    session.commit()
    session.add(PlateReservation(plate="浙A11111", case_id=second.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(PlateReservation(plate="浙A22222", case_id=first.id))  # a second for one case
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    held = session.exec(select(PlateReservation)).one()
    held.released_at = held.reserved_at
    session.add(held)
    session.add(PlateReservation(plate="浙A11111", case_id=second.id))
    session.commit()
    assert [r.case_id for r in live(session)] == [second.id]


def test_choosing_the_held_number_again_changes_nothing(client, auth, session, sale):
    case_url = open_case(client, auth, sale)
    for _ in range(2):
        assert client.post(case_url + "/plate", data={"plate": "浙A31415"}).status_code == 303
    held = session.exec(select(PlateReservation)).all()
    assert [(r.plate, r.released_at) for r in held] == [("浙A31415", None)]
    assert client.get(case_url, headers=EN).text.count("New plate chosen</strong>") == 1


def test_owners_cannot_reach_the_choice(client, auth, session, sale):
    case_url = open_case(client, auth, sale)
    factories.user(session, Role.OWNER, email="owner@example.cn")
    session.commit()
    as_user(client, auth, "owner@example.cn")
    assert client.get(case_url + "/plate").status_code == 403
    assert client.post(case_url + "/plate", data={"plate": "12345"}).status_code == 403


def test_the_api_refuses_a_choice_once_registered(app, session):
    case, clerk = released_case(session)
    case.status = TransferStatus.REGISTERED
    session.add(case)
    session.commit()
    api, dealer = app.test_client(), token_for(session, clerk)
    for answer in (
        api.get(f"/api/v1/transfers/{case.id}/plates", headers=dealer),
        api.post(f"/api/v1/transfers/{case.id}/plate", json={"plate": "12345"}, headers=dealer),
    ):
        assert answer.status_code == 409
        assert "can no longer be chosen" in answer.json["detail"]


def paperwork_text(client, case_id: int, tmp_path) -> str:
    """The application form's text; in Chinese whatever the reader's language, as the
    authorities' papers are."""
    pdf = client.get(f"/transfers/{case_id}/paperwork/application.pdf", headers=EN)
    assert pdf.status_code == 200
    return pdf_text(pdf.data, tmp_path)


def test_the_paperwork_prints_the_old_plate_and_the_new_one(client, auth, session, sale, tmp_path):
    case, clerk = released_case(session)
    old = session.get(Vehicle, case.vehicle_id).plate
    as_user(client, auth, clerk)
    assert "新号牌号码转入登记时核发" in paperwork_text(client, case.id, tmp_path)
    assert client.post(f"/transfers/{case.id}/plate", data={"plate": "A1234"}).status_code == 303
    assert f"{old}新号牌号码浙AA1234" in paperwork_text(client, case.id, tmp_path)

    as_user(client, auth, "zj@example.cn")
    assert client.post(f"/transfers/{case.id}/register").status_code == 303
    assert f"{old}新号牌号码浙AA1234" in paperwork_text(client, case.id, tmp_path)
    assert client.post(f"/transfers/{case.id}/complete").status_code == 303
    assert f"{old}新号牌号码浙AA1234" in paperwork_text(client, case.id, tmp_path)
    page = client.get(f"/transfers/{case.id}", headers=EN).text
    assert re.search(rf"{old}</span> → <span[^>]*>浙AA1234</span>", page)


def test_an_earlier_case_keeps_the_plate_the_car_had_when_it_was_filed(client, auth, session, sale):
    """A withdrawn case, then a later one that moves the car to Hangzhou: the first
    case still shows (and prints) the Shenzhen plate it was filed with."""
    car = factories.vehicle(session, owner=factories.person(session))
    old = car.plate
    terms = dict(price_fen=8_650_000, mileage_km=68_000, sale_date=date(2026, 11, 30))
    first = factories.transfer_case(session, car, status=TransferStatus.WITHDRAWN, **terms)
    first.created_at -= timedelta(days=10)
    later = factories.transfer_case(
        session, car, status=TransferStatus.RELEASED, destination_city_code="330100", **terms
    )
    session.commit()
    as_user(client, auth, "zj@example.cn")
    assert client.post(f"/transfers/{later.id}/register").status_code == 303
    assert client.post(f"/transfers/{later.id}/complete").status_code == 303
    new = case_of(session, f"/transfers/{later.id}").new_plate
    assert session.get(Vehicle, car.id).plate == new != old

    as_user(client, auth, session.get(User, first.created_by).email)
    page = client.get(f"/transfers/{first.id}", headers=EN).text
    facts = re.search(r'id="vehicle">(.*?)</dl>', page, re.S).group(1)
    assert old in facts and new not in facts
    as_user(client, auth, session.get(User, later.created_by).email)
    page = client.get(f"/transfers/{later.id}", headers=EN).text
    assert re.search(rf"{old}</span> → <span[^>]*>{new}</span>", page)
