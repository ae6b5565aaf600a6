"""The price tiers form of a TIERS program: rows of "from this invoice price, this amount".

Each field is checked here, the tiers together by `services.update_tiers`.
"""

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FormField, StringField
from wtforms.validators import StopValidation

from portal.errors import translate
from portal.fields import typed
from portal.forms import Form, SubForm
from portal.money import yuan_input
from portal.subsidy.programs import services
from portal.subsidy.programs.fields import MAX_AMOUNT_YUAN, MAX_PRICE_YUAN, Yuan, unposted
from portal.subsidy.programs.services import InvalidTier
from portal.subsidy.rules.facts import Tier


class SkipBlankRow:
    """A tier row left entirely empty is no tier (saving removes it): nothing to check."""

    def __call__(self, form, field) -> None:
        if form.blank:
            raise StopValidation()  # without a message: not an error


def _tier_yuan(label, maximum: int) -> StringField:
    return StringField(
        label,
        validators=[SkipBlankRow(), Yuan(maximum)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


class TierRow(SubForm):
    """One price tier: from this invoice price (with VAT) up, this amount."""

    min_price = _tier_yuan(_l("From invoice price (yuan)"), MAX_PRICE_YUAN)
    amount = _tier_yuan(_l("Amount (yuan)"), MAX_AMOUNT_YUAN)

    @property
    def blank(self) -> bool:
        return not (typed(self.min_price.data) or typed(self.amount.data))


BLANK_TIER_ROWS = 2  # empty rows under the stored tiers of each kind, to add a tier
MAX_TIER_ROWS = services.MAX_TIERS + BLANK_TIER_ROWS


def _tier_rows() -> FieldList:
    return FieldList(FormField(TierRow), min_entries=1, max_entries=MAX_TIER_ROWS)


class TiersForm(Form):
    """A TIERS program's price tiers, rows for new-energy and for fuel cars.

    Each field is checked here; the tiers together by `services.update_tiers`,
    whose refusal (InvalidTier) names the row and the field to show it next to.
    """

    nev = _tier_rows()
    fuel = _tier_rows()

    def __init__(self, tiers: Sequence[Tier] = (), **kwargs):
        """tiers: the stored ones, shown when this is not the form posted."""
        super().__init__(**kwargs)
        if unposted(self, kwargs):
            for rows, new_energy in self.kinds:
                while rows.entries:  # the row min_entries made
                    rows.pop_entry()
                mine = sorted(
                    (t for t in tiers if t.new_energy is new_energy), key=lambda t: t.min_price_fen
                )
                for tier in mine:
                    rows.append_entry(
                        {
                            "min_price": yuan_input(tier.min_price_fen),
                            "amount": yuan_input(tier.amount_fen),
                        }
                    )
                while len(rows) < min(len(mine) + BLANK_TIER_ROWS, MAX_TIER_ROWS):
                    rows.append_entry()

    @property
    def kinds(self) -> tuple[tuple[FieldList, bool], ...]:
        """Each list of rows with whether it is of new-energy cars."""
        return (self.nev, True), (self.fuel, False)

    def entered(self) -> list[tuple[TierRow, Tier]]:
        """The tiers typed (once valid), each with its row; rows left empty are left out."""
        return [
            (row.form, Tier(new_energy, row.form.min_price.value, row.form.amount.value))
            for rows, new_energy in self.kinds
            for row in rows
            if not row.form.blank
        ]

    def show(self, error: InvalidTier, entered: list[tuple[TierRow, Tier]]) -> None:
        """Put the service's refusal next to the field it names."""
        if error.index is None:  # the kind has no tier at all: say so on its first row
            row = (self.nev if error.new_energy else self.fuel)[0].form
        else:
            row = entered[error.index][0]
        row[error.part].errors.append(translate(error))
