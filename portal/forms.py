"""Form pieces shared by every feature: identifier fields checked by portal.identifiers."""

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
