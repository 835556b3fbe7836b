import pytest

from sitegen.privacy import find_unmasked, mask


@pytest.mark.parametrize("raw,masked", [
    ("身份证320281195803121234", "身份证3202**********1234"),
    ("32028119580312123X", "3202**********123X"),
    ("电话 13812345678。", "电话 138****5678。"),
    ("手机138-1234-5678", "手机138****5678"),
    ("卡号6228480012345678901", "卡号6228***********8901"),
    ("卡号 6217 0012 3456 7890", "卡号 6217********7890"),
])
def test_identifiers_are_masked(raw, masked):
    assert mask(raw) == masked
    assert find_unmasked(raw) and not find_unmasked(mask(raw))


@pytest.mark.parametrize("text", ["2026-09-15 2026-09-16", "金额 12345678.00 元", "凭证 2026-09-012",
                                  "统一社会信用代码 91320281MA1W2X3Y4Z", "电话 0510-86012345"])
def test_ordinary_numbers_are_left_alone(text):
    assert mask(text) == text
