"""Read a paper: the QR code, then the PDF's text layer, then OCR of the image (issue 15).

The cheapest method that gives a field wins it; the QR code, written by the tax system's
software, beats anything read from print. What cannot be read says why (DOMAIN §7): the
file does not open, it is not this kind of paper, it is blurred or cut off, or fields
are missing; the applicant then types them as before.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import fmean

from PIL import Image

from portal import uploads
from portal.reading import parsing, sources
from portal.reading.parsing import Read
from portal.reading.terms import PaperKind, Problem, ReadMethod

# Fields a paper always carries: without one of them, the reading is incomplete.
# (An invoice code only on the older invoices; fuel only where the licence prints it.)
OPTIONAL = {"invoice_code", "fuel_type"}


@dataclass(frozen=True)
class Reading:
    """What was read from one paper, how, and what stood in the way."""

    kind: PaperKind
    method: ReadMethod
    fields: dict[str, Read]
    problems: tuple[Problem, ...] = ()
    missing: tuple[str, ...] = field(default=())


Progress = Callable[[ReadMethod], None]


def read(content: bytes, kind: PaperKind, progress: Progress = lambda _method: None) -> Reading:
    """Read a PDF, JPEG or PNG (checked by content first: uploads.sniff)."""
    try:
        content_type, _ = uploads.sniff(content)
        if content_type == "application/pdf":
            return _read_pdf(content, kind, progress)
        return _read_photo(sources.open_image(content), kind, progress)
    except (sources.Unreadable, uploads.InvalidUpload):
        return Reading(kind, ReadMethod.QR, {}, (Problem.UNREADABLE,))


def _read_pdf(content: bytes, kind: PaperKind, progress: Progress) -> Reading:
    reader = sources.pdf_reader(content)
    progress(ReadMethod.QR)
    images = sources.pdf_images(reader)
    found = _from_qr(images, kind)
    progress(ReadMethod.TEXT)
    text = parsing.clean(sources.pdf_text(reader))
    if text:
        found = _merge(parsing.paper_fields(kind, text, ReadMethod.TEXT), found, kind)
        return _verdict(kind, ReadMethod.TEXT, found, text)
    if not images:
        return _verdict(kind, ReadMethod.TEXT, found, text)
    # A scan saved as PDF: no text layer, one big picture of the paper.
    biggest = max(images, key=lambda image: image.width * image.height)
    return _read_photo(biggest, kind, progress, found)


def _read_photo(
    image: Image.Image, kind: PaperKind, progress: Progress, found: dict | None = None
) -> Reading:
    progress(ReadMethod.QR)
    found = found or _from_qr([image], kind)
    progress(ReadMethod.OCR)
    lines = sources.ocr_lines(image)
    text = parsing.clean("\n".join(line.text for line in lines))
    score = fmean(line.score for line in lines) if lines else 0.0
    found = _merge(parsing.paper_fields(kind, text, ReadMethod.OCR, score), found, kind)
    reading = _verdict(kind, ReadMethod.OCR, found, text)
    if not reading.missing:
        return reading
    why = []
    if sources.sharpness(image) < sources.BLUR_LIMIT:
        why.append(Problem.BLURRED)
    if lines and sources.touches_edge(lines, image.size):
        why.append(Problem.CUT_OFF)
    # Nothing legible on a blurred photo says nothing about what paper it is.
    rest = [p for p in reading.problems if not (why and p is Problem.NOT_THIS_PAPER)]
    return Reading(kind, ReadMethod.OCR, found, (*why, *rest), reading.missing)


def _from_qr(images: list[Image.Image], kind: PaperKind) -> dict[str, Read]:
    if kind is not PaperKind.INVOICE:
        return {}
    for image in images:
        for payload in sources.qr_payloads(image):
            qr = parsing.parse_qr(payload)
            if qr:
                return {**parsing.qr_fields(qr), **_qr_amount(qr)}
    return {}


_BEFORE_TAX = "_amount_before_tax_fen"  # from the QR code, only to check the price


def _qr_amount(qr: parsing.InvoiceQr) -> dict[str, Read]:
    if qr.amount_before_tax_fen is None:
        return {}
    return {_BEFORE_TAX: Read(qr.amount_before_tax_fen, 1.0, ReadMethod.QR)}


def _merge(printed: dict[str, Read], qr: dict[str, Read], kind: PaperKind) -> dict[str, Read]:
    """The QR code's fields over the printed ones; its amount checks the printed price."""
    before = qr.pop(_BEFORE_TAX, None)
    merged = {**printed, **qr}
    price, tax = merged.get("invoice_price_fen"), merged.get("invoice_tax_fen")
    if before and price and tax and before.value + tax.value == price.value:
        confidence = max(price.confidence, min(1.0, price.confidence / parsing.UNCHECKED))
        merged["invoice_price_fen"] = Read(price.value, round(confidence, 3), price.method)
        merged["invoice_tax_fen"] = Read(tax.value, round(confidence, 3), tax.method)
    order = parsing.FIELDS[kind]
    return {name: merged[name] for name in order if name in merged}


def missing_fields(kind: PaperKind, found: dict[str, Read]) -> tuple[str, ...]:
    """The fields this paper always carries that were not read."""
    return tuple(n for n in parsing.FIELDS[kind] if n not in found and n not in OPTIONAL)


def _verdict(kind: PaperKind, method: ReadMethod, found: dict[str, Read], text: str) -> Reading:
    missing = missing_fields(kind, found)
    if not parsing.is_paper(kind, text) and len(found) < 2:
        return Reading(kind, method, found, (Problem.NOT_THIS_PAPER,), missing)
    return Reading(kind, method, found, (Problem.FIELDS_MISSING,) if missing else (), missing)
