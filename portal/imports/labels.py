"""Translated names of the import engine's stored codes (job statuses)."""

from flask_babel import lazy_gettext as _l

from portal.imports.models import JobStatus

LABELS = {
    JobStatus: {
        JobStatus.QUEUED: _l("Queued"),
        JobStatus.RUNNING: _l("Running"),
        JobStatus.DONE: _l("Finished"),
        JobStatus.FAILED: _l("Failed"),
    },
}
