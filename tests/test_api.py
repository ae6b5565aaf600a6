"""The JSON API v1 through HTTP: tokens, auth, filing, lists and scope, documents, submit."""

import io
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal.accounts import tokens
from portal.accounts.models import Role
from portal.audit import china_today
from portal.registry.models import Vehicle
from portal.transfer.models import TransferCase
from portal.transfer.terms import NoValuation
from portal.valuation import services as valuation
from portal.valuation.models import CarModel
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EN = {"Accept-Language": "en"}
PROBLEM = "application/problem+json"


@pytest.fixture
def world(session):
    """A Shenzhen car of 李娜, a Guangzhou dealer, a Hangzhou dealer, an owner."""
    seller_id = factories.resident_id()
    seller = factories.person(session, name="李娜", id_number=seller_id)
    car = factories.vehicle(session, owner=seller, plate="粤B12345")
    dealer = factories.dealer(session)
    other = factories.dealer(session, name="杭州测试车行", city_code="330100")
    factories.user(session, Role.DEALER, email="dealer@example.cn", dealer_row=dealer)
    factories.user(session, Role.DEALER, email="other@example.cn", dealer_row=other)
    factories.user(session, Role.OWNER, email="owner@example.cn")
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    return {"car": car, "seller_id": seller_id, "buyer_id": factories.resident_id(region="330106")}


def token_for(session, email: str) -> dict:
    """Authorization headers with a fresh token of this account (made by the service)."""
    _token, secret = tokens.create_token(
        session, user=factories.find_user(session, email), name="test"
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}", **EN}


def filing(world, **overrides) -> dict:
    return {
        "vin": world["car"].vin,
        "seller_name": "李娜",
        "seller_id": world["seller_id"],
        "buyer": {"type": "person", "name": "王强", "id": world["buyer_id"]},
        "destination_city_code": "330100",
        "price_fen": 8_650_000,
        "sale_date": (china_today() - timedelta(days=2)).isoformat(),
        "mileage_km": 68000,
        "dealer_temporary": False,
    } | overrides


def create_case(client, headers, world, **overrides):
    return client.post("/api/v1/transfers", json=filing(world, **overrides), headers=headers)


@pytest.fixture
def api(app):
    """A plain test client: the API needs no CSRF token."""
    return app.test_client()


@pytest.fixture
def dealer(session, world):
    return token_for(session, "dealer@example.cn")


# --- tokens and auth ---------------------------------------------------------------------


def test_token_is_created_used_and_revoked_through_the_pages(client, auth, session, world):
    auth.login("dealer@example.cn")
    created = client.post("/account/tokens", data={"name": "DMS"}, headers=EN)
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    secret = re.search(r"pt_[A-Za-z0-9_-]{20,}", created.get_data(as_text=True)).group(0)
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert secret not in page and secret[:8] in page and "DMS" in page

    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/transfers", headers=headers).status_code == 200
    session.commit()  # end the read transaction: see what the request committed
    assert session.exec(select(tokens.ApiToken)).one().last_used_at is not None

    action = re.search(r'action="(/account/tokens/\d+/revoke)"', page).group(1)
    assert client.post(action).status_code == 303
    assert client.get("/api/v1/transfers", headers=headers).status_code == 401


def test_a_token_needs_a_name_and_an_owner_dealer_or_admin(client, auth, session, world):
    auth.login("dealer@example.cn")
    assert client.post("/account/tokens", data={"name": ""}).status_code == 422
    auth.logout()
    auth.login("owner@example.cn")
    assert client.post("/account/tokens", data={"name": "my app"}).status_code == 201
    auth.logout()
    reviewer = factories.user(session, Role.REVIEWER)
    session.commit()
    auth.login(reviewer.email)
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 403
    assert "API tokens" not in client.get("/account", headers=EN).get_data(as_text=True)
    auth.logout()
    auth.login("admin@example.cn")
    assert client.post("/account/tokens", data={"name": "ops"}).status_code == 201
    secret = re.search(r"pt_[A-Za-z0-9_-]{20,}", client.get("/").get_data(as_text=True) or "")
    assert secret is None  # shown on the create answer only


def test_another_users_token_cannot_be_revoked(client, auth, session, world):
    token, _secret = tokens.create_token(
        session, user=factories.find_user(session, "other@example.cn"), name="theirs"
    )
    session.commit()
    auth.login("dealer@example.cn")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404


@pytest.mark.parametrize(
    ("header", "invalid_token"),
    [(None, False), ("Bearer pt_not-a-real-token", True), ("Basic dXNlcjpwYXNz", False)],
)
def test_a_missing_or_bad_token_is_401(client, world, header, invalid_token):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/transfers", headers=headers)
    assert response.status_code == 401
    assert response.content_type == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert ('error="invalid_token"' in response.headers["WWW-Authenticate"]) is invalid_token
    assert response.json["status"] == 401


def test_an_owners_token_is_403(client, session, world):
    # Owners hold tokens for the subsidy endpoints, not for transfers.
    owner = factories.find_user(session, "owner@example.cn")
    session.add(
        tokens.ApiToken(
            user_id=owner.id, name="x", token_hash=tokens.hash_secret("pt_owner"), prefix="pt_owner"
        )
    )
    session.commit()
    response = client.get("/api/v1/transfers", headers={"Authorization": "Bearer pt_owner"})
    assert response.status_code == 403 and response.content_type == PROBLEM
    admin = token_for(session, "admin@example.cn")  # admins hold tokens; not for transfers
    assert client.get("/api/v1/transfers", headers=admin).status_code == 403


def test_an_inactive_users_token_is_401(client, session, dealer):
    user = factories.find_user(session, "dealer@example.cn")
    user.active = False
    session.commit()
    assert client.get("/api/v1/transfers", headers=dealer).status_code == 401


def test_the_api_is_rate_limited_per_token(app, client, dealer):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert client.get("/api/v1/transfers", headers=dealer).status_code == 200
    response = client.get("/api/v1/transfers", headers=dealer)
    assert response.status_code == 429 and response.content_type == PROBLEM
    assert "Retry-After" in response.headers


# --- filing -------------------------------------------------------------------------------


def test_a_case_is_filed_and_read_back(api, dealer, world):
    response = create_case(api, dealer, world)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "draft" and body["number"].startswith("TR44")
    assert body["vehicle"]["plate"] == "粤B12345"
    assert body["buyer"]["id"].startswith("3301") and "*" in body["buyer"]["id"]
    assert response.headers["Location"] == f"/api/v1/transfers/{body['id']}"
    again = api.get(response.headers["Location"], headers=dealer)
    assert again.status_code == 200 and again.json == body


def test_a_car_by_plate(api, dealer, world):
    response = create_case(api, dealer, world, vin=None, plate="粤b 12345")
    assert response.status_code == 201, response.json


def test_filing_problems_are_listed(api, dealer, world):
    response = create_case(api, dealer, world, seller_name="王五", destination_city_code="440100")
    assert response.status_code == 422 and response.content_type == PROBLEM
    reasons = " ".join(response.json["reasons"])
    assert "The seller is not the registered owner" in reasons and "same province" in reasons


def test_a_second_open_case_for_the_car_is_refused(api, dealer, world):
    assert create_case(api, dealer, world).status_code == 201
    response = create_case(api, dealer, world)
    assert response.status_code in (409, 422) and response.content_type == PROBLEM


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("delete", "/api/v1/transfers", {"GET", "POST"}),
        ("post", "/api/v1/openapi.json", {"GET"}),
    ],
)
def test_a_wrong_method_answers_405_with_allow(api, dealer, method, url, allowed):
    response = getattr(api, method)(url, headers=dealer)
    assert response.status_code == 405 and response.content_type == PROBLEM
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def fields_of(response) -> set:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    return {error["field"] for error in response.json["errors"]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price_fen": "8650000"}, "price_fen"),
        ({"price_fen": 0}, "price_fen"),
        ({"price_fen": 10**30}, "price_fen"),
        ({"price_fen": 86.5}, "price_fen"),
        ({"mileage_km": -1}, "mileage_km"),
        ({"dealer_temporary": "yes"}, "dealer_temporary"),
        ({"sale_date": "yesterday"}, "sale_date"),
        ({"sale_date": (china_today() + timedelta(days=1)).isoformat()}, "sale_date"),
        ({"sale_date": (china_today() - timedelta(days=40)).isoformat()}, "sale_date"),
        ({"seller_name": "张" * 129}, "seller_name"),
        ({"seller_name": "李娜\x00"}, "seller_name"),
        ({"seller_name": "\x1b[31m"}, "seller_name"),
        ({"seller_name": "   "}, "seller_name"),
        ({"seller_id": None}, "seller_id"),
        ({"destination_city_code": "999999"}, "destination_city_code"),
        ({"destination_city_code": "33'0100"}, "destination_city_code"),
        ({"buyer": {"type": "person", "name": "王强", "id": "123"}}, "buyer.id"),
        ({"buyer": {"type": "robot", "name": "王强", "id": "123"}}, "buyer.type"),
        ({"buyer": "王强"}, "buyer"),
        ({"vin": "LSV" + "0" * 14}, "vin"),
        ({"vin": None}, None),
        ({"plate": "粤B12345"}, None),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_fields_are_422_with_their_names(api, dealer, world, overrides, field):
    assert field in fields_of(create_case(api, dealer, world, **overrides))


def test_missing_fields_are_all_named(api, dealer, world):
    response = api.post("/api/v1/transfers", json={"vin": world["car"].vin}, headers=dealer)
    assert {"seller_name", "seller_id", "buyer", "price_fen", "sale_date"} <= fields_of(response)
    assert "This field is required." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"[]", b"null", b'"text"', b"\xff\xfe", b'{"seller_name": "\\ud800"}', b"[" * 5000],
)
def test_a_body_that_is_not_a_json_object_is_422(api, dealer, world, raw):
    response = api.post(
        "/api/v1/transfers", data=raw, headers=dealer, content_type="application/json"
    )
    assert response.status_code == 422 and response.content_type == PROBLEM


@pytest.mark.parametrize(
    "hostile", ["' OR 1=1 --", "<script>alert(1)</script>", "\u202e李娜", "{{7*7}}", "%s%n"]
)
def test_hostile_printable_strings_are_refused_not_crashed(api, dealer, world, hostile):
    response = create_case(api, dealer, world, seller_name=hostile)
    assert response.status_code == 422 and response.json["reasons"]


# --- lists and scope ----------------------------------------------------------------------


def test_lists_and_scope(api, session, dealer, world):
    case = create_case(api, dealer, world).json
    listed = api.get("/api/v1/transfers", headers=dealer).json
    assert [item["id"] for item in listed["items"]] == [case["id"]]
    assert listed["has_next"] is False and listed["page_size"] == 20
    by_number = api.get("/api/v1/transfers", query_string={"q": case["number"]}, headers=dealer)
    assert len(by_number.json["items"]) == 1
    submitted = api.get("/api/v1/transfers?status=submitted", headers=dealer).json
    assert submitted["items"] == []

    other = token_for(session, "other@example.cn")
    assert api.get("/api/v1/transfers", headers=other).json["items"] == []
    for url in (f"/api/v1/transfers/{case['id']}", f"/api/v1/transfers/{case['id']}/documents"):
        response = api.get(url, headers=other)
        assert response.status_code == 404 and response.content_type == PROBLEM
    assert api.post(f"/api/v1/transfers/{case['id']}/submit", headers=other).status_code == 404
    for url in ("/api/v1/transfers/99999999999", "/api/v1/transfers/0"):
        assert api.get(url, headers=dealer).status_code == 404
    huge = "/api/v1/transfers/99999999999/documents"
    assert api.post(huge, headers=dealer).status_code == 404  # not 405 (werkzeug converters)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page_size": "101"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"status": "lost"}, "status"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "x" * 41}, "q"),
        ({"stauts": "draft"}, "stauts"),
    ],
)
def test_bad_list_parameters_are_422(api, dealer, world, query, field):
    response = api.get("/api/v1/transfers", query_string=query, headers=dealer)
    assert field in fields_of(response)


# --- documents and submit -----------------------------------------------------------------


def upload(api, headers, case_id, kind, content, filename="paper.pdf"):
    return api.post(
        f"/api/v1/transfers/{case_id}/documents",
        data={"kind": kind, "file": (io.BytesIO(content), filename)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_documents_are_checked_by_content(api, dealer, world):
    case_id = create_case(api, dealer, world).json["id"]
    stored = upload(api, dealer, case_id, "sales_invoice", PDF, "发票\x00.pdf")
    assert stored.status_code == 201, stored.json
    assert stored.json["content_type"] == "application/pdf"
    assert stored.json["filename"] == "发票.pdf"
    refused = upload(api, dealer, case_id, "sales_invoice", b"MZ\x90\x00 not a pdf")
    assert fields_of(refused) == {"file"}
    assert fields_of(upload(api, dealer, case_id, "passport", PDF)) == {"kind"}
    missing = api.post(f"/api/v1/transfers/{case_id}/documents", data={}, headers=dealer)
    assert fields_of(missing) == {"kind", "file"}

    listed = api.get(f"/api/v1/transfers/{case_id}/documents", headers=dealer).json
    assert [item["kind"] for item in listed["items"]] == ["sales_invoice"]
    assert "sales_invoice" in listed["required"] and "sales_invoice" not in listed["missing"]


def test_submit_needs_every_document(api, dealer, world):
    case_id = create_case(api, dealer, world).json["id"]
    early = api.post(f"/api/v1/transfers/{case_id}/submit", headers=dealer)
    assert early.status_code == 409 and early.content_type == PROBLEM
    missing = api.get(f"/api/v1/transfers/{case_id}/documents", headers=dealer).json["missing"]
    for kind in missing:
        assert upload(api, dealer, case_id, kind, PDF).status_code == 201
    submitted = api.post(f"/api/v1/transfers/{case_id}/submit", headers=dealer)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert api.post(f"/api/v1/transfers/{case_id}/submit", headers=dealer).status_code == 409
    late = upload(api, dealer, case_id, "sales_invoice", PDF)
    assert late.status_code == 409


# --- the OpenAPI document -----------------------------------------------------------------


def test_the_openapi_document_lists_every_api_route(app, api):
    document = api.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    routes = {
        (re.sub(r"<[^>]*>", "{id}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routes
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "Problem" in document["components"]["schemas"]


# --- the under-price flag is advisory (DOMAIN §2.2) --------------------------------------


def _linked_case(session, api, dealer, world, *, model_year: int, registered):
    """File a case for the world's car linked to a 伊兰特 trim of model_year."""
    valuation.load_catalog(session)
    model = session.exec(
        select(CarModel).where(CarModel.series == "伊兰特", CarModel.model_year == model_year)
    ).first()
    car = session.get(Vehicle, world["car"].id)
    car.brand, car.model, car.first_registration = "现代", "伊兰特", registered
    car.car_model_id = model.id
    session.commit()
    response = create_case(api, dealer, world)
    assert response.status_code == 201, response.get_data(as_text=True)
    session.expire_all()
    return model, session.exec(select(TransferCase)).one()


def test_a_car_linked_to_a_later_model_year_is_filed_and_valued(session, api, dealer, world):
    # The case: a 2018 伊兰特 linked to the 2021 trim was refused with 422.
    _model, case = _linked_case(
        session, api, dealer, world, model_year=2021, registered=date(2018, 4, 2)
    )
    assert case.valuation_fen and case.no_valuation_reason is None


def test_a_car_that_cannot_be_valued_is_filed_and_says_why_no_flag(
    session, client, auth, api, dealer, world
):
    model, first = _linked_case(
        session, api, dealer, world, model_year=2021, registered=date(2021, 4, 2)
    )
    # A catalog row whose price was lost: the valuation refuses it, the filing goes on.
    model.current_price_fen = 0
    session.add(model)
    session.delete(first)
    session.commit()
    response = create_case(api, dealer, world)
    assert response.status_code == 201
    session.expire_all()
    case = session.exec(select(TransferCase)).one()
    assert (case.valuation_fen, case.undervalued) == (None, False)
    assert case.no_valuation_reason is NoValuation.CANNOT_VALUE
    auth.login("dealer@example.cn")
    page = client.get(f"/transfers/{case.id}", headers=EN).get_data(as_text=True)
    assert "the valuation cannot price this car" in page


def test_a_car_outside_the_catalog_is_filed_and_says_why_no_flag(session, api, dealer, world):
    assert world["car"].car_model_id is None
    assert create_case(api, dealer, world).status_code == 201
    case = session.exec(select(TransferCase)).one()
    assert case.no_valuation_reason is NoValuation.NOT_IN_CATALOG and not case.undervalued
