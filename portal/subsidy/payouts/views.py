"""The administrator's payout pages: paying approved applications through the bank.

Payouts follow DOMAIN §1.4: a batch of a province's approved applications, the bank's
file, "sent", the bank's results, and what to do with each failed payment.
"""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from portal import db, web
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.errors import Conflict, DomainError, NotFound, translate
from portal.fields import ProvinceFilterForm
from portal.messages import N_
from portal.money import yuan
from portal.subsidy import applications
from portal.subsidy.models import PayoutBatch
from portal.subsidy.payouts import services
from portal.subsidy.payouts.forms import (
    BatchForm,
    FailureForm,
    ResultsForm,
    SentForm,
)
from portal.subsidy.terms import PayoutResult, Status
from portal.subsidy.workflow import TRANSITIONS, Action

bp = Blueprint("payouts", __name__, url_prefix="/admin/subsidies/payouts")
# Ids beyond a 32-bit integer are nobody's: 404 before the database sees them.
BATCH = "/<id:batch_id>"
AFTER_FAILURE = {
    "retry": Action.RETRY,
    "return_account": Action.RETURN_ACCOUNT,
    "cancel_payout": Action.CANCEL_PAYOUT,
}
AFTER_FAILURE_DONE = {
    Action.RETRY: N_("%(number)s is approved again and goes into the next batch."),
    Action.RETURN_ACCOUNT: N_("%(number)s is returned to the applicant to correct the card."),
    Action.CANCEL_PAYOUT: N_(
        "The payment of %(number)s is cancelled; its amount is back in the budget."
    ),
}
MAX_RESULTS_BYTES = 5 * 1024 * 1024  # a 5,000-line results file is far smaller
SHOWN_PROBLEMS = 200  # lines of a results report listed one by one


@bp.before_request
@roles_required(Role.ADMIN)
def admins_only():
    """Every page here is for administrators."""


@bp.route("", methods=["GET", "POST"])
def index():
    """What waits for payment, a form to make a batch, and the recent batches."""
    batch_form = BatchForm()
    if batch_form.validate_on_submit():
        try:
            batch = services.make_batch(
                db.session(), user=signed_in_user(), province_code=batch_form.province.data
            )
        except DomainError as error:
            batch_form.province.errors.append(translate(error))
            return _payouts_page(batch_form, status=error.status)
        flash(
            _(
                "Batch %(number)s made: %(count)s applications, %(total)s.",
                number=batch.number,
                count=batch.line_count,
                total=yuan(batch.total_fen),
            ),
            "success",
        )
        return redirect(url_for("payouts.batch", batch_id=batch.id), 303)
    return _payouts_page(batch_form, status=422 if batch_form.errors else 200)


def _payouts_page(batch_form: BatchForm, *, status: int):
    session = db.session()
    filters = ProvinceFilterForm(formdata=request.args)
    province = filters.chosen()
    if not batch_form.is_submitted():
        batch_form.province.data = province or ""  # the province shown is the one to batch
    batches = services.recent_batches(
        session, page=web.page_number(), page_size=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "subsidy/payouts/index.html",
        filters=filters,
        batch_form=batch_form,
        waiting=services.waiting(session, province_code=province),
        page=batches,
        filter_args={"province": province} if province else {},
    ), status


def _batch(batch_id: int) -> PayoutBatch:
    return services.batch_for(db.session(), batch_id)


@bp.get(BATCH)
def batch(batch_id: int):
    """A batch: its figures, its lines, and the forms for its next step."""
    return _batch_page(_batch(batch_id))


def _batch_page(batch: PayoutBatch, *, status: int = 200, **extra):
    session = db.session()
    lines = services.lines_of(session, batch)
    forms = extra.pop("failure_forms", {})
    for line, application, _person in lines:
        if _can_act(line, application) and application.id not in forms:
            forms[application.id] = FailureForm(formdata=None)
    context = dict(
        batch=batch,
        lines=lines,
        failure_forms=forms,
        sent_form=SentForm(),
        results_form=extra.pop("results_form", None) or ResultsForm(formdata=None),
        report=None,
        error=None,
    )
    return render_template("subsidy/payouts/batch.html", **context | extra), status


def _can_act(line, application) -> bool:
    return line.result is PayoutResult.FAILED and application.status is Status.PAYOUT_FAILED


@bp.get(BATCH + "/bank.csv")
def bank_file(batch_id: int):
    """The bank's file: UTF-8 with a byte-order mark, so spreadsheet programs read Chinese."""
    found = _batch(batch_id)
    return Response(
        services.export_csv(db.session(), found, keys=web.card_keys()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename={found.number}.csv",
            # Full card numbers: no cache keeps a copy.
            "Cache-Control": "no-store",
        },
    )


@bp.post(BATCH + "/sent")
def mark_sent(batch_id: int):
    """Mark the batch as sent to the bank, so its results may be read."""
    found = _batch(batch_id)
    if SentForm().validate_on_submit():
        try:
            services.mark_sent(db.session(), user=signed_in_user(), batch=found)
        except Conflict as error:
            return _batch_page(found, status=error.status, error=translate(error))
        flash(_("Batch %(number)s is marked as sent to the bank.", number=found.number), "success")
    return redirect(url_for("payouts.batch", batch_id=found.id), 303)


@bp.post(BATCH + "/results")
def results(batch_id: int):
    """Read the bank's results; the report is the answer (posting it again changes nothing)."""
    session = db.session()
    found = _batch(batch_id)
    form = ResultsForm()
    if not form.validate_on_submit():
        return _batch_page(found, status=422, results_form=form)
    try:
        report = _apply_results(session, found, form.file.data)
    except DomainError as error:  # not sent yet (409), or not the bank's CSV (422)
        form.file.errors.append(translate(error))
        status = error.status if isinstance(error, Conflict) else 422
        return _batch_page(found, status=status, results_form=form)
    problems = [(line, translate(error)) for line, error in report.problems]
    return _batch_page(
        found,
        report=report,
        problems=problems[:SHOWN_PROBLEMS],
        more_problems=max(len(problems) - SHOWN_PROBLEMS, 0),
    )


def _apply_results(session, batch: PayoutBatch, upload) -> services.ResultReport:
    return services.apply_results(
        session, user=signed_in_user(), batch=batch, text=_results_text(upload)
    )


def _results_text(upload) -> str:
    """The uploaded file as text: UTF-8 (with or without a byte-order mark) CSV, or 422."""
    content = upload.read(MAX_RESULTS_BYTES + 1)
    if len(content) > MAX_RESULTS_BYTES:
        raise services.InvalidResults(N_("The results file is larger than 5 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise services.InvalidResults(N_("The results file must be CSV text in UTF-8.")) from error
    if "\x00" in text:  # a binary file (and PostgreSQL refuses NUL in text)
        raise services.InvalidResults(N_("The results file must be CSV text in UTF-8."))
    return text


@bp.post(BATCH + "/applications/<id:application_id>/<action>")
def after_failure(batch_id: int, application_id: int, action: str):
    """Retry a failed payment, return it to the applicant, or cancel it."""
    session = db.session()
    found = _batch(batch_id)
    if action not in AFTER_FAILURE:
        raise NotFound(N_("There is no such action."))
    chosen = AFTER_FAILURE[action]
    application = applications.application_for(
        session, user=signed_in_user(), application_id=application_id
    )
    lines = services.lines_of(session, found)
    if not any(line.application_id == application.id for line, *_rest in lines):
        raise NotFound(N_("This application is not in this batch."))
    form = FailureForm()
    note = web.plain_text(form.note.data)
    valid = form.validate_on_submit()
    if valid and TRANSITIONS[chosen].needs_reason and not note.strip():
        form.note.errors.append(_("Give the reason: the applicant reads it."))
        valid = False
    if not valid:
        return _batch_page(found, status=422, failure_forms={application.id: form})
    try:
        services.after_failure(
            session, user=signed_in_user(), application=application, action=chosen, note=note
        )
    except DomainError as error:  # e.g. someone else acted on it just now
        return _batch_page(found, status=error.status, error=translate(error))
    flash(_(AFTER_FAILURE_DONE[chosen], number=application.number), "success")
    return redirect(url_for("payouts.batch", batch_id=found.id), 303)
