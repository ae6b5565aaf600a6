"""The administrators' valuation settings page, under /admin like the other settings."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import audit, db
from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.errors import translate
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.forms import SettingsForm, settings_data
from portal.valuation.settings import services as settings

bp = Blueprint("valuation_settings", __name__, url_prefix="/admin/valuation")


@bp.before_request
@roles_required(Role.ADMIN)
def admins_only():
    """Every page here is for administrators."""


@bp.route("", methods=["GET", "POST"])
def edit():
    """The valuation's configurable values (DOMAIN §3.1, §3.3, §2.2)."""
    session = db.session()
    saved = settings.row(session)
    form = SettingsForm(data=settings_data(saved))
    if form.validate_on_submit():
        try:
            settings.update(session, user=current_user, typed=form.typed())
        except InvalidValuationInput as error:
            form[error.field].errors.append(translate(error))
        else:
            flash(_("The valuation settings are saved."), "success")
            return redirect(url_for("valuation_settings.edit"), 303)
    events = audit.history(session, "valuation_settings", 1)
    page = render_template("valuation/settings.html", form=form, events=events)
    return page, 422 if form.errors else 200
