"""What the account page shows: one place, so the account's forms and the notice
settings (portal/notices) re-render it with their errors alike."""

from flask import render_template

from portal import db
from portal.accounts import tokens
from portal.accounts.access import signed_in_user
from portal.accounts.forms import LinkPersonForm, PasswordForm, TokenForm
from portal.forms import Form
from portal.notices.forms import notice_settings_form
from portal.registry import services as registry


def account_page(*, status=200, new_secret=None, **forms):
    """The account page with fresh forms except those given (which carry errors)."""
    user = signed_in_user()
    token_rows = tokens.tokens_of(db.session(), user) if user.role in tokens.TOKEN_ROLES else None
    page = render_template(
        "accounts/account.html",
        notice_form=forms.get("notice_form") or notice_settings_form(user),
        password_form=forms.get("password_form") or PasswordForm(),
        link_form=forms.get("link_form") or LinkPersonForm(),
        token_form=forms.get("token_form") or TokenForm(formdata=None),
        revoke_form=Form(formdata=None),
        tokens=token_rows,
        new_secret=new_secret,
        company=registry.dealer_of(db.session(), user),
    )
    return page, status
