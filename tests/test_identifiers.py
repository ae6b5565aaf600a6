"""Tests for portal.identifiers: VIN, plate, resident ID number and USCC (DOMAIN §4).

The check characters in the literals were computed by hand (shown in comments)
or by the small reference implementations below, written from DOMAIN §4's text
independently of the module under test.
"""

import hashlib
import hmac
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.identifiers import (
    InvalidIdentifier,
    mask_resident_id,
    normalize,
    parse_plate,
    parse_resident_id,
    parse_uscc,
    parse_vin,
    resident_id_check_char,
    resident_id_hash,
    uscc_check_char,
    vin_check_digit,
)
from portal.messages import N_

TODAY = date(2026, 3, 1)
VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# No example database in the work tree; no deadline on a busy machine.
PROPERTY = settings(database=None, deadline=None)


# --- Reference implementations, straight from DOMAIN §4 -----------------------


def reference_vin_check(vin: str) -> str:
    values = dict(zip("ABCDEFGH", range(1, 9), strict=True))
    values |= dict(zip("JKLMN", range(1, 6), strict=True)) | {"P": 7, "R": 9}
    values |= dict(zip("STUVWXYZ", range(2, 10), strict=True))
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    total = sum(
        (int(c) if c.isdigit() else values[c]) * w for c, w in zip(vin, weights, strict=True)
    )
    return "X" if total % 11 == 10 else str(total % 11)


def reference_resident_check(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def reference_uscc_check(first17: str) -> str:
    weights = [3**i % 31 for i in range(17)]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, weights, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def with_vin_check(vin: str) -> str:
    """The VIN with its position-9 character replaced by the reference check."""
    return vin[:8] + reference_vin_check(vin) + vin[9:]


def with_resident_check(first17: str) -> str:
    return first17 + reference_resident_check(first17)


def raised(function, *args, **kwargs) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as info:
        function(*args, **kwargs)
    error = info.value
    # The message is an untranslated template that the params fill exactly.
    assert str(error) == error.message % error.params
    return error


def test_n_marks_without_changing():
    assert N_("A VIN has 17 characters; this one has %(count)s.") == (
        "A VIN has 17 characters; this one has %(count)s."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lsvaa2184n2048157", "LSVAA2184N2048157"),
        (" LSV AA2184 N2048157\t", "LSVAA2184N2048157"),
        ("LSV-AA2184-N2048157", "LSVAA2184N2048157"),
        ("ＬＳＶＡＡ２１８４Ｎ２０４８１５７", "LSVAA2184N2048157"),  # full-width
        ("粤ｂ　１２３４５", "粤B12345"),  # full-width letters, ideographic space
        ("110105–19491231–002x", "11010519491231002X"),  # en dashes
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


# --- VIN ----------------------------------------------------------------------


# 1M8GDM9AXKP042788, the textbook example (a Motor Coach Industries coach):
#   values  1 4 8 7 4 4 9 1 . 2 7 0 4 2 7 8 8
#   weights 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2
#   8+28+48+35+16+12+18+10+18+56+0+24+10+28+24+16 = 351; 351 mod 11 = 10 -> X
# LSVAA2184N2048157 (SAIC Volkswagen shape):
#   values  3 2 5 1 1 2 1 8 . 5 2 0 4 8 1 5 7
#   24+14+30+5+4+6+2+80+45+16+0+24+40+4+15+14 = 323; 323 mod 11 = 4
# LGXCE4CB6R0635291 (BYD shape):
#   values  3 7 7 3 5 4 3 2 . 9 0 6 3 5 2 9 1
#   24+49+42+15+20+12+6+20+81+0+42+18+25+8+27+2 = 391; 391 mod 11 = 6
# WVWZZZ1K4ZW123456 (Volkswagen shape, Z in the model-year place):
#   values  6 5 6 9 9 9 1 2 . 9 6 1 2 3 4 5 6
#   48+35+36+45+36+27+2+20+81+48+7+12+15+16+15+12 = 455; 455 mod 11 = 4
@pytest.mark.parametrize(
    ("text", "model_year"),
    [
        ("1M8GDM9AXKP042788", 2019),
        ("LSVAA2184N2048157", 2022),
        ("LGXCE4CB6R0635291", 2024),
        ("WVWZZZ1K4ZW123456", None),  # Z: no model year
    ],
)
def test_parse_vin_valid(text, model_year):
    assert reference_vin_check(text) == text[8]
    vin = parse_vin(text, reference_year=2026)
    assert (vin.value, vin.model_year) == (text, model_year)


def test_parse_vin_returns_normalised_value():
    assert parse_vin(" lsvaa2184-n2048157 ").value == "LSVAA2184N2048157"
    assert parse_vin("ＬＳＶＡＡ２１８４Ｎ２０４８１５７").value == "LSVAA2184N2048157"


@pytest.mark.parametrize(
    ("text", "message", "params"),
    [
        (
            "LSVAA2184N204815",
            "A VIN has 17 characters; this one has 16.",
            {"count": 16},
        ),
        (
            "LSVAA2184N20481577",
            "A VIN has 17 characters; this one has 18.",
            {"count": 18},
        ),
        (
            "LSVA*2184N2048157",
            "Character 5 (*) cannot be used in a VIN:"
            " only digits and letters other than I, O and Q.",
            {"position": 5, "char": "*"},
        ),
        (
            "LSVAA2184N20481粤7",
            "Character 16 (粤) cannot be used in a VIN:"
            " only digits and letters other than I, O and Q.",
            {"position": 16, "char": "粤"},
        ),
        (
            "LSVAA2I84N2048157",
            "Character 7 is the letter I, which a VIN never uses; it is probably the digit 1.",
            {"position": 7, "char": "I", "digit": "1"},
        ),
        (
            "LSVAA2184N2O48157",
            "Character 12 is the letter O, which a VIN never uses; it is probably the digit 0.",
            {"position": 12, "char": "O", "digit": "0"},
        ),
        (
            "LSVAA2184N2048Q57",
            "Character 15 is the letter Q, which a VIN never uses; it is probably the digit 0.",
            {"position": 15, "char": "Q", "digit": "0"},
        ),
        (
            "LSVAA2185N2048157",
            "The check digit (character 9) should be 4, not 5.",
            {"expected": "4", "actual": "5"},
        ),
        (
            "1M8GDM9A1KP042788",
            "The check digit (character 9) should be X, not 1.",
            {"expected": "X", "actual": "1"},
        ),
        (
            # Characters 12 and 13 swapped: 323 - 24 + 28 = 327, 327 mod 11 = 8.
            "LSVAA2184N2408157",
            "The check digit (character 9) should be 8, not 4.",
            {"expected": "8", "actual": "4"},
        ),
    ],
)
def test_parse_vin_invalid(text, message, params):
    error = raised(parse_vin, text)
    assert str(error) == message
    assert error.params == params


@pytest.mark.parametrize(
    ("code", "reference_year", "expected"),
    [
        ("A", 2026, 2010),
        ("A", 2005, 1980),
        ("H", 2026, 2017),
        ("J", 2026, 2018),
        ("K", 1990, 1989),
        ("K", 2026, 2019),
        ("N", 2026, 2022),
        ("P", 2026, 2023),
        ("R", 2026, 2024),
        ("S", 2026, 2025),
        ("T", 2026, 2026),
        ("V", 2026, 2027),  # next year's model is already on sale
        ("W", 2026, 1998),  # 2028 would be too late
        ("Y", 2026, 2000),
        ("Y", 2029, 2030),
        ("1", 2026, 2001),
        ("9", 2026, 2009),
        ("9", 2038, 2039),
        ("0", 2026, None),
        ("U", 2026, None),
        ("Z", 2026, None),
        ("Y", 1975, None),  # nothing that early
    ],
)
def test_model_year(code, reference_year, expected):
    vin = with_vin_check(f"LSVAA2180{code}2048157")
    assert parse_vin(vin, reference_year=reference_year).model_year == expected


def test_model_year_defaults_to_this_year():
    vin = with_vin_check("LSVAA2180V2048157")  # V: 1997 or 2027
    expected = 2027 if date.today().year + 1 >= 2027 else 1997
    assert parse_vin(vin).model_year == expected


@pytest.mark.parametrize(
    ("vin", "expected"),
    [
        ("1M8GDM9A0KP042788", "X"),
        ("LSVAA218?N2048157", "4"),  # position 9 is ignored, whatever it holds
        ("lsvaa2184n2048157", "4"),
        ("LGXCE4CB6R0635291", "6"),
    ],
)
def test_vin_check_digit(vin, expected):
    assert vin_check_digit(vin) == expected


@pytest.mark.parametrize(
    ("vin", "message"),
    [
        ("LSVAA2184N", "A VIN has 17 characters; this one has 10."),
        (
            "LSVAA2I8?N2048157",
            "Character 7 is the letter I, which a VIN never uses; it is probably the digit 1.",
        ),
    ],
)
def test_vin_check_digit_invalid(vin, message):
    assert str(raised(vin_check_digit, vin)) == message


@PROPERTY
@given(st.text(alphabet=VIN_ALPHABET, min_size=16, max_size=16))
def test_vin_with_computed_check_always_parses(body):
    check = vin_check_digit(body[:8] + "0" + body[8:])
    vin = body[:8] + check + body[8:]
    assert check == reference_vin_check(vin)
    assert parse_vin(vin).value == vin


# --- Plate number -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "prefix", "city_code", "new_energy", "suffix"),
    [
        ("粤B12345", "粤B12345", "粤B", "440300", False, None),
        ("粤BA8K27", "粤BA8K27", "粤B", "440300", False, None),
        ("京A12345", "京A12345", "京A", "110100", False, None),
        ("京N8P8F9", "京N8P8F9", "京N", "110100", False, None),
        ("沪AF0276", "沪AF0276", "沪A", "310100", False, None),
        ("川A7Z5K1", "川A7Z5K1", "川A", "510100", False, None),
        ("粤BD12345", "粤BD12345", "粤B", "440300", True, None),  # small, pure electric
        ("粤BF1A234", "粤BF1A234", "粤B", "440300", True, None),  # small, plug-in hybrid
        ("粤BA12345", "粤BA12345", "粤B", "440300", True, None),  # the A–K extension
        ("京AK01234", "京AK01234", "京A", "110100", True, None),
        ("粤B12345D", "粤B12345D", "粤B", "440300", True, None),  # large vehicle
        ("粤B12345F", "粤B12345F", "粤B", "440300", True, None),
        ("京A1234挂", "京A1234挂", "京A", "110100", False, "挂"),
        ("粤B1234学", "粤B1234学", "粤B", "440300", False, "学"),
        ("粤B0123警", "粤B0123警", "粤B", "440300", False, "警"),
        # Normalised: lower case, the printed dot, spaces, hyphens, full width.
        ("粤b·12345", "粤B12345", "粤B", "440300", False, None),
        ("粤B 12345", "粤B12345", "粤B", "440300", False, None),
        ("粤B-D12345", "粤BD12345", "粤B", "440300", True, None),
        ("粤Ｂ１２３４５", "粤B12345", "粤B", "440300", False, None),
    ],
)
def test_parse_plate_valid(text, value, prefix, city_code, new_energy, suffix):
    plate = parse_plate(text)
    assert (plate.value, plate.province_abbr, plate.prefix) == (value, value[0], prefix)
    assert (plate.city_code, plate.new_energy, plate.suffix) == (city_code, new_energy, suffix)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("粤B1234", "A plate has 7 characters, or 8 on a new-energy vehicle; this one has 6."),
        ("粤BD123456", "A plate has 7 characters, or 8 on a new-energy vehicle; this one has 9."),
        ("港A12345", "The first character (港) is not the short name of a province."),
        ("AB12345", "The first character (A) is not the short name of a province."),
        ("粤112345", "Character 2 (1) should be the letter of the city."),
        ("粤Z12345", "粤Z is not a city's plate prefix."),
        ("粤Z1234港", "粤Z is not a city's plate prefix."),
        ("京O12345", "京O is not a city's plate prefix."),
        (
            "粤B12I45",
            "Character 5 (I) cannot be used on a plate:"
            " only digits and letters other than I and O.",
        ),
        (
            "粤B1234O",
            "Character 7 (O) cannot be used on a plate:"
            " only digits and letters other than I and O.",
        ),
        (
            "粤B12挂45",
            "Character 5 (挂) cannot be used on a plate:"
            " only digits and letters other than I and O.",
        ),
        (
            "粤BD1O345",
            "Character 5 (O) cannot be used on a plate:"
            " only digits and letters other than I and O.",
        ),
        (
            "粤BL12345",
            "Character 3 (L) of a new-energy plate should be a letter from A to K other than I,"
            " or a digit on a large vehicle.",
        ),
        (
            "粤BI12345",
            "Character 3 (I) of a new-energy plate should be a letter from A to K other than I,"
            " or a digit on a large vehicle.",
        ),
        ("粤B1A345D", "Character 4 (A) should be a digit."),
        ("粤B12345A", "A large new-energy plate ends in D or F, not A."),
    ],
)
def test_parse_plate_invalid(text, message):
    assert str(raised(parse_plate, text)) == message


# --- Resident ID number -------------------------------------------------------


# 11010519491231002X, the GB 11643-1999 example:
#   digits  1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2
#   weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
#   7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 -> "10X98765432"[2] = X
# 44010619900101123?:
#   28+36+0+5+0+24+2+9+54+0+0+9+0+5+8+8+6 = 194; 194 mod 11 = 7 -> "10X98765432"[7] = 5
@pytest.mark.parametrize(
    ("text", "value", "region_code", "birth_date", "male"),
    [
        ("11010519491231002X", "11010519491231002X", "110105", date(1949, 12, 31), False),
        ("11010519491231002x", "11010519491231002X", "110105", date(1949, 12, 31), False),
        ("110105 19491231 002X", "11010519491231002X", "110105", date(1949, 12, 31), False),
        (
            "１１０１０５１９４９１２３１００２Ｘ",
            "11010519491231002X",
            "110105",
            date(1949, 12, 31),
            False,
        ),
        ("440106199001011235", "440106199001011235", "440106", date(1990, 1, 1), True),
        (with_resident_check("31010420000229004"), None, "310104", date(2000, 2, 29), False),
        (with_resident_check("51010719000101001"), None, "510107", date(1900, 1, 1), True),
        (with_resident_check("65010220260301009"), None, "650102", TODAY, True),  # born today
    ],
)
def test_parse_resident_id_valid(text, value, region_code, birth_date, male):
    resident = parse_resident_id(text, today=TODAY)
    assert resident.value == (value or text)
    assert (resident.region_code, resident.birth_date, resident.male) == (
        region_code,
        birth_date,
        male,
    )


@pytest.mark.parametrize(
    ("first17", "expected"),
    [("11010519491231002", "X"), ("44010619900101123", "5"), ("440106 19900101 123", "5")],
)
def test_resident_id_check_char(first17, expected):
    assert resident_id_check_char(first17) == expected


@pytest.mark.parametrize(
    ("first17", "message"),
    [
        (
            "1101051949123100",
            "A resident ID number has 17 digits before its last character; this has 16.",
        ),
        ("1101051949123100A", "Character 17 (A) should be a digit."),
    ],
)
def test_resident_id_check_char_invalid(first17, message):
    assert str(raised(resident_id_check_char, first17)) == message


INVALID_RESIDENT_IDS = [
    ("440106199001011234", "The last character should be 5, not 4."),
    ("110105194912310021", "The last character should be X, not 1."),
    ("11010519491231002", "A resident ID number has 18 characters; this one has 17."),
    ("110105491231002", "A resident ID number has 18 characters; this one has 15."),  # old 15-digit
    ("110105194912310A2X", "Character 16 (A) should be a digit."),
    ("11010519491231002Y", "The last character (Y) should be a digit or X."),
    (
        with_resident_check("99010519491231002"),
        "The first two digits (99) are not a province's code.",
    ),
    (
        with_resident_check("00010519491231002"),
        "The first two digits (00) are not a province's code.",
    ),
    (
        with_resident_check("11010519900230002"),
        "Characters 7 to 14 are not a real date of birth (year, month, day).",
    ),
    (
        with_resident_check("11010519901301002"),
        "Characters 7 to 14 are not a real date of birth (year, month, day).",
    ),
    (
        with_resident_check("11010520260302002"),  # the day after TODAY
        "The date of birth (characters 7 to 14) is in the future.",
    ),
    (
        with_resident_check("11010518991231002"),
        "The date of birth (characters 7 to 14) is before 1900.",
    ),
]


@pytest.mark.parametrize(("text", "message"), INVALID_RESIDENT_IDS)
def test_parse_resident_id_invalid(text, message):
    error = raised(parse_resident_id, text, today=TODAY)
    assert str(error) == message
    # Personal data stays out of messages, which may end up in a log.
    assert text[6:14] not in str(error)


def test_future_date_uses_today_by_default():
    tomorrow = date.today() + timedelta(days=1)
    number = with_resident_check(f"110105{tomorrow:%Y%m%d}002")
    assert "future" in str(raised(parse_resident_id, number))


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("440106199001011234", "4401**********1234"),
        ("11010519491231002x", "1101**********002X"),
        ("12345678", "********"),
    ],
)
def test_mask_resident_id(value, masked):
    assert mask_resident_id(value) == masked


def test_resident_id_hash_is_keyed():
    number = "11010519491231002X"
    first = resident_id_hash(number, b"key one")
    assert first == resident_id_hash(number, b"key one")
    assert first == resident_id_hash("110105 19491231 002x", b"key one")  # normalised first
    assert first != resident_id_hash(number, b"key two")
    assert first != resident_id_hash("440106199001011235", b"key one")
    assert first == hmac.new(b"key one", number.encode(), hashlib.sha256).hexdigest()
    assert len(first) == 64
    assert number not in first and number[:17] not in first


def test_resident_id_hash_refuses_an_empty_key():
    with pytest.raises(ValueError, match="key"):
        resident_id_hash("11010519491231002X", b"")


@PROPERTY
@given(
    region=st.sampled_from(["110105", "310104", "440106", "440305", "510107", "650102"]),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_resident_id_with_computed_check_always_parses(region, birth, sequence):
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    check = resident_id_check_char(first17)
    assert check == reference_resident_check(first17)
    resident = parse_resident_id(first17 + check, today=TODAY)
    assert (resident.value, resident.region_code) == (first17 + check, region)
    assert (resident.birth_date, resident.male) == (birth, sequence % 2 == 1)


# --- Unified Social Credit Code -----------------------------------------------


# 91350100M000100Y43 (alphabet index: M = 21, Y = 30):
#   chars   9 1 3  5  0  1  0  0  M  0  0  0 1  0  0  Y  4
#   weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
#   9+3+27+135+26+420+8+900+112 = 1640; 1640 mod 31 = 28; 31 - 28 = 3
# 91440300MA5F000080: 9+3+36+108+78+420+290+125+195+224 = 1488 = 31 x 48;
#   31 - 0 = 31, written 0
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("91350100M000100Y43", "91350100M000100Y43"),
        ("91110000600037341L", "91110000600037341L"),  # python-stdnum's example
        ("91440300MA5F000080", "91440300MA5F000080"),
        ("91350100m000100y43", "91350100M000100Y43"),
        ("9135 0100 M000 100Y 43", "91350100M000100Y43"),
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
    ],
)
def test_parse_uscc_valid(text, value):
    assert reference_uscc_check(value[:17]) == value[17]
    code = parse_uscc(text)
    assert (code.value, code.check_digit_ok, code.expected_check) == (value, True, value[17])


def test_parse_uscc_check_mismatch_warns_instead_of_raising():
    code = parse_uscc("91350100M000100Y44")
    assert code.value == "91350100M000100Y44"
    assert code.check_digit_ok is False
    assert code.expected_check == "3"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("91350100M000100Y4", "A unified social credit code has 18 characters; this one has 17."),
        ("91350100M000100Y433", "A unified social credit code has 18 characters; this one has 19."),
        (
            "9135010OM000100Y43",
            "Character 8 (O) cannot be used in a unified social credit code:"
            " only digits and letters other than I, O, S, V and Z.",
        ),
        (
            "91350100M000100S43",
            "Character 16 (S) cannot be used in a unified social credit code:"
            " only digits and letters other than I, O, S, V and Z.",
        ),
        (
            "91350100M000100Y4Z",
            "Character 18 (Z) cannot be used in a unified social credit code:"
            " only digits and letters other than I, O, S, V and Z.",
        ),
    ],
)
def test_parse_uscc_invalid(text, message):
    assert str(raised(parse_uscc, text)) == message


@pytest.mark.parametrize(
    ("first17", "expected"),
    [("91350100M000100Y4", "3"), ("91110000600037341", "L"), ("91440300MA5F00008", "0")],
)
def test_uscc_check_char(first17, expected):
    assert uscc_check_char(first17) == expected


def test_uscc_check_char_invalid():
    message = "A unified social credit code has 17 characters before its last one; this has 18."
    assert str(raised(uscc_check_char, "91350100M000100Y43")) == message


@PROPERTY
@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_uscc_check_char_matches_the_standard(first17):
    check = uscc_check_char(first17)
    assert check == reference_uscc_check(first17)
    assert parse_uscc(first17 + check).check_digit_ok
