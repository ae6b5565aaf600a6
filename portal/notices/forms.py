"""Which kinds of notice come by email: a box per category that can be switched off."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from portal import db
from portal.forms import Form
from portal.notices import services
from portal.notices.kinds import CATEGORY_LABELS, Category

SWITCHABLE = [category for category in Category if category.switchable]


class NoticeSettingsForm(Form):
    """One box per switchable category; ticked means "send me these by email"."""


for _category in SWITCHABLE:
    setattr(NoticeSettingsForm, _category.value, BooleanField(_l(CATEGORY_LABELS[_category])))


def notice_settings_form(user, formdata=None) -> NoticeSettingsForm:
    """The form as the user left it: boxes ticked for categories not switched off."""
    off = services.email_off(db.session(), user.id)
    data = {category.value: category not in off for category in SWITCHABLE}
    if formdata is None:
        return NoticeSettingsForm(formdata=None, data=data)
    return NoticeSettingsForm()


def switched_off(form: NoticeSettingsForm) -> set[Category]:
    """The categories left unticked."""
    return {category for category in SWITCHABLE if not form[category.value].data}
