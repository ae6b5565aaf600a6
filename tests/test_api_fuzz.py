"""The API fuzzed against its own OpenAPI document (schemathesis through the Flask app).

Each operation gets 20 generated requests (valid and invalid ones, some aimed at a real
case or application), derandomized so a run is repeatable: no answer may be a 5xx, and
every answer must match the document (status code, content type, body schema). The
transfer operations run with a dealer's token, the subsidy ones with an owner's, the
valuation ones once without a token and once with an owner's.

Hypothesis drives schemathesis's strategies directly: schemathesis's pytest plugin
(`from_fixture`) does not run under pytest 9 (it reads a removed `Function._nodeid`).
"""

from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from portal.valuation import services as valuation
from tests import factories
from tests import subsidy_helpers as h
from tests.test_api import create_case, token_for, world  # noqa: F401  (fixture)
from tests.test_api_subsidy import check_body, token_of

FUZZ = settings(
    max_examples=20,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
TRANSFER_OPERATIONS = {
    "GET /api/v1/transfers",
    "POST /api/v1/transfers",
    "GET /api/v1/transfers/{id}",
    "GET /api/v1/transfers/{id}/documents",
    "POST /api/v1/transfers/{id}/documents",
    "POST /api/v1/transfers/{id}/submit",
    "GET /api/v1/transfers/{id}/plates",
    "POST /api/v1/transfers/{id}/plate",
}
SUBSIDY_OPERATIONS = {
    "POST /api/v1/subsidy/eligibility",
    "POST /api/v1/subsidy/compare",
    "GET /api/v1/subsidy/applications",
    "GET /api/v1/subsidy/applications/{id}",
    "GET /api/v1/subsidy/budget",
}
VALUATION_OPERATIONS = {"POST /api/v1/valuations", "GET /api/v1/models"}
READING_OPERATIONS = {"POST /api/v1/documents/read", "GET /api/v1/documents/read/{id}"}
OPERATIONS = TRANSFER_OPERATIONS | SUBSIDY_OPERATIONS | VALUATION_OPERATIONS | READING_OPERATIONS


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def bearer(session, world):  # noqa: F811  (the world fixture imported above)
    return token_for(session, "dealer@example.cn")


def test_the_document_is_valid_openapi_3_1(api_schema):
    api_schema.validate()  # against the OpenAPI 3.1 meta-schema; raises if invalid
    assert api_schema.specification.version.startswith("3.1")
    assert {result.ok().label for result in api_schema.get_all_operations()} == OPERATIONS


def _strategy(operation, real_id: int, headers: dict):
    # The token is a fixed header, so schemathesis knows the requests carry it.
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE, headers=headers),
        operation.as_strategy(GenerationMode.NEGATIVE, headers=headers),
    ]
    if "{id}" in operation.path:
        # Some requests aim at a real case or application, so they reach past the 404.
        strategies.insert(
            0, operation.as_strategy(headers=headers, path_parameters={"id": real_id})
        )
    return st.one_of(strategies)


def _operation(api_schema, label: str):
    return next(
        result.ok() for result in api_schema.get_all_operations() if result.ok().label == label
    )


def _check(case):
    # A schema cannot say that an ID number's check digit is right or that a city
    # exists, so valid-looking data may rightly get a 422: that check is left out.
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500
    return response


def _fuzz(operation, real_id: int, headers: dict) -> None:
    @FUZZ
    @given(case=_strategy(operation, real_id, headers))
    def answers_as_documented(case):
        note(repr(case))
        _check(case)

    answers_as_documented()


@pytest.mark.parametrize("label", sorted(TRANSFER_OPERATIONS))
def test_the_api_answers_as_documented(app, api_schema, bearer, world, label):  # noqa: F811
    case_id = create_case(app.test_client(), bearer, world).json["id"]
    _fuzz(_operation(api_schema, label), case_id, bearer)


@pytest.mark.parametrize("label", sorted(SUBSIDY_OPERATIONS))
def test_the_subsidy_api_answers_as_documented(app, api_schema, session, label):
    h.seed(session)
    applicant = h.Applicant(session)
    application = h.submitted(session, applicant, files=app.extensions["storage"])
    owner = token_of(session, applicant.user)
    operation = _operation(api_schema, label)
    if operation.method.upper() == "POST":
        # Generated bodies hardly ever name the owner's car: one real check answers too.
        body = check_body(SimpleNamespace(applicant=applicant))
        if operation.path.endswith("/compare"):  # both kinds at once: no kind to name
            del body["kind"]
        assert _check(operation.Case(body=body, headers=owner)).status_code == 200
    _fuzz(operation, application.id, owner)


@pytest.mark.parametrize("caller", ["anonymous", "owner"])
@pytest.mark.parametrize("label", sorted(VALUATION_OPERATIONS))
def test_the_valuation_api_answers_as_documented(app, api_schema, session, label, caller):
    # Generous limits: the fuzzing is about the answers, not about the budgets.
    app.config["VALUATION_API_ANON_LIMIT"] = app.config["API_RATE_LIMIT"] = "10000 per minute"
    valuation.load_catalog(session)
    car = factories.vehicle(session, brand="大众", model="朗逸")
    valuation.link_vehicles(session)
    session.commit()
    headers = {} if caller == "anonymous" else token_of(session, factories.user(session))
    operation = _operation(api_schema, label)
    if operation.method.upper() == "POST":
        # Generated bodies hardly ever name a registry car: one real valuation answers too.
        body = {"vin": car.vin, "mileage_km": 60_000, "city_code": "440300"}
        assert _check(operation.Case(body=body, headers=headers)).status_code == 200
    _fuzz(operation, 0, headers)


@pytest.mark.parametrize("label", sorted(READING_OPERATIONS))
def test_the_reading_api_answers_as_documented(app, api_schema, session, label):
    from tests import papers
    from tests.test_reading import post

    owner = token_of(session, factories.user(session))
    invoice = papers.invoice_pdf(papers.invoices(1)[0])
    reading_id = post(app.test_client(), owner, {"kind": "invoice", "file": (invoice, "i.pdf")})
    _fuzz(_operation(api_schema, label), reading_id.json["id"], owner)
