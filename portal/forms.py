"""Form pieces shared by every feature: the base form, identifier fields checked by
portal.identifiers."""

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from portal.errors import translate
from portal.identifiers import InvalidIdentifier


class IdentifierCheck:
    """A WTForms validator that runs a portal.identifiers parser and keeps its message."""

    def __init__(self, parse):
        self.parse = parse

    def __call__(self, form, field: StringField) -> None:
        if not field.data:
            return
        try:
            field.parsed = self.parse(field.data)
        except InvalidIdentifier as error:
            raise ValidationError(translate(error)) from error


# Characters no one types: C0 controls but tab and line breaks, DEL, C1 controls. A NUL
# reaches PostgreSQL as an error (text cannot hold it), the others only confuse exports.
CONTROL = frozenset(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))) - set("\t\n\r")
CONTROL_MESSAGE = _l("Remove the control characters (such as NUL) from this field.")


def has_control_characters(text: str) -> bool:
    """True when the text holds a character no keyboard types (see CONTROL)."""
    return not CONTROL.isdisjoint(text)


def refuse_control_characters(value):
    """A WTForms filter: a typed value with a control character is a field error.

    WTForms records a ValueError raised by a filter as the field's error, so the form
    comes back with the message next to the field (422), before any service sees it.
    """
    if isinstance(value, str) and has_control_characters(value):
        raise ValueError(str(CONTROL_MESSAGE))
    return value


class _FilteredMeta:
    """WTForms meta options that put the control-character filter first on every field."""

    def bind_field(self, form, unbound_field, options):
        options["filters"] = (refuse_control_characters, *(options.get("filters") or ()))
        return unbound_field.bind(form=form, **options)


class Form(FlaskForm):
    """The portal's base form: FlaskForm (CSRF) with the control-character filter on every
    field, so no form has to remember it."""

    class Meta(_FilteredMeta):
        pass


class SubForm(wtforms.Form):
    """A form nested in another (FormField, FieldList rows), with the same filter."""

    class Meta(_FilteredMeta):
        pass
