"""The administrator's subsidy pages: the dashboard and the programs' settings.

Programs are edited in yuan and percent and checked field by field here, then together
by `services.update_program`, whose refusal is shown next to the field it names;
a TIERS program's price tiers likewise, by `services.update_tiers`.
Payout batches have their own room (`payouts`).
"""

from collections import Counter

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import audit, db, web
from portal.accounts import services as accounts
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.audit import china_today
from portal.errors import translate
from portal.formatting import region_name
from portal.labels import label
from portal.money import percent_text, share_of, yuan
from portal.subsidy import program_lookup
from portal.subsidy.models import Program
from portal.subsidy.programs import chart, services
from portal.subsidy.programs.forms import (
    LABELS,
    DashboardFilterForm,
    PauseForm,
    ProgramFilterForm,
    ProgramForm,
)
from portal.subsidy.programs.services import InvalidProgram, InvalidTier
from portal.subsidy.programs.tier_forms import TiersForm
from portal.subsidy.terms import AmountRule, Status

bp = Blueprint("subsidy_admin", __name__, url_prefix="/admin/subsidies")
# Ids beyond a 32-bit integer are nobody's: 404 before the database sees them.
PROGRAM = "/programs/<id:program_id>"


@bp.before_request
@roles_required(Role.ADMIN)
def admins_only():
    """Every page here is for administrators."""


@bp.context_processor
def helpers() -> dict:
    """What the program templates format with."""
    return {"percent": _rate_text, "in_order": _in_order}


def _rate_text(bp: int) -> str:
    """A program's rate as the form shows it: 1200 basis points → "12"."""
    return percent_text(share_of(bp))


def _in_order(by_status: dict[Status, int]) -> list[tuple[Status, int]]:
    """Counts by status in the order of the workflow."""
    return [(status, by_status[status]) for status in Status if by_status.get(status)]


# --- dashboard --------------------------------------------------------------------------


@bp.get("/")
def dashboard():
    """A year's programs at a glance: budget paid, reserved and left, applications by status."""
    form = DashboardFilterForm(formdata=request.args)
    year, province = form.chosen()
    figures = services.dashboard(db.session(), province_code=province, year=year)
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
        "subsidy/programs/dashboard.html",
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
    """The programs, filtered by year and province."""
    form = ProgramFilterForm(formdata=request.args)
    year, province = form.chosen()
    number = web.page_number()
    listed = services.programs_page(
        db.session(),
        province_code=province,
        year=year,
        page=number,
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "subsidy/programs/programs.html",
        form=form,
        programs=listed.rows,
        page=listed,
        params={name: value for name, value in request.args.items() if name != "page"},
    )


@bp.route(PROGRAM, methods=["GET", "POST"])
def program(program_id: int):
    """A program's settings, pause and price tiers, with the history of its changes."""
    session = db.session()
    found = services.program(session, program_id)
    form = ProgramForm(found)
    if form.validate_on_submit():
        try:
            services.update_program(
                session, user=signed_in_user(), program=found, values=form.values
            )
        except InvalidProgram as error:  # refused before anything was written
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
    found = services.program(session, program_id)
    form = PauseForm(found)
    if form.validate_on_submit():
        today = china_today()
        # Paused already: the pause keeps its first day; only the grace date moves.
        since = found.pause_at if found.pause_at and found.pause_at <= today else today
        try:
            services.update_program(
                session,
                user=signed_in_user(),
                program=found,
                values={"pause_at": since, "grace_until": form.grace.data},
            )
        except InvalidProgram as error:
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
    found = services.program(session, program_id)
    services.require_tiers(found)  # 409 for a program without tiers
    form = TiersForm()
    if form.validate_on_submit():
        entered = form.entered()
        try:
            services.update_tiers(
                session,
                user=signed_in_user(),
                program=found,
                tiers=[tier for _row, tier in entered],
            )
        except InvalidTier as error:  # refused before anything was written
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
        tiers_form = TiersForm(program_lookup.program_terms(session, program).tiers, formdata=None)
    return render_template(
        "subsidy/programs/program.html",
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
    events = audit.history(session, services.ENTITY, program.id)
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
        return f"{_rate_text(value)} %"
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
