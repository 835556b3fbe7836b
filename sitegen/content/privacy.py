"""Personal data (个人信息): ID numbers, bank card numbers and mobile numbers never ship unmasked.

Masking is applied to every piece of clerk text on its way into a page (the template engine's finalize hook
and the Markdown renderer), and `find_unmasked` re-reads every generated page as a last line of defence.
"""

from __future__ import annotations

import array
import functools
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


def find_unmasked_in(data: bytes) -> list[str]:
    """find_unmasked of a page's UTF-8 bytes (decoded, bad bytes replaced), read only when its bytes could hold a
    match: the build scans every page it makes, and a regex over every character of a page cost more than
    rendering it (~75 µs a page of ~3,500 characters, for the ~300 digits of its dates, amounts and sizes).

    Every match of either pattern contains four digits, at most one space or hyphen, four digits (a mobile's last
    eight; an ID's or card's first eight or its groups). Such a run of ASCII digits is a run of ASCII bytes; any
    other digit (the patterns read every Unicode decimal digit: full-width, Arabic-Indic…) is one whose UTF-8
    starts with one of a few bytes. So a page without that run of ASCII bytes and without those bytes holds no
    match: one bytes.translate and four substring searches, in C, tell (tests/test_privacy.py: the same answers as
    find_unmasked on every text of its tables and random texts)."""
    table, needles = _digit_bytes()
    marked = data.translate(table)
    if not any(needle in marked for needle in needles):
        return []
    return find_unmasked(data.decode("utf-8", "replace"))


@functools.cache
def _digit_bytes() -> tuple[bytes, tuple[bytes, ...]]:
    """find_unmasked_in's byte classes, from this Python's Unicode tables (once, ~60 ms): ASCII digits -> "0",
    space and hyphen -> " ", the first byte of any other decimal digit's UTF-8 -> "u", all else "x"; the
    full-width digits ０-９ (EF BC 90-99) told apart from the full-width punctuation of Chinese text (，：（）, EF
    BC 8x…) by their three bytes, "eb9", when they are the only digits starting with EF."""
    chars = "".join(
        array.array("I", span).tobytes().decode("utf-32-le") for span in (range(0x80, 0xD800), range(0xE000, 0x110000))
    )
    others = [c.encode() for c in re.findall(r"[^\D0-9]", chars)]  # \d but not 0-9: what _LONG and _MOBILE read
    table = bytearray(b"x" * 256)
    table[ord("0") : ord("9") + 1] = b"0" * 10
    table[ord(" ")] = table[ord("-")] = ord(" ")
    needles = [b"00000000", b"0000 0000"]
    full_width = [c for c in others if c[0] == 0xEF]
    if all(len(c) == 3 and c[1] == 0xBC and 0x90 <= c[2] <= 0x99 for c in full_width):
        others = [c for c in others if c[0] != 0xEF]
        table[0xEF], table[0xBC] = ord("e"), ord("b")
        table[0x90:0x9A] = b"9" * 10
        needles.append(b"eb9")
    for c in others:
        table[c[0]] = ord("u")
    needles.append(b"u")
    return bytes(table), tuple(needles)
