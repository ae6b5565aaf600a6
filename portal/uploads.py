"""Uploaded documents: checked by their content (not their name), kept in the storage.

Files go to `portal.storage` (a private folder, or object storage shared by every
machine) under random names; images lose their metadata (EXIF with GPS, XMP, comments)
on the way in, and the names people gave their files are cleaned before they are stored
or shown.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from flask import Response
from PIL import Image, ImageOps

from portal import db, storage
from portal.messages import N_, MessageError
from portal.storage import Storage

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 60_000_000  # a 60-megapixel photo; more is a decompression bomb

# Magic numbers of the accepted formats (DOMAIN §1.3: PDF, JPEG or PNG by content).
SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}
IMAGE_FORMATS = {"jpg": "JPEG", "png": "PNG"}
# What survives re-encoding: how to draw the image, nothing about who took it where.
KEPT_IMAGE_INFO = ("transparency", "dpi")


class InvalidUpload(MessageError):
    """A file the portal does not accept; message is a template for translation."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    content_type: str
    size: int


def sniff(content: bytes) -> tuple[str, str]:
    """The content type and extension of a PDF, JPEG or PNG; InvalidUpload otherwise."""
    if not content:
        raise InvalidUpload(N_("The file is empty."))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidUpload(
            N_("The file is larger than %(limit)s MB."), limit=MAX_DOCUMENT_BYTES // 2**20
        )
    for signature, kind in SIGNATURES.items():
        if content.startswith(signature):
            return kind
    raise InvalidUpload(N_("Upload a PDF, JPEG or PNG file."))


def store(files: Storage, area: str, content: bytes) -> StoredFile:
    """Check and save content in area under a random name; images lose their metadata."""
    content_type, extension = sniff(content)
    if extension in IMAGE_FORMATS:
        content = without_metadata(content, IMAGE_FORMATS[extension])
    stored_name = f"{uuid.uuid4().hex}.{extension}"
    files.save(key_of(area, stored_name), content)
    return StoredFile(stored_name, content_type, len(content))


def without_metadata(content: bytes, image_format: str) -> bytes:
    """The image re-encoded without EXIF, XMP or comments, turned upright as EXIF said."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            upright = ImageOps.exif_transpose(image)
            upright.load()
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise InvalidUpload(N_("The image cannot be read. Scan or photograph it again.")) from error
    upright.info = {name: upright.info[name] for name in KEPT_IMAGE_INFO if name in upright.info}
    out = io.BytesIO()
    if image_format == "JPEG":
        upright.save(out, "JPEG", quality=90)
    else:
        upright.save(out, "PNG", optimize=True)
    return out.getvalue()


def clean_filename(name: str | None, fallback: str) -> str:
    """A file's name as people gave it, without folders, control or direction characters.

    U+202E (right-to-left override) makes `gpj.exe` read as `exe.jpg`; NUL and other
    control characters break headers and PostgreSQL. Everything Unicode does not call
    printable goes; an empty result becomes the fallback.
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(char for char in base if char.isprintable()).strip()
    return cleaned[-255:] or fallback


def follow_transaction(
    db_session, files: Storage, area: str, *, new: str | None = None, replaced: str | None = None
) -> None:
    """Keep the stored files in step with the database: no orphan either way.

    Once the transaction commits, the file the new one replaces is deleted; if it rolls
    back, the new file is, since no row names it.
    """
    db.on_outcome(
        db_session,
        committed=lambda: replaced and files.delete(key_of(area, replaced)),
        rolled_back=lambda: new and files.delete(key_of(area, new)),
    )


def key_of(area: str, stored_name: str) -> str:
    """The storage key of a stored file; the name never comes from the user."""
    return f"{area}/{stored_name}"


def download(area: str, stored_name: str, *, content_type: str, filename: str) -> Response:
    """A stored file as the answer to a reader whose scope the caller checked."""
    return storage.serve(
        storage.current(),
        key_of(area, stored_name),
        content_type=content_type,
        download_name=filename,
    )
