import pytest

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
