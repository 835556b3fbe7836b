from decimal import Decimal

from sitegen.site import glossary


def test_amounts_in_yuan_and_large_ones_in_wan():
    assert glossary.amount_text(Decimal("1234.5")) == "1,234.50 元"
    assert glossary.amount_text(Decimal("352000")) == "352,000.00 元（35.20万元）"


def test_terms_and_account_codes_in_plain_words():
    assert glossary.explain_terms(["决算", "不存在"]) == [("决算", glossary.TERMS["决算"])]
    assert "工程" in glossary.account_words("2024", "153")
    assert glossary.account_words("2024", "999") == "999"


def test_terms_of_the_finance_sources_and_openings():
    words = ("期初余额", "净值", "来源文件")
    assert [w for w, _ in glossary.explain_terms(words)] == list(words)
    assert all(len(glossary.term(w)) <= 60 for w in words)  # short enough to sit under a table on a TV
