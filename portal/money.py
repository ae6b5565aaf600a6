"""Amounts of money: integer fen (1 yuan = 100 fen), never floats (ARCHITECTURE, Data).

`yuan` formats fen for people; `parse_yuan` reads what people type (full-width digits,
a ¥ sign and thousands separators allowed) and refuses anything that is not a plain
amount with at most two decimals, with a translatable reason. Rates too: a rate is a
Decimal share (0.12); `percent_text` writes it as people type and read it ("12").
The subsidy stores its rates as whole basis points, for integer arithmetic on fen.
Pure: standard library.
"""

import re
import unicodedata
from decimal import Decimal

from portal.messages import N_, MessageError

FEN_PER_YUAN = 100
BP_PER_ONE = 10_000  # basis points in a whole: 1200 bp is a share of 0.12, 12 %
# Twelve digits of yuan are far above any fee and keep hostile input from growing ints.
_AMOUNT = re.compile(r"(?P<yuan>[0-9]{1,12})(?:\.(?P<fen>[0-9]{0,2}))?|\.(?P<only_fen>[0-9]{1,2})")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")


class InvalidAmount(MessageError):
    """Text that is not an amount in yuan; message is a template, params fill it."""


def yuan(fen: int) -> str:
    """Fen as people read yuan: 123450 → "¥1,234.50", -100 → "-¥1.00"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), FEN_PER_YUAN)
    return f"{sign}¥{whole:,}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """An amount in yuan as typed ("1,234.5", "¥12", "１２元") → fen; InvalidAmount if not."""
    # NFKC turns full-width digits, points and the full-width ￥ into their ASCII forms.
    value = "".join(unicodedata.normalize("NFKC", text or "").split())
    if not value:
        raise InvalidAmount(N_("Enter an amount."))
    if value.startswith("-"):
        raise InvalidAmount(N_("The amount cannot be negative."))
    value = value.removeprefix("¥").removeprefix("+").removesuffix("元")
    if _GROUPED.fullmatch(value):
        value = value.replace(",", "")
    match = _AMOUNT.fullmatch(value)
    if match is None:
        if re.fullmatch(r"[0-9]*\.[0-9]{3,}", value):
            raise InvalidAmount(N_("Use at most two decimals (fen)."))
        if re.fullmatch(r"[0-9]{13,}(\.[0-9]*)?", value):
            raise InvalidAmount(N_("The amount is too large."))
        raise InvalidAmount(N_("Enter an amount in yuan, like 50 or 12.50."))
    whole = int(match["yuan"] or 0)
    fraction = match["fen"] or match["only_fen"] or ""
    return whole * FEN_PER_YUAN + int(fraction.ljust(2, "0"))


def yuan_input(fen: int) -> str:
    """Fen as a form field's value: 123450 → "1234.50" (no sign, no separators)."""
    whole, cents = divmod(int(fen), FEN_PER_YUAN)
    return f"{whole}.{cents:02d}"


def percent_text(share: Decimal) -> str:
    """A share as a percentage without trailing zeros: 0.12 → "12", 0.075 → "7.5"."""
    text = f"{Decimal(share) * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def share_of(basis_points: int) -> Decimal:
    """Basis points as a share: 1200 → 0.12."""
    return Decimal(basis_points) / BP_PER_ONE


def basis_points(share: Decimal) -> int:
    """A share as whole basis points (rounded down): 0.075 → 750."""
    return int(share * BP_PER_ONE)
