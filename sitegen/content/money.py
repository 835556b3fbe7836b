"""Money (金额): parsed from clerks' text into Decimal, never float, and shown in plain 元 / 万元."""

from __future__ import annotations

import re
from decimal import Decimal

# A plain decimal: optional minus (red-ink reversals), digits with optional correct thousands grouping,
# at most two decimal places. Rejects 1e3, 12.345, ¥, 一千 and anything Excel's float formatting leaks.
_PLAIN = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")
# At most 20 digits before the point: more is a slip, and at 27 Decimal's precision (28) ends, its rounding to
# cents failing (an internal error, h61) and a total of such amounts no longer exact.
MAX_DIGITS = 20
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class AmountError(ValueError):
    """The text is not a plain amount."""


def parse_amount(text: str) -> Decimal:
    """Parse '1,200.5' -> Decimal('1200.50'); an empty cell is zero. Raises AmountError otherwise."""
    s = text.strip().replace("\u3000", "")
    if s == "":
        return ZERO
    plain = s.replace(",", "")
    if not _PLAIN.match(s) or len(plain.lstrip("-").partition(".")[0]) > MAX_DIGITS:
        raise AmountError(text)
    return Decimal(plain).quantize(CENT)


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")


def amount_example(text: str) -> str:
    """The plain form a clerk meant by `text` (an amount that did not parse), for the message's "write it as":
    '2,350.00元' -> '2350.00', '￥1200' -> '1200.00'; when nothing plain can be made of it, '1200.50'."""
    s = re.sub(r"[\s\u3000元圆¥￥]|人民币|RMB", "", str(text).translate(_FULLWIDTH))
    try:
        return str(parse_amount(s).quantize(CENT)).replace(",", "") if s else "1200.50"
    except AmountError:
        return "1200.50"


def yuan(amount: Decimal) -> str:
    """'12,345.60' — always two places, thousands separators."""
    return f"{amount.quantize(CENT):,.2f}"


def wan(amount: Decimal) -> str:
    """'1.23万' — for large totals; two places, rounded half-even like the ledger itself."""
    return f"{(amount / Decimal(10000)).quantize(CENT):,.2f}万"
