"""The privacy notice, consent to a changed notice, and the "my data" download (DOMAIN §6)."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portal import db
from portal.accounts import mydata, privacy
from portal.accounts.access import signed_in_user
from portal.accounts.forms import ConsentForm
from portal.accounts.redirects import safe_next
from portal.audit import china_today
from portal.extensions import limiter

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
def notice():
    return render_template("accounts/privacy.html", version=privacy.VERSION)


@bp.route("/privacy/consent", methods=["GET", "POST"])
@login_required
def consent():
    """Asked at sign-in when the notice changed since the person last agreed."""
    form = ConsentForm()
    target = safe_next(request.args.get("next")) or url_for("home.index")
    if form.validate_on_submit():
        privacy.consent(db.session(), user_id=signed_in_user().id)
        flash(_("Thank you: your consent is recorded."), "success")
        return redirect(target, 303)
    page = render_template("accounts/consent.html", form=form, version=privacy.VERSION)
    return page, 422 if form.errors else 200


@bp.get("/account/data")
@login_required
@limiter.limit("10 per hour")
def my_data():
    """Everything held about the signed-in person, as a JSON file to keep."""
    user = signed_in_user()
    document = mydata.export(db.session(), user)
    name = f"my-data-{china_today().isoformat()}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
