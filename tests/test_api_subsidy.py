"""The owner's subsidy endpoints of the JSON API v1 through HTTP: eligibility, applications."""

import secrets
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import func, select

from portal.accounts import tokens
from portal.accounts.models import Role, User
from portal.audit import AuditEvent, china_today
from portal.subsidy.apply import services
from portal.subsidy.models import Application
from portal.subsidy.review import services as review
from portal.subsidy.terms import Kind, RejectReason
from tests import factories
from tests import subsidy_helpers as h
from tests.test_api import EN, PROBLEM, fields_of, token_for

ELIGIBILITY = "/api/v1/subsidy/eligibility"
APPLICATIONS = "/api/v1/subsidy/applications"


def token_of(session, user: User) -> dict:
    """Authorization headers with a token of any account.

    `tokens.create_token` (the account page) makes tokens for dealer staff and
    administrators only, so owners' and reviewers' tokens are stored rows, as in
    test_api's test_an_owners_token_is_403.
    """
    secret = tokens.SECRET_PREFIX + secrets.token_urlsafe(32)
    session.add(
        tokens.ApiToken(
            user_id=user.id,
            name="test",
            token_hash=tokens.hash_secret(secret),
            prefix=secret[: tokens.PREFIX_LENGTH],
        )
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}", **EN}


@pytest.fixture
def api(app):
    """A plain test client: the API needs no CSRF token."""
    return app.test_client()


@pytest.fixture
def world(session):
    """Guangdong's programs; 陈建华 with a 2012 petrol car, held since 2012; another owner."""
    h.seed(session)
    applicant, other = h.Applicant(session), h.Applicant(session)
    factories.user(
        session, Role.DEALER, email="dealer@example.cn", dealer_row=factories.dealer(session)
    )
    reviewer = factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG)
    session.commit()
    return SimpleNamespace(
        applicant=applicant,
        other=other,
        reviewer=reviewer,
        owner=token_of(session, applicant.user),
        other_owner=token_of(session, other.user),
    )


def new_car(applicant: h.Applicant, **overrides) -> dict:
    """The demo's new car: a BYD BEV at ¥168,000 bought and registered in Guangzhou."""
    today = china_today()
    return {
        "vin": factories.vin(wmi="LC0"),
        "plate": f"粤AD{factories.next_serial() % 100000:05d}",
        "brand": "比亚迪",
        "model": "海豹",
        "body_type": "sedan",
        "seats": 5,
        "fuel_type": "bev",
        "registration_date": (today - timedelta(days=2)).isoformat(),
        "invoice_number": "44001234",
        "invoice_date": (today - timedelta(days=5)).isoformat(),
        "invoice_price_fen": 16_800_000,
        "invoice_city_code": "440100",
        "invoice_buyer_id_number": applicant.id_number,
    } | overrides


def check_body(world, *, car=None, **overrides) -> dict:
    return {
        "kind": "scrapping",
        "province_code": h.GUANGDONG,
        "old_vin": world.applicant.old_car.vin,
        "new_car": new_car(world.applicant, **(car or {})),
    } | overrides


def check(api, world, **overrides):
    return api.post(ELIGIBILITY, json=check_body(world, **overrides), headers=world.owner)


def counts(session) -> tuple[int, int]:
    session.commit()  # a fresh read transaction
    return (
        session.exec(select(func.count()).select_from(Application)).one(),
        session.exec(select(func.count()).select_from(AuditEvent)).one(),
    )


# --- eligibility --------------------------------------------------------------------------


def test_the_demo_trade_in_is_eligible_and_nothing_is_written(api, session, world):
    before = counts(session)
    response = check(api, world)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["eligible"] is True and body["reasons"] == [] and body["flags"] == []
    assert body["amount_fen"] == 2_000_000
    assert body["amount_explanation"] == "12% of ¥168,000.00 = ¥20,160.00, capped at ¥20,000.00"
    assert world.applicant.id_number not in response.get_data(as_text=True)
    assert counts(session) == before


def test_a_car_first_registered_in_2016_is_not_eligible(api, session, world):
    late = factories.vehicle(
        session, owner=world.applicant.person, first_registration=date(2016, 3, 1)
    )
    session.commit()
    response = check(api, world, old_vin=late.vin)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["eligible"] is False
    [reason] = body["reasons"]
    assert reason["message"] == (
        "First registered 2016-03-01, after the 2013-06-30 limit for petrol cars."
    )
    assert reason["template"].startswith("First registered %(date)s, after the %(limit)s")
    assert reason["params"] == {"date": "2016-03-01", "limit": "2013-06-30", "fuel": "petrol"}


def test_a_past_program_year_checks_against_that_years_rules(api, world):
    # DOMAIN §1.2: the 2024 program took petrol cars first registered by 2011-06-30 only,
    # and paid a fixed 20,000 for a new-energy car; the 2026 one takes this 2012 car.
    body = check(api, world, program_year=2024).json
    assert body["eligible"] is False
    assert any("2011-06-30" in reason["message"] for reason in body["reasons"])
    assert body["amount_fen"] == 2_000_000
    assert body["amount_explanation"] == "Fixed amount for a new-energy car: ¥20,000.00"
    assert check(api, world, program_year=2026).json["eligible"] is True


@pytest.mark.parametrize(("year", "status"), [(2023, 422), (2030, 404), ("2025x", 422)])
def test_a_program_year_without_a_program_is_404_and_nonsense_422(api, world, year, status):
    response = check(api, world, program_year=year)
    assert response.status_code == status
    if status == 422:
        assert "program_year" in fields_of(response)


def test_the_old_car_alone_is_checked_without_a_new_car(api, world):
    body = check(api, world, new_car=None).json
    assert body == {
        "eligible": False,
        "amount_fen": None,
        "amount_explanation": None,
        "reasons": [],
        "flags": [],
    }


def test_every_failed_rule_is_a_reason(api, world):
    car = {
        "fuel_type": "petrol",
        "displacement_ml": 2500,
        "invoice_city_code": "330100",
        "invoice_buyer_id_number": world.other.id_number,
    }
    body = check(api, world, car=car).json
    templates = {reason["template"] for reason in body["reasons"]}
    assert body["eligible"] is False and len(templates) == 3
    assert "The buyer ID on the invoice is not your ID number." in templates
    assert any("above the %(limit)s ml limit" in template for template in templates)
    assert any(reason["params"].get("code") == "330000" for reason in body["reasons"])


def test_a_live_claim_on_the_old_car_is_a_reason(app, api, world, session):
    h.submitted(session, world.applicant, files=app.extensions["storage"])
    body = check(api, world).json
    assert body["eligible"] is False
    messages = " ".join(reason["message"] for reason in body["reasons"])
    assert "The old car is already claimed in application GD2026S" in messages
    assert "one subsidy per person" in messages


def test_a_paused_program_says_so_first(api, session, world):
    program = h.program(session)
    program.pause_at = china_today() - timedelta(days=1)
    session.add(program)
    session.commit()
    body = check(api, world).json
    assert body["eligible"] is False and body["amount_fen"] == 2_000_000
    assert body["reasons"][0]["template"].startswith("The %(year)s program is paused")


@pytest.mark.parametrize("whose", ["another person's", "unknown"])
def test_a_car_that_is_not_the_owners_is_404(api, session, world, whose):
    vin = world.other.old_car.vin if whose == "another person's" else factories.vin()
    response = check(api, world, old_vin=vin)
    assert response.status_code == 404 and response.content_type == PROBLEM
    assert response.json["detail"] == "This car is not one of yours in the registry."


def test_a_province_without_a_program_is_404(api, world):
    response = check(api, world, province_code="330000")
    assert response.status_code == 404 and response.content_type == PROBLEM


def test_an_owner_without_a_registry_record_is_400(api, session, world):
    unlinked = token_of(session, factories.user(session, Role.OWNER))
    response = api.post(ELIGIBILITY, json=check_body(world), headers=unlinked)
    assert response.status_code == 400 and response.content_type == PROBLEM


def _with_wrong_check_digit(vin: str) -> str:
    return vin[:8] + ("1" if vin[8] != "1" else "2") + vin[9:]


FUTURE = (china_today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "car", "field"),
    [
        ({"kind": "trade"}, None, "kind"),
        ({"kind": None}, None, "kind"),
        ({"province_code": "999999"}, None, "province_code"),
        ({"province_code": "44'000"}, None, "province_code"),
        ({"province_code": 440000}, None, "province_code"),
        ({"old_vin": "' OR 1=1 --"}, None, "old_vin"),
        ({"old_vin": "<script>alert(1)</script>"}, None, "old_vin"),
        ({"new_car": "比亚迪"}, None, "new_car"),
        ({"surprise": "<script>alert(1)</script>"}, None, "surprise"),
        ({"__proto__": {"admin": True}}, None, "__proto__"),
        (None, {"vin": "LC0" + "0" * 14}, "new_car.vin"),
        (None, {"plate": "粤A12"}, "new_car.plate"),
        (None, {"plate": "{{7*7}}"}, "new_car.plate"),
        (
            None,
            {"invoice_buyer_id_number": "440106198503120000"},
            "new_car.invoice_buyer_id_number",
        ),
        (None, {"invoice_price_fen": -1}, "new_car.invoice_price_fen"),
        (None, {"invoice_price_fen": 0}, "new_car.invoice_price_fen"),
        (None, {"invoice_price_fen": 10**13}, "new_car.invoice_price_fen"),
        (None, {"invoice_price_fen": 10**30}, "new_car.invoice_price_fen"),
        (None, {"invoice_price_fen": "16800000"}, "new_car.invoice_price_fen"),
        (None, {"invoice_price_fen": 168000.5}, "new_car.invoice_price_fen"),
        (None, {"invoice_date": FUTURE}, "new_car.invoice_date"),
        (None, {"registration_date": FUTURE}, "new_car.registration_date"),
        (None, {"registration_date": "yesterday"}, "new_car.registration_date"),
        (None, {"invoice_city_code": "999999"}, "new_car.invoice_city_code"),
        (None, {"seats": 0}, "new_car.seats"),
        (None, {"fuel_type": "coal"}, "new_car.fuel_type"),
        (None, {"fuel_type": "petrol"}, "new_car.displacement_ml"),
        (None, {"displacement_ml": 10}, "new_car.displacement_ml"),
        (None, {"brand": "比亚迪\x00"}, "new_car.brand"),
        (None, {"model": "\x1b[31m"}, "new_car.model"),
        (None, {"model": "   "}, "new_car.model"),
        (None, {"invoice_number": "1"}, "new_car.invoice_number"),
        (None, {"id_hash": "x"}, "new_car.id_hash"),
    ],
)
def test_invalid_fields_are_422_with_their_names(api, world, overrides, car, field):
    response = check(api, world, car=car, **(overrides or {}))
    assert field in fields_of(response)


def test_missing_fields_are_all_named(api, world):
    response = api.post(ELIGIBILITY, json={"new_car": {}}, headers=world.owner)
    fields = fields_of(response)
    assert {"kind", "province_code", "old_vin"} <= fields
    assert {f"new_car.{name}" for name in ("vin", "plate", "invoice_price_fen")} <= fields
    assert "new_car.displacement_ml" not in fields  # optional: needed for a fuel car only
    assert "This field is required." in response.get_data(as_text=True)


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b"\xff\xfe", b"[" * 5000])
def test_a_body_that_is_not_a_json_object_is_422(api, world, raw):
    response = api.post(ELIGIBILITY, data=raw, headers=world.owner, content_type="application/json")
    assert response.status_code == 422 and response.content_type == PROBLEM


def test_the_buyer_id_number_is_not_echoed_in_errors(api, world):
    wrong = world.applicant.id_number[:-1] + ("0" if world.applicant.id_number[-1] != "0" else "1")
    response = check(api, world, car={"invoice_buyer_id_number": wrong})
    assert fields_of(response) == {"new_car.invoice_buyer_id_number"}
    assert wrong not in response.get_data(as_text=True)


# --- applications -------------------------------------------------------------------------


def test_the_owner_lists_and_reads_their_applications(app, api, session, world):
    application = h.submitted(session, world.applicant, files=app.extensions["storage"])
    listed = api.get(APPLICATIONS, headers=world.owner)
    assert listed.status_code == 200, listed.json
    assert listed.json["has_next"] is False and listed.json["page_size"] == 20
    [item] = listed.json["items"]
    assert item == {
        "id": application.id,
        "number": application.number,
        "kind": "scrapping",
        "status": "submitted",
        "amount_fen": 2_000_000,
        "old_vin": world.applicant.old_car.vin,
        "new_vin": application.new_vin,
        "submitted_at": item["submitted_at"],
        "decided_at": None,
    }
    date.fromisoformat(item["submitted_at"][:10])

    one = api.get(f"{APPLICATIONS}/{application.id}", headers=world.owner)
    assert one.status_code == 200, one.json
    detail = one.json
    assert {key: detail[key] for key in item} == item
    assert detail["bank_card"] == f"{h.CARD[:4]} **** **** {h.CARD[-4:]}"
    assert h.CARD not in one.get_data(as_text=True)
    assert detail["amount_explanation"].startswith("12% of ¥168,000.00")
    assert detail["year"] == 2026 and detail["province_code"] == h.GUANGDONG
    assert detail["reject_reason"] is None and detail["decision_note"] is None
    actions = [event["action"] for event in detail["timeline"]]
    assert actions[0] == "created" and actions[-1] == "submitted"
    assert detail["timeline"][-1] | {"at": None} == {
        "at": None,
        "action": "submitted",
        "label": "Submitted",
        "from_status": "draft",
        "to_status": "submitted",
    }


def test_a_return_and_a_rejection_carry_their_reasons(app, api, session, world):
    files = app.extensions["storage"]
    returned = h.submitted(session, world.applicant, files=files)
    review.return_for_correction(
        session, user=world.reviewer, application=returned, note="发票照片不清楚"
    )
    session.commit()
    body = api.get(f"{APPLICATIONS}/{returned.id}", headers=world.owner).json
    assert body["status"] == "returned" and body["decision_note"] == "发票照片不清楚"

    rejected = h.submitted(session, world.other, files=files)
    review.reject(
        session,
        user=world.reviewer,
        application=rejected,
        reason=RejectReason.INVOICE_MISMATCH,
        note="Invoice buyer differs",
    )
    session.commit()
    body = api.get(f"{APPLICATIONS}/{rejected.id}", headers=world.other_owner).json
    assert body["status"] == "rejected" and body["reject_reason"] == "invoice_mismatch"
    assert body["decision_note"] == "Invoice buyer differs" and body["decided_at"]


def test_another_owners_application_is_404(app, api, session, world):
    application = h.submitted(session, world.applicant, files=app.extensions["storage"])
    response = api.get(f"{APPLICATIONS}/{application.id}", headers=world.other_owner)
    assert response.status_code == 404 and response.content_type == PROBLEM
    assert api.get(APPLICATIONS, headers=world.other_owner).json["items"] == []
    for missing in (0, 99_999_999_999):
        assert api.get(f"{APPLICATIONS}/{missing}", headers=world.owner).status_code == 404


def test_the_list_is_paged(api, session, world):
    ids = [
        services.start(
            session,
            user=world.applicant.user,
            kind=kind,
            province_code=h.GUANGDONG,
            today=china_today(),
        ).id
        for kind in (Kind.SCRAPPING, Kind.REPLACEMENT)
    ]
    session.commit()
    first = api.get(APPLICATIONS, query_string={"page_size": 1}, headers=world.owner).json
    assert [item["id"] for item in first["items"]] == [ids[1]] and first["has_next"] is True
    assert first["items"][0]["kind"] == "replacement" and first["items"][0]["number"] is None
    second = api.get(
        APPLICATIONS, query_string={"page_size": 1, "page": 2}, headers=world.owner
    ).json
    assert [item["id"] for item in second["items"]] == [ids[0]] and second["has_next"] is False


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page_size": "101"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"status": "submitted"}, "status"),
    ],
)
def test_bad_list_parameters_are_422(api, world, query, field):
    assert field in fields_of(api.get(APPLICATIONS, query_string=query, headers=world.owner))


# --- who may call -------------------------------------------------------------------------

CALLS = [("post", ELIGIBILITY), ("get", APPLICATIONS), ("get", f"{APPLICATIONS}/1")]


@pytest.mark.parametrize(("method", "url"), CALLS)
@pytest.mark.parametrize("role", [Role.DEALER, Role.REVIEWER, Role.ADMIN])
def test_other_roles_are_403(api, session, world, method, url, role):
    if role is Role.DEALER:
        headers = token_for(session, "dealer@example.cn")  # as the account page makes it
    else:
        headers = token_of(session, factories.user(session, role))
    response = getattr(api, method)(url, json=check_body(world), headers=headers)
    assert response.status_code == 403 and response.content_type == PROBLEM
    assert "car owners" in response.json["detail"]


@pytest.mark.parametrize(("method", "url"), CALLS)
def test_no_token_is_401(api, world, method, url):
    response = getattr(api, method)(url, json=check_body(world))
    assert response.status_code == 401 and response.content_type == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_owners_token_still_cannot_file_transfers(api, world):
    response = api.get("/api/v1/transfers", headers=world.owner)
    assert response.status_code == 403
    assert "dealer staff" in response.json["detail"]
