"""Registry pages: search for staff, the vehicle page with its timeline, my vehicles, scope."""

import pytest

from portal.accounts.models import Role
from portal.identifiers import mask_resident_id
from tests import factories

HTMX = {"HX-Request": "true"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def registry(session):
    """Two owners in Guangdong and Zhejiang, a dealer, and a vehicle each."""
    number = factories.resident_id()
    li = factories.person(session, name="李娜", id_number=number)
    wang = factories.person(session, name="王强")
    dealer = factories.dealer(session)
    cars = {
        "li": factories.vehicle(session, owner=li, plate="粤B12345", vin=factories.vin(wmi="LSV")),
        "wang": factories.vehicle(
            session, owner=wang, city_code="330100", plate="浙A88888", vin=factories.vin(wmi="LFV")
        ),
        "dealer": factories.vehicle(session, owner=dealer, city_code="440100", plate="粤A66666"),
    }
    users = {
        "owner": factories.user(session, email="li@example.cn", person_row=li),
        "dealer": factories.user(
            session, Role.DEALER, email="dealer@example.cn", dealer_row=dealer
        ),
        "officer": factories.user(session, Role.OFFICER, email="officer@example.cn"),
        "admin": factories.user(session, Role.ADMIN, email="admin@example.cn"),
    }
    session.commit()
    return {"cars": cars, "users": users, "li_number": number}


def test_owner_sees_own_vehicles_only(client, auth, registry):
    auth.login("li@example.cn")
    page = client.get("/my/vehicles").get_data(as_text=True)
    assert registry["cars"]["li"].vin in page
    assert registry["cars"]["wang"].vin not in page


def test_dealer_sees_the_company_vehicles(client, auth, registry):
    auth.login("dealer@example.cn")
    page = client.get("/my/vehicles").get_data(as_text=True)
    assert registry["cars"]["dealer"].vin in page
    assert registry["cars"]["li"].vin not in page


def test_vehicle_page_shows_the_ownership_timeline(client, auth, registry):
    auth.login("li@example.cn")
    car = registry["cars"]["li"]
    page = client.get(f"/vehicles/{car.id}").get_data(as_text=True)
    assert car.vin in page
    assert "李娜 4401**********" in page
    assert registry["li_number"] not in page  # the full ID number is never shown


@pytest.mark.parametrize(
    ("email", "car"),
    [
        ("li@example.cn", "wang"),  # another owner's car
        ("dealer@example.cn", "li"),  # not the company's
        ("officer@example.cn", "wang"),  # another province
    ],
)
def test_vehicle_outside_scope_is_not_found(client, auth, registry, email, car):
    auth.login(email)
    response = client.get(f"/vehicles/{registry['cars'][car].id}")
    assert response.status_code == 404
    assert registry["cars"][car].vin not in response.get_data(as_text=True)


def test_missing_vehicle_is_not_found(client, auth, registry):
    auth.login("admin@example.cn")
    assert client.get("/vehicles/999999").status_code == 404


def test_admin_sees_any_vehicle(client, auth, registry):
    auth.login("admin@example.cn")
    assert client.get(f"/vehicles/{registry['cars']['wang'].id}").status_code == 200


def test_anonymous_visitor_is_sent_to_sign_in(client, registry):
    response = client.get(f"/vehicles/{registry['cars']['li'].id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("LSV", "li", "wang"),
        ("lfv", "wang", "li"),
        ("粤B1", "li", "dealer"),
        ("浙A", "wang", "li"),
    ],
)
def test_admin_searches_by_vin_or_plate_prefix(client, auth, registry, query, expected, absent):
    auth.login("admin@example.cn")
    page = client.get("/vehicles", query_string={"q": query}).get_data(as_text=True)
    assert registry["cars"][expected].vin in page
    assert registry["cars"][absent].vin not in page


def test_admin_searches_by_owner_id_number_with_a_post(client, auth, registry):
    auth.login("admin@example.cn")
    response = client.post("/vehicles", data={"q": registry["li_number"]}, headers=HTMX)
    page = response.get_data(as_text=True)
    assert registry["cars"]["li"].vin in page
    assert registry["cars"]["wang"].vin not in page
    # The address bar (and so the access log of the next visit) shows only the mask.
    masked = mask_resident_id(registry["li_number"])
    assert response.headers["HX-Push-Url"] == f"/vehicles?q={masked}"
    assert registry["li_number"] not in page


def test_the_masked_id_number_the_pages_show_finds_the_same_cars(client, auth, registry):
    auth.login("admin@example.cn")
    masked = mask_resident_id(registry["li_number"])
    page = client.get("/vehicles", query_string={"q": masked}).get_data(as_text=True)
    assert registry["cars"]["li"].vin in page
    assert registry["cars"]["wang"].vin not in page


def test_the_search_form_posts(client, auth, registry):
    auth.login("admin@example.cn")
    page = client.get("/vehicles").get_data(as_text=True)
    assert 'method="post" action="/vehicles"' in page and 'hx-post="/vehicles"' in page


def test_officer_search_is_limited_to_the_province(client, auth, registry):
    auth.login("officer@example.cn")
    page = client.get("/vehicles", query_string={"q": "浙A"}).get_data(as_text=True)
    assert registry["cars"]["wang"].vin not in page
    page = client.get("/vehicles").get_data(as_text=True)
    assert registry["cars"]["li"].vin in page


def test_search_as_you_type_returns_the_partial(client, auth, registry):
    auth.login("admin@example.cn")
    response = client.get("/vehicles", query_string={"q": "LSV"}, headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert "<html" not in page
    assert registry["cars"]["li"].vin in page
    assert "HX-Request" in response.headers["Vary"]
    restored = client.get(
        "/vehicles",
        query_string={"q": "LSV"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restored.get_data(as_text=True)


def test_search_is_paginated(client, auth, session, registry):
    owner = factories.person(session)
    for _ in range(25):
        factories.vehicle(session, owner=owner)
    session.commit()
    auth.login("admin@example.cn")
    first = client.get("/vehicles").get_data(as_text=True)
    assert first.count('class="vin"') == 20
    assert 'rel="next"' in first
    second = client.get("/vehicles", query_string={"page": 2}).get_data(as_text=True)
    assert second.count('class="vin"') == 8
    assert 'rel="next"' not in second


def test_pages_stop_at_the_fiftieth_and_ask_to_narrow_the_search(
    app, client, auth, session, registry
):
    app.config["PAGE_SIZE"] = 1
    owner = factories.person(session)
    for _ in range(52):
        factories.vehicle(session, owner=owner)
    session.commit()
    auth.login("admin@example.cn")
    page_49 = client.get("/vehicles", query_string={"page": 49}, headers=EN).get_data(as_text=True)
    assert 'rel="next"' in page_49
    last = client.get("/vehicles", query_string={"page": 50}, headers=EN).get_data(as_text=True)
    assert 'rel="next"' not in last and "narrow the search" in last
    beyond = client.get("/vehicles", query_string={"page": 5000}, headers=EN)
    assert beyond.get_data(as_text=True).count('class="vin"') == 1  # shown as page 50


@pytest.mark.parametrize(
    "query", ["' OR 1=1 --", "<script>alert(1)</script>", "粤" * 500, "%", "_", "\x00"]
)
def test_hostile_search_input_is_harmless(client, auth, registry, query):
    auth.login("admin@example.cn")
    response = client.get("/vehicles", query_string={"q": query, "page": "-3"})
    page = response.get_data(as_text=True)
    assert response.status_code == (422 if "\x00" in query else 200)  # NUL: docs/security.md
    assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize("email", ["li@example.cn", "dealer@example.cn"])
def test_owners_and_dealers_cannot_search_the_registry(client, auth, registry, email):
    auth.login(email)
    assert client.get("/vehicles").status_code == 403


def test_staff_have_no_my_vehicles_page(client, auth, registry):
    auth.login("officer@example.cn")
    assert client.get("/my/vehicles").status_code == 403


def test_the_administration_dashboard_counts_the_registry_and_links_the_settings(
    client, auth, registry
):
    auth.login("admin@example.cn")
    page = client.get("/admin/", headers=EN).get_data(as_text=True)
    assert "Administration" in page
    for address in ("/admin/imports", "/admin/catalog", "/admin/valuation", "/admin/subsidies"):
        assert f'href="{address}' in page


@pytest.mark.parametrize("email", ["li@example.cn", "dealer@example.cn", "officer@example.cn"])
def test_the_administration_dashboard_is_for_administrators_only(client, auth, registry, email):
    auth.login(email)
    assert client.get("/admin/").status_code == 403


def test_the_administration_dashboard_sends_a_visitor_to_sign_in(client, registry):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
