"""Small helpers every blueprint uses when reading a request."""

from datetime import timedelta

from flask import Response, current_app, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from portal.cards import CardKeys
from portal.errors import DomainError
from portal.forms import has_control_characters
from portal.limits import MAX_ID
from portal.messages import N_

# Lists are pages over an index; the database walks every row before the page it shows,
# so pages stop at the 50th (a thousand rows): past that a person narrows the search.
MAX_PAGE = 50


class IdConverter(IntegerConverter):
    """`<id:name>` in a URL: a row's id, which a 32-bit column can hold (else 404)."""

    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, max=MAX_ID, **kwargs)


def row_id(text: str) -> int | None:
    """A row's id as a form sends it: digits, within what an id column holds; else None."""
    if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)):
        return int(text) if 0 < int(text) <= MAX_ID else None
    return None


def page_number() -> int:
    """The `page` query parameter: a positive whole number, 1 when absent or nonsense."""
    page = request.args.get("page", "1").lstrip("0")
    if not (page.isascii() and page.isdigit()):  # "²" is a digit to isdigit, not to int
        return 1
    # Past the last page is the last page; a long number is not read at all (Python refuses
    # to convert more than 4,300 digits, and reading them is work for nothing).
    return MAX_PAGE if len(page) > len(str(MAX_PAGE)) else min(int(page), MAX_PAGE)


def id_hash_key() -> bytes:
    """The key of the resident-ID hash (ARCHITECTURE, Data)."""
    return current_app.config["ID_HASH_KEY"].encode()


def check_card_keys(config) -> None:
    """Refuse to start with a malformed CARD_KEYS (rather than fail at the first card)."""
    CardKeys.parse(config["CARD_KEYS"])


def card_keys() -> CardKeys:
    """The keys that seal bank card numbers (CARD_KEYS)."""
    return CardKeys.parse(current_app.config["CARD_KEYS"])


# Downloads that may hold a person's data whoever fetches them: papers, reports, exports.
PRIVATE_TYPES = {"application/pdf", "text/csv", "image/jpeg", "image/png"}


def no_store_for_personal_data(response: Response) -> Response:
    """Cache-Control: no-store on anything that may show a person's data (DOMAIN §6).

    The rule: every answer to a signed-in user or an API caller with a token, and every
    download (attachment, PDF, CSV, uploaded image), whoever asks. Static files and public
    pages seen without signing in stay cacheable.
    """
    if request.endpoint == "static":
        return response
    download = response.mimetype in PRIVATE_TYPES or "attachment" in response.headers.get(
        "Content-Disposition", ""
    )
    if download or "Authorization" in request.headers or current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def stall_limit() -> timedelta:
    """How long a running import may stay silent before its consumer counts as dead."""
    return timedelta(seconds=current_app.config["IMPORT_STALL_SECONDS"])


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
