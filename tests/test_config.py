"""site.yaml: strict keys, documented defaults, configurable sub-items."""
from __future__ import annotations

from decimal import Decimal

from sitegen.content.config import DEFAULT_SUBITEMS, SiteConfig, parse_site_config
from sitegen.content.errors import Location, Report
from sitegen.content.taxonomy import BOARDS

WHERE = Location("content/site.yaml")


def parse(data):
    report = Report()
    return parse_site_config(data, WHERE, report), report


def test_defaults():
    config, report = parse({"city": "江阴市"})
    assert not report.problems
    assert (config.title, config.hotline, config.new_accounts_from, config.large_amount) == \
        ("三务公开户户通", "12345", 2024, Decimal("100000"))
    assert config.subitems == DEFAULT_SUBITEMS


def test_default_taxonomy_matches_the_article():
    assert [len(b.categories) for b in BOARDS] == [7, 7, 7]
    counts = {board: sum(len(v) for v in cats.values()) for board, cats in DEFAULT_SUBITEMS.items()}
    assert counts == {"党务": 22, "村务": 14, "财务": 31}  # as Jiangyin counts its sub-items
    for board in BOARDS:
        assert [c.name for c in board.categories] == list(DEFAULT_SUBITEMS[board.name])


def test_missing_and_unknown_keys():
    config, report = parse({"titel": "x"})
    assert config is None
    assert sorted(p.code for p in report.errors) == ["missing-key", "unknown-key"]
    (unknown,) = [p for p in report.errors if p.code == "unknown-key"]
    assert "title" in unknown.zh and unknown.where == WHERE


def test_subitems_override_one_category():
    config, report = parse({"city": "c", "subitems": {"财务": {"资金": ["基本户", "村务卡"]}}})
    assert not report.problems
    assert config.subitems["财务"]["资金"] == ("基本户", "村务卡")
    assert config.subitems["财务"]["资产"] == DEFAULT_SUBITEMS["财务"]["资产"]


def test_subitems_errors_name_the_wrong_part():
    _, report = parse({"city": "c", "subitems": {"财物": {}, "党务": {"组织建议": ["x"]}}})
    codes = sorted(p.code for p in report.errors)
    assert codes == ["bad-value", "unknown-category"]


def test_bad_values():
    _, report = parse({"city": "c", "new_accounts_from": "明年", "large_amount": "1e5"})
    assert sorted(p.code for p in report.errors) == ["amount-format", "bad-value"]
    assert isinstance(SiteConfig("c").large_amount, Decimal)
