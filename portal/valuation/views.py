"""Valuation pages: what is my car worth, the explained result, the user's history.

`/valuation/result` values the car named by the query string. htmx asks for it as the
inputs change (a preview: nothing is kept, and a field not yet filled is not an error);
the form's submit opens the same URL as a whole page, which can be shared, and which a
signed-in user keeps in the history. The form names the car by a VIN the registry knows
or by brand → series → trim from the catalog. What the pages show is built in `pages.py`.
"""

from dataclasses import replace

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portal import db, htmx, web
from portal.accounts.access import signed_in_user
from portal.audit import china_date, china_today
from portal.errors import translate
from portal.valuation import pages, services
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.forms import ValuationForm

bp = Blueprint("valuation", __name__, url_prefix="/valuation")
# Prices, months and distances as the valuation pages write them, in every template.
for template_filter in (pages.whole_yuan, pages.month_year, pages.kilometres):
    bp.add_app_template_filter(template_filter)

# --- the form and its result ------------------------------------------------------------


@bp.get("/")
def index():
    form = ValuationForm(request.args or None)  # a link may prefill it ("change the inputs")
    pages.catalog_choices(db.session(), form)
    return render_template("valuation/index.html", **pages.page_context(form, pages.Outcome()))


@bp.get("/result")
def result():
    """The valuation of the inputs: the whole page, or the result panel for htmx."""
    preview = htmx.is_htmx()
    form = ValuationForm(request.args)
    outcome = pages.value_form(db.session(), form, preview=preview, keep=False)
    response = htmx.render(
        "valuation/index.html", "valuation/_preview.html", **pages.page_context(form, outcome)
    )
    response.status_code = 422 if outcome.invalid else 200
    return response


@bp.post("/keep")
@login_required
def keep():
    """Value the form's inputs and keep the valuation in the user's history (a GET never
    writes). The page's form posts its fields; older links carry them in the query."""
    form = ValuationForm(request.values)
    outcome = pages.value_form(db.session(), form, preview=False, keep=True)
    if outcome.result is not None and outcome.result.record_id is not None:
        return redirect(url_for("valuation.record", record_id=outcome.result.record_id), 303)
    return render_template("valuation/index.html", **pages.page_context(form, outcome)), 422


@bp.get("/series")
def series():
    """The series select of a brand (and an empty trim select), for htmx."""
    return _fragment("valuation/_series_field.html")


@bp.get("/trims")
def trims():
    """The model-year-and-trim select of a series, for htmx."""
    return _fragment("valuation/_model_field.html")


def _fragment(partial: str):
    """A dependent select for htmx; opened directly, the form prefilled with the query."""
    form = ValuationForm(request.args)
    pages.catalog_choices(db.session(), form)
    context = pages.page_context(form, pages.Outcome())
    return htmx.render("valuation/index.html", partial, oob_model=htmx.is_htmx(), **context)


# --- history ----------------------------------------------------------------------------


@bp.get("/history")
@login_required
def history():
    page = services.history(
        db.session(),
        user=signed_in_user(),
        page=web.page_number(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template("valuation/history.html", rows=page.rows, page=page)


@bp.get("/history/<id:record_id>")
@login_required
def record(record_id: int):
    """A kept valuation, computed again from its inputs as of the day it was run."""
    return _record_page(record_id)


@bp.post("/history/<id:record_id>/rerun")
@login_required
def rerun(record_id: int):
    """Value a kept car again with today's prices and sales; the new run is kept too."""
    session, user = db.session(), signed_in_user()
    kept = services.record_for(session, user=user, record_id=record_id)
    try:
        found = services.value_car(
            session, inputs=services.inputs_of(kept), on=china_today(), user=user, keep=True
        )
    except InvalidValuationInput as error:
        return _record_page(record_id, error=translate(error), status=422)
    flash(_("Valued again with today's prices and sales."), "success")
    return redirect(url_for("valuation.record", record_id=found.record_id), 303)


def _record_page(record_id: int, *, error: str | None = None, status: int = 200):
    session = db.session()
    kept = services.record_for(session, user=signed_in_user(), record_id=record_id)
    model = services.car_model(session, kept.car_model_id)
    context = dict(kept=kept, model=model, error=error)
    context["change_url"] = url_for("valuation.index", **pages.inputs_of(kept, model))
    if error is None:
        on = china_date(kept.created_at)
        try:
            found = services.value_car(
                session, inputs=services.inputs_of(kept), on=on, user=None, keep=False
            )
        except InvalidValuationInput as refused:
            context["error"], status = translate(refused), 422
        else:
            found = replace(found, record_id=kept.id)
            context.update(
                pages.result_context(found, on=on, from_registry=kept.vehicle_id is not None)
            )
            context["changed"] = found.valuation.private.mid_fen != kept.private_fen
    return render_template("valuation/record.html", **context), status
