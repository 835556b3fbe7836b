"""Personal data (个人信息): ID numbers, bank card numbers and mobile numbers never ship unmasked.

Masking is applied to every piece of clerk text on its way into a page (the template engine's finalize hook
and the Markdown renderer), and `find_unmasked` re-reads every generated page as a last line of defence.
"""

from __future__ import annotations

import re

# 15-19 digits (ID numbers, 15 or 18 with a final X; bank cards 16-19), or written in groups as cards
# (6228 4800 1234 5678) and IDs (320281 19580312 1234; old 15-digit ones 320281 580312 123) often are.
# Neighbouring letters/digits mean it is part of something else.
_LONG = re.compile(
    r"\d(?<![0-9A-Za-z]\d)(?:\d{16}[\dXx]|\d{14,18}|\d{3}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?"
    r"|\d{5}[ -]\d{8}[ -]\d{3}[\dXx]|\d{5}[ -]\d{6}[ -]\d{3})(?![0-9A-Za-z])"
)
# Mobiles: also typed in full-width digits (１３９…), and after a country code written without a gap (+8613912345678).
_MOBILE = re.compile(
    r"([1１](?:(?<![0-9A-Za-z][1１])|(?<=86[1１])|(?<=８６[1１]))[3-9３-９]\d)[ -]?(\d{4})[ -]?(\d{4})"
    r"(?![0-9A-Za-z])"
)
# Both patterns open with a digit (the neighbour tests come after it, as lookbehinds over two characters), so that
# the regex engine skips from digit to digit in C instead of trying every position of a page: find_unmasked reads
# every page of the site (tests/test_privacy.py checks them against the patterns as first written).
_DIGIT = re.compile(r"\d")


def _mask_long(m: re.Match) -> str:
    """Every match holds 15-19 digits (the pattern's alternatives are exactly those lengths)."""
    digits = re.sub(r"[ -]", "", m.group(0))
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def mask(text: str) -> str:
    """'320281195803121234' -> '3202**********1234'; '13812345678' -> '138****5678'."""
    if not _DIGIT.search(text):  # both patterns need a digit
        return text
    text = _LONG.sub(_mask_long, text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def find_unmasked(text: str) -> list[str]:
    """Identifiers that survived masking (should be none)."""
    found = [m.group(0) for m in _LONG.finditer(text)]
    return found + [m.group(0) for m in _MOBILE.finditer(text)]
