"""Readings as jobs: keep the file until the consumer reads it, then keep only what was read.

`start` is called in the request: it checks the file by its content, keeps it in the
storage's "reading" area and adds the queued row; the caller enqueues
`portal.tasks.read_document` once that is committed. `run` is the job: it reads the
paper (portal/reading/reader.py), records progress for the page, seals what was read,
and deletes the file whatever happens (DOMAIN §6: no copy of a paper is left behind).
It also keeps what the anti-fraud flags look up without opening the seal (§1.5): the
invoice's number and date, the buyer's ID as a keyed hash, and whether the name read is
the registry's (the job holds the keys; the assessment that raises the flags does not).
"""

import json
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from portal import uploads
from portal.accounts.models import Role, User
from portal.audit import utcnow
from portal.cards import CardKeys, seal, unseal
from portal.db import transaction
from portal.errors import NotFound
from portal.identifiers import resident_id_hash
from portal.messages import N_
from portal.reading import parsing, reader
from portal.reading.models import DocumentReading
from portal.reading.parsing import Read
from portal.reading.terms import PaperKind, ReadingStatus, ReadMethod
from portal.registry.models import Dealer, Ownership, Person, Vehicle
from portal.storage import Storage
from portal.subsidy.models import Application

AREA = "reading"
TABLE = "document_reading"  # what a sealed value is bound to, with the row's id
# Where the progress bar stands when each method starts.
PROGRESS = {ReadMethod.QR: 20, ReadMethod.TEXT: 50, ReadMethod.OCR: 60}


def start(
    session: Session,
    *,
    user: User,
    kind: PaperKind,
    content: bytes,
    files: Storage,
    application_id: int | None = None,
) -> DocumentReading:
    """Keep the file (checked by content: uploads.InvalidUpload) and queue its reading."""
    stored = uploads.store(files, AREA, content)
    uploads.follow_transaction(session, files, AREA, new=stored.stored_name)
    reading = DocumentReading(
        user_id=user.id, application_id=application_id, kind=kind, stored_name=stored.stored_name
    )
    session.add(reading)
    session.flush()
    return reading


def run(engine: Engine, *, reading_id: int, files: Storage, keys: CardKeys, id_key: bytes) -> None:
    """The job: read the paper, seal the fields, delete the file (done or failed)."""
    with transaction(engine) as session:
        reading = session.get(DocumentReading, reading_id)
        if reading is None or reading.status is not ReadingStatus.QUEUED:
            return  # a duplicate delivery of the task, or a reading already ended
        reading.status, reading.progress = ReadingStatus.RUNNING, 5
        kind, stored_name = reading.kind, reading.stored_name
    try:
        with files.open(uploads.key_of(AREA, stored_name)) as stream:
            content = stream.read()
        result = reader.read(content, kind, lambda method: _progress(engine, reading_id, method))
    except Exception:  # the reading must end visibly failed, whatever broke
        _finish(engine, reading_id, files, stored_name, status=ReadingStatus.FAILED)
        raise
    _finish(
        engine,
        reading_id,
        files,
        stored_name,
        status=ReadingStatus.DONE,
        result=result,
        keys=(keys, id_key),
    )


def _progress(engine: Engine, reading_id: int, method: ReadMethod) -> None:
    with transaction(engine) as session:
        reading = session.get(DocumentReading, reading_id)
        reading.progress = max(reading.progress, PROGRESS[method])


def _finish(
    engine: Engine,
    reading_id: int,
    files: Storage,
    stored_name: str,
    *,
    status: ReadingStatus,
    result: reader.Reading | None = None,
    keys: tuple[CardKeys, bytes] | None = None,
) -> None:
    with transaction(engine) as session:
        reading = session.get(DocumentReading, reading_id)
        reading.status, reading.progress = status, 100
        reading.stored_name, reading.finished_at = None, utcnow()
        if result is not None:
            reading.method = result.method
            reading.problems = [problem.value for problem in result.problems]
            card_keys, id_key = keys
            reading.fields_sealed = seal(
                card_keys, _dumps(result.fields), row_id=reading_id, table=TABLE
            )
            _keep_lookups(reading, result.fields, id_key)
            reading.name_agrees = _name_agrees(session, reading, result.fields)
    files.delete(uploads.key_of(AREA, stored_name))


def _keep_lookups(reading: DocumentReading, fields: dict[str, Read], id_key: bytes) -> None:
    number, dated = fields.get("invoice_number"), fields.get("invoice_date")
    buyer = fields.get("invoice_buyer_id_number")
    reading.invoice_number = str(number.value) if number else None
    reading.invoice_date = as_date(dated)
    reading.buyer_id_hash = resident_id_hash(str(buyer.value), id_key) if buyer else None


def _name_agrees(
    session: Session, reading: DocumentReading, fields: dict[str, Read]
) -> bool | None:
    """The name read against the registry's (DOMAIN §1.5); None when either is missing."""
    if reading.kind is PaperKind.INVOICE:
        read, registered = fields.get("invoice_buyer_name"), _applicant_name(session, reading)
    else:
        read, registered = fields.get("owner_name"), registered_owner_name(session, fields)
    if read is None or registered is None:
        return None
    return parsing.same_name(str(read.value), registered)


def _applicant_name(session: Session, reading: DocumentReading) -> str | None:
    if reading.application_id is None:
        return None  # read through the API: no applicant to compare with
    application = session.get(Application, reading.application_id)
    person = session.get(Person, application.person_id) if application else None
    return person.name if person else None


def registered_owner_name(session: Session, fields: dict[str, Read]) -> str | None:
    """The registry's present owner (a person or a dealer) of the car the licence names."""
    vin, plate = fields.get("vin"), fields.get("plate")
    if vin is None and plate is None:
        return None
    named = Vehicle.vin == vin.value if vin else Vehicle.plate == plate.value
    holder = session.exec(
        select(Ownership)
        .join(Vehicle, Vehicle.id == Ownership.vehicle_id)
        .where(named, Ownership.end.is_(None))
    ).first()
    if holder is None:
        return None
    owner = session.get(
        Person if holder.person_id else Dealer, holder.person_id or holder.dealer_id
    )
    return owner.name if owner else None


def _dumps(fields: dict[str, Read]) -> str:
    return json.dumps(
        {name: [read.value, read.confidence, read.method.value] for name, read in fields.items()}
    )


def fields_of(reading: DocumentReading, keys: CardKeys) -> dict[str, Read]:
    """What was read (empty until the reading is done)."""
    if not reading.fields_sealed:
        return {}
    stored = json.loads(unseal(keys, reading.fields_sealed, row_id=reading.id, table=TABLE))
    return {
        name: Read(value, confidence, ReadMethod(method))
        for name, (value, confidence, method) in stored.items()
    }


def reading_for(session: Session, *, user: User, reading_id: int) -> DocumentReading:
    """The user's own reading (an administrator sees any); 404 otherwise."""
    reading = session.get(DocumentReading, reading_id)
    if reading is None or (reading.user_id != user.id and user.role is not Role.ADMIN):
        raise NotFound(N_("There is no such reading, or you cannot see it."))
    return reading


def latest_for(session: Session, *, application_id: int, kind: PaperKind):
    """The newest reading of an application's paper of this kind, or None."""
    return session.exec(
        select(DocumentReading)
        .where(DocumentReading.application_id == application_id, DocumentReading.kind == kind)
        .order_by(DocumentReading.id.desc())
    ).first()


def earlier_than(session: Session, reading: DocumentReading) -> DocumentReading | None:
    """The newest finished reading of the same paper of the application before this one."""
    return session.exec(
        select(DocumentReading)
        .where(
            DocumentReading.application_id == reading.application_id,
            DocumentReading.kind == reading.kind,
            DocumentReading.id < reading.id,
            DocumentReading.status == ReadingStatus.DONE,
        )
        .order_by(DocumentReading.id.desc())
    ).first()


def as_date(read: Read | None) -> date | None:
    """A read date field as a date (they are kept as ISO text)."""
    return date.fromisoformat(str(read.value)) if read else None
