"""Translated names of the accounts feature's stored codes (roles)."""

from flask_babel import lazy_gettext as _l

from portal.accounts.models import Role

LABELS = {
    Role: {
        Role.OWNER: _l("Car owner"),
        Role.DEALER: _l("Dealer staff"),
        Role.REVIEWER: _l("Subsidy reviewer"),
        Role.OFFICER: _l("Transfer officer"),
        Role.ADMIN: _l("Administrator"),
    },
}
