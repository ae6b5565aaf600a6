"""The inbox, marking notices read, and the email settings on the account page."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portal import db, web
from portal.accounts.access import signed_in_user
from portal.accounts.pages import account_page
from portal.forms import Form
from portal.notices import render, services
from portal.notices.forms import notice_settings_form, switched_off

bp = Blueprint("notices", __name__)


@bp.get("/inbox")
@login_required
def inbox():
    page = services.inbox(
        db.session(),
        user_id=signed_in_user().id,
        page=web.page_number(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template("notices/inbox.html", page=page, form=Form(formdata=None))


@bp.post("/inbox/<id:notice_id>/read")
@login_required
def read(notice_id: int):
    if Form().validate_on_submit():
        notice = services.mark_read(db.session(), user_id=signed_in_user().id, notice_id=notice_id)
        return redirect(notice.link or url_for("notices.inbox"), 303)
    return redirect(url_for("notices.inbox"), 303)


@bp.post("/inbox/read-all")
@login_required
def read_all():
    if Form().validate_on_submit():
        services.mark_all_read(db.session(), user_id=signed_in_user().id)
        flash(_("Every notice is marked read."), "success")
    return redirect(url_for("notices.inbox"), 303)


@bp.post("/account/notices")
@login_required
def settings():
    user = signed_in_user()
    form = notice_settings_form(user, formdata=True)
    if not form.validate_on_submit():
        return account_page(notice_form=form, status=422)
    services.set_email_off(db.session(), user_id=user.id, categories=switched_off(form))
    flash(_("Your email settings are saved."), "success")
    return redirect(url_for("accounts.account") + "#notices", 303)


def header_context() -> dict:
    """The notices' helpers for every page; the header's unread count is the user's own
    (kept with the notices), so showing it costs no query."""
    return {
        "notice_title": render.title,
        "notice_text": render.text,
        "UNREAD_SHOWN": services.UNREAD_SHOWN,
    }
