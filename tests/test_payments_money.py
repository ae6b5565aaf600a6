"""portal.money: formatting fen as yuan and reading amounts people type."""

import pytest

from portal.money import InvalidAmount, parse_yuan, yuan, yuan_input


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "¥0.00"),
        (5, "¥0.05"),
        (500, "¥5.00"),
        (123450, "¥1,234.50"),
        (10_000_000_00, "¥10,000,000.00"),
        (-100, "-¥1.00"),
    ],
)
def test_yuan_formats_fen(fen, text):
    assert yuan(fen) == text


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("50", 5000),
        ("12.5", 1250),
        ("12.50", 1250),
        ("0.05", 5),
        (".5", 50),
        ("5.", 500),
        ("1,234.56", 123456),
        ("¥ 1,234", 123400),
        ("￥３５．５", 3550),  # full-width, as a Chinese keyboard types it
        ("35元", 3500),
        (" 7 ", 700),
        ("+3", 300),
        ("0", 0),
    ],
)
def test_parse_yuan_reads_amounts(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Enter an amount."),
        ("   ", "Enter an amount."),
        ("-1", "The amount cannot be negative."),
        ("1.234", "Use at most two decimals (fen)."),
        ("9" * 13, "The amount is too large."),
        ("abc", "Enter an amount in yuan"),
        ("1e5", "Enter an amount in yuan"),
        ("NaN", "Enter an amount in yuan"),
        ("inf", "Enter an amount in yuan"),
        ("12,5", "Enter an amount in yuan"),
        ("1,23", "Enter an amount in yuan"),
        ("1.2.3", "Enter an amount in yuan"),
        (".", "Enter an amount in yuan"),
        ("٣", "Enter an amount in yuan"),  # digits of other scripts are not amounts
        ("0x10", "Enter an amount in yuan"),
        ("1_000", "Enter an amount in yuan"),
    ],
)
def test_parse_yuan_refuses_with_a_reason(text, reason):
    with pytest.raises(InvalidAmount) as error:
        parse_yuan(text)
    assert isinstance(error.value, ValueError)
    assert reason in str(error.value)


def test_round_trip_through_a_form_field():
    for fen in (0, 1, 99, 100, 5000, 123456789):
        assert parse_yuan(yuan_input(fen)) == fen
        assert parse_yuan(yuan(fen)) == fen
