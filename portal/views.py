"""The home page (each role's own), the administrators' dashboard, the language switch,
the icon and the cities of a province."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal import db, web
from portal.accounts import services as accounts
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.accounts.redirects import safe_next
from portal.audit import china_today
from portal.fields import city_choices
from portal.imports import services as imports
from portal.registry import services as registry
from portal.subsidy.apply import services as subsidy
from portal.subsidy.review import services as review
from portal.transfer import services as transfers

bp = Blueprint("home", __name__)
# The administrators' start page; each feature's administration has its own blueprint.
admin = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def index():
    session = db.session()
    counts = registry.vehicle_counts(session)
    day = your_day(session, signed_in_user()) if current_user.is_authenticated else {}
    return render_template("home.html", counts=counts, **day)


HOME_ROWS = 5  # the owner's newest cars and applications on the home page


def your_day(session, user) -> dict:
    """What each role opens the portal for (issue 14): the owner's cars and applications,
    the dealer's open cases by state, the reviewer's and officer's queues with what is past
    its deadline, the administrator's payouts waiting and latest imports."""
    if user.role is Role.OWNER:
        applications = subsidy.my_applications(session, user=user, page=1, page_size=HOME_ROWS)
        vehicles = registry.my_vehicles(session, user=user, page=1, page_size=HOME_ROWS)
        return {"applications": applications.rows, "vehicles": vehicles.rows}
    if user.role in (Role.DEALER, Role.OFFICER):
        return {"desk": transfers.desk_counts(session, user=user)}
    queue = review.queue_counts(session, user=user, today=china_today())
    if user.role is Role.ADMIN:
        jobs = imports.recent_jobs(session, page=1, page_size=3)
        return {"queue": queue, "jobs": jobs.rows}
    return {"queue": queue}


@admin.get("/")
@roles_required(Role.ADMIN)
def dashboard():
    counts = registry.vehicle_counts(db.session())
    return render_template("admin/dashboard.html", counts=counts)


@bp.post("/language")
def language():
    web.refuse_control_characters(request.form)
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            accounts.set_locale(db.session(), user=signed_in_user(), locale=locale)
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"), code=303)


@bp.get("/favicon.ico")
def favicon():
    """Browsers and bookmarks ask for /favicon.ico whatever the pages link to."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/cities")
def cities():
    """The city options of a province, which htmx swaps into a form's city select.

    The province select sends itself, under its own name (`province`, or a transfer's
    `destination_province`), so the one parameter given is the province code.
    """
    code = next(iter(request.args.values()), "")
    return render_template("_city_options.html", choices=city_choices(code))
