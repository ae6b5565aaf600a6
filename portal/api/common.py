"""What every endpoint module of the API uses: parse a body into its schema, answer JSON.

A body that fails its schema raises `InvalidRequest`, which the blueprint (`blueprint.py`)
answers with 422 and the field errors.
"""

from flask import current_app
from pydantic import BaseModel, ValidationError

from portal.api import problems
from portal.api.schemas import FieldError


class InvalidRequest(Exception):
    """The request's fields are wrong; answered with 422 and the field errors."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("invalid request")
        self.errors = errors


def parse_body(model: type[BaseModel], validate):
    """`validate(model)`, with a pydantic failure turned into `InvalidRequest`."""
    try:
        return validate(model)
    except ValidationError as error:
        raise InvalidRequest(problems.field_errors(error)) from error


def json_response(body: BaseModel, status: int = 200):
    """The body as an application/json response, serialised by pydantic."""
    return current_app.response_class(
        body.model_dump_json(), status=status, mimetype="application/json"
    )
