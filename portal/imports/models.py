"""Import jobs: an uploaded file, its progress, and the rows it refused."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from portal.audit import utcnow
from portal.enums import enum_column


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(SQLModel, table=True):
    """One import of a CSV file; progress lives here so any web worker can show it."""

    __tablename__ = "import_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    filename: str = Field(max_length=255)
    stored_name: str = Field(max_length=64)
    status: JobStatus = Field(sa_type=enum_column(JobStatus), default=JobStatus.QUEUED)
    total_rows: int = 0
    processed_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failure: str | None = Field(default=None, max_length=500)
    created_by: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    # Liveness: the running consumer stamps heartbeat_at after every batch; a job silent
    # for longer than IMPORT_STALL_SECONDS is marked failed and may be resumed, which
    # starts attempt + 1 (a late batch of an older attempt then stops instead of writing).
    heartbeat_at: datetime | None = None
    attempt: int = 0

    @property
    def resumable(self) -> bool:
        """Failed with its file still kept: its consumer died, so it can run again."""
        return self.status is JobStatus.FAILED and bool(self.stored_name)

    @property
    def percent(self) -> int:
        """How far the job has got, for the progress bar."""
        if self.status is JobStatus.DONE:
            return 100
        return 100 * self.processed_rows // self.total_rows if self.total_rows else 0


class ImportProblem(SQLModel, table=True):
    """A refused row: its line in the file, the field and the reason (a message template)."""

    __tablename__ = "import_problem"

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="import_job.id", index=True)
    line: int
    vin: str = Field(default="", max_length=32)
    field: str = Field(max_length=32)
    message: str = Field(max_length=255)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
