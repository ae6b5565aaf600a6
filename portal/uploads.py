"""Uploaded documents: checked by their content (not their name), stored outside static/.

Files live under UPLOAD_FOLDER; at scale that folder is object storage behind the same
two functions (ARCHITECTURE, real parts).
"""

import uuid
from dataclasses import dataclass
from pathlib import Path

from portal.messages import N_, MessageError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

# Magic numbers of the accepted formats (DOMAIN §1.3: PDF, JPEG or PNG by content).
SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}


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
    """Check and save content under folder/area with a random name."""
    content_type, extension = sniff(content)
    stored_name = f"{uuid.uuid4().hex}.{extension}"
    path = Path(folder) / area / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return StoredFile(stored_name, content_type, len(content))


def path_of(folder: str, area: str, stored_name: str) -> Path:
    """Where a stored file is; the name never comes from the user."""
    return Path(folder) / area / stored_name
