"""The upload forms for imports: the registry extract and the model catalog."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired

from portal.forms import Form


def _csv_file(label) -> FileField:
    return FileField(
        label,
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv"], _l("Only .csv files can be imported.")),
        ],
    )


class ImportForm(Form):
    file = _csv_file(_l("Registry extract (CSV, UTF-8)"))


class CatalogImportForm(Form):
    file = _csv_file(_l("Model catalog (CSV, UTF-8)"))
