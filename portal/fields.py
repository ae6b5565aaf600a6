"""Form field checks, widgets and choice lists shared by the features: what people type
(amounts in yuan, whole numbers, percentages: full-width digits and spaces allowed), a
select that writes long option lists quickly, and the options of enums and regions."""

import re
import unicodedata
from decimal import Decimal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import IntegerField, SelectField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, StopValidation
from wtforms.widgets import TextInput

from portal import regions
from portal.errors import translate
from portal.formatting import region_name
from portal.forms import Form
from portal.labels import label
from portal.money import FEN_PER_YUAN, InvalidAmount, parse_yuan

MAX_TYPED = 40  # characters: longer text is no number, and not worth reading
_WHOLE = re.compile(r"-?[0-9]{1,12}")  # ASCII digits only: int() would also take "٣" or "1_0"
_PERCENT = re.compile(r"[0-9]{1,3}(?:\.(?P<decimals>[0-9]{1,2}))?")


def typed(text: str | None) -> str:
    """What was typed, with full-width digits made ASCII and spaces removed."""
    if len(text or "") > MAX_TYPED:
        return "?"  # no number, whatever it is: refused by every check
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def whole_number(text: str | None) -> int | None:
    """A whole number as typed (thousands commas allowed); None when it is not one."""
    digits = typed(text).replace(",", "")
    return int(digits) if _WHOLE.fullmatch(digits) else None


class Yuan:
    """An amount typed in yuan ("168,000", "¥168000.00", full-width digits) within bounds.

    The parsed amount is left on the field as `field.fen` (integer fen): a Decimal or
    float field would take "NaN" or "1e9" and round fen silently (ARCHITECTURE, Data).
    """

    def __init__(self, minimum_yuan: int = 0, maximum_yuan: int | None = None, message=None):
        self.minimum, self.maximum, self.message = minimum_yuan, maximum_yuan, message

    def __call__(self, form, field) -> None:
        text = (field.data or "")[: MAX_TYPED + 1]
        try:
            fen = parse_yuan("?" if len(text) > MAX_TYPED else text)
        except InvalidAmount as error:
            raise StopValidation(translate(error)) from error
        maximum = fen if self.maximum is None else self.maximum * FEN_PER_YUAN
        if not self.minimum * FEN_PER_YUAN <= fen <= maximum:
            raise StopValidation(
                self.message
                or _l(
                    "Enter an amount from %(low)s to %(high)s yuan.",
                    low=f"{self.minimum:,}",
                    high=f"{self.maximum:,}",
                )
            )
        field.fen = fen


class WholeNumberField(IntegerField):
    """A whole number typed as text (see `whole_number`), checked by NumberRange & co.

    A text input with a numeric keypad (not type=number), so what was typed is shown
    back as typed, even when it is not a number.
    """

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = whole_number(valuelist[0])
        if self.data is None and typed(valuelist[0]):
            raise ValueError(_l("Enter a whole number, in digits."))

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # one message is enough: not also "out of range"


class Percent:
    """A percentage typed as 12 or 7.5 (a % sign allowed), from 0 to maximum, with at most
    `decimals` places; field.share is the share (0.12), as `portal.money` holds rates."""

    def __init__(self, message, *, maximum: int = 999, decimals: int = 2):
        self.message, self.maximum, self.decimals = message, maximum, decimals

    def __call__(self, form, field) -> None:
        text = typed(field.data).removesuffix("%")
        match = _PERCENT.fullmatch(text)
        if (
            match is None
            or len(match["decimals"] or "") > self.decimals
            or Decimal(text) > self.maximum
        ):
            raise StopValidation(self.message)
        field.share = Decimal(text) / 100


class Select(widgets.Select):
    """WTForms' select, its plain options written directly: the same HTML, in a fifth of
    the time (the valuation form lists a hundred and more options on every page)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or not isinstance(choice.value, str):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        # Both the value and the label are escaped just above; the rest is our own markup.
        return Markup(  # nosec B704
            f'<option {selected}value="{escape(choice.value)}">{label}</option>'
        )


def lazy_label(value, vocabulary=None) -> LazyString:
    """label(), looked up each time it is shown: for a form's choices and field labels,
    which are made when the module is imported, before create_app registers the names."""
    return LazyString(label, value, vocabulary)


def enum_choices(enum, blank=None) -> list[SelectChoice]:
    """A select's options for every member of a vocabulary, by label, after an optional blank."""
    options = [SelectChoice(member.value, label(member)) for member in enum]
    return ([SelectChoice("", blank)] if blank else []) + options


def province_choices(blank) -> list[SelectChoice]:
    """Every province, by name in the reader's language, after a blank choice."""
    return [SelectChoice("", blank)] + [
        SelectChoice(p.code, region_name(p.code)) for p in regions.provinces()
    ]


def city_choices(province_code: str | None) -> list[SelectChoice]:
    """The cities of a province, for a dependent select (none until a province is chosen)."""
    cities = regions.cities(province_code) if province_code else ()
    return [SelectChoice("", _l("Choose a city"))] + [
        SelectChoice(c.code, region_name(c.code)) for c in cities
    ]


def known_province(code: str | None) -> str | None:
    """A province code from a filter, or None when empty or unknown."""
    return code if code and regions.province(code) else None


class ProvinceFilterForm(Form):
    """A list's one filter, a province (a GET form: no CSRF token); anything that is not a
    province means every province, and the select then shows that."""

    class Meta:
        csrf = False

    province = SelectField(_l("Province"), default="", validators=[Optional()])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.province.choices = province_choices(_l("Every province"))

    def chosen(self) -> str | None:
        """The province asked for; None for every province."""
        self.province.data = known_province(self.province.data) or ""
        return self.province.data or None
