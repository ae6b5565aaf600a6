"""The administrator's subsidy pages: programs, payout batches, the dashboard.

Programs are edited in yuan and percent and checked field by field here, then together
by `administration.update_program`, whose refusal is shown next to the field it names;
a TIERS program's price tiers likewise, by `administration.update_tiers`.
Payouts follow DOMAIN §1.4: a batch of a province's approved applications, the bank's
file, "sent", the bank's results, and what to do with each failed payment.
"""

import csv
from collections import Counter

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

from portal import audit, db, web
from portal.accounts import services as accounts
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.audit import china_today
from portal.errors import Conflict, DomainError, NotFound, translate
from portal.formatting import label, region_name
from portal.messages import N_
from portal.money import yuan
from portal.subsidy import administration, chart, payouts, services
from portal.subsidy.admin_forms import (
    LABELS,
    BatchForm,
    DashboardFilterForm,
    FailureForm,
    PauseForm,
    PayoutFilterForm,
    ProgramFilterForm,
    ProgramForm,
    ResultsForm,
    SentForm,
    TiersForm,
    percent_text,
)
from portal.subsidy.administration import InvalidProgram, InvalidTier
from portal.subsidy.models import PayoutBatch, Program
from portal.subsidy.terms import AmountRule, PayoutResult, Status
from portal.subsidy.workflow import TRANSITIONS, Action

bp = Blueprint("subsidy_admin", __name__, url_prefix="/admin/subsidies")
# Ids beyond a 32-bit integer are nobody's: 404 before the database sees them.
PROGRAM = "/programs/<int(max=2147483647):program_id>"
BATCH = "/payouts/<int(max=2147483647):batch_id>"
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


class InvalidResults(DomainError):
    """The uploaded results file cannot be read as the bank's CSV."""

    status = 422


@bp.before_request
@roles_required(Role.ADMIN)
def admins_only():
    """Every page here is for administrators."""


@bp.context_processor
def helpers() -> dict:
    return {"percent": percent_text, "in_order": _in_order}


def _in_order(by_status: dict[Status, int]) -> list[tuple[Status, int]]:
    """Counts by status in the order of the workflow."""
    return [(status, by_status[status]) for status in Status if by_status.get(status)]


# --- dashboard --------------------------------------------------------------------------


@bp.get("/")
def dashboard():
    form = DashboardFilterForm(formdata=request.args)
    year, province = form.chosen()
    figures = administration.dashboard(db.session(), province_code=province, year=year)
    by_status = Counter()
    for figure in figures:
        by_status.update(figure.by_status)
    totals = {
        "budget": sum(f.program.budget_fen for f in figures),
        "reserved": sum(f.program.reserved_fen for f in figures),
        "paid": sum(f.program.paid_fen for f in figures),
        "left": sum(f.left_fen for f in figures),
    }
    return render_template(
        "subsidy/admin/dashboard.html",
        form=form,
        year=year,
        figures=figures,
        statuses=[status for status in Status if by_status.get(status)],
        by_status=by_status,
        totals=totals,
        svg=_budget_chart(figures, year),
    )


def _budget_chart(figures, year: int):
    bars = [
        chart.Bar(
            label=f"{region_name(f.program.province_code)} · {label(f.program.kind)}",
            paid_fen=f.program.paid_fen,
            reserved_fen=f.program.reserved_fen,
            left_fen=f.left_fen,
            amounts=(yuan(f.program.paid_fen), yuan(f.program.reserved_fen), yuan(f.left_fen)),
        )
        for f in figures
    ]
    words = chart.Words(
        title=_("Budget of each %(year)s program: paid, reserved and left", year=year),
        parts=(_("Paid"), _("Reserved"), _("Left")),
        empty=_("No program matches."),
    )
    return chart.budget_bars(bars, words)


# --- programs ---------------------------------------------------------------------------


@bp.get("/programs")
def programs():
    form = ProgramFilterForm(formdata=request.args)
    year, province = form.chosen()
    listed = administration.programs_list(db.session(), province_code=province, year=year)
    return render_template("subsidy/admin/programs.html", form=form, programs=listed)


@bp.route(PROGRAM, methods=["GET", "POST"])
def program(program_id: int):
    session = db.session()
    found = administration.program(session, program_id)
    form = ProgramForm(found)
    if form.validate_on_submit():
        try:
            administration.update_program(
                session, user=signed_in_user(), program=found, values=form.values
            )
        except InvalidProgram as error:
            session.rollback()  # nothing half-changed; the form keeps what was typed
            field = form.field_for(error.field)
            (field.errors if field is not None else form.form_errors).append(translate(error))
        else:
            flash(_("The program's settings are saved."), "success")
            return redirect(url_for("subsidy_admin.program", program_id=found.id), 303)
    status = 422 if form.errors or form.form_errors else 200
    return _program_page(found, form=form, status=status)


@bp.post(PROGRAM + "/pause")
def pause(program_id: int):
    """No new application from today; started ones may submit until the chosen day."""
    session = db.session()
    found = administration.program(session, program_id)
    form = PauseForm(found)
    if form.validate_on_submit():
        today = china_today()
        # Paused already: the pause keeps its first day; only the grace date moves.
        since = found.pause_at if found.pause_at and found.pause_at <= today else today
        try:
            administration.update_program(
                session,
                user=signed_in_user(),
                program=found,
                values={"pause_at": since, "grace_until": form.grace.data},
            )
        except InvalidProgram as error:
            session.rollback()
            form.grace.errors.append(translate(error))
        else:
            flash(
                _(
                    "The program is paused: no new applications; started ones may submit "
                    "until %(date)s.",
                    date=form.grace.data.isoformat(),
                ),
                "success",
            )
            return redirect(url_for("subsidy_admin.program", program_id=found.id), 303)
    return _program_page(found, pause_form=form, status=422)


@bp.post(PROGRAM + "/tiers")
def tiers(program_id: int):
    """Replace a TIERS program's price tiers with the rows typed; empty rows are removed."""
    session = db.session()
    found = administration.program(session, program_id)
    administration.require_tiers(found)  # 409 for a program without tiers
    form = TiersForm()
    if form.validate_on_submit():
        entered = form.entered()
        try:
            administration.update_tiers(
                session,
                user=signed_in_user(),
                program=found,
                tiers=[tier for _row, tier in entered],
            )
        except InvalidTier as error:
            session.rollback()  # the old tiers stay; the form keeps what was typed
            form.show(error, entered)
        else:
            flash(_("The price tiers are saved."), "success")
            return redirect(url_for("subsidy_admin.program", program_id=found.id), 303)
    return _program_page(found, tiers_form=form, status=422)


def _program_page(
    program: Program, *, form=None, pause_form=None, tiers_form=None, status: int = 200
):
    session = db.session()
    if tiers_form is None and program.amount_rule is AmountRule.TIERS:
        tiers_form = TiersForm(services.program_terms(session, program).tiers, formdata=None)
    return render_template(
        "subsidy/admin/program.html",
        program=program,
        form=form or ProgramForm(program, formdata=None),
        pause_form=pause_form or PauseForm(program, formdata=None),
        tiers_form=tiers_form,
        history=_history(session, program),
        left_fen=program.budget_fen - program.reserved_fen - program.paid_fen,
        today=china_today(),
    ), status


def _history(session, program: Program) -> list[dict]:
    """The program's audited changes, newest first: who, when, each field from → to."""
    events = audit.history(session, "subsidy_program", program.id)
    people = {
        actor_id: accounts.get_user(session, actor_id)
        for actor_id in {event.actor_id for event in events if event.actor_id}
    }
    return [
        {
            "at": event.at,
            "who": people.get(event.actor_id),
            "changes": [
                (LABELS.get(column, column), _shown(column, old), _shown(column, new))
                for column, (old, new) in (event.detail or {}).items()
            ],
        }
        for event in reversed(events)
    ]


def _shown(column: str, value) -> str:
    """A stored setting as the form shows it: fen as yuan, basis points as percent."""
    if value is None:
        return "—"
    if column == "tiers":
        return _tiers_shown(value)
    if column.endswith("_fen"):
        return yuan(value)
    if column.endswith("_bp"):
        return f"{percent_text(value)} %"
    return str(value)


def _tiers_shown(tiers: list[dict]) -> str:
    """Audited tiers on one line: each kind of car, from the lowest price up."""
    kinds = []
    for new_energy, title in ((True, _("New-energy cars")), (False, _("Fuel cars"))):
        steps = [
            _(
                "from %(price)s: %(amount)s",
                price=yuan(t["min_price_fen"]),
                amount=yuan(t["amount_fen"]),
            )
            for t in tiers
            if t["new_energy"] is new_energy
        ]
        kinds.append(_("%(kind)s: %(tiers)s", kind=title, tiers=", ".join(steps) or "—"))
    return "; ".join(kinds)


# --- payouts ----------------------------------------------------------------------------


@bp.route("/payouts", methods=["GET", "POST"])
def payouts_page():
    batch_form = BatchForm()
    if batch_form.validate_on_submit():
        try:
            batch = payouts.make_batch(
                db.session(), user=signed_in_user(), province_code=batch_form.province.data
            )
        except DomainError as error:
            db.session().rollback()
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
        return redirect(url_for("subsidy_admin.batch", batch_id=batch.id), 303)
    return _payouts_page(batch_form, status=422 if batch_form.errors else 200)


def _payouts_page(batch_form: BatchForm, *, status: int):
    session = db.session()
    filters = PayoutFilterForm(formdata=request.args)
    province = filters.chosen()
    if not batch_form.is_submitted():
        batch_form.province.data = province or ""  # the province shown is the one to batch
    page_number = web.page_number()
    batches, has_next = payouts.recent_batches(
        session, page=page_number, page_size=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "subsidy/admin/payouts.html",
        filters=filters,
        batch_form=batch_form,
        waiting=payouts.waiting(session, province_code=province),
        batches=batches,
        page={"number": page_number, "has_next": has_next},
        filter_args={"province": province} if province else {},
    ), status


def _batch(batch_id: int) -> PayoutBatch:
    return payouts.batch_for(db.session(), batch_id)


@bp.get(BATCH)
def batch(batch_id: int):
    return _batch_page(_batch(batch_id))


def _batch_page(batch: PayoutBatch, *, status: int = 200, **extra):
    session = db.session()
    lines = payouts.lines_of(session, batch)
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
    return render_template("subsidy/admin/batch.html", **context | extra), status


def _can_act(line, application) -> bool:
    return line.result is PayoutResult.FAILED and application.status is Status.PAYOUT_FAILED


@bp.get(BATCH + "/bank.csv")
def bank_file(batch_id: int):
    """The bank's file: UTF-8 with a byte-order mark, so spreadsheet programs read Chinese."""
    found = _batch(batch_id)
    return Response(
        "\ufeff" + payouts.export_csv(db.session(), found),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename={found.number}.csv",
            # Full card numbers: no cache keeps a copy.
            "Cache-Control": "no-store",
        },
    )


@bp.post(BATCH + "/sent")
def mark_sent(batch_id: int):
    found = _batch(batch_id)
    if SentForm().validate_on_submit():
        try:
            payouts.mark_sent(db.session(), user=signed_in_user(), batch=found)
        except Conflict as error:
            db.session().rollback()
            return _batch_page(found, status=error.status, error=translate(error))
        flash(_("Batch %(number)s is marked as sent to the bank.", number=found.number), "success")
    return redirect(url_for("subsidy_admin.batch", batch_id=found.id), 303)


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
        session.rollback()  # lines read before a broken one are forgotten too
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


def _apply_results(session, batch: PayoutBatch, upload) -> payouts.ResultReport:
    try:
        return payouts.apply_results(
            session, user=signed_in_user(), batch=batch, text=_results_text(upload)
        )
    except csv.Error as error:  # e.g. a field beyond the csv module's size limit
        raise InvalidResults(
            N_("The results file is not a CSV file the portal can read.")
        ) from error


def _results_text(upload) -> str:
    """The uploaded file as text: UTF-8 (with or without a byte-order mark) CSV, or 422."""
    content = upload.read(MAX_RESULTS_BYTES + 1)
    if len(content) > MAX_RESULTS_BYTES:
        raise InvalidResults(N_("The results file is larger than 5 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidResults(N_("The results file must be CSV text in UTF-8.")) from error
    if "\x00" in text:  # a binary file (and PostgreSQL refuses NUL in text)
        raise InvalidResults(N_("The results file must be CSV text in UTF-8."))
    return text


@bp.post(BATCH + "/applications/<int(max=2147483647):application_id>/<action>")
def after_failure(batch_id: int, application_id: int, action: str):
    """Retry a failed payment, return it to the applicant, or cancel it."""
    session = db.session()
    found = _batch(batch_id)
    if action not in AFTER_FAILURE:
        raise NotFound(N_("There is no such action."))
    chosen = AFTER_FAILURE[action]
    application = services.application_for(
        session, user=signed_in_user(), application_id=application_id
    )
    lines = payouts.lines_of(session, found)
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
        payouts.after_failure(
            session, user=signed_in_user(), application=application, action=chosen, note=note
        )
    except DomainError as error:  # e.g. someone else acted on it just now
        session.rollback()
        return _batch_page(found, status=error.status, error=translate(error))
    flash(_(AFTER_FAILURE_DONE[chosen], number=application.number), "success")
    return redirect(url_for("subsidy_admin.batch", batch_id=found.id), 303)
