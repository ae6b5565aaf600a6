"""The scrap-or-sell page (DOMAIN §3.5): thin, the comparison is pages.comparison."""

from flask import Blueprint, request

from portal import db, htmx
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.subsidy.compare import pages, services
from portal.subsidy.compare.forms import CompareForm

bp = Blueprint("compare", __name__, url_prefix="/subsidies/compare")


@bp.get("/")
@roles_required(Role.OWNER)
def index():
    session, user = db.session(), signed_in_user()
    cars = services.held_cars(session, user=user)
    form = CompareForm(request.args)
    form.offer(cars)
    comparison = None
    if cars and form.validate():
        comparison = pages.comparison(session, user, form, cars)
    context = {"form": form, "comparison": comparison, "cars": cars}
    status = 422 if form.errors else 200
    return htmx.render(
        "subsidy/compare/index.html", "subsidy/compare/_compare.html", **context
    ), status
