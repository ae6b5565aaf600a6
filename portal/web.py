"""Small helpers every blueprint uses when reading a request."""

from flask import current_app, request

# Lists are pages over an index; the database walks every row before the page it shows,
# so pages stop at the 50th (a thousand rows): past that a person narrows the search.
MAX_PAGE = 50


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
