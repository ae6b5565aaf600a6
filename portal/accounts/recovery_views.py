"""Forgot password: ask for a link by email, then set a new password from it."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import db
from portal.accounts import recovery
from portal.accounts.forms import ForgotForm, ResetForm
from portal.errors import DomainError, translate
from portal.extensions import limiter

bp = Blueprint("recovery", __name__, url_prefix="/password")

# Token length bound: a longer path is not one of our links (and is not parsed).
MAX_TOKEN = 200


def _typed_address() -> str:
    """Rate-limit key: the address asked for, so one inbox is not flooded from many places."""
    return "reset:" + request.form.get("email", "").strip().lower()[:254]


def _link_sent(response) -> bool:
    """Only requests that were answered (a link maybe sent) count; a typo does not."""
    return response.status_code == 303


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], deduct_when=_link_sent)
@limiter.limit("3 per hour", methods=["POST"], key_func=_typed_address, deduct_when=_link_sent)
def forgot():
    """Always the same answer, whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        recovery.request_reset(db.session(), email=form.email.data)
        flash(
            _(
                "If an account uses this address, a link to set a new password is on its way. "
                "It works once, for 30 minutes."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"), 303)
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def reset(token: str):
    session = db.session()
    try:
        if len(token) > MAX_TOKEN:
            raise DomainError(recovery.INVALID)
        recovery.user_of(session, token)
    except DomainError as error:
        page = render_template("accounts/reset.html", form=None, problem=translate(error))
        return page, 400
    form = ResetForm()
    if form.validate_on_submit():
        try:
            recovery.reset(session, token=token, password=form.new.data)
        except DomainError as error:
            form.new.errors.append(translate(error))
        else:
            flash(_("Your new password is set. Sign in with it."), "success")
            return redirect(url_for("accounts.login"), 303)
    page = render_template("accounts/reset.html", form=form, problem=None)
    return page, 422 if form.errors else 200, {"Referrer-Policy": "no-referrer"}
