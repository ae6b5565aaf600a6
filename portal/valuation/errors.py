"""What the valuation engine refuses: an input or a setting, naming its field.

Its own module so that the engine and the inspection vocabulary can both raise it without
importing each other. Standard library and `portal.messages` only, like the engine.
"""

from portal.messages import MessageError


class InvalidValuationInput(MessageError):
    """An input or setting the engine refuses; `field` names it, message is a template."""

    def __init__(self, field: str, message: str, **params):
        super().__init__(message, **params)
        self.field = field
