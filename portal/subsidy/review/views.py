"""The reviewer's pages: the province's queue, an application, approve, reject, return.

The queue's filter form asks htmx for the rows only and pushes its URL, which renders
the whole page when opened directly. A decision answers 303 to the application page,
or the queue row again to the queue's htmx buttons. A domain error (illegal state,
budget exhausted, not eligible) shows the page again with its message, 409 or 422.
The app-wide CSRFProtect checks every post, so the decision forms skip their own token.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import db, htmx, web
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role, User
from portal.audit import china_today, history
from portal.errors import DomainError, translate
from portal.identifiers import masked_if_resident_id
from portal.labels import label
from portal.messages import N_
from portal.reading import compare
from portal.subsidy import applications, program_lookup, workflow
from portal.subsidy.assessment import assess, old_car_facts
from portal.subsidy.models import Application, Program
from portal.subsidy.review import services
from portal.subsidy.review.forms import ProgramYearForm, RejectForm, ReturnForm
from portal.subsidy.rules.papers import required_documents
from portal.subsidy.terms import DocumentKind, Kind, RejectReason, Status

bp = Blueprint("review", __name__, url_prefix="/review")
READERS = (Role.REVIEWER, Role.ADMIN)
# Ids beyond a 32-bit integer are nobody's: 404 before the database sees them.
ONE = "/<id:application_id>"
FLAGGED = {"yes": True, "no": False}
SORT_NAMES = {
    "oldest": N_("Oldest first (in order of arrival)"),
    "newest": N_("Newest first"),
    "amount": N_("Largest amount first"),
}
SHOWN_IN_SUMMARY = 10  # skipped applications listed one by one after a bulk approval


class Invalid(DomainError):
    """Posted values the forms refuse: ids that are not ids, a decision form left empty."""

    status = 422


# --- the queue --------------------------------------------------------------------------


def _filters(args) -> tuple[services.QueueFilter, dict[str, str]]:
    """The queue filter from query or form values; anything unknown falls back to the default.

    Also returns the filter as canonical parameters, for links, the form and redirects.
    """
    web.refuse_control_characters(args)
    kind = args.get("kind", "")
    kind = kind if kind in Kind._value2member_map_ else ""
    status = args.get("status", Status.SUBMITTED.value)
    if status != "any" and status not in {s.value for s in services.QUEUE_STATUSES}:
        status = Status.SUBMITTED.value
    flagged = args.get("flagged", "")
    flagged = flagged if flagged in FLAGGED else ""
    sort = args.get("sort", "oldest")
    sort = sort if sort in SORT_NAMES else "oldest"
    overdue = args.get("overdue") == "1"
    # Letters, digits and a mask's stars are all a number, a VIN or an ID has (PostgreSQL
    # refuses NUL).
    query = "".join(char for char in args.get("q", "") if char.isalnum() or char == "*")[:40]
    filters = services.QueueFilter(
        kind=Kind(kind) if kind else None,
        status=None if status == "any" else Status(status),
        flagged=FLAGGED.get(flagged),
        overdue=overdue,
        query=query,
        sort=sort,
    )
    # A resident ID number never goes into a URL (and so a log): only its mask does.
    params = dict(
        kind=kind, status=status, flagged=flagged, sort=sort, q=masked_if_resident_id(query)
    )
    params = {name: value for name, value in params.items() if value}
    if overdue:
        params["overdue"] = "1"
    return filters, params


def _queue_page(filters: services.QueueFilter, page: int = 1) -> db.Page:
    return services.queue(
        db.session(),
        user=signed_in_user(),
        filters=filters,
        key=web.id_hash_key(),
        today=china_today(),
        page=page,
        page_size=current_app.config["PAGE_SIZE"],
    )


@bp.route("/", methods=["GET", "POST"])
@roles_required(*READERS)
def index():
    """The queue; the search form posts, so a typed ID number stays out of the URL."""
    filters, params = _filters(request.form if request.method == "POST" else request.args)
    response = htmx.render(
        "subsidy/review/index.html",
        "subsidy/review/_queue.html",
        page=_queue_page(filters, web.page_number()),
        params=params,
        kinds=list(Kind),
        statuses=services.QUEUE_STATUSES,
        sorts=SORT_NAMES,
        can_decide=signed_in_user().role is Role.REVIEWER,
    )
    if request.method == "POST":
        response.headers["HX-Push-Url"] = url_for("review.index", **params)
    return response


@bp.post("/bulk-approve")
@roles_required(Role.REVIEWER)
def bulk_approve():
    """Approve the ticked applications that carry no flag; say which were skipped and why."""
    _unused, params = _filters(request.form)
    back = url_for("review.index", **params)
    raw = request.form.getlist("ids")
    if not raw:
        flash(_("Tick the applications to approve first."), "error")
        return redirect(back, 303)
    ids = [web.row_id(value) for value in raw]
    if None in ids:
        raise Invalid(N_("Choose applications from the list."))
    ids = list(dict.fromkeys(ids))
    _summarise(_approve_unflagged(ids))
    return redirect(back, 303)


def _approve_unflagged(ids: list[int]) -> services.BulkResult:
    return services.approve_unflagged(
        db.session(), user=signed_in_user(), application_ids=ids, today=china_today()
    )


def _summarise(result: services.BulkResult) -> None:
    if result.approved:
        flash(
            _(
                "Approved %(count)s: %(numbers)s.",
                count=len(result.approved),
                numbers=", ".join(result.approved),
            ),
            "success",
        )
    for number, error in result.skipped[:SHOWN_IN_SUMMARY]:
        flash(
            _("Not approved %(number)s: %(reason)s", number=number, reason=translate(error)),
            "error",
        )
    if len(result.skipped) > SHOWN_IN_SUMMARY:
        more = len(result.skipped) - SHOWN_IN_SUMMARY
        flash(_("%(count)s more were not approved.", count=more), "error")


def _row(user: User, application: Application) -> services.QueueRow | None:
    """The application's queue row (the queue's own query, found by its number)."""
    if not application.number:
        return None
    filters = services.QueueFilter(status=None, query=application.number)
    rows = services.queue(
        db.session(),
        user=user,
        filters=filters,
        key=web.id_hash_key(),
        today=china_today(),
        page=1,
        page_size=5,
    ).rows
    return next((row for row in rows if row.application.id == application.id), None)


# --- one application --------------------------------------------------------------------


def _decision_forms(**failed) -> dict:
    forms = {
        "reject_form": RejectForm(formdata=None, prefix="reject", meta={"csrf": False}),
        "return_form": ReturnForm(formdata=None, prefix="return", meta={"csrf": False}),
    }
    return forms | failed


def _page(application_id: int, *, status: int = 200, error=None, **failed_forms):
    """The application page; after a refused decision with the message and the form kept."""
    session, user = db.session(), signed_in_user()
    found = applications.application_for(session, user=user, application_id=application_id)
    program = program_lookup.program_of(session, found)
    actors = applications.actors_for(user, found)
    documents = applications.documents_of(session, found)
    required = required_documents(program.kind)
    old_car = old_car_facts(session, found)
    events = history(session, applications.ENTITY, found.id)
    year_form, checked = _program_checked(session, program)
    if year_form.errors and status == 200:
        status = 422
    context = dict(
        application=found,
        program=program,
        row=_row(user, found),
        old_vehicle=applications.old_vehicle(session, found),
        old_car=old_car,
        year_form=year_form,
        checked_program=checked,
        assessment=assess(session, found, today=china_today(), program=checked),
        flags=_flags(found),
        papers_read=compare.papers_read(
            session, found, keys=web.card_keys(), id_key=web.id_hash_key()
        ),
        papers=[(kind, documents.get(kind)) for kind in required],
        timeline=[(event, _paper(event.detail)) for event in reversed(events)],
        actions=workflow.available_actions(found.status, actors),
        needs_first=workflow.needs_second_approval(found.flagged, found.first_approver_id),
        my_first=found.first_approver_id is not None and found.first_approver_id == user.id,
        error=translate(error) if error else None,
        error_reasons=[translate(r) for r in getattr(error, "reasons", ())],
        **_decision_forms(**failed_forms),
    )
    return render_template("subsidy/review/application.html", **context), status


def _program_checked(session, program: Program) -> tuple[ProgramYearForm, Program]:
    """The program-year choice and the program the rules panel checks against (issue 16).

    Only the years of the application's own province and kind are offered or accepted, so
    no reviewer reaches another province's programs through it; a refused choice keeps the
    application's own program and says why next to the field.
    """
    years = program_lookup.program_years(
        session, province_code=program.province_code, kind=program.kind
    )
    form = ProgramYearForm(request.args, years=years, own_year=program.year)
    if "program_year" in request.args:
        form.validate()
    year = form.chosen(program.year)
    if year == program.year:
        return form, program
    other = program_lookup.program_of_year(
        session, province_code=program.province_code, kind=program.kind, year=year
    )
    return form, other


def _flags(application: Application) -> list[str]:
    return [label(flag) for flag in application.flag_list]


def _paper(detail: dict | None) -> str | None:
    kind = (detail or {}).get("kind")
    return label(DocumentKind(kind)) if kind in DocumentKind._value2member_map_ else kind


@bp.get(ONE)
@roles_required(*READERS)
def application(application_id: int):
    return _page(application_id)


def _decide(application_id: int, decide, *, form=None, form_name: str = ""):
    """Validate form, call decide(session, user, application), and answer as the caller wants."""
    session, user = db.session(), signed_in_user()
    found = applications.application_for(session, user=user, application_id=application_id)
    if form is not None and not form.validate():
        if htmx.is_htmx():
            messages = (error for errors in form.errors.values() for error in errors)
            raise Invalid(" ".join(str(message) for message in messages))
        return _page(application_id, status=422, **{form_name: form})
    try:
        decide(session, user, found)
    except DomainError as error:
        if htmx.is_htmx():
            raise  # the error handler puts the message in #messages
        kept = {form_name: form} if form else {}
        return _page(application_id, status=error.status, error=error, **kept)
    if htmx.is_htmx():
        return htmx.render(
            "subsidy/review/_queue_row.html",
            "subsidy/review/_queue_row.html",
            row=_row(user, found),
            can_decide=True,
        )
    return redirect(url_for("review.application", application_id=found.id), 303)


@bp.post(ONE + "/approve")
@roles_required(Role.REVIEWER)
def approve(application_id: int):
    def decide(session, user, application):
        services.approve(session, user=user, application=application, today=china_today())

    return _decide(application_id, decide)


@bp.post(ONE + "/reject")
@roles_required(Role.REVIEWER)
def reject(application_id: int):
    form = RejectForm(prefix="reject", meta={"csrf": False})

    def decide(session, user, application):
        services.reject(
            session,
            user=user,
            application=application,
            reason=RejectReason(form.reason.data),
            note=web.plain_text(form.note.data),
        )

    return _decide(application_id, decide, form=form, form_name="reject_form")


@bp.post(ONE + "/return")
@roles_required(Role.REVIEWER)
def return_for_correction(application_id: int):
    form = ReturnForm(prefix="return", meta={"csrf": False})

    def decide(session, user, application):
        services.return_for_correction(
            session, user=user, application=application, note=web.plain_text(form.note.data)
        )

    return _decide(application_id, decide, form=form, form_name="return_form")
