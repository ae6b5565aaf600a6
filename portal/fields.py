"""Form field checks, widgets and choice lists shared by the features: amounts of money
typed in yuan, a select that writes long option lists quickly, an enum's options."""

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from portal import regions
from portal.errors import translate
from portal.formatting import label, region_name
from portal.money import FEN_PER_YUAN, InvalidAmount, parse_yuan

MAX_TYPED = 40  # characters: longer text is no amount, and not worth reading


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


def enum_choices(enum, blank=None) -> list[SelectChoice]:
    """A select's options for every member of a vocabulary, by label, after an optional blank."""
    options = [SelectChoice(member.value, label(member)) for member in enum]
    return ([SelectChoice("", blank)] if blank else []) + options


def province_choices(blank) -> list[SelectChoice]:
    """Every province, by name in the reader's language, after a blank choice."""
    return [SelectChoice("", blank)] + [
        SelectChoice(p.code, region_name(p.code)) for p in regions.provinces()
    ]


def known_province(code: str | None) -> str | None:
    """A province code from a filter, or None when empty or unknown."""
    return code if code and regions.province(code) else None
