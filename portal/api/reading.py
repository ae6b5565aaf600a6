"""POST /api/v1/documents/read: read an invoice or a vehicle licence (issue 15).

The file is checked by its content and kept until the job consumer has read it
(`portal.tasks.read_document`); the answer is 202 with the reading's address, where its
progress and then its fields are found. Owners', dealers' and administrators' tokens.
"""

from flask import url_for

from portal import db, storage, web
from portal.accounts.models import Role
from portal.api import auth
from portal.api.blueprint import bp
from portal.api.common import json_response, parse_upload, refused_file
from portal.api.reading_schemas import FieldOut, ProblemOut, ReadingOut, ReadUpload
from portal.errors import NotFound
from portal.formatting import label
from portal.limits import MAX_ID
from portal.messages import N_
from portal.reading import services
from portal.reading.models import DocumentReading
from portal.reading.reader import missing_fields
from portal.reading.terms import Problem, ReadingStatus
from portal.uploads import InvalidUpload

READERS = (Role.OWNER, Role.DEALER, Role.ADMIN)


@bp.post("/documents/read")
@auth.for_role(*READERS)
def read_document():
    from portal import tasks

    body, _filename = parse_upload(ReadUpload)
    try:
        reading = services.start(
            db.session(),
            user=auth.api_user(),
            kind=body.kind,
            content=body.file,
            files=storage.current(),
        )
    except InvalidUpload as error:
        raise refused_file(error) from error
    reading_id = reading.id
    db.after_commit(lambda: tasks.read_document(reading_id))
    response = json_response(reading_out(reading), 202)
    response.headers["Location"] = url_for("api.get_reading", reading_id=reading_id)
    return response


@bp.get("/documents/read/<int:reading_id>")
@auth.for_role(*READERS)
def get_reading(reading_id: int):
    if reading_id > MAX_ID:  # checked here, not by the converter (see transfers._case_for)
        raise NotFound(N_("There is no such reading, or you cannot see it."))
    reading = services.reading_for(db.session(), user=auth.api_user(), reading_id=reading_id)
    return json_response(reading_out(reading))


def reading_out(reading: DocumentReading) -> ReadingOut:
    read = services.fields_of(reading, web.card_keys())
    done = reading.status is ReadingStatus.DONE
    return ReadingOut(
        id=reading.id,
        kind=reading.kind,
        status=reading.status,
        progress=reading.progress,
        method=reading.method,
        fields={name: FieldOut(**vars(field)) for name, field in read.items()},
        missing=list(missing_fields(reading.kind, read)) if done else [],
        problems=[
            ProblemOut(code=Problem(code), message=str(label(Problem(code))))
            for code in reading.problems
        ],
        created_at=reading.created_at,
        finished_at=reading.finished_at,
    )
