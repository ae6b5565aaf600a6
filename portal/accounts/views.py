"""Sign-up, sign-in, sign-out and the account page."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from portal import db
from portal.accounts import services
from portal.accounts.access import signed_in_user
from portal.accounts.forms import LinkPersonForm, LoginForm, PasswordForm, SignupForm
from portal.accounts.redirects import safe_next
from portal.errors import DomainError, translate
from portal.extensions import limiter, submitted_email

bp = Blueprint("accounts", __name__)


def load_user(session_id: str):
    """Flask-Login's loader: the id must carry the account's current session version."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = services.get_user(db.session(), int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=submitted_email)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(
            db.session(), email=form.email.data, password=form.password.data
        )
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"), 303)
        form.password.errors.append(_("The email or the password is not correct."))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("home.index"), 303)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session(),
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
            )
        except DomainError as error:
            form.email.errors.append(translate(error))
        else:
            login_user(user)
            flash(_("Welcome. Link your account to your vehicles below."), "success")
            return redirect(url_for("accounts.account"), 303)
    return render_template("accounts/signup.html", form=form), 422 if form.errors else 200


@bp.get("/account")
@login_required
def account():
    return render_template(
        "accounts/account.html", password_form=PasswordForm(), link_form=LinkPersonForm()
    )


@bp.post("/account/password")
@login_required
@limiter.limit("10 per hour")
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session(), user=signed_in_user(), current=form.current.data, new=form.new.data
            )
        except DomainError as error:
            form.current.errors.append(translate(error))
        else:
            login_user(signed_in_user())  # renew this session only
            flash(_("Your password has been changed. Other devices are signed out."), "success")
            return redirect(url_for("accounts.account"), 303)
    return render_template(
        "accounts/account.html", password_form=form, link_form=LinkPersonForm()
    ), 422


@bp.post("/account/person")
@login_required
@limiter.limit("10 per hour")
def link_person():
    form = LinkPersonForm()
    if form.validate_on_submit():
        try:
            services.link_person(
                db.session(),
                user=signed_in_user(),
                name=form.name.data,
                id_number=form.id_number.data,
                key=current_app.config["ID_HASH_KEY"].encode(),
            )
        except DomainError as error:
            form.id_number.errors.append(translate(error))
        else:
            flash(_("Your account is linked. Your vehicles are listed below."), "success")
            return redirect(url_for("registry.my_vehicles"), 303)
    return render_template(
        "accounts/account.html", password_form=PasswordForm(), link_form=form
    ), 422
