"""Uploaded documents: checked by their content (not their name), stored outside static/.

Files live under UPLOAD_FOLDER; at scale that folder is object storage behind the same
functions (ARCHITECTURE, real parts). This module is the one place the portal writes
files: each is readable by the portal's own user only (0600 in 0700 folders), images
lose their metadata (EXIF with GPS, XMP, comments) on the way in, and the names people
gave their files are cleaned before they are stored or shown.
"""

import io
import os
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, send_file
from PIL import Image, ImageOps

from portal import db
from portal.messages import N_, MessageError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 60_000_000  # a 60-megapixel photo; more is a decompression bomb
FILE_MODE, FOLDER_MODE = 0o600, 0o700

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


def store(folder: str, area: str, content: bytes) -> StoredFile:
    """Check and save content under folder/area with a random name; images lose metadata."""
    content_type, extension = sniff(content)
    if extension in IMAGE_FORMATS:
        content = without_metadata(content, IMAGE_FORMATS[extension])
    stored_name = f"{uuid.uuid4().hex}.{extension}"
    write_private(Path(folder), Path(area) / stored_name, content)
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


def write_private(folder: Path, relative: Path, content: bytes) -> Path:
    """Write content to folder/relative, readable by this user only (0600, folders 0700)."""
    private_folder(folder, relative.parent)
    return write_private_file(folder / relative, content)


def write_private_file(path: Path, content: bytes) -> Path:
    """Write content to path as 0600, whatever the process's umask (e.g. a CLI report)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.chmod(path, FILE_MODE)  # the file may have existed with a laxer mode
    return path


def private_folder(folder: Path, relative: Path = Path()) -> Path:
    """Make folder/relative and each folder on the way there 0700."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    path = folder
    for part in (Path(), *relative.parts):
        path = path / part
        path.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(path, FOLDER_MODE)
    return path


def follow_transaction(
    db_session, folder: str, area: str, *, new: str | None = None, replaced: str | None = None
) -> None:
    """Keep the disk in step with the database: no orphan either way.

    Once the transaction commits, the file the new one replaces is deleted; if it rolls
    back, the new file is, since no row names it.
    """
    db.on_outcome(
        db_session,
        committed=lambda: replaced and remove(folder, area, replaced),
        rolled_back=lambda: new and remove(folder, area, new),
    )


def remove(folder: str, area: str, stored_name: str) -> None:
    """Delete a stored file (gone already is fine: the job is to leave no copy)."""
    path_of(folder, area, stored_name).unlink(missing_ok=True)


def path_of(folder: str, area: str, stored_name: str) -> Path:
    """Where a stored file is; the name never comes from the user."""
    return Path(folder) / area / stored_name


def download(area: str, stored_name: str, *, content_type: str, filename: str):
    """A stored file as the answer to a request, under the name its owner gave it."""
    path = path_of(current_app.config["UPLOAD_FOLDER"], area, stored_name)
    response = send_file(path, mimetype=content_type, download_name=filename)
    # Never let a browser run an uploaded file as a page of this site.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response
