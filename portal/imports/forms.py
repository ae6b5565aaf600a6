"""The upload form for imports."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired

from portal.forms import Form


class ImportForm(Form):
    file = FileField(
        _l("Registry extract (CSV, UTF-8)"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv"], _l("Only .csv files can be imported.")),
        ],
    )
