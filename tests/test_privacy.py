import random
import re

import pytest

from sitegen.content import privacy
from sitegen.content.privacy import find_unmasked, mask


@pytest.mark.parametrize(
    "raw,masked",
    [
        ("身份证320281195803121234", "身份证3202**********1234"),
        ("32028119580312123X", "3202**********123X"),
        ("电话 13812345678。", "电话 138****5678。"),
        ("手机138-1234-5678", "手机138****5678"),
        ("卡号6228480012345678901", "卡号6228***********8901"),
        ("卡号 6217 0012 3456 7890", "卡号 6217********7890"),
        # old-format (1999 and before) 15-digit ID numbers: a mutant leaving them alone went unnoticed
        ("老身份证320281580312123。", "老身份证3202*******2123。"),
        ("户主 320281 580312 123", "户主 3202*******2123"),
        # 19-digit cards, and the boundary just inside each length
        ("卡号6217001234567890123", "卡号6217***********0123"),
        # mobiles typed in full-width digits, or after a country code with no gap
        ("手机１３９１２３４５６７８", "手机１３９****５６７８"),
        ("电话+8613912345678", "电话+86139****5678"),
        ("电话 0086-139 1234 5678", "电话 0086-139****5678"),
        # IDs written in groups (6-8-4, with the X check digit), cards of 17 and 19 digits in groups of four
        ("身份证 320281 19580312 1234", "身份证 3202**********1234"),
        ("身份证 110105-19491231-002X", "身份证 1101**********002X"),
        ("卡号 6217 0012 3456 7890 1", "卡号 6217*********8901"),
        ("卡号 6217 0012 3456 7890 123", "卡号 6217***********0123"),
        ("卡号 6217 0012 3456 7890123", "卡号 6217***********0123"),
        ("卡号 6217 0012 3456 7890 元", "卡号 6217********7890 元"),  # the space after it stays
    ],
)
def test_identifiers_are_masked(raw, masked):
    assert mask(raw) == masked
    assert find_unmasked(raw) and not find_unmasked(mask(raw))


@pytest.mark.parametrize(
    "text",
    [
        "2026-09-15 2026-09-16",
        "金额 12345678.00 元",
        "凭证 2026-09-012",
        "统一社会信用代码 91320281MA1W2X3Y4Z",
        "电话 0510-86012345",
    ],
)
def test_ordinary_numbers_are_left_alone(text):
    assert mask(text) == text


@pytest.mark.parametrize(
    "text", ["编号 12345678901234", "代码 91320281MA1W2X3Y4Z", "1234567890123456789012", "流水号 12345678901234567890"]
)
def test_not_identifier_lengths_are_left_alone(text):
    """14 digits, digits inside a code, and 22 digits are not ID or card numbers: masking is by length."""
    assert mask(text) == text and not find_unmasked(text)


def test_text_without_digits_comes_back_unchanged():
    assert mask("村务公开栏") == "村务公开栏" and mask("") == ""


def test_what_is_found_is_the_whole_number():
    """find_unmasked names what leaked, whole: the build's error message quotes it."""
    assert find_unmasked("电话 13812345678，身份证 320281195803121234") == ["320281195803121234", "13812345678"]
    assert find_unmasked("卡号 6217 0012 3456 7890 1234") == ["6217 0012 3456 7890"]  # 20 digits: the first 16


# The patterns as first written (each opening with its neighbour test): privacy.py's open with a digit so that
# the regex engine skips to digits in C; they must find exactly the same.
_LONG_AS_WRITTEN = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?"
    r"|\d{6}[ -]\d{8}[ -]\d{3}[\dXx]|\d{6}[ -]\d{6}[ -]\d{3})(?![0-9A-Za-z])"
)
_MOBILE_AS_WRITTEN = re.compile(
    r"(?:(?<![0-9A-Za-z])|(?<=86)|(?<=８６))([1１][3-9３-９]\d)[ -]?(\d{4})[ -]?(\d{4})"
    r"(?![0-9A-Za-z])"
)
_PIECES = ["1", "13", "139", "１３９", "86", "８６", "+86", "0086-", " ", "-", "X", "x", "a", "Z", "号", "元", "\n"]


def _texts(seed: int, count: int) -> list[str]:
    """Digit runs (ASCII or full-width) of every length around 11 and 15-19, numbers written in groups as IDs,
    cards and mobiles are (each group one digit longer or shorter at times), separators, letters, country codes."""
    rng = random.Random(seed)

    def run(length: int) -> str:
        digits = rng.choice(["0123456789", "0123456789", "０１２３４５６７８９"])
        return "".join(rng.choice(digits) for _ in range(length))

    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 6)):
            roll = rng.random()
            if roll < 0.15:  # a mobile, after what may be a country code
                parts.append(rng.choice(["86", "８６", "0086-", "a", "9", "６", ""]) + rng.choice("1１") + run(10))
            elif roll < 0.35:
                parts.append(run(rng.choice([1, 3, 4, 6, 8, 11, 14, 15, 16, 17, 18, 19, 20])))
            elif roll < 0.7:
                groups = rng.choice([(4, 4, 4, 4), (4, 4, 4, 4, 1), (4, 4, 4, 4, 3), (6, 8, 4), (6, 6, 3), (3, 4, 4)])
                sep = rng.choice([" ", "-", ""])
                parts.append(sep.join(run(max(1, g + rng.choice([0, 0, 0, -1, 1]))) for g in groups))
                if rng.random() < 0.3:
                    parts[-1] += rng.choice("Xx")
            else:
                parts.append(rng.choice(_PIECES))
        texts.append("".join(parts))
    return texts


@pytest.mark.parametrize("seed", range(4))
def test_the_patterns_find_what_they_found_as_first_written(seed):
    for text in _texts(seed, 5000):
        for now, before in ((privacy._LONG, _LONG_AS_WRITTEN), (privacy._MOBILE, _MOBILE_AS_WRITTEN)):
            assert [(m.span(), m.groups()) for m in now.finditer(text)] == [
                (m.span(), m.groups()) for m in before.finditer(text)
            ], text
        assert mask(text) == _MOBILE_AS_WRITTEN.sub(
            lambda m: f"{m.group(1)}****{m.group(3)}", _LONG_AS_WRITTEN.sub(privacy._mask_long, text)
        )


@pytest.mark.parametrize(
    "text,found",
    [
        ("320281195803121234", ["320281195803121234"]),  # at the very start and end of the text
        ("a320281195803121234", []),  # a letter before: part of something else
        ("3320281195803121234567", []),  # 22 digits
        ("86139 1234 5678", ["139 1234 5678"]),  # after a country code with no gap
        ("８６１３９１２３４５６７８", ["１３９１２３４５６７８"]),
        ("a13912345678", []),
        ("913912345678", []),  # a digit before that is not a country code
        ("x86", []),
    ],
)
def test_the_edges_of_a_number(text, found):
    assert find_unmasked(text) == found


# find_unmasked_in (the build's scan of a page's bytes) against find_unmasked on the decoded text: digits of other
# scripts (each a different first byte in UTF-8), full-width punctuation beside full-width digits (the same first
# two bytes), emoji and rare CJK (four bytes, starting like some digits), bytes that are no UTF-8, markup.
_SCRIPTS = [
    "0123456789",
    "０１２３４５６７８９",
    "٠١٢٣٤٥٦٧٨٩",
    "۰۱۲۳۴۵۶۷۸۹",
    "०१२३४५६७८९",
    "߀߁߂߃߄߅߆߇߈߉",
    "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
]
_NOISE = [
    "，",
    "：",
    "（",
    "）",
    "！",
    "。",
    "元",
    "号",
    "😀",
    "𠀀",
    '<a href="x/1.html">',
    "\xa0",
    "\u3000",
    "\t",
    "Ｘ",
]


def _pages(seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    pages = []
    for text in _texts(seed, count):
        parts = list(text)
        for _ in range(rng.randint(0, 4)):  # digits of another script, or noise, somewhere in it
            run = "".join(rng.choice(rng.choice(_SCRIPTS)) for _ in range(rng.choice([1, 4, 8, 11])))
            parts.insert(rng.randint(0, len(parts)), rng.choice([run, rng.choice(_NOISE)]))
        data = "".join(parts).encode()
        if rng.random() < 0.1:  # a cut or stray byte: decoded with replacement characters
            at = rng.randint(0, len(data))
            data = data[:at] + rng.choice([b"\xef", b"\xef\xbc", b"\xd9", b"\xff", b"\x80"]) + data[at:]
        pages.append(data)
    return pages


@pytest.mark.parametrize("seed", range(3))
def test_the_scan_of_page_bytes_finds_what_find_unmasked_finds(seed):
    for data in _pages(seed, 4000):
        assert privacy.find_unmasked_in(data) == find_unmasked(data.decode("utf-8", "replace")), data


@pytest.mark.parametrize(
    "text",
    [
        "电话 13812345678",
        "电话 １３８１２３４５６７８",  # every digit full-width: the pre-check sees EF BC 9x
        "电话 1３８１２３４５６７８",
        "身份证 320281 580312 123",  # groups of six: four digits, a space, four digits inside
        "卡号 6217-0012-3456-7890",
        "卡号 6217 0012 3456 789０",
    ],
)
def test_the_scan_of_page_bytes_finds_each_kind(text):
    data = f"<p>{text}，（合计）</p>".encode()
    assert privacy.find_unmasked_in(data) == find_unmasked(text) != []


def test_the_page_byte_classes_cover_every_digit():
    """Each decimal digit other than 0-9 is told by its first byte ("u") or, full-width, its three ("eb9")."""
    table, needles = privacy._digit_bytes()
    digits = [chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000 and re.match(r"\d", chr(c))]
    assert len(digits) > 600
    for c in digits:
        marked = c.encode().translate(table)
        assert any(needle in marked for needle in needles[2:]), hex(ord(c))
    assert "，：（）".encode().translate(table).count(b"u") == 0  # Chinese punctuation is no digit
