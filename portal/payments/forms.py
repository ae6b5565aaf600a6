"""Forms of the payments pages: amounts in yuan (stored as fen), refunds, list filters."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from portal.errors import translate
from portal.fields import Yuan
from portal.forms import Form
from portal.limits import NOTE_LENGTH
from portal.money import yuan_input
from portal.payments import rules
from portal.payments.labels import FEE_LABELS, payment_label
from portal.payments.models import Payment
from portal.payments.rules import PaymentStatus


class _Refusal:
    """Carries a rules refusal (template and parameters) to portal.errors.translate."""

    def __init__(self, refusal: tuple[str, dict]):
        self.message, self.params = refusal


def _amount_field(label, default: str | None = None) -> StringField:
    return StringField(
        label,
        validators=[
            Length(max=40, message=_l("Enter an amount in yuan, like 50 or 12.50.")),
            Yuan(),
        ],
        default=default,
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


def fee_form(schedule: dict[str, int]) -> Form:
    """A form with one amount field per fee code, filled with the current amounts."""

    class FeeScheduleForm(Form):
        def validate(self, extra_validators=None) -> bool:
            valid = super().validate(extra_validators)
            for code in self.codes:
                field = self[code]
                refusal = rules.fee_refusal(field.fen) if not field.errors else None
                if refusal is not None:
                    field.errors.append(translate(_Refusal(refusal)))
                    valid = False
            return valid

        @property
        def amounts(self) -> dict[str, int]:
            """The entered amounts in fen, by code (after validation)."""
            return {code: self[code].fen for code in self.codes}

    FeeScheduleForm.codes = list(schedule)
    for code, amount_fen in schedule.items():
        label = FEE_LABELS.get(code, code)
        setattr(FeeScheduleForm, code, _amount_field(label, yuan_input(amount_fen)))
    return FeeScheduleForm()


class RefundForm(Form):
    amount = _amount_field(_l("Amount to refund (yuan)"))
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why the money is given back.")),
            Length(max=NOTE_LENGTH, message=_l("Use at most %(max)d characters.")),
        ],
    )

    def __init__(self, payment: Payment, **kwargs):
        super().__init__(**kwargs)
        self.payment = payment
        if not self.is_submitted():
            self.amount.data = yuan_input(payment.refundable_fen)

    def validate_amount(self, field) -> None:
        refusal = rules.refund_refusal(
            status=self.payment.status,
            amount_fen=self.payment.amount_fen,
            refunded_fen=self.payment.refunded_fen,
            requested_fen=field.fen,
        )
        if refusal is not None:
            raise StopValidation(translate(_Refusal(refusal)))


class PaymentFilterForm(Form):
    """The list's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="", validators=[Optional()])
    kind = SelectField(_l("For"), default="", validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def __init__(self, kinds: list[str], **kwargs):
        super().__init__(**kwargs)
        self.status.choices = [("", _l("Any"))] + [
            (s.value, payment_label(s)) for s in PaymentStatus
        ]
        self.kind.choices = [("", _l("Any"))] + [(k, payment_label(k)) for k in kinds]
