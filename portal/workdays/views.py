"""`/admin/calendar`: the official working-day schedule, and entering a new year's."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import db
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.errors import translate
from portal.workdays import services
from portal.workdays.forms import FIRST_YEAR, LAST_YEAR, CalendarYearForm

bp = Blueprint("workdays", __name__, url_prefix="/admin/calendar")


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def calendar():
    session = db.session()
    form = CalendarYearForm(data=_saved(session, request.args.get("year", type=int)))
    if form.validate_on_submit():
        try:
            services.enter_year(
                session,
                year=form.year.data,
                days_off=form.days_off.days,
                days_worked=form.days_worked.days,
                actor_id=signed_in_user().id,
            )
        except services.ScheduleError as error:
            form[error.field].errors.append(translate(error))
        else:
            flash(_("The %(year)s schedule is saved.", year=form.year.data), "success")
            return redirect(url_for("workdays.calendar"), 303)
    package = sorted(services.package_schedule().years)
    page = render_template(
        "admin/calendar.html",
        form=form,
        entered=services.entered_years(session),
        package_years=(package[0], package[-1]),
    )
    return page, 422 if form.errors else 200


def _saved(session, year: int | None) -> dict | None:
    """The form filled with an entered year's days, to correct them.

    A year outside the form's range has no days (and one past 64 bits cannot be queried).
    """
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    days_off, days_worked = services.entered_days(session, year)
    return {
        "year": year,
        "days_off": "\n".join(day.isoformat() for day in days_off),
        "days_worked": "\n".join(day.isoformat() for day in days_worked),
    }
