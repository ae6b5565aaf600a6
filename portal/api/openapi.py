"""The OpenAPI 3.1 document of the API, generated from the pydantic schemas that validate it.

Written for developers of partners' systems, so it stays in English (docs/decisions.md).
"""

from functools import cache

from pydantic import BaseModel

from portal.api.reading_schemas import ReadingOut, ReadUpload
from portal.api.schemas import Problem
from portal.api.subsidy_schemas import (
    ApplicationOut,
    ApplicationPage,
    BudgetOut,
    CompareCheck,
    CompareOut,
    EligibilityCheck,
    EligibilityOut,
    SubsidyListQuery,
)
from portal.api.transfer_schemas import (
    DocumentList,
    DocumentOut,
    DocumentUpload,
    ListQuery,
    PlateChoice,
    PlateOffer,
    TransferCreate,
    TransferOut,
    TransferPage,
)
from portal.api.valuation_schemas import CatalogPage, CatalogQuery, ValuationCreate, ValuationOut
from portal.limits import MAX_ID

REF = "#/components/schemas/{model}"
PREFIX = "/api/v1"
CASE_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "The id of the transfer case.",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted: queued for the job consumer; follow Location.",
    400: "The request could not be read (problem+json).",
    401: "No valid bearer token (problem+json).",
    403: "The token's account may not use the API (problem+json).",
    404: "No such case, or not the dealer's (problem+json).",
    409: "Not allowed in the case's state, or the car has another open case (problem+json).",
    413: "The upload is too large (problem+json).",
    422: "Invalid fields (errors) or a refused filing (reasons) (problem+json).",
    429: "Too many requests for this token (problem+json).",
}
AUTH_ERRORS = (401, 403, 429)


class _Components:
    """Collects component schemas; each model's $defs are hoisted into them."""

    def __init__(self):
        self.schemas: dict[str, dict] = {}

    def ref(self, model: type[BaseModel], mode: str = "serialization") -> dict:
        schema = model.model_json_schema(ref_template=REF, mode=mode)
        self.schemas.update(schema.pop("$defs", {}))
        self.schemas[model.__name__] = schema
        return {"$ref": REF.format(model=model.__name__)}

    def query_parameters(self, model: type[BaseModel]) -> list[dict]:
        """One optional query parameter per field; a nullable field is simply omitted."""
        schema = model.model_json_schema(ref_template=REF, mode="validation")
        self.schemas.update(schema.pop("$defs", {}))
        parameters = []
        for name, field in schema["properties"].items():
            branches = [b for b in field.pop("anyOf", []) if b.get("type") != "null"]
            if branches:
                field.update(branches[0])
            field.pop("title", None)
            parameters.append({"name": name, "in": "query", "required": False, "schema": field})
        return parameters


def _responses(components: _Components, ok: int, body: dict, *errors: int) -> dict:
    problem = {"application/problem+json": {"schema": components.ref(Problem)}}
    responses = {str(ok): {"description": STATUS_TEXT[ok], "content": {"application/json": body}}}
    for status in sorted({*errors, *AUTH_ERRORS}):
        responses[str(status)] = {"description": STATUS_TEXT[status], "content": problem}
    return responses


def _operation(summary: str, operation_id: str, responses: dict, **extra) -> dict:
    return {"summary": summary, "operationId": operation_id, "responses": responses, **extra}


PLATE_CONFLICT = (
    "The number is taken or was reserved for another case in the same moment; or the case "
    "is registered, closed, or not the dealer's to choose for (problem+json)."
)


def _plate_responses(components: _Components, body: dict, *errors: int) -> dict:
    responses = _responses(components, 200, body, *errors)
    responses["409"]["description"] = PLATE_CONFLICT
    if "422" in responses:
        responses["422"]["description"] = (
            "Invalid fields: the number does not fit the destination's format (problem+json)."
        )
    return responses


@cache
def document() -> dict:
    """The whole OpenAPI 3.1 document (built once per process)."""
    c = _Components()
    json_body = {"schema": c.ref(TransferCreate, "validation")}
    upload_body = {"schema": c.ref(DocumentUpload, "validation")}
    case = {"schema": c.ref(TransferOut)}
    location = {"Location": {"description": "The new case.", "schema": {"type": "string"}}}
    created = _responses(c, 201, case, 400, 409, 422)
    created["201"]["headers"] = location
    paths = {
        "/transfers": {
            "post": _operation(
                "File a transfer case (checked as on the page; every refusal reason listed)",
                "createTransfer",
                created,
                requestBody={"required": True, "content": {"application/json": json_body}},
            ),
            "get": _operation(
                "The dealer's cases, newest first",
                "listTransfers",
                _responses(c, 200, {"schema": c.ref(TransferPage)}, 422),
                parameters=c.query_parameters(ListQuery),
            ),
        },
        "/transfers/{id}": {
            "get": _operation(
                "One case", "getTransfer", _responses(c, 200, case, 404), parameters=[CASE_ID]
            ),
        },
        "/transfers/{id}/documents": {
            "get": _operation(
                "The case's documents and the kinds still missing",
                "listDocuments",
                _responses(c, 200, {"schema": c.ref(DocumentList)}, 404),
                parameters=[CASE_ID],
            ),
            "post": _operation(
                "Upload a document (PDF, JPEG or PNG by content, at most 10 MB)",
                "uploadDocument",
                _responses(c, 201, {"schema": c.ref(DocumentOut)}, 400, 404, 409, 413, 422),
                parameters=[CASE_ID],
                requestBody={"required": True, "content": {"multipart/form-data": upload_body}},
            ),
        },
        "/transfers/{id}/submit": {
            "post": _operation(
                "Submit a draft or returned case (documents complete; filing checks again)",
                "submitTransfer",
                _responses(c, 200, case, 404, 409, 422),
                parameters=[CASE_ID],
            ),
        },
        "/transfers/{id}/plates": {
            "get": _operation(
                "Free numbers of the destination for the new plate, drawn at random "
                "(as many as the portal's PLATE_CHOICES; offered, not reserved)",
                "offerPlates",
                _plate_responses(c, {"schema": c.ref(PlateOffer)}, 404, 409),
                parameters=[CASE_ID],
            ),
        },
        "/transfers/{id}/plate": {
            "post": _operation(
                "Choose the new plate: an offered number or one composed, checked against "
                "the destination's format and reserved for the case until registration",
                "choosePlate",
                _plate_responses(c, case, 400, 404, 409, 422),
                parameters=[CASE_ID],
                requestBody={
                    "required": True,
                    "content": {"application/json": {"schema": c.ref(PlateChoice, "validation")}},
                },
            ),
        },
        **_subsidy_paths(c),
        **_valuation_paths(c),
        **_reading_paths(c),
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "operationId": "getOpenApi",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Car trade-in and transfer portal API",
            "version": "1.0.0",
            "description": "Dealers' systems file and follow inter-provincial transfer cases; "
            "car owners check trade-in subsidy eligibility and follow their applications; "
            "anyone values a used car and searches the model catalog. "
            "Errors are RFC 9457 problem details (application/problem+json).",
        },
        "paths": {PREFIX + path: item for path, item in paths.items()},
        "components": {
            "schemas": dict(sorted(c.schemas.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token made on the account page.",
                }
            },
        },
        "security": [{"bearer": []}],
    }


# --- subsidies: the car owner's endpoints -----------------------------------------------

APPLICATION_ID = CASE_ID | {"description": "The id of the subsidy application."}
OWNER_ONLY = "The token's account is not a car owner (problem+json)."


def _owner_responses(components: _Components, body: dict, errors: dict[int, str]) -> dict:
    """The responses of an owner's endpoint; errors maps status to its description here."""
    responses = _responses(components, 200, body, *errors)
    for status, text in {**errors, 403: OWNER_ONLY}.items():
        responses[str(status)]["description"] = text
    return responses


def _subsidy_paths(c: _Components) -> dict:
    """The paths of the owner's subsidy endpoints (portal/api/subsidy.py)."""
    check = {"schema": c.ref(EligibilityCheck, "validation")}
    application = {"schema": c.ref(ApplicationOut)}
    return {
        "/subsidy/eligibility": {
            "post": _operation(
                "Would this trade-in qualify today, and for how much? (the application's "
                "rules; nothing is saved)",
                "checkSubsidyEligibility",
                _owner_responses(
                    c,
                    {"schema": c.ref(EligibilityOut)},
                    {
                        400: "The account is not linked to a registry person (problem+json).",
                        404: "No current program of this kind in the province, or the old "
                        "car is not the owner's (problem+json).",
                        422: "Invalid fields, each named in errors (problem+json).",
                    },
                ),
                requestBody={"required": True, "content": {"application/json": check}},
            ),
        },
        "/subsidy/compare": {
            "post": _operation(
                "Scrap or sell? Both kinds for the old car side by side: subsidy plus scrap "
                "value against subsidy plus the dealer's buying price (DOMAIN §3.5; nothing "
                "is saved)",
                "compareSubsidyChoices",
                _owner_responses(
                    c,
                    {"schema": c.ref(CompareOut)},
                    {
                        404: "The old car is not the owner's (problem+json).",
                        422: "Invalid fields, each named in errors; or no new-car price "
                        "given and none to assume (problem+json).",
                    },
                ),
                requestBody={
                    "required": True,
                    "content": {"application/json": {"schema": c.ref(CompareCheck, "validation")}},
                },
            ),
        },
        "/subsidy/applications": {
            "get": _operation(
                "The owner's applications, newest first",
                "listSubsidyApplications",
                _owner_responses(
                    c,
                    {"schema": c.ref(ApplicationPage)},
                    {422: "Invalid query parameters, each named in errors (problem+json)."},
                ),
                parameters=c.query_parameters(SubsidyListQuery),
            ),
        },
        "/subsidy/applications/{id}": {
            "get": _operation(
                "One of the owner's applications, with its decision and timeline",
                "getSubsidyApplication",
                _owner_responses(
                    c,
                    application,
                    {404: "No such application, or not the owner's (problem+json)."},
                ),
                parameters=[APPLICATION_ID],
            ),
        },
        "/subsidy/budget": {
            "get": _operation(
                "The money left in every province's programs of the year (no token needed; "
                "the same shared figures as the public page, seconds old)",
                "getSubsidyBudget",
                _open_responses(c, {"schema": c.ref(BudgetOut)}, {}),
                security=OPTIONAL_BEARER,
            ),
        },
    }


# --- valuations: open to anyone ---------------------------------------------------------

# A token is optional: none (anonymous) or a valid one of any role.
OPTIONAL_BEARER = [{}, {"bearer": []}]
OPEN_ERRORS = {
    401: "A token was sent and is not valid; send none to call anonymously (problem+json).",
    429: "Too many requests: without a token per client address, with one per token "
    "(problem+json).",
}


def _open_responses(components: _Components, body: dict, errors: dict[int, str]) -> dict:
    """The responses of an endpoint open to anonymous callers (no 403: any role may call)."""
    problem = {"application/problem+json": {"schema": components.ref(Problem)}}
    responses = {"200": {"description": "OK", "content": {"application/json": body}}}
    for status, text in sorted({**errors, **OPEN_ERRORS}.items()):
        responses[str(status)] = {"description": text, "content": problem}
    return responses


def _valuation_paths(c: _Components) -> dict:
    """The paths of the valuation endpoints (portal/api/valuation.py)."""
    body = {"schema": c.ref(ValuationCreate, "validation")}
    return {
        "/valuations": {
            "post": _operation(
                "Value a used car by VIN or by catalog model (GB/T 30323-2013; kept in the "
                "token user's history, nothing kept without a token)",
                "createValuation",
                _open_responses(
                    c,
                    {"schema": c.ref(ValuationOut)},
                    {
                        404: "The registry has no car with this VIN, or no catalog model for "
                        "it: send car_model_id and first_registration instead (problem+json).",
                        422: "Invalid fields or a value the valuation refuses (a first "
                        "registration after today), each named in errors (problem+json).",
                    },
                ),
                requestBody={"required": True, "content": {"application/json": body}},
                security=OPTIONAL_BEARER,
            ),
        },
        "/models": {
            "get": _operation(
                "Search the model catalog by the start of the brand or series",
                "searchModels",
                _open_responses(
                    c,
                    {"schema": c.ref(CatalogPage)},
                    {422: "Invalid query parameters, each named in errors (problem+json)."},
                ),
                parameters=c.query_parameters(CatalogQuery),
                security=OPTIONAL_BEARER,
            ),
        },
    }


# --- reading papers: owners, dealers, administrators -----------------------------------

READING_ID = CASE_ID | {"description": "The id of the reading."}


def _reading_paths(c: _Components) -> dict:
    """The paths of the document-reading endpoints (portal/api/reading.py)."""
    reading = {"schema": c.ref(ReadingOut)}
    accepted = _responses(c, 202, reading, 400, 413, 422)
    accepted["202"]["headers"] = {
        "Location": {"description": "Where the reading is followed.", "schema": {"type": "string"}}
    }
    return {
        "/documents/read": {
            "post": _operation(
                "Read an invoice or a vehicle licence (QR code, PDF text, OCR), in the background",
                "readDocument",
                accepted,
                requestBody={
                    "required": True,
                    "content": {"multipart/form-data": {"schema": c.ref(ReadUpload, "validation")}},
                },
            ),
        },
        "/documents/read/{id}": {
            "get": _operation(
                "A reading: its progress, then the fields read, how, and what stood in the way",
                "getReading",
                _responses(c, 200, reading, 404),
                parameters=[READING_ID],
            ),
        },
    }
