"""Translated names of the reading feature's codes (registered in portal.labels)."""

from flask_babel import lazy_gettext as _l

from portal.reading.terms import PaperKind, Problem

LABELS = {
    Problem: {
        Problem.UNREADABLE: _l("The file cannot be opened as a PDF or an image."),
        Problem.NOT_THIS_PAPER: _l("This does not look like the paper asked for."),
        Problem.BLURRED: _l(
            "The photo is blurred: hold the phone still, in good light, and take it again."
        ),
        Problem.CUT_OFF: _l("Part of the paper is cut off: photograph the whole page."),
        Problem.FIELDS_MISSING: _l("Some fields could not be read: type them yourself."),
    },
    PaperKind: {
        PaperKind.INVOICE: _l("Purchase invoice of the new car"),
        PaperKind.VEHICLE_LICENCE: _l("Vehicle licence of the old car"),
    },
}
