"""Small helpers every blueprint uses when reading a request."""

from flask import current_app, request

from portal.errors import DomainError
from portal.forms import has_control_characters
from portal.messages import N_

MAX_PAGE = 10_000  # deeper pages are a crawler, not a person


def page_number() -> int:
    """The `page` query parameter: a positive whole number, 1 when absent or nonsense."""
    page = request.args.get("page", "1")
    return min(int(page), MAX_PAGE) if page.isdigit() and int(page) > 0 else 1


def id_hash_key() -> bytes:
    """The key of the resident-ID hash (ARCHITECTURE, Data)."""
    return current_app.config["ID_HASH_KEY"].encode()


def plain_text(note: str | None) -> str:
    """Typed words without control characters (PostgreSQL refuses NUL in text)."""
    return "".join(char for char in note or "" if char.isprintable() or char in "\n\t")


class ControlCharacters(DomainError):
    """A query parameter carrying a character no one types (NUL and the like)."""

    status = 422
    title = N_("Bad input")

    def problem_members(self, detail: str) -> dict:
        """The field, as the API names invalid fields (docs/api.md)."""
        field = self.params["field"]
        return {"errors": [{"field": field, "message": detail, "type": "control_characters"}]}


def refuse_control_characters_in_query() -> None:
    """Before every request: a query parameter with a control character is a 422 naming it.

    Form fields are checked by the base form's filter (portal.forms.Form), next to the
    field; this covers the parameters views read from the address themselves.
    """
    refuse_control_characters(request.args)


def refuse_control_characters(values) -> None:
    """ControlCharacters (422) naming the first field of values (a MultiDict) that has one.

    For values a view reads without a form: the query string, and the few posted fields
    that are not a form's (the language switch, the review queue's filters).
    """
    for name, value in values.items(multi=True):
        if has_control_characters(name) or has_control_characters(value):
            raise ControlCharacters(
                N_("Remove the control characters (such as NUL) from “%(field)s”."),
                field=plain_text(name)[:40],
            )
