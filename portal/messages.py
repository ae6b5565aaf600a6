"""Messages that are translated where they are shown, so pure code can raise them.

A `MessageError` carries an English template marked with `N_` and the parameters that
fill it; `portal.errors.translate` renders it in the reader's language. Standard
library only, so rules, identifiers and money may use it (docs/decisions.md).
"""


def N_(message: str) -> str:
    """Mark a message for translation; it is translated where it is shown."""
    return message


class MessageError(ValueError):
    """An error whose message is a template for translation; params fill it."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
