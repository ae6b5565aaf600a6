"""The API fuzzed against its own OpenAPI document (schemathesis through the Flask app).

Each operation gets 20 generated requests (valid and invalid ones, some aimed at a real
case), derandomized so a run is repeatable: no answer may be a 5xx, and every answer
must match the document (status code, content type, body schema).

Hypothesis drives schemathesis's strategies directly: schemathesis's pytest plugin
(`from_fixture`) does not run under pytest 9 (it reads a removed `Function._nodeid`).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.test_api import create_case, token_for, world  # noqa: F401  (fixture)

FUZZ = settings(
    max_examples=20,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
OPERATIONS = {
    "GET /api/v1/transfers",
    "POST /api/v1/transfers",
    "GET /api/v1/transfers/{id}",
    "GET /api/v1/transfers/{id}/documents",
    "POST /api/v1/transfers/{id}/documents",
    "POST /api/v1/transfers/{id}/submit",
}


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


def _strategy(operation, case_id: int, headers: dict):
    # The token is a fixed header, so schemathesis knows the requests carry it.
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE, headers=headers),
        operation.as_strategy(GenerationMode.NEGATIVE, headers=headers),
    ]
    if "{id}" in operation.path:
        # Some requests aim at a real draft case, so they reach past the 404.
        strategies.insert(
            0, operation.as_strategy(headers=headers, path_parameters={"id": case_id})
        )
    return st.one_of(strategies)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_the_api_answers_as_documented(app, api_schema, bearer, world, label):  # noqa: F811
    case_id = create_case(app.test_client(), bearer, world).json["id"]
    operation = next(
        result.ok() for result in api_schema.get_all_operations() if result.ok().label == label
    )

    @FUZZ
    @given(case=_strategy(operation, case_id, bearer))
    def answers_as_documented(case):
        note(repr(case))
        # A schema cannot say that an ID number's check digit is right or that a city
        # exists, so valid-looking data may rightly get a 422: that check is left out.
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        assert response.status_code < 500

    answers_as_documented()
