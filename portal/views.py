"""The home page, the administrators' dashboard, the language switch and the cities of
a province."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal import db, web
from portal.accounts import services as accounts
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.accounts.redirects import safe_next
from portal.fields import city_choices
from portal.registry import services as registry

bp = Blueprint("home", __name__)
# The administrators' start page; each feature's administration has its own blueprint.
admin = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def index():
    counts = registry.vehicle_counts(db.session())
    return render_template("home.html", counts=counts)


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


@bp.get("/cities")
def cities():
    """The city options of a province, which htmx swaps into a form's city select.

    The province select sends itself, under its own name (`province`, or a transfer's
    `destination_province`), so the one parameter given is the province code.
    """
    code = next(iter(request.args.values()), "")
    return render_template("_city_options.html", choices=city_choices(code))
