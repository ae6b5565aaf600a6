"""Check the identifiers people type in: VIN, plate number, resident ID number, USCC.

Each parser normalises the input (full-width, spaces, hyphens, case), checks it
against its standard (DOMAIN §4) and returns the normalised value with what it
encodes, or raises InvalidIdentifier whose message is a translatable template
saying what is wrong. Pure: standard library, python-stdnum and portal.regions.
"""

import hashlib
import hmac
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from datetime import date

from stdnum import luhn
from stdnum.cn import ric, uscc

from portal import regions
from portal.messages import N_, MessageError


class InvalidIdentifier(MessageError):
    """An identifier that fails its standard; message is a template, params fill it."""


_DIGITS = "0123456789"
# People paste numbers grouped with hyphens or dashes, phones substitute en dashes.
_DASHES = dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2212"), None)


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), without spaces and hyphens, in upper case."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).translate(_DASHES).upper()


def _check_alphabet(value: str, allowed: Container[str], message: str, *, start: int = 1) -> None:
    # Report the first character outside the alphabet, by its position in the whole number.
    for position, char in enumerate(value, start):
        if char not in allowed:
            raise InvalidIdentifier(message, position=position, char=char)


_NOT_A_DIGIT = N_("Character %(position)s (%(char)s) should be a digit.")


# --- VIN ---------------------------------------------------------------------

# DOMAIN §4: A–H = 1–8, J–N = 1–5, P = 7, R = 9, S–Z = 2–9; I, O and Q are never used.
_VIN_VALUES = {digit: int(digit) for digit in _DIGITS} | {
    letter: value
    for letters, first in (("ABCDEFGH", 1), ("JKLMN", 1), ("P", 7), ("R", 9), ("STUVWXYZ", 2))
    for value, letter in enumerate(letters, first)
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# The letters people type for the digits that look like them.
_VIN_LOOKALIKES = {"I": "1", "O": "0", "Q": "0"}
# ISO 3779 model year codes for 1980–2009; the cycle repeats every 30 years.
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"


@dataclass(frozen=True)
class Vin:
    """A checked VIN and what it encodes."""

    value: str
    model_year: int | None  # None for codes that name no year (0, U, Z)


VIN_LENGTH = 17


def _check_vin_characters(value: str, *, skip_check_position: bool = False) -> None:
    if len(value) != VIN_LENGTH:
        raise InvalidIdentifier(
            N_("A VIN has 17 characters; this one has %(count)s."), count=len(value)
        )
    for position, char in enumerate(value, 1):
        if position == 9 and skip_check_position:
            continue
        if char in _VIN_LOOKALIKES:
            raise InvalidIdentifier(
                N_(
                    "Character %(position)s is the letter %(char)s, which a VIN never uses;"
                    " it is probably the digit %(digit)s."
                ),
                position=position,
                char=char,
                digit=_VIN_LOOKALIKES[char],
            )
        if char not in _VIN_VALUES:
            raise InvalidIdentifier(
                N_(
                    "Character %(position)s (%(char)s) cannot be used in a VIN:"
                    " only digits and letters other than I, O and Q."
                ),
                position=position,
                char=char,
            )


def _vin_check(value: str) -> str:
    # DOMAIN §4: weighted sum mod 11, 10 written X; position 9 (weight 0) is left out.
    pairs = zip(value, _VIN_WEIGHTS, strict=True)
    total = sum(_VIN_VALUES[char] * weight for char, weight in pairs if weight)
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_check_digit(vin: str) -> str:
    """The check character (position 9) of a 17-character VIN; position 9 is ignored."""
    value = normalize(vin)
    _check_vin_characters(value, skip_check_position=True)
    return _vin_check(value)


def _model_year(code: str, reference_year: int) -> int | None:
    index = _YEAR_CODES.find(code)
    latest = reference_year + 1  # a car may be sold as next year's model
    if index < 0 or 1980 + index > latest:
        return None  # 0, U, Z mean no year; nothing fits before the first cycle
    first = 1980 + index
    return first + 30 * ((latest - first) // 30)


def parse_vin(text: str, reference_year: int | None = None) -> Vin:
    """Check a VIN (DOMAIN §4) and decode its model year."""
    value = normalize(text)
    _check_vin_characters(value)
    expected = _vin_check(value)
    if value[8] != expected:
        raise InvalidIdentifier(
            N_("The check digit (character 9) should be %(expected)s, not %(actual)s."),
            expected=expected,
            actual=value[8],
        )
    if reference_year is None:
        reference_year = date.today().year
    return Vin(
        value=value,
        model_year=_model_year(value[9], reference_year),
    )


# --- Plate number ------------------------------------------------------------

_PLATE_SUFFIXES = "挂学警港澳"
_PLATE_SERIAL = set(_DIGITS + "ABCDEFGHJKLMNPQRSTUVWXYZ")  # GA 36: no I or O
_SMALL_NEV_CLASSES = "ABCDEFGHJK"  # D/F, extended to A–K (no I) as numbers ran out
# Plates are printed and often typed with a dot after the city letter: 粤B·12345.
_PLATE_DOTS = dict.fromkeys(map(ord, "·・•"), None)


@dataclass(frozen=True)
class Plate:
    """A checked plate number and the city that issued it."""

    value: str  # without the dot: 粤B12345, 粤BD12345
    province_abbr: str  # 粤
    prefix: str  # 粤B
    city_code: str  # 440300
    new_energy: bool
    suffix: str | None  # 挂, 学, 警, 港 or 澳


def _check_plate_serial(value: str, first: int, last: int) -> None:
    message = N_(
        "Character %(position)s (%(char)s) cannot be used on a plate:"
        " only digits and letters other than I and O."
    )
    _check_alphabet(value[first - 1 : last], _PLATE_SERIAL, message, start=first)


def _check_large_nev_plate(value: str) -> None:
    _check_alphabet(value[2:7], _DIGITS, _NOT_A_DIGIT, start=3)
    if value[7] not in "DF":
        raise InvalidIdentifier(
            N_("A large new-energy plate ends in D or F, not %(char)s."), char=value[7]
        )


def parse_plate(text: str) -> Plate:
    """Check a plate number (DOMAIN §4) and find the city that issued it."""
    value = normalize(text).translate(_PLATE_DOTS)
    if len(value) not in (7, 8):
        raise InvalidIdentifier(
            N_("A plate has 7 characters, or 8 on a new-energy vehicle; this one has %(count)s."),
            count=len(value),
        )
    abbr, letter, prefix = value[0], value[1], value[:2]
    if regions.province_by_abbr(abbr) is None:
        raise InvalidIdentifier(
            N_("The first character (%(char)s) is not the short name of a province."), char=abbr
        )
    if not ("A" <= letter <= "Z"):
        raise InvalidIdentifier(
            N_("Character 2 (%(char)s) should be the letter of the city."), char=letter
        )
    city = regions.city_for_plate_prefix(prefix)
    if city is None:
        raise InvalidIdentifier(N_("%(prefix)s is not a city's plate prefix."), prefix=prefix)

    suffix = None
    if len(value) == 7:
        if value[6] in _PLATE_SUFFIXES:
            suffix = value[6]
        _check_plate_serial(value, 3, 6 if suffix else 7)
    elif value[2] in _SMALL_NEV_CLASSES:
        _check_plate_serial(value, 4, 8)
    elif value[2] in _DIGITS:
        _check_large_nev_plate(value)
    else:
        raise InvalidIdentifier(
            N_(
                "Character 3 (%(char)s) of a new-energy plate should be a letter from A to K"
                " other than I, or a digit on a large vehicle."
            ),
            char=value[2],
        )
    return Plate(
        value=value,
        province_abbr=abbr,
        prefix=prefix,
        city_code=city.code,
        new_energy=len(value) == 8,
        suffix=suffix,
    )


# --- Resident ID number ------------------------------------------------------


@dataclass(frozen=True)
class ResidentId:
    """A checked resident ID number: personal data, never logged (DOMAIN §4)."""

    value: str
    region_code: str  # the first 6 digits: where the number was issued
    birth_date: date
    male: bool  # the 17th digit is odd


def resident_id_check_char(first17: str) -> str:
    """The check character (0–9 or X) for the first 17 digits of a resident ID number."""
    value = normalize(first17)
    if len(value) != 17:
        raise InvalidIdentifier(
            N_("A resident ID number has 17 digits before its last character; this has %(count)s."),
            count=len(value),
        )
    _check_alphabet(value, _DIGITS, _NOT_A_DIGIT)
    # DOMAIN §4. stdnum's (1 − 2·N) mod 11, N read in base 13, equals the weights
    # 2^(17−i) mod 11 indexing "10X98765432"; it expects the check position present.
    return ric.calc_check_digit(value + "0")


def parse_resident_id(text: str, today: date | None = None) -> ResidentId:
    """Check a resident ID number (DOMAIN §4) and read its birth date and sex."""
    value = normalize(text)
    if len(value) != 18:
        raise InvalidIdentifier(
            N_("A resident ID number has 18 characters; this one has %(count)s."),
            count=len(value),
        )
    _check_alphabet(value[:17], _DIGITS, _NOT_A_DIGIT)
    if value[17] not in _DIGITS + "X":
        raise InvalidIdentifier(
            N_("The last character (%(char)s) should be a digit or X."), char=value[17]
        )
    if regions.province(value[:2] + "0000") is None:
        raise InvalidIdentifier(
            N_("The first two digits (%(digits)s) are not a province's code."), digits=value[:2]
        )
    # Messages leave the birth date out: it is personal data and may end up in a log.
    try:
        birth_date = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdentifier(
            N_("Characters 7 to 14 are not a real date of birth (year, month, day).")
        ) from None
    if birth_date > (today or date.today()):
        raise InvalidIdentifier(N_("The date of birth (characters 7 to 14) is in the future."))
    if birth_date.year < 1900:
        raise InvalidIdentifier(N_("The date of birth (characters 7 to 14) is before 1900."))
    expected = resident_id_check_char(value[:17])
    if value[17] != expected:
        raise InvalidIdentifier(
            N_("The last character should be %(expected)s, not %(actual)s."),
            expected=expected,
            actual=value[17],
        )
    return ResidentId(
        value=value,
        region_code=value[:6],
        birth_date=birth_date,
        male=int(value[16]) % 2 == 1,
    )


def masked_if_resident_id(text: str) -> str:
    """Typed text as it may appear in a URL or a page: a resident ID number only masked."""
    try:
        return mask_resident_id(parse_resident_id(normalize(text)).value)
    except InvalidIdentifier:
        return text


def mask_resident_id(value: str) -> str:
    """The number as shown to people: first 4 and last 4 characters, stars between."""
    value = normalize(value)
    if len(value) <= 8:
        return "*" * len(value)  # too short to show any part safely
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def resident_id_hash(value: str, key: bytes) -> str:
    """HMAC-SHA256 (hex) of the normalised number: the only form it is looked up by."""
    if not key:
        # Unkeyed, the hash is reversed by hashing every plausible number: a few billion.
        raise ValueError("resident_id_hash needs a non-empty key")
    return hmac.new(key, normalize(value).encode(), hashlib.sha256).hexdigest()


# --- Unified Social Credit Code ----------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class Uscc:
    """A USCC whose characters are valid; its check character may not be."""

    value: str
    check_digit_ok: bool  # DOMAIN §4: some early codes fail the check: warn, do not reject
    expected_check: str


_NOT_IN_USCC = N_(
    "Character %(position)s (%(char)s) cannot be used in a unified social credit code:"
    " only digits and letters other than I, O, S, V and Z."
)


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a USCC."""
    value = normalize(first17)
    if len(value) != 17:
        raise InvalidIdentifier(
            N_(
                "A unified social credit code has 17 characters before its last one;"
                " this has %(count)s."
            ),
            count=len(value),
        )
    _check_alphabet(value, _USCC_ALPHABET, _NOT_IN_USCC)
    # DOMAIN §4: weights 3^i mod 31, check 31 − (sum mod 31) with 31 written 0.
    return uscc.calc_check_digit(value)


def parse_uscc(text: str) -> Uscc:
    """Check a USCC's length and characters (DOMAIN §4); report its check digit."""
    value = normalize(text)
    if len(value) != 18:
        raise InvalidIdentifier(
            N_("A unified social credit code has 18 characters; this one has %(count)s."),
            count=len(value),
        )
    _check_alphabet(value, _USCC_ALPHABET, _NOT_IN_USCC)
    expected = uscc_check_char(value[:17])
    # DOMAIN §4: some early codes fail the check: warn, do not reject.
    return Uscc(value=value, check_digit_ok=value[17] == expected, expected_check=expected)


def parse_bank_card(text: str) -> str:
    """Check a UnionPay debit card number (16–19 digits, Luhn check digit) → its digits."""
    value = normalize(text)
    if not value.isascii() or not value.isdigit():
        raise InvalidIdentifier(N_("A card number has digits only."))
    if not 16 <= len(value) <= 19:
        raise InvalidIdentifier(
            N_("A debit card number has 16 to 19 digits; this one has %(count)s."),
            count=len(value),
        )
    if not luhn.is_valid(value):
        raise InvalidIdentifier(
            N_("The card number's last digit does not match the others; check for a typo.")
        )
    return value


def mask_bank_card(value: str) -> str:
    """A card number as shown on screen: 6217 **** **** 1234."""
    return f"{value[:4]} **** **** {value[-4:]}"
