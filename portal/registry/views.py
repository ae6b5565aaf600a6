"""Registry pages: search (staff), a vehicle with its ownership timeline, my vehicles."""

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from portal import db, htmx, web
from portal.accounts.access import STAFF, roles_required
from portal.accounts.models import Role
from portal.identifiers import masked_if_resident_id
from portal.registry import services

bp = Blueprint("registry", __name__)


@bp.route("/vehicles", methods=["GET", "POST"])
@roles_required(*STAFF)
def search():
    """Search as you type; the form posts, so a typed ID number stays out of URLs and logs."""
    fields = request.form if request.method == "POST" else request.args
    web.refuse_control_characters(fields)  # read without a form: the forms' filter, by hand
    query = fields.get("q", "")[:40]
    page = services.search_vehicles(
        db.session(),
        user=current_user,
        query=query,
        key=web.id_hash_key(),
        page=web.page_number(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    shown = masked_if_resident_id(services.search_term(query))
    response = htmx.render("registry/search.html", "registry/_results.html", page=page, query=shown)
    if request.method == "POST":
        response.headers["HX-Push-Url"] = url_for("registry.search", q=shown or None)
    return response


@bp.get("/vehicles/<id:vehicle_id>")
@login_required
def vehicle(vehicle_id: int):
    session = db.session()
    found = services.vehicle_for(session, user=current_user, vehicle_id=vehicle_id)
    timeline = services.ownership_timeline(session, found)
    plates = services.plate_history(session, found.id)
    return render_template("registry/vehicle.html", vehicle=found, timeline=timeline, plates=plates)


@bp.get("/my/vehicles")
@roles_required(Role.OWNER, Role.DEALER)
def my_vehicles():
    page = services.my_vehicles(
        db.session(),
        user=current_user,
        page=web.page_number(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template("registry/mine.html", page=page)
