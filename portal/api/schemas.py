"""What the API's request and response bodies share: strict models, bounded text, problems.

Requests are validated strictly (no unknown fields, no "12" for 12) so a partner's bug
shows as a 422 naming the field rather than as a surprise. Validators raise the
portal's own translatable errors (`MessageError`), which `problems.py` renders. The
bodies of each area live beside it: `transfer_schemas.py`, `subsidy_schemas.py`,
`valuation_schemas.py`; the OpenAPI document is generated from them.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from portal import regions
from portal.messages import N_, MessageError

# Printable text with at least one visible character: control characters (NUL above all,
# which PostgreSQL refuses in text) never reach the database.
PRINTABLE = r"^[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s][^\x00-\x1f\x7f]*$"


def text(max_length: int, min_length: int = 1):
    """A printable string of bounded length."""
    return Annotated[
        str, StringConstraints(min_length=min_length, max_length=max_length, pattern=PRINTABLE)
    ]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def refuse(problem: str | None) -> None:
    """A rule's refusal (its message template, or None) as the field's error (a pydantic
    validator's ValueError, translated when the errors are answered)."""
    if problem is not None:
        raise MessageError(problem)


def known_city(value: str) -> str:
    """The code itself if a city has it; the validator of every city-code field."""
    if regions.city(value) is None:
        raise MessageError(N_("There is no city with this code."))
    return value


class FieldError(BaseModel):
    field: str | None = Field(description="Dotted path of the field; null for the whole body.")
    message: str
    type: str = Field(description="A stable code of the error, e.g. missing, string_too_long.")


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(None, description="Invalid fields (422).")
    reasons: list[str] | None = Field(None, description="Why a case cannot be filed (422).")
