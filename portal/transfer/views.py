"""Transfer pages: dealers file and follow cases; officers work their province's queue."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale

from portal import db, htmx, regions, storage, tasks, uploads, web
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.errors import DomainError, NotFound, refusal_status, translate
from portal.forms import DocumentForm
from portal.identifiers import InvalidIdentifier
from portal.imports import services as imports
from portal.labels import label
from portal.messages import N_
from portal.payments.gateway import StripeConfig
from portal.pdf import PAPER_LOCALE
from portal.registry import services as registry
from portal.transfer import bulk as bulk_rows
from portal.transfer import documents, emission, fees, pages, pdf, plates, services, steps
from portal.transfer.errors import FilingRefused
from portal.transfer.forms import (
    ActionForm,
    BulkForm,
    CaseForm,
    EmissionRuleForm,
    FindVehicleForm,
    PlateForm,
)
from portal.transfer.terms import (
    QUEUES,
    BuyerKind,
    DocumentKind,
    EmissionAcceptance,
    TransferStatus,
)
from portal.transfer.workflow import Action, queue_step

bp = Blueprint("transfer", __name__, url_prefix="/transfers")
STAFF = (Role.DEALER, Role.OFFICER, Role.ADMIN)

# What each direction of an officer's queue waits for (issue: officer pages).
PAPERWORK = {"application": pdf.application_form_pdf, "summary": pdf.case_summary_pdf}


bp.add_app_template_global(queue_step)


@bp.app_template_filter()
def document_label(kind: str) -> str:
    """The label of a document kind stored as text in an audit event."""
    return label(DocumentKind(kind)) if kind in DocumentKind._value2member_map_ else kind


@bp.get("/")
@roles_required(*STAFF)
def index():
    user = signed_in_user()
    status = request.args.get("status", "")
    statuses = [TransferStatus(status)] if status in TransferStatus._value2member_map_ else []
    direction = request.args.get("direction") if user.role is Role.OFFICER else None
    direction = direction if direction in QUEUES else None
    query = request.args.get("q", "")[:40]
    page = services.list_cases(
        db.session(),
        user=user,
        statuses=statuses or list(QUEUES.get(direction, [])),
        query=query,
        direction=direction,
        page=web.page_number(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return htmx.render(
        "transfer/index.html",
        "transfer/_cases.html",
        page=page,
        status=status,
        query=query,
        direction=direction,
        statuses=list(TransferStatus),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.DEALER)
def new():
    session = db.session()
    find, form = FindVehicleForm(request.args), CaseForm()
    vehicle, problems, status = None, [], 422
    try:
        if form.vehicle_id.data and form.vehicle_id.data.isdigit():
            vehicle = services.vehicle_by_id(session, web.row_id(form.vehicle_id.data))
        elif find.q.data and find.validate():
            vehicle = services.vehicle_to_file(session, query=find.q.data)
            form.vehicle_id.data = str(vehicle.id)
    except DomainError as error:
        find.q.errors = [translate(error)]
    if vehicle is not None and form.validate_on_submit():
        try:
            case = services.open_case(
                session, user=signed_in_user(), filing=_filing(form), key=web.id_hash_key()
            )
        except FilingRefused as refused:
            problems = [translate(problem) for problem in refused.problems]
        except (DomainError, InvalidIdentifier) as error:
            problems, status = [translate(error)], refusal_status(error)
        else:
            return redirect(url_for("transfer.case", case_id=case.id), 303)
    company = registry.dealer_of(session, signed_in_user())
    if request.method == "GET" and request.args.get("seller") == "company" and company:
        form.seller_name.data, form.seller_identifier.data = company.name, company.uscc
    failed = form.errors or problems or find.q.errors
    page = render_template(
        "transfer/new.html",
        find=find,
        form=form,
        vehicle=vehicle,
        problems=problems,
        company=company,
    )
    return page, status if failed else 200


def _filing(form: CaseForm) -> services.Filing:
    buyer = services.Buyer(
        kind=BuyerKind(form.buyer_kind.data),
        name=form.buyer_name.data,
        identifier=form.buyer_identifier.data,
    )
    return services.Filing(
        vehicle_id=int(form.vehicle_id.data),
        seller_name=form.seller_name.data,
        seller_identifier=form.seller_identifier.data,
        buyer=buyer,
        destination_city_code=form.destination_city.data,
        price_fen=form.price.fen,
        sale_date=form.sale_date.data,
        mileage_km=form.mileage_km.data,
        dealer_temporary=form.dealer_temporary.data,
    )


@bp.route("/bulk", methods=["GET", "POST"])
@roles_required(Role.DEALER)
def bulk():
    session, user = db.session(), signed_in_user()
    form = BulkForm()
    if form.validate_on_submit():
        try:
            job = imports.start_import(
                session,
                kind="transfer",
                filename=form.file.data.filename or "transfers.csv",
                content=form.file.data.read(),
                files=storage.current(),
                actor_id=user.id,
            )
        except DomainError as error:
            form.file.errors = [translate(error)]
        else:
            db.after_commit(lambda: tasks.queue_import(job.id))
            return redirect(url_for("transfer.bulk_job", job_id=job.id), 303)
    imports.mark_stalled(session, silent_for=web.stall_limit())
    jobs = imports.recent_jobs(
        session, page=1, page_size=10, kind="transfer", created_by=user.id
    ).rows
    page = render_template("transfer/bulk.html", form=form, jobs=jobs, header=bulk_rows.HEADER)
    return page, 422 if form.errors else 200


def _bulk_job(job_id: int):
    return imports.get_job(db.session(), job_id, kind="transfer", created_by=signed_in_user().id)


@bp.get("/bulk/<id:job_id>")
@roles_required(Role.DEALER)
def bulk_job(job_id: int):
    imports.mark_stalled(db.session(), silent_for=web.stall_limit())
    job = _bulk_job(job_id)
    return htmx.render(
        "transfer/bulk_job.html",
        "imports/_progress.html",
        job=job,
        progress_url=url_for("transfer.bulk_job", job_id=job.id),
        problems_url=url_for("transfer.bulk_problems", job_id=job.id),
        resume_url=url_for("transfer.bulk_resume", job_id=job.id),
        discard_url=url_for("transfer.bulk_discard", job_id=job.id),
    )


@bp.post("/bulk/<id:job_id>/resume")
@roles_required(Role.DEALER)
def bulk_resume(job_id: int):
    """Run a stalled bulk filing again from the start of its file."""
    job = imports.resume(db.session(), job=_bulk_job(job_id), actor_id=signed_in_user().id)
    db.after_commit(lambda: tasks.queue_import(job.id))
    return redirect(url_for("transfer.bulk_job", job_id=job.id), 303)


@bp.post("/bulk/<id:job_id>/discard")
@roles_required(Role.DEALER)
def bulk_discard(job_id: int):
    """Give up a stalled bulk filing and delete its file."""
    imports.discard(
        db.session(),
        job=_bulk_job(job_id),
        files=storage.current(),
        actor_id=signed_in_user().id,
    )
    return redirect(url_for("transfer.bulk_job", job_id=job_id), 303)


@bp.get("/bulk/<id:job_id>/problems.csv")
@roles_required(Role.DEALER)
def bulk_problems(job_id: int):
    job = _bulk_job(job_id)
    response = current_app.response_class(
        imports.problems_csv(db.session(), job), mimetype="text/csv"
    )
    response.headers["Content-Disposition"] = (
        f"attachment; filename=transfers-{job.id}-problems.csv"
    )
    return response


@bp.get("/<id:case_id>")
@roles_required(*STAFF)
def case(case_id: int):
    return _case_page(case_id)


def _case_page(case_id: int, *, document_form=None, action_error=None, status=200):
    session, user = db.session(), signed_in_user()
    found = services.case_for(session, user=user, case_id=case_id)
    context = pages.case_view(session, case=found, user=user)
    page = render_template(
        "transfer/case.html",
        **context,
        document_form=document_form or DocumentForm(),
        action_error=action_error,
    )
    return page, status


@bp.post("/<id:case_id>/documents")
@roles_required(Role.DEALER)
def upload(case_id: int):
    session, user = db.session(), signed_in_user()
    found = services.case_for(session, user=user, case_id=case_id)
    form = DocumentForm()
    if form.validate_on_submit():
        kind = form.kind_of(DocumentKind)
        saved = form.save_with(
            lambda filename, content: documents.upload_document(
                session,
                user=user,
                case=found,
                kind=kind,
                filename=filename,
                content=content,
                files=storage.current(),
            )
        )
        if saved:
            return redirect(url_for("transfer.case", case_id=case_id) + "#documents", 303)
    return _case_page(case_id, document_form=form, status=422)


@bp.get("/<id:case_id>/documents/<id:document_id>")
@roles_required(*STAFF)
def document(case_id: int, document_id: int):
    found = documents.document_for(
        db.session(), user=signed_in_user(), case_id=case_id, document_id=document_id
    )
    return uploads.download(
        f"transfer/{case_id}",
        found.stored_name,
        content_type=found.content_type,
        filename=found.filename,
    )


@bp.route("/<id:case_id>/plate", methods=["GET", "POST"])
@roles_required(*STAFF)
def plate(case_id: int):
    """The buyer's new plate: pick an offered number or compose one (DOMAIN §2.3)."""
    session, user = db.session(), signed_in_user()
    found = services.case_for(session, user=user, case_id=case_id)
    form, status = PlateForm(), 200
    if form.validate_on_submit():
        try:
            plates.choose(session, user=user, case=found, text=form.plate.data)
        except (DomainError, InvalidIdentifier) as error:
            form.plate.errors, status = [translate(error)], refusal_status(error)
        else:
            return redirect(url_for("transfer.case", case_id=case_id) + "#vehicle", 303)
    elif form.errors:
        status = 422
    offer = plates.offer(session, user=user, case=found, count=current_app.config["PLATE_CHOICES"])
    return render_template("transfer/plate.html", case=found, offer=offer, form=form), status


@bp.post("/<id:case_id>/fees")
@roles_required(Role.DEALER)
def pay_fees(case_id: int):
    session, user = db.session(), signed_in_user()
    found = services.case_for(session, user=user, case_id=case_id)
    payment = fees.start_fee_payment(
        session, user=user, case=found, stripe_config=StripeConfig.from_app(current_app.config)
    )
    return redirect(url_for("payments.pay", payment_id=payment.id), 303)


@bp.post("/<id:case_id>/<action>")
@roles_required(*STAFF)
def act(case_id: int, action: str):
    if action not in Action._value2member_map_ or action == Action.PAY:
        raise NotFound(N_("There is no such action."))
    session, user = db.session(), signed_in_user()
    found = services.case_for(session, user=user, case_id=case_id)
    form = ActionForm()
    if not form.validate_on_submit():
        errors = " ".join(error for errors in form.errors.values() for error in errors)
        return _case_page(case_id, action_error=errors, status=422)
    steps.act(
        session,
        user=user,
        case=found,
        action=Action(action),
        reason=form.reason.data or "",
        stripe_config=StripeConfig.from_app(current_app.config),
    )
    if htmx.is_htmx():
        row = services.CaseRow(found, services.vehicle_by_id(session, found.vehicle_id))
        direction = request.args.get("direction")
        return htmx.render(
            "transfer/_queue_row.html",
            "transfer/_queue_row.html",
            row=row,
            direction=direction if direction in QUEUES else None,
        )
    return redirect(url_for("transfer.case", case_id=case_id), 303)


@bp.get("/<id:case_id>/paperwork/<which>.pdf")
@roles_required(*STAFF)
def paperwork_pdf(case_id: int, which: str):
    """The case's paperwork to print (in Chinese, as the authorities' papers are)."""
    session = db.session()
    found = services.case_for(session, user=signed_in_user(), case_id=case_id)
    if which not in PAPERWORK:
        raise NotFound(N_("There is no such document."))
    with force_locale(PAPER_LOCALE):
        sheet = pages.sheet_for(session, found)
    document = PAPERWORK[which](sheet)
    response = current_app.response_class(document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename={found.number}-{which}.pdf"
    return response


def _chosen_province() -> str:
    """The province asked for; else the first of the list, as the page's select shows it."""
    code = request.args.get("province", "")
    return code if regions.province(code) else regions.provinces()[0].code


@bp.route("/emission-rules", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def emission_rules():
    province = _chosen_province()
    form, error_city = EmissionRuleForm(), None
    if form.validate_on_submit():
        try:
            emission.set_rule(
                db.session(),
                city_code=form.city_code.data,
                acceptance=EmissionAcceptance(form.acceptance.data),
                actor_id=signed_in_user().id,
            )
        except DomainError as error:
            form.acceptance.errors = [translate(error)]
            error_city = form.city_code.data
        else:
            return redirect(url_for("transfer.emission_rules", province=province), 303)
    page = render_template(
        "transfer/emission_rules.html",
        province=province,
        form=form,
        error_city=error_city,
        rules=emission.rules_of_province(db.session(), province),
        acceptances=list(EmissionAcceptance),
    )
    return page, 422 if form.errors else 200
