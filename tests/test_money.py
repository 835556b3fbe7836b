from decimal import Decimal

import pytest

from sitegen.content.errors import CATALOGUE
from sitegen.content.money import MAX_DIGITS, AmountError, parse_amount, wan, yuan


@pytest.mark.parametrize(
    "text,value",
    [
        ("1200", "1200.00"),
        ("1200.5", "1200.50"),
        ("1,200.50", "1200.50"),
        (" 0.01 ", "0.01"),
        ("", "0.00"),
        ("-35.00", "-35.00"),
        ("1,234,567.89", "1234567.89"),
        ("123,456.7", "123456.70"),
        ("２５００.５０", "2500.50"),
        ("\u30001200\u3000", "1200.00"),
    ],
)
def test_plain_amounts_parse_to_decimal(text, value):
    amount = parse_amount(text)
    assert isinstance(amount, Decimal) and amount == Decimal(value)
    assert str(amount) == value  # always two places


@pytest.mark.parametrize(
    "text",
    [
        "1e3",
        "12.345",
        "1,20.00",
        "¥100",
        "一千",
        "1.2.3",
        "NaN",
        "Infinity",
        "0x10",
        "12,34",
        "1 000",
        ",200.00",
        "1234,567.00",
        "12.",
        ".5",
        "--1",
        "1,234.567",
        "123456789012345678901234567890",  # h61: beyond Decimal's precision, its rounding failed
        "999,999,999,999,999,999,999,999.00",
    ],
)
def test_anything_else_is_rejected(text):
    with pytest.raises(AmountError):
        parse_amount(text)


def test_the_longest_amount_and_its_message():
    """MAX_DIGITS before the point is read; one more is refused, and the clerk's message says the limit."""
    assert parse_amount("9" * MAX_DIGITS + ".99") == Decimal("9" * MAX_DIGITS + ".99")
    with pytest.raises(AmountError):
        parse_amount("1" + "0" * MAX_DIGITS)
    zh, en = CATALOGUE["amount-format"]
    assert f"最多 {MAX_DIGITS} 位" in zh and f"{MAX_DIGITS} digits before the point" in en


def test_display():
    assert yuan(Decimal("1234567.5")) == "1,234,567.50"
    assert wan(Decimal("1234567.50")) == "123.46万"
