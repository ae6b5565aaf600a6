"""The reading feature's vocabularies (pure enums)."""

from enum import StrEnum


class PaperKind(StrEnum):
    """The papers the portal reads (DOMAIN §1.3, §7)."""

    INVOICE = "invoice"  # 机动车销售统一发票 of the new car
    VEHICLE_LICENCE = "vehicle_licence"  # 行驶证 (or 登记证书) of the old car


class ReadMethod(StrEnum):
    """How a field was read, cheapest first (issue 15)."""

    QR = "qr"
    TEXT = "text"
    OCR = "ocr"


class ReadingStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # the job itself broke; a paper that cannot be read is DONE with problems


class Problem(StrEnum):
    """Why a paper was not (fully) read; the applicant then types what is missing."""

    UNREADABLE = "unreadable"  # the file does not open as a PDF or an image
    NOT_THIS_PAPER = "not_this_paper"  # no invoice (or licence) words on it
    BLURRED = "blurred"
    CUT_OFF = "cut_off"
    FIELDS_MISSING = "fields_missing"
