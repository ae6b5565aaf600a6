"""The home page, the language switch, the icon and the health check."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal import db, web
from portal.accounts import services as accounts
from portal.accounts.access import signed_in_user
from portal.accounts.redirects import safe_next
from portal.registry import services as registry

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    counts = registry.vehicle_counts(db.session())
    return render_template("home.html", counts=counts)


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


@bp.get("/healthz")
def health():
    db.ping()
    return {"status": "ok"}
