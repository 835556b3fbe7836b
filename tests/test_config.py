"""site.yaml: strict keys, documented defaults, configurable sub-items."""

from __future__ import annotations

import re
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from sitegen.content.config import (
    BASIS_KEYS,
    DEFAULT_SUBITEMS,
    ITEM_KEYS,
    REVIEW_KEYS,
    TOWN_KEYS,
    VILLAGE_KEYS,
    BasisFront,
    ItemFront,
    ReviewFront,
    SiteConfig,
    TownConfig,
    VillageConfig,
    key_where,
    keys_of,
    parse_site_config,
    read_mapping,
    required_of,
)
from sitegen.content.errors import Location, Report
from sitegen.content.load import parse_yaml
from sitegen.content.taxonomy import BOARDS

WHERE = Location("content/site.yaml")


def parse(data):
    report = Report()
    return parse_site_config(data, WHERE, report), report


def test_defaults():
    config, report = parse({"city": "江阴市"})
    assert not report.problems
    assert (config.title, config.hotline, config.new_accounts_from, config.large_amount) == (
        "三务公开户户通",
        "12345",
        2024,
        Decimal("100000"),
    )
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


# ---- declared once: each block's keys, defaults and readers come from its dataclass (config.setting) ----------


def test_every_setting_has_a_reader_so_its_key_is_accepted():
    """A field added without setting(...) would be a key site.yaml cannot set (and one the reader never fills)."""
    from sitegen.content.config import OversightConfig, PublishConfig, Target

    for cls in (SiteConfig, PublishConfig, OversightConfig, Target):
        assert [f.name for f in fields(cls) if "read" not in f.metadata] == [], cls.__name__


def test_unknown_key_in_a_block_names_the_nearest_accepted_key():
    _, report = parse({"city": "c", "oversight": {"split_day": 5}, "publish": {"valid_day": 3}})
    hints = sorted(p.zh for p in report.errors if p.code == "unknown-key")
    assert len(hints) == 2 and "split_days" in hints[0] + hints[1] and "valid_days" in hints[0] + hints[1]


BLOCK_VALUES: list[
    tuple[dict[str, Any], tuple[str | None, str, Any], str]
] = [  # (site.yaml, the value read, or None when it is an error: key named in the message)
    ({"oversight": {"split_days": 40}}, ("oversight", "split_days", None), "oversight.split_days"),
    ({"oversight": {"split_days": True}}, ("oversight", "split_days", None), "oversight.split_days"),
    ({"oversight": {"review_required": "yes"}}, ("oversight", "review_required", None), "oversight.review_required"),
    ({"publish": {"valid_days": 0}}, ("publish", "valid_days", None), "publish.valid_days"),
    ({"new_accounts_from": 1980}, (None, "new_accounts_from", None), "new_accounts_from"),
    ({"oversight": {"large_payment": "20000"}}, ("oversight", "split_total", Decimal("20000.00")), ""),
    (
        {"oversight": {"large_payment": "20000", "split_total": "30000"}},
        ("oversight", "split_total", Decimal("30000.00")),
        "",
    ),
    ({"oversight": {"stale_days": 30}}, ("oversight", "stale_days", 30), ""),
    ({"publish": {"valid_days": 7}}, ("publish", "valid_days", 7), ""),
    ({"title": 2026}, (None, "title", "2026"), ""),
]


def test_block_values_are_read_and_checked():
    for extra, (block, key, expected), label in BLOCK_VALUES:
        config, report = parse({"city": "c", **extra})
        owner = getattr(config, block) if block else config
        if expected is None:
            (problem,) = report.errors
            assert problem.code == "bad-value" and label in problem.zh, extra
            default = getattr(type(owner)(*(["c"] if owner is config else [])), key)
            assert getattr(owner, key) == default, extra  # a bad value falls back to the default
        else:
            assert not report.problems, extra
            assert getattr(owner, key) == expected, extra


def test_a_non_mapping_block_is_an_error_and_gives_the_defaults():
    from sitegen.content.config import OversightConfig, PublishConfig

    config, report = parse({"city": "c", "oversight": [1], "publish": "x"})
    assert sorted(p.code for p in report.errors) == ["bad-value", "bad-value"]
    assert config.oversight == OversightConfig() and config.publish == PublishConfig()


# ---- issue 13: town.yaml, village.yaml and front matter declared once, like site.yaml ---------------------------

CLERK_FILES = (TownConfig, VillageConfig, ItemFront, BasisFront, ReviewFront)


def test_every_clerk_key_is_declared_with_a_reader_a_label_and_a_doc():
    """The key lists are the dataclasses' fields (nothing else names them), each with its Chinese label and doc."""
    for cls in CLERK_FILES:
        for f in fields(cls):
            assert "read" in f.metadata and f.metadata["label"] and f.metadata["doc"], (cls.__name__, f.name)
    assert required_of(ItemFront) == ("title", "date")
    assert required_of(ItemFront, categorised=True) == ("title", "date", "category")


def _section(doc: str, heading: str) -> str:
    start = doc.index(heading)
    return doc[start : doc.index("\n## ", start + 1)]


def _examples(section: str, fence: str) -> list[Any]:
    """The YAML of each fenced example in a doc section (a Markdown example: its front matter)."""
    blocks = re.findall(rf"```{fence}\n(.*?)```", section, re.DOTALL)
    return [parse_yaml(b.split("---")[1] if fence == "markdown" else b) for b in blocks]


def test_the_content_format_doc_shows_exactly_the_declared_keys():
    """docs/content-format.md §3 and §4: every key of their examples is declared, and every declared key is named."""
    doc = (Path(__file__).parent.parent / "docs" / "content-format.md").read_text(encoding="utf-8")
    files = _section(doc, "## 3. town.yaml")
    town, village = _examples(files, "yaml")
    (front,) = _examples(_section(doc, "## 4. 事项"), "markdown")
    shown = [
        (TownConfig, town),
        (VillageConfig, village),
        (ItemFront, front),
        (BasisFront, front["basis"]),
        (ReviewFront, front["review"]),
    ] + [(BasisFront, d) for d in front["documents"]]
    for cls, example in shown:
        assert set(example) <= set(keys_of(cls)), (cls.__name__, set(example) - set(keys_of(cls)))
    named = set(re.findall(r"`([a-z_]+)[`:]", files)) | set(town) | set(village)
    assert set(TOWN_KEYS + VILLAGE_KEYS) <= named, set(TOWN_KEYS + VILLAGE_KEYS) - named
    assert set(ITEM_KEYS) == set(front) and set(BASIS_KEYS) == set(front["basis"]), "§4 shows every key"
    assert set(REVIEW_KEYS) == set(front["review"])


def test_a_key_problem_names_the_line_of_the_key():
    """Lines come from the YAML (load.YamlMapping): a nested key's own line wins over its block's."""
    data = parse_yaml("name: 长寿村\nreview:\n  reviewr: 王\n  date: 2026-13-01\n", first_line=2)
    report = Report()
    where = Location("content/xg/cs/party/a.md")
    found, ok = read_mapping(ReviewFront, data["review"], key_where(where, data, "review"), report)
    assert ok and found.reviewer == "" and found.date is None
    assert [(p.code, p.where.line) for p in report.errors] == [("unknown-key", 4), ("bad-date", 5)]
    assert key_where(where, {"a": 1}, "a") == where  # a mapping not read from a file: the file as a whole


def test_every_field_is_read_even_when_a_required_key_is_missing():
    """One run lists all of a file's problems: a missing title does not hide a bad date."""
    report = Report()
    found, ok = read_mapping(ItemFront, {"date": "2026-13-01", "images": {"a": 1}}, WHERE, report)
    assert not ok and isinstance(found, ItemFront)
    assert sorted(p.code for p in report.errors) == ["bad-date", "bad-value", "missing-key"]


def test_a_clerk_file_that_is_not_a_mapping():
    report = Report()
    assert read_mapping(VillageConfig, ["name"], WHERE, report) == (None, False)
    assert [p.code for p in report.errors] == ["yaml-not-mapping"]
