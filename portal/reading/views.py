"""The owner's wizard reads a paper: upload, watch the progress, find the fields filled.

`read` keeps the file (the invoice also as the application's invoice paper, DOMAIN §1.3)
and queues the job; the step page then shows the reading's progress, refreshed by htmx
(`status`), and once it is done fills the step's form from it (portal/reading/wizard.py).
"""

from flask import Blueprint, current_app, make_response, redirect, render_template, url_for

from portal import db
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.audit import china_today
from portal.errors import NotFound
from portal.forms import DocumentForm
from portal.messages import N_
from portal.reading import services
from portal.reading.models import DocumentReading
from portal.reading.terms import PaperKind, Problem, ReadingStatus
from portal.reading.wizard import STEP_OF
from portal.subsidy import services as subsidy
from portal.subsidy.terms import DocumentKind

bp = Blueprint("reading", __name__, url_prefix="/subsidies")
# The application paper an uploaded paper also is; the old car's licence is only read.
KEPT_AS = {PaperKind.INVOICE: DocumentKind.NEW_CAR_INVOICE}


def _paper_kind(kind: str) -> PaperKind:
    if kind not in PaperKind._value2member_map_:
        raise NotFound(N_("There is no such paper."))
    return PaperKind(kind)


@bp.post("/<int:application_id>/read/<kind>")
@roles_required(Role.OWNER)
def read(application_id: int, kind: str):
    """Upload a paper to read; back to its step, which follows the reading."""
    from portal import tasks

    session, user = db.session(), signed_in_user()
    paper = _paper_kind(kind)
    application = subsidy.application_for(session, user=user, application_id=application_id)
    form = DocumentForm(kind=paper.value)
    step = url_for("subsidy.step", application_id=application.id, step=STEP_OF[paper])
    if not form.validate_on_submit():
        return _refused(application, paper, form)
    folder = current_app.config["UPLOAD_FOLDER"]
    started = []

    def keep_and_read(filename: str, content: bytes) -> None:
        if paper in KEPT_AS:
            subsidy.upload_document(
                session,
                user=user,
                application=application,
                kind=KEPT_AS[paper],
                filename=filename,
                content=content,
                folder=folder,
                today=china_today(),
            )
        started.append(
            services.start(
                session,
                user=user,
                kind=paper,
                content=content,
                folder=folder,
                application_id=application.id,
            )
        )

    if not form.save_with(keep_and_read):
        return _refused(application, paper, form)
    reading_id = started[0].id
    db.after_commit(lambda: tasks.read_document(reading_id))
    return redirect(f"{step}?reading={reading_id}", 303)


def _refused(application, paper: PaperKind, form: DocumentForm):
    """The step again with the file's error next to the upload (422)."""
    from portal.subsidy import views as subsidy_views

    session, step = db.session(), STEP_OF[paper]
    step_form = subsidy_views.step_form(session, application, step)
    return subsidy_views.step_page(
        session, application, step, step_form, status=422, read_form=form
    )


@bp.get("/<int:application_id>/reading/<int:reading_id>")
@roles_required(Role.OWNER)
def status(application_id: int, reading_id: int):
    """The progress panel (htmx polls it); when the reading ends, the step page again."""
    reading = reading_of(application_id, reading_id)
    step = url_for("subsidy.step", application_id=application_id, step=STEP_OF[reading.kind])
    if reading.status in (ReadingStatus.DONE, ReadingStatus.FAILED):
        response = make_response("", 204)
        response.headers["HX-Redirect"] = f"{step}?reading={reading.id}"
        return response
    return render_template("reading/_progress.html", reading=reading)


def reading_of(application_id: int, reading_id: int) -> DocumentReading:
    """The owner's reading of this application's paper; 404 otherwise."""
    session, user = db.session(), signed_in_user()
    subsidy.application_for(session, user=user, application_id=application_id)
    reading = services.reading_for(session, user=user, reading_id=reading_id)
    if reading.application_id != application_id:
        raise NotFound(N_("There is no such reading, or you cannot see it."))
    return reading


def step_context(
    application_id: int, step: str, form, *, reading_id: str | None, fill: bool
) -> dict:
    """What a wizard step shows of a reading: its progress, or the fields it filled.

    A finished reading of the step's paper fills the form (the owner checks it, corrects
    it and saves); `read_marks` names the fields it filled, so the page marks them.
    """
    from portal import web
    from portal.formatting import label
    from portal.reading import wizard

    context = {"reading": None, "read_marks": frozenset(), "read_problems": []}
    if not reading_id or not reading_id.isdigit() or step not in STEP_OF.values():
        return context
    reading = reading_of(application_id, int(reading_id))
    if STEP_OF[reading.kind] != step:
        return context
    context["reading"] = reading
    context["read_problems"] = [label(Problem(code)) for code in reading.problems]
    if reading.status is not ReadingStatus.DONE:
        return context
    fields = services.fields_of(reading, web.card_keys())
    if reading.kind is PaperKind.INVOICE:
        filled = wizard.invoice_values(fields)
        if fill:
            form.process(data={**{f.name: f.data for f in form}, **filled.values})
    else:
        filled = wizard.licence_choice(fields, form.cars)
        if fill and filled.values:
            form.vehicle_id.data = filled.values["vehicle_id"]
    context["read_marks"] = filled.marked
    return context
