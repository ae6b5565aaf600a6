"""The owner's subsidy pages: my applications, the step-by-step wizard, the status page.

Each step saves the draft and answers 303 to the next; the eligibility panel beside
the form is refreshed by htmx as fields change (`preview`), without saving.
"""

from contextlib import suppress
from enum import Enum

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal import db, storage, uploads, web
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.audit import china_today, history
from portal.errors import DomainError, NotFound, refusal_status, translate
from portal.formatting import region_name
from portal.forms import DocumentForm
from portal.identifiers import (
    normalize,
    parse_bank_card,
    parse_plate,
    parse_resident_id,
    parse_vin,
    resident_id_hash,
)
from portal.labels import label
from portal.messages import N_
from portal.money import yuan_input
from portal.pdf import PAPER_LOCALE
from portal.reading import services as reading_services
from portal.reading.terms import ReadingStatus
from portal.reading.wizard import STEP_OF
from portal.registry.terms import BodyType, FuelType
from portal.subsidy import applications, program_lookup, standing, workflow
from portal.subsidy.apply import reading as papers_read
from portal.subsidy.apply import services, submission
from portal.subsidy.apply.forms import (
    BankForm,
    ConfirmForm,
    NewCarForm,
    OldCarForm,
    StartForm,
)
from portal.subsidy.assessment import assess
from portal.subsidy.compare import pages as compare
from portal.subsidy.models import Application
from portal.subsidy.programs import budget_views, money_left
from portal.subsidy.receipt import receipt_pdf
from portal.subsidy.rules.papers import required_documents
from portal.subsidy.terms import DocumentKind, Kind, Status
from portal.subsidy.workflow import Action
from portal.web import id_hash_key

bp = Blueprint("subsidy", __name__, url_prefix="/subsidies")
STEPS = ("old-car", "new-car", "bank", "documents", "review")
STEP_NAMES = {
    "old-car": _l("Your old car"),
    "new-car": _l("The new car"),
    "bank": _l("Bank card"),
    "documents": _l("Papers"),
    "review": _l("Check and submit"),
}


@bp.get("/")
@roles_required(Role.OWNER)
def index():
    page = services.my_applications(
        db.session(),
        user=signed_in_user(),
        page=web.page_number(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template("subsidy/apply/index.html", page=page)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.OWNER)
def new():
    form = StartForm(province=request.args.get("province", ""))
    user = signed_in_user()
    if form.validate_on_submit():
        try:
            application = services.start(
                db.session(),
                user=user,
                kind=Kind(form.kind.data),
                province_code=form.province.data,
                today=china_today(),
            )
        except DomainError as error:
            form.kind.errors = [translate(error)]
        else:
            return redirect(
                url_for("subsidy.step", application_id=application.id, step=STEPS[0]), 303
            )
    linked = user.person_id is not None
    # DOMAIN §3.5: the owner sees what each kind leaves them before choosing one.
    scrap_or_sell = compare.first_look(db.session(), user) if linked else {}
    low = money_left.running_low(
        money_left.figures(db.session(), china_today()), current_app.config["BUDGET_LOW_PERCENT"]
    )
    page = render_template(
        "subsidy/apply/new.html",
        form=form,
        linked=linked,
        running_low=[budget_views.shown(row) for row in low],
        **scrap_or_sell,
    )
    return page, 422 if form.errors else 200


def _mine(application_id: int) -> Application:
    return applications.application_for(
        db.session(), user=signed_in_user(), application_id=application_id
    )


@bp.get("/<id:application_id>")
@roles_required(Role.OWNER)
def application(application_id: int):
    session = db.session()
    found = _mine(application_id)
    if found.status is Status.DRAFT:
        return redirect(url_for("subsidy.step", application_id=found.id, step=STEPS[0]))
    return render_template("subsidy/apply/application.html", **_context(session, found))


def _context(session, application: Application, **extra) -> dict:
    """What every page of one application shows: program, papers, standing, timeline."""
    program = program_lookup.program_of(session, application)
    actors = applications.actors_for(signed_in_user(), application)
    return dict(
        application=application,
        actions=workflow.available_actions(application.status, actors),
        editable=services.editable(application),
        card_locked=services.card_locked(application),
        program=program,
        old_vehicle=applications.old_vehicle(session, application),
        documents=applications.documents_of(session, application),
        required=required_documents(program.kind),
        events=history(session, applications.ENTITY, application.id),
        card=application.bank_card_masked,
        steps=STEPS,
        step_names=STEP_NAMES,
        confirm=ConfirmForm(),
        standing=standing.standing(session, application),
        **extra,
    )


@bp.route("/<id:application_id>/step/<step>", methods=["GET", "POST"])
@roles_required(Role.OWNER)
def step(application_id: int, step: str):
    if step not in STEPS:
        return redirect(url_for("subsidy.step", application_id=application_id, step=STEPS[0]))
    session = db.session()
    application = _mine(application_id)
    form = step_form(session, application, step)
    error, status = None, 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            saved = _save(session, application, step, form)
        except DomainError as domain_error:
            error, status = translate(domain_error), refusal_status(domain_error)
        else:
            if saved:
                return redirect(_after_saving(application, step), 303)
            status = 422  # a refused paper: the reason is next to its file field
    return step_page(session, application, step, form, error=error, status=status)


def step_page(
    session, application: Application, step: str, form, *, status=200, reading_id=None, **extra
):
    """A step of the wizard; a paper being read or read for it shows (portal/reading).

    The reading fills the form when the page is opened (GET) or when it ends while the
    owner types (`reading_status`), never over a form the owner posts to save.
    """
    reading = papers_read.step_context(
        application.id,
        step,
        form,
        reading_id=reading_id or request.args.get("reading"),
        fill=request.method == "GET" or reading_id is not None,
    )
    extra.setdefault("read_form", DocumentForm(formdata=None))
    # Only the wizard shows the live eligibility panel; the status page shows the decision.
    assessment = assess(session, application, today=china_today())
    context = _context(
        session, application, form=form, step=step, assessment=assessment, **reading, **extra
    )
    page = render_template("subsidy/apply/step.html", **context)
    return page, 422 if form.errors else status


def _after_saving(application: Application, step: str) -> str:
    """The next step; papers are uploaded one at a time, so that step stays until done."""
    if step == "review":
        return url_for("subsidy.application", application_id=application.id)
    following = step if step == "documents" else STEPS[STEPS.index(step) + 1]
    return url_for("subsidy.step", application_id=application.id, step=following)


def step_form(session, application: Application, step: str):
    if step == "old-car":
        form = OldCarForm(vehicle_id=str(application.old_vehicle_id or ""))
        cars = services.old_car_choices(session, user=signed_in_user())
        form.vehicle_id.choices = [(str(car.id), car.vin) for car in cars]
        form.cars = cars
        return form
    if step == "new-car":
        return NewCarForm(data=None if request.method == "POST" else _new_car_data(application))
    if step == "bank":
        return BankForm(data={"bank": application.bank_name or ""})
    if step == "documents":
        return DocumentForm()
    return ConfirmForm()


def _new_car_data(application: Application) -> dict:
    price = application.invoice_price_fen
    return {
        "vin": application.new_vin,
        "plate": application.new_plate,
        "brand": application.new_brand,
        "model": application.new_model,
        "body_type": application.new_body_type,
        "seats": application.new_seats or 5,
        "fuel_type": application.new_fuel_type,
        "displacement_ml": application.new_displacement_ml,
        "registration_date": application.new_registration_date,
        "invoice_number": application.invoice_number,
        "invoice_date": application.invoice_date,
        "invoice_price": yuan_input(price) if price is not None else None,
        "invoice_city": application.invoice_city_code,
    }


def _save(session, application: Application, step: str, form) -> bool:
    """Save the step; False when a paper was refused (its form carries the reason)."""
    if step == "old-car":
        services.choose_old_car(
            session, application=application, vehicle_id=int(form.vehicle_id.data)
        )
    elif step == "new-car":
        services.save_new_car(session, application=application, entry=new_car_entry(form))
    elif step == "bank":
        services.save_bank_card(
            session,
            application=application,
            card=parse_bank_card(form.card.data),
            bank=form.bank.data,
            keys=web.card_keys(),
            id_key=web.id_hash_key(),
        )
    elif step == "documents":
        return _upload(session, application, form)
    else:
        submission.submit(
            session, user=signed_in_user(), application=application, today=china_today()
        )
    return True


def new_car_entry(form: NewCarForm) -> services.NewCarEntry:
    """The parsed new-car form as the service takes it."""
    buyer_id = parse_resident_id(form.invoice_buyer_id.data).value
    return services.NewCarEntry(
        vin=parse_vin(form.vin.data).value,
        plate=parse_plate(form.plate.data).value,
        brand=form.brand.data.strip(),
        model=form.model.data.strip(),
        body_type=BodyType(form.body_type.data),
        seats=form.seats.data,
        fuel_type=FuelType(form.fuel_type.data),
        displacement_ml=form.displacement_ml.data,
        registration_date=form.registration_date.data,
        invoice_number=normalize(form.invoice_number.data),
        invoice_date=form.invoice_date.data,
        invoice_price_fen=form.invoice_price.fen,
        invoice_city_code=form.invoice_city.data,
        invoice_buyer_id_hash=resident_id_hash(buyer_id, id_hash_key()),
    )


def _upload(session, application: Application, form: DocumentForm) -> bool:
    kind = form.kind_of(DocumentKind)
    return form.save_with(
        lambda filename, content: services.upload_document(
            session,
            user=signed_in_user(),
            application=application,
            kind=kind,
            filename=filename,
            content=content,
            files=storage.current(),
            today=china_today(),
        )
    )


@bp.post("/<id:application_id>/preview/<step>")
@roles_required(Role.OWNER)
def preview(application_id: int, step: str):
    """The eligibility panel for the fields as typed, without saving them."""
    session = db.session()
    # The typed values go on a copy the session never sees: only the step's submit saves.
    draft = services.unsaved_copy(_mine(application_id))
    form = step_form(session, draft, step)
    if step in ("old-car", "new-car") and form.validate():
        # An error here is shown next to the form when the step is submitted.
        with suppress(DomainError):
            _apply(session, draft, step, form)
    assessment = assess(session, draft, today=china_today())
    return render_template(
        "subsidy/apply/_eligibility.html", assessment=assessment, application=draft
    )


def _apply(session, application: Application, step: str, form) -> None:
    if step == "old-car":
        services.choose_old_car(
            session, application=application, vehicle_id=int(form.vehicle_id.data), flush=False
        )
    else:
        services.save_new_car(
            session, application=application, entry=new_car_entry(form), flush=False
        )


@bp.get("/<id:application_id>/receipt.pdf")
@roles_required(Role.OWNER)
def receipt(application_id: int):
    """The submission receipt to print (in Chinese, as the authorities' papers are)."""
    found = _mine(application_id)
    with force_locale(PAPER_LOCALE):
        sheet = services.receipt_of(db.session(), found, name=_printed_name)
    response = current_app.response_class(receipt_pdf(sheet), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename={found.number}-receipt.pdf"
    return response


def _printed_name(code) -> str:
    """A stored code's name on the receipt: a province by its name, anything else its label."""
    return str(label(code)) if isinstance(code, Enum) else region_name(code)


@bp.post("/<id:application_id>/withdraw")
@roles_required(Role.OWNER)
def withdraw(application_id: int):
    application = _mine(application_id)
    if ConfirmForm().validate_on_submit():
        submission.withdraw(db.session(), user=signed_in_user(), application=application)
    return redirect(url_for("subsidy.application", application_id=application.id), 303)


@bp.route("/<id:application_id>/card", methods=["GET", "POST"])
@roles_required(Role.OWNER)
def fix_card(application_id: int):
    """After the bank returned the payment: a new card, and back to the payout queue."""
    session = db.session()
    application = _mine(application_id)
    # Only a payment the bank returned asks for a new card (the page has no amount before).
    applications.allowed(Action.FIX_ACCOUNT, application, signed_in_user())
    form = BankForm()
    if form.validate_on_submit():
        services.fix_account(
            session,
            user=signed_in_user(),
            application=application,
            card=parse_bank_card(form.card.data),
            bank=form.bank.data,
            keys=web.card_keys(),
            id_key=web.id_hash_key(),
        )
        return redirect(url_for("subsidy.application", application_id=application.id), 303)
    page = render_template("subsidy/apply/card.html", **_context(session, application, form=form))
    return page, 422 if form.errors else 200


@bp.get("/<id:application_id>/documents/<kind>")
@roles_required(Role.OWNER, Role.REVIEWER, Role.ADMIN)
def document(application_id: int, kind: str):
    """A paper, to the applicant and the province's reviewers only."""
    session = db.session()
    found = applications.application_for(
        session, user=signed_in_user(), application_id=application_id
    )
    paper = applications.documents_of(session, found).get(
        DocumentKind(kind) if kind in DocumentKind._value2member_map_ else None
    )
    if paper is None:
        raise NotFound(N_("This paper has not been uploaded."))
    return uploads.download(
        "subsidy", paper.stored_name, content_type=paper.content_type, filename=paper.filename
    )


@bp.app_template_filter()
def paper_label(kind: str) -> str:
    """The label of a paper kind stored as text in an audit event."""
    return label(DocumentKind(kind)) if kind in DocumentKind._value2member_map_ else kind


@bp.post("/<id:application_id>/read/<kind>")
@roles_required(Role.OWNER)
def read(application_id: int, kind: str):
    """Upload a paper to read (issue 15); back to its step, which follows the reading."""
    from portal import tasks

    session, user = db.session(), signed_in_user()
    paper = papers_read.paper_kind(kind)
    application = _mine(application_id)
    form, step = DocumentForm(kind=paper.value), STEP_OF[paper]
    files, started = storage.current(), []

    def keep_and_read(filename: str, content: bytes) -> None:
        if paper in papers_read.KEPT_AS:
            services.upload_document(
                session,
                user=user,
                application=application,
                kind=papers_read.KEPT_AS[paper],
                filename=filename,
                content=content,
                files=files,
                today=china_today(),
            )
        started.append(
            reading_services.start(
                session,
                user=user,
                kind=paper,
                content=content,
                files=files,
                application_id=application.id,
            )
        )

    if not (form.validate_on_submit() and form.save_with(keep_and_read)):
        page_form = step_form(session, application, step)
        return step_page(session, application, step, page_form, status=422, read_form=form)
    reading_id = started[0].id
    db.after_commit(lambda: tasks.read_document(reading_id))
    url = url_for("subsidy.step", application_id=application.id, step=step)
    return redirect(f"{url}?reading={reading_id}", 303)


@bp.route("/<id:application_id>/reading/<id:reading_id>", methods=["GET", "POST"])
@roles_required(Role.OWNER)
def reading_status(application_id: int, reading_id: int):
    """The progress panel (htmx polls it); when the reading ends, the step page again.

    htmx posts the step's form with each poll (a POST, since it may hold an ID number,
    which never goes into a URL): the step then comes back filled around what the owner
    typed meanwhile. A plain GET is sent to the step page, filled around what was saved.
    """
    reading = papers_read.reading_of(application_id, reading_id)
    if reading.status not in (ReadingStatus.DONE, ReadingStatus.FAILED):
        return render_template("reading/_progress.html", reading=reading)
    step = STEP_OF[reading.kind]
    url = url_for("subsidy.step", application_id=application_id, step=step, reading=reading.id)
    if request.method == "GET":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    session = db.session()
    application = _mine(application_id)
    form = step_form(session, application, step)
    page, _status = step_page(session, application, step, form, reading_id=str(reading.id))
    response = make_response(page, 200)
    response.headers.update(
        {
            "HX-Retarget": "#step-form",
            "HX-Reselect": "#step-form",
            "HX-Reswap": "outerHTML",
            "HX-Push-Url": url,
        }
    )
    return response
