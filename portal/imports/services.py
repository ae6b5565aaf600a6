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
from datetime import date, timedelta
from functools import partial
from itertools import islice

from flask_babel import gettext
from sqlalchemy import delete, func, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal import audit, cache, csvfiles, uploads
from portal.audit import utcnow
from portal.db import Page, fetch_page, transaction
from portal.errors import Conflict, DomainError, NotFound, translate
from portal.imports.models import ImportJob, ImportProblem, JobStatus
from portal.messages import N_
from portal.notices import services as notices
from portal.redaction import redact, redact_value
from portal.registry import importing, rules
from portal.storage import Storage
from portal.transfer import bulk
from portal.valuation import catalog
from portal.valuation import services as valuation

# Rows per transaction. Larger batches share each lookup query and commit among more rows
# (on PostgreSQL a lookup of thousands of keys scans the table whatever the batch size);
# smaller ones commit progress more often and keep SQLite's write lock for less time
# (about two seconds per batch on a 2-core machine).
BATCH_SIZE = 5000
IMPORT_AREA = "imports"  # the storage's area for uploaded files being imported


@dataclass(frozen=True)
class Importer:
    """How one kind of CSV is read and written."""

    header: tuple[str, ...]
    parse_row: Callable  # (row, today) -> record | list[RowProblem]
    apply: Callable  # (session, [(line, record)], key=, actor_id=) -> BatchResult
    key_fields: tuple[str, ...]  # the columns that identify a row, for duplicates and the report
    changes: str | None = None  # the shared cache (portal/cache.py) to renew after the job
    older_headers: tuple[tuple[str, ...], ...] = ()  # files written before columns were added


IMPORTERS = {
    # New registry cars get their catalog trim as they are written, so they can be valued
    # (DOMAIN §3.1).
    "registry": Importer(
        rules.HEADER,
        rules.parse_row,
        partial(importing.apply_records, trims=valuation.trim_finder),
        ("vin",),
    ),
    "transfer": Importer(bulk.HEADER, bulk.parse_row, bulk.apply, ("vin",)),
    "catalog": Importer(
        catalog.HEADER,
        catalog.parse_import_row,
        valuation.import_rows,
        ("brand", "series", "model_year", "trim"),
        changes=valuation.CATALOG_CACHE,
        older_headers=catalog.HEADERS[1:],
    ),
}


def start_import(
    session: Session, *, kind: str, filename: str, content: bytes, files: Storage, actor_id: int
) -> ImportJob:
    """Check the file's header, store it, and queue a job for it."""
    importer = IMPORTERS[kind]
    _check_header((importer.header, *importer.older_headers), content)
    stored_name = f"{uuid.uuid4().hex}.csv"
    files.save(uploads.key_of(IMPORT_AREA, stored_name), content)
    uploads.follow_transaction(session, files, IMPORT_AREA, new=stored_name)
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


def _check_header(accepted: tuple[tuple[str, ...], ...], content: bytes) -> None:
    """The file's first line names one of the accepted headers (the first is the newest)."""
    try:
        first_line = content.split(b"\n", 1)[0].decode("utf-8-sig").strip()
    except UnicodeDecodeError as error:
        raise DomainError(N_("The file is not UTF-8 text. Save it as CSV UTF-8.")) from error
    header = next(csv.reader([first_line]), [])
    if tuple(name.strip() for name in header) not in accepted:
        raise DomainError(
            N_("The first line must name the columns: %(columns)s."),
            columns=",".join(accepted[0]),
        )


class Superseded(Exception):
    """This run's job was marked stalled or resumed by another run: stop writing."""


def run_import(
    engine: Engine,
    *,
    job_id: int,
    files: Storage,
    key: bytes,
    progress: Callable[[int], None] = lambda rows: None,
) -> ImportJob:
    """Run a queued job batch by batch, committing progress and a heartbeat after each.

    The uploaded file is deleted when the job ends, done or failed (it holds clear ID
    numbers); only a job whose consumer died keeps it, so that it can be resumed.
    """
    with transaction(engine) as session:
        job = session.get(ImportJob, job_id)
        if job is None or job.status is not JobStatus.QUEUED:
            return job  # a duplicate delivery of the task, or a job already ended
        stored = uploads.key_of(IMPORT_AREA, job.stored_name)
        job.status, job.total_rows = JobStatus.RUNNING, _count_rows(files, stored)
        job.heartbeat_at = utcnow()
    importer = IMPORTERS[job.kind]
    seen: dict[str, int] = {}
    try:
        for batch in _batches(files, stored):
            with _collector_paused(), transaction(engine) as session:
                _run_batch(session, importer, job, batch, seen, key)
            progress(len(batch))
    except Superseded:
        with transaction(engine) as session:
            return session.get(ImportJob, job_id)
    except Exception as error:  # the job must end visibly failed, whatever broke
        with transaction(engine) as session:
            _finish(session, job, files, JobStatus.FAILED, failure=redact(str(error))[:500])
        raise
    finally:  # committed batches stand either way: every process reads them again
        if importer.changes:
            cache.bump(importer.changes)
    with transaction(engine) as session:
        return _finish(session, job, files, JobStatus.DONE)


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


def _count_rows(files: Storage, stored: str) -> int:
    """Lines after the header (the last one may lack its line break), read in chunks."""
    breaks, last = 0, b"\n"
    with files.open(stored) as file:
        while chunk := file.read(1 << 20):
            breaks, last = breaks + chunk.count(b"\n"), chunk[-1:]
    return max(breaks + (last != b"\n") - 1, 0)


def _batches(files: Storage, stored: str) -> Iterator[list[tuple[int, dict]]]:
    """Rows read as a stream from the storage: the file is never copied to a disk."""
    with io.TextIOWrapper(files.open(stored), encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        numbered = ((reader.line_num, row) for row in reader)
        while batch := list(islice(numbered, BATCH_SIZE)):
            yield batch


def _run_batch(session, importer: Importer, job: ImportJob, batch, seen, key) -> None:
    today = date.today()
    good, problems, keys = [], [], {}
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
            keys[line] = row_key
            good.append((line, outcome))
    result = importer.apply(session, good, key=key, actor_id=job.created_by)
    # A row refused while writing (a plate already taken) keeps its key in the report.
    problems += [(line, keys[line], problem) for line, problem in result.problems]
    if problems:
        session.execute(
            insert(ImportProblem),
            [
                {
                    "job_id": job.id,
                    "line": line,
                    "vin": redact(row_key)[:32],
                    "field": p.field,
                    "message": p.message,
                    "params": redact_value(p.params),
                }
                for line, row_key, p in problems
            ],
        )
    failed_lines = len({line for line, _, _ in problems})
    moved = session.execute(
        update(ImportJob)
        .where(_still_ours(job))
        .values(
            processed_rows=ImportJob.processed_rows + len(batch),
            created=ImportJob.created + result.created,
            updated=ImportJob.updated + result.updated,
            unchanged=ImportJob.unchanged + result.unchanged,
            failed=ImportJob.failed + failed_lines,
            heartbeat_at=utcnow(),
        )
    )
    if moved.rowcount != 1:
        raise Superseded  # the batch's writes roll back with this transaction


def _still_ours(job: ImportJob):
    """The job row as this run left it: running, in the same attempt."""
    return (
        (ImportJob.id == job.id)
        & (ImportJob.status == JobStatus.RUNNING)
        & (ImportJob.attempt == job.attempt)
    )


def _finish(
    session: Session, run: ImportJob, files: Storage, status: JobStatus, failure: str | None = None
):
    """End the run's job (unless another run took it over) and delete its file."""
    job = session.get(ImportJob, run.id)
    if job.status is not JobStatus.RUNNING or job.attempt != run.attempt:
        return job
    before = job.status
    job.status, job.failure, job.finished_at = status, failure, utcnow()
    _forget_file(session, job, files)
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
    _tell_the_importer(session, job)
    return job


# Where the person who started an import reads its result, by kind.
JOB_PAGES = {
    "registry": "/admin/imports/%d",
    "catalog": "/admin/catalog/%d",
    "transfer": "/transfers/bulk/%d",
}


def _tell_the_importer(session: Session, job: ImportJob) -> None:
    """The import or bulk filing finished: its starter gets a notice (DOMAIN §6)."""
    if job.created_by is None:
        return
    notices.notify(
        session,
        user_id=job.created_by,
        kind="import_finished",
        params={
            "name": job.filename,
            "created": job.created,
            "updated": job.updated,
            "failed": job.failed,
        },
        link=JOB_PAGES[job.kind] % job.id,
    )


def _forget_file(session: Session, job: ImportJob, files: Storage) -> None:
    """Delete the job's upload once this transaction commits; the row no longer names it."""
    if job.stored_name:
        uploads.follow_transaction(session, files, IMPORT_AREA, replaced=job.stored_name)
        job.stored_name = ""


def mark_stalled(session: Session, *, silent_for: timedelta) -> None:
    """Mark failed every running job whose heartbeat is older than silent_for.

    Its consumer died (a deploy, a killed machine): nobody else would end it. The file is
    kept so that the job can be resumed; a consumer that was only slow stops at its next
    batch (`_still_ours`). Called when the import pages are shown.
    """
    now = utcnow()
    last_sign = func.coalesce(ImportJob.heartbeat_at, ImportJob.created_at)  # jobs of old
    stalled = session.exec(
        select(ImportJob).where(ImportJob.status == JobStatus.RUNNING, last_sign < now - silent_for)
    ).all()
    for job in stalled:
        job.status, job.failure, job.finished_at = JobStatus.FAILED, STALLED, now
        _audit(session, job, actor_id=None, action="stalled", before=JobStatus.RUNNING)


STALLED = N_(
    "The import stopped answering: its worker was stopped or died. Resume it to read the "
    "file again from the start; rows already imported are not imported twice."
)


def resume(session: Session, *, job: ImportJob, actor_id: int) -> ImportJob:
    """Queue a stalled job again, from the start of its file (the import is idempotent)."""
    if not job.resumable:
        raise Conflict(N_("Only an import that stopped answering can be resumed."))
    session.execute(delete(ImportProblem).where(ImportProblem.job_id == job.id))
    job.status, job.failure, job.finished_at = JobStatus.QUEUED, None, None
    job.attempt += 1
    job.processed_rows = job.created = job.updated = job.unchanged = job.failed = 0
    _audit(session, job, actor_id=actor_id, action="resumed", before=JobStatus.FAILED)
    return job


def discard(session: Session, *, job: ImportJob, files: Storage, actor_id: int) -> None:
    """Give up a stalled job: its file is deleted, it stays failed."""
    if not job.resumable:
        raise Conflict(N_("Only an import that stopped answering can be discarded."))
    _forget_file(session, job, files)
    _audit(session, job, actor_id=actor_id, action="discarded", before=JobStatus.FAILED)


def _audit(session: Session, job: ImportJob, *, actor_id, action: str, before: JobStatus):
    audit.record(
        session,
        actor_id=actor_id,
        entity="import_job",
        entity_id=job.id,
        action=action,
        from_state=before.value,
        to_state=job.status.value,
    )


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
) -> Page:
    """Newest jobs of a kind (one user's, when given), one page."""
    statement = (
        select(ImportJob)
        .where(ImportJob.kind == kind)
        .where(True if created_by is None else ImportJob.created_by == created_by)
        .order_by(ImportJob.id.desc())
    )
    return fetch_page(session, statement, page, page_size)


def problems_of(session: Session, job_id: int) -> Iterator[ImportProblem]:
    """Every refused row of a job, in file order (streamed for the CSV report)."""
    statement = (
        select(ImportProblem)
        .where(ImportProblem.job_id == job_id)
        .order_by(ImportProblem.line, ImportProblem.id)
        .execution_options(yield_per=1000)
    )
    yield from session.exec(statement)


def problems_csv(session: Session, job: ImportJob) -> str:
    """The refused rows of a job as CSV in the reader's language (with a BOM for Excel)."""
    header = [gettext("Line"), gettext("VIN"), gettext("Field"), gettext("Reason")]
    return csvfiles.text([header, *problem_rows(session, job.id)])


def problem_rows(session: Session, job_id: int) -> Iterator[list]:
    """The refused rows of a job as the CSV files list them: line, VIN, field, reason."""
    for problem in problems_of(session, job_id):
        yield [problem.line, problem.vin, problem.field, translate(problem)]
