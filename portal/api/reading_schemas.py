"""Bodies of the document-reading endpoints (`reading.py`, issue 15)."""

from datetime import datetime

from pydantic import BaseModel, Field

from portal.reading.terms import PaperKind, Problem, ReadingStatus, ReadMethod


class ReadUpload(BaseModel):
    """A multipart upload: the kind of paper and the file (PDF, JPEG or PNG, at most 10 MB)."""

    kind: PaperKind
    file: bytes


class FieldOut(BaseModel):
    value: str | int = Field(description="Text, an ISO date, or an amount in fen.")
    confidence: float = Field(ge=0, le=1)
    method: ReadMethod


class ProblemOut(BaseModel):
    code: Problem
    message: str


class ReadingOut(BaseModel):
    """A reading: queued or running (with its progress), then what was read and how."""

    id: int
    kind: PaperKind
    status: ReadingStatus
    progress: int = Field(ge=0, le=100)
    method: ReadMethod | None = Field(description="The dearest method that was needed.")
    fields: dict[str, FieldOut] = Field(
        description="Field names as the subsidy API uses them (invoice_number, invoice_date, "
        "invoice_price_fen, vin, invoice_buyer_id_number, …); a field not read is absent."
    )
    missing: list[str] = Field(description="Fields the paper carries that were not read.")
    problems: list[ProblemOut]
    created_at: datetime
    finished_at: datetime | None
