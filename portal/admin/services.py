"""Import jobs: accept a CSV file, run it in batches with progress, report refused rows.

The machinery is generic over an Importer (a header, a row parser and a batch writer),
so other reference data (the model catalog) imports the same way as the registry.
"""

import csv
import gc
import io
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import func, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal import audit, csvfiles
from portal.admin.models import ImportJob, ImportProblem, JobStatus
from portal.audit import utcnow
from portal.db import transaction
from portal.errors import DomainError, NotFound, translate
from portal.messages import N_
from portal.registry import importing, rules
from portal.transfer import bulk
from portal.valuation import catalog
from portal.valuation import services as valuation

# Rows per transaction. Larger batches share each lookup query and commit among more rows
# (on PostgreSQL a lookup of thousands of keys scans the table whatever the batch size);
# smaller ones commit progress more often and keep SQLite's write lock for less time
# (about two seconds per batch on a 2-core machine).
BATCH_SIZE = 5000


@dataclass(frozen=True)
class Importer:
    """How one kind of CSV is read and written."""

    header: tuple[str, ...]
    parse_row: Callable  # (row, today) -> record | list[RowProblem]
    apply: Callable  # (session, [(line, record)], key=, actor_id=) -> BatchResult
    key_fields: tuple[str, ...]  # the columns that identify a row, for duplicates and the report
    after_batch: Callable[[Session, list], object] = lambda session, records: None


IMPORTERS = {
    # The batch's registry cars get their catalog trim, so they can be valued (DOMAIN §3.1).
    "registry": Importer(
        rules.HEADER,
        rules.parse_row,
        importing.apply_records,
        ("vin",),
        lambda session, records: valuation.link_vehicles(session, vins=[r.vin for _, r in records]),
    ),
    "transfer": Importer(bulk.HEADER, bulk.parse_row, bulk.apply, ("vin",)),
    "catalog": Importer(
        catalog.HEADER,
        catalog.parse_import_row,
        valuation.import_rows,
        ("brand", "series", "model_year", "trim"),
    ),
}


def start_import(
    session: Session, *, kind: str, filename: str, content: bytes, folder: str, actor_id: int
) -> ImportJob:
    """Check the file's header, store it, and queue a job for it."""
    _check_header(IMPORTERS[kind].header, content)
    stored_name = f"{uuid.uuid4().hex}.csv"
    path = Path(folder) / "imports" / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    job = ImportJob(
        kind=kind, filename=filename[:255], stored_name=stored_name, created_by=actor_id
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        entity="import_job",
        entity_id=job.id,
        action="queued",
        to_state=JobStatus.QUEUED.value,
    )
    return job


def _check_header(expected: tuple[str, ...], content: bytes) -> None:
    try:
        first_line = content.split(b"\n", 1)[0].decode("utf-8-sig").strip()
    except UnicodeDecodeError as error:
        raise DomainError(N_("The file is not UTF-8 text. Save it as CSV UTF-8.")) from error
    header = next(csv.reader([first_line]), [])
    if tuple(name.strip() for name in header) != expected:
        raise DomainError(
            N_("The first line must name the columns: %(columns)s."), columns=",".join(expected)
        )


def run_import(
    engine: Engine,
    *,
    job_id: int,
    folder: str,
    key: bytes,
    progress: Callable[[int], None] = lambda rows: None,
) -> ImportJob:
    """Run a queued job batch by batch, committing progress after each batch."""
    with transaction(engine) as session:
        job = session.get(ImportJob, job_id)
        path = Path(folder) / "imports" / job.stored_name
        job.status, job.total_rows = JobStatus.RUNNING, _count_rows(path)
    importer = IMPORTERS[job.kind]
    seen: dict[str, int] = {}
    try:
        for batch in _batches(path):
            with _collector_paused(), transaction(engine) as session:
                _run_batch(session, importer, job, batch, seen, key)
            progress(len(batch))
    except Exception as error:  # the job must end visibly failed, whatever broke
        with transaction(engine) as session:
            _finish(session, job_id, JobStatus.FAILED, failure=str(error)[:500])
        raise
    with transaction(engine) as session:
        return _finish(session, job_id, JobStatus.DONE)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for one batch.

    A batch allocates some hundred thousand objects (rows, records, parameters) that
    reference counting frees; the collector, set off by the allocations alone, walked them
    again and again and took a tenth of an import. Only the pause's owner resumes it, so
    two imports in one process cannot leave it off.
    """
    owner = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if owner:
            gc.enable()


def _count_rows(path: Path) -> int:
    with path.open("rb") as file:
        return max(sum(1 for _ in file) - 1, 0)


def _batches(path: Path) -> Iterator[list[tuple[int, dict]]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        numbered = ((reader.line_num, row) for row in reader)
        while batch := list(islice(numbered, BATCH_SIZE)):
            yield batch


def _run_batch(session, importer: Importer, job: ImportJob, batch, seen, key) -> None:
    today = date.today()
    good, problems = [], []
    for line, row in batch:
        row_key = "|".join((row.get(name) or "").strip().upper() for name in importer.key_fields)
        outcome = importer.parse_row(row, today)
        if isinstance(outcome, list):
            problems += [(line, row_key, problem) for problem in outcome]
        elif row_key in seen:
            problem = rules.RowProblem(
                importer.key_fields[0],
                N_("Appears already on line %(line)s."),
                {"line": seen[row_key]},
            )
            problems.append((line, row_key, problem))
        else:
            seen[row_key] = line
            good.append((line, outcome))
    result = importer.apply(session, good, key=key, actor_id=job.created_by)
    importer.after_batch(session, good)
    problems += [(line, "", problem) for line, problem in result.problems]
    if problems:
        session.execute(
            insert(ImportProblem),
            [
                {
                    "job_id": job.id,
                    "line": line,
                    "vin": row_key[:32],
                    "field": p.field,
                    "message": p.message,
                    "params": p.params,
                }
                for line, row_key, p in problems
            ],
        )
    failed_lines = len({line for line, _, _ in problems})
    session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id)
        .values(
            processed_rows=ImportJob.processed_rows + len(batch),
            created=ImportJob.created + result.created,
            updated=ImportJob.updated + result.updated,
            unchanged=ImportJob.unchanged + result.unchanged,
            failed=ImportJob.failed + failed_lines,
        )
    )


def _finish(session: Session, job_id: int, status: JobStatus, failure: str | None = None):
    job = session.get(ImportJob, job_id)
    before = job.status
    job.status, job.failure, job.finished_at = status, failure, utcnow()
    audit.record(
        session,
        actor_id=job.created_by,
        entity="import_job",
        entity_id=job.id,
        action="finished",
        from_state=before.value,
        to_state=status.value,
        detail={
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "failed": job.failed,
        },
    )
    return job


def get_job(
    session: Session, job_id: int, *, kind: str = "registry", created_by: int | None = None
) -> ImportJob:
    """The job of this kind (and user, when given), or NotFound."""
    job = session.get(ImportJob, job_id)
    if job is None or job.kind != kind or created_by not in (None, job.created_by):
        raise NotFound(N_("There is no such import."))
    return job


def recent_jobs(
    session: Session,
    *,
    page: int,
    page_size: int,
    kind: str = "registry",
    created_by: int | None = None,
) -> tuple[list[ImportJob], bool]:
    """Newest jobs of a kind (one user's, when given), one page, and whether there is more."""
    statement = (
        select(ImportJob)
        .where(ImportJob.kind == kind)
        .where(True if created_by is None else ImportJob.created_by == created_by)
        .order_by(ImportJob.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    jobs = list(session.exec(statement))
    return jobs[:page_size], len(jobs) > page_size


def problems_of(session: Session, job_id: int) -> Iterator[ImportProblem]:
    """Every refused row of a job, in file order (streamed for the CSV report)."""
    statement = (
        select(ImportProblem)
        .where(ImportProblem.job_id == job_id)
        .order_by(ImportProblem.line, ImportProblem.id)
        .execution_options(yield_per=1000)
    )
    yield from session.exec(statement)


def problem_count(session: Session, job_id: int) -> int:
    """How many problems a job recorded."""
    statement = (
        select(func.count()).select_from(ImportProblem).where(ImportProblem.job_id == job_id)
    )
    return session.exec(statement).one()


def problems_csv(session: Session, job: ImportJob) -> str:
    """The refused rows of a job as CSV in the reader's language (with a BOM for Excel)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csvfiles.writer(buffer)
    writer.writerow([gettext("Line"), gettext("VIN"), gettext("Field"), gettext("Reason")])
    for problem in problems_of(session, job.id):
        writer.writerow([problem.line, problem.vin, problem.field, translate(problem)])
    return buffer.getvalue()
