"""Form pieces shared by every feature: the base form, identifier fields checked by
portal.identifiers."""

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

import wtforms
from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, ValidationError

from portal.errors import DomainError, translate
from portal.identifiers import InvalidIdentifier
from portal.messages import N_
from portal.uploads import InvalidUpload


def refuse_field(problem: str | None) -> None:
    """A rule's refusal (its message template, or None) as the field's error, translated.

    Rules live in the features' rules modules; forms and API schemas both call them.
    """
    if problem is not None:
        raise ValidationError(gettext(problem))


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
        # Lists and nested forms take no filters: their inner fields get it themselves.
        if not issubclass(unbound_field.field_class, (wtforms.FieldList, wtforms.FormField)):
            options["filters"] = (refuse_control_characters, *(options.get("filters") or ()))
        if issubclass(unbound_field.field_class, wtforms.BooleanField):
            # A checkbox's data is a bool, so the filter never sees what was posted.
            validators = unbound_field.kwargs.get("validators") or ()
            options["validators"] = (_posted_without_control_characters, *validators)
        return unbound_field.bind(form=form, **options)


def _posted_without_control_characters(form, field) -> None:
    if any(has_control_characters(value) for value in field.raw_data or ()):
        raise wtforms.validators.StopValidation(str(CONTROL_MESSAGE))


class Form(FlaskForm):
    """The portal's base form: FlaskForm (CSRF) with the control-character filter on every
    field, so no form has to remember it."""

    class Meta(_FilteredMeta):
        def wrap_formdata(self, form, formdata):
            """The posted data, with uploaded files only under the form's file fields.

            Flask-WTF hands a form the files and the text fields together; a file posted
            under a text field's name would reach its validators and filters as an object
            (len() or int() of it: a 500). Left out, that field is simply missing (422).
            """
            wrapped = super().wrap_formdata(form, formdata)
            if not isinstance(wrapped, CombinedMultiDict) or wrapped.dicts[0] is not request.files:
                return wrapped  # data a view chose itself (such as the query and the form)
            file_fields = {field.name for field in form if isinstance(field, wtforms.FileField)}
            files = MultiDict(
                (name, upload)
                for name, upload in request.files.items(multi=True)
                if name in file_fields
            )
            return CombinedMultiDict((files, request.form))


class SubForm(wtforms.Form):
    """A form nested in another (FormField, FieldList rows), with the same filter."""

    class Meta(_FilteredMeta):
        pass


E = TypeVar("E", bound=Enum)


class DocumentForm(Form):
    """One paper of a subsidy application or a transfer case: its kind and the file."""

    kind = HiddenField(validators=[DataRequired()])
    file = FileField(
        _l("File (PDF, JPEG or PNG, at most 10 MB)"),
        validators=[FileRequired(_l("Choose a file."))],
    )

    def kind_of(self, kinds: type[E]) -> E:
        """The posted kind as a member of kinds; a DomainError for anything else."""
        if self.kind.data not in kinds._value2member_map_:
            raise DomainError(N_("Choose which paper this is."))
        return kinds(self.kind.data)

    def save_with(self, save: Callable[[str, bytes], object]) -> bool:
        """Hand the file to save(filename, content): True when kept.

        A refused file (empty, too big, not a PDF, JPEG or PNG: InvalidUpload) or a rule
        that refuses the upload (DomainError) becomes the file field's message, so both
        upload pages answer 422 next to the field the same way.
        """
        try:
            save(self.file.data.filename or "", self.file.data.read())
        except (InvalidUpload, DomainError) as error:
            self.file.errors = [translate(error)]
            return False
        return True
