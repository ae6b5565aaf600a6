"""CSV files the portal writes, safe to open in a spreadsheet.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` as a formula
(and treat a leading tab or carriage return the same way), so a name typed as
`=HYPERLINK("http://evil.example", "click")` in a form would become a live link, or
worse, in the file an administrator or the bank opens (OWASP "CSV injection"). Every
CSV the portal hands out is written through `writer`, which prefixes such a text cell
with an apostrophe: the spreadsheet shows the text as typed and runs nothing. `text`
and `lines` write a whole file (header first) that way, all at once or row by row.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # first in a file, it tells spreadsheet programs the file is UTF-8


def safe_cell(value: Any) -> Any:
    """The value as a cell no spreadsheet runs: text starting like a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose rows pass through safe_cell."""

    def __init__(self, file: TextIO):
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])


def writer(file: TextIO) -> SafeWriter:
    """A CSV writer for a file people open in a spreadsheet."""
    return SafeWriter(file)


def lines(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> Iterator[str]:
    """A CSV file row by row, for a streamed answer that never holds the whole file."""
    if bom:
        yield BOM
    buffer = io.StringIO()
    out = writer(buffer)
    for row in rows:
        out.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def text(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> str:
    """A whole CSV file as text."""
    return "".join(lines(rows, bom=bom))
