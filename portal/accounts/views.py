"""Sign-up, sign-in, sign-out and the account page."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import db, web
from portal.accounts import privacy, services, sessions, tokens
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.forms import (
    LinkPersonForm,
    LoginForm,
    PasswordForm,
    SignupForm,
    TokenForm,
)
from portal.accounts.pages import account_page
from portal.accounts.redirects import safe_next
from portal.errors import DomainError, translate
from portal.extensions import SIGN_IN_TIERS, address_and_account, failed_sign_in, limiter
from portal.forms import Form

bp = Blueprint("accounts", __name__)


def load_user(login_secret: str):
    """Flask-Login's loader: the id is the secret of a session row that still exists."""
    return sessions.user_for(db.session(), login_secret)


def sign_in(user, *, remember: bool = False) -> None:
    """Start a server-side session for the user and hand it to Flask-Login's cookies."""
    sessions.start(db.session(), user=user)
    login_user(user, remember=remember)
    # A language chosen before signing in is the newest choice: the account keeps it.
    chosen = session.get("locale")
    if chosen in current_app.config["LANGUAGES"] and chosen != user.locale:
        services.set_locale(db.session(), user=user, locale=chosen)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"], deduct_when=failed_sign_in)
@limiter.limit(
    SIGN_IN_TIERS, methods=["POST"], key_func=address_and_account, deduct_when=failed_sign_in
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(
            db.session(), email=form.email.data, password=form.password.data
        )
        if user is not None:
            sign_in(user, remember=form.remember.data)
            target = safe_next(request.args.get("next")) or url_for("home.index")
            if not privacy.has_current_consent(db.session(), user.id):  # DOMAIN §6
                return redirect(url_for("privacy.consent", next=target), 303)
            return redirect(target, 303)
        form.password.errors.append(_("The email or the password is not correct."))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    # The row goes, so a copy of the session or remember cookie opens nothing afterwards.
    if current_user.is_authenticated:
        sessions.end(db.session(), current_user.get_id())
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("home.index"), 303)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def signup():
    """Sign-up answers alike whether or not the address has an account (no enumeration).

    A new address gets its account; a taken one gets nothing here. Both are asked to sign
    in. The owner of a taken address is told by a notice that someone tried to sign up
    with it.
    """
    form = SignupForm()
    if form.validate_on_submit():
        try:
            services.sign_up(
                db.session(),
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
            )
        except DomainError as error:
            form.password.errors.append(translate(error))
        else:
            flash(
                _(
                    "Thank you. If this email address is new to the portal, its account "
                    "is ready: sign in below. If it had an account already, sign in with "
                    "that account's password."
                ),
                "info",
            )
            return redirect(url_for("accounts.login"), 303)
    return render_template("accounts/signup.html", form=form), 422 if form.errors else 200


@bp.get("/account")
@login_required
def account():
    return account_page()


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
            sign_in(signed_in_user())  # a new session here; the others have ended
            flash(_("Your password has been changed. Other devices are signed out."), "success")
            return redirect(url_for("accounts.account"), 303)
    return account_page(password_form=form, status=422)


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
                key=web.id_hash_key(),
            )
        except DomainError as error:
            form.id_number.errors.append(translate(error))
        else:
            flash(_("Your account is linked. Your vehicles are listed below."), "success")
            return redirect(url_for("registry.my_vehicles"), 303)
    return account_page(link_form=form, status=422)


@bp.post("/account/tokens")
@roles_required(*tokens.TOKEN_ROLES)
@limiter.limit("20 per hour")
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return account_page(token_form=form, status=422)
    _token, secret = tokens.create_token(db.session(), user=signed_in_user(), name=form.name.data)
    # The secret is shown on this one answer and never again: it is not put in the
    # session cookie for a redirect (docs/decisions.md), and the page is not cached.
    page, status = account_page(new_secret=secret, status=201)
    return page, status, {"Cache-Control": "no-store"}


@bp.post("/account/tokens/<id:token_id>/revoke")
@roles_required(*tokens.TOKEN_ROLES)
def revoke_token(token_id: int):
    if not Form().validate_on_submit():
        return account_page(status=400)
    token = tokens.revoke(db.session(), user=signed_in_user(), token_id=token_id)
    flash(_("The token %(prefix)s… is revoked.", prefix=token.prefix), "success")
    return redirect(url_for("accounts.account") + "#tokens", 303)
