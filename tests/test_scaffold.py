"""`sitegen new village`: the village.yaml it writes reads back with the title as written, whatever it holds."""
from __future__ import annotations

import pytest

from sitegen.load import parse_yaml
from sitegen.scaffold import new_village

TITLES = [
    "东新村",
    "东新村: 一组",       # a colon and space: a YAML mapping if unquoted
    "#3 村",             # a comment if unquoted
    "[东新]",            # a flow sequence if unquoted
    '东"新"村',          # quotes
    "{title}村",         # braces: a format field if the title were a template
    "yes",               # a boolean in YAML 1.1 if unquoted
]


@pytest.mark.parametrize("title", TITLES)
def test_village_yaml_keeps_the_title_as_text(tmp_path, title):
    village = new_village(tmp_path / "content", "xg", "dongxin", title)
    data = parse_yaml((village / "village.yaml").read_text(encoding="utf-8"))
    assert data["name"] == title
    assert data["intro"] == f"{title}的“三务”公开。"
    assert set(data["opening_balances"]) == {"库存现金", "银行存款"}


def test_the_example_item_is_reviewed_by_its_own_towns_office(tmp_path):
    """The example 党务 item names the town's 组织办 by the name its town.yaml gives, so approving it is all a clerk
    changes (reviewers.py checks who approves)."""
    town = tmp_path / "content" / "xg"
    town.mkdir(parents=True)
    (town / "town.yaml").write_text("name: 夏港街道\n", encoding="utf-8")
    village = new_village(tmp_path / "content", "xg", "dongxin", "东新村")
    text = (village / "party" / "example.md").read_text(encoding="utf-8")
    front = parse_yaml(text.split("---")[1])
    assert front["review"]["department"] == "夏港街道组织办"
    fresh = new_village(tmp_path / "content", "zt", "hexiang", "河湘村")  # a new town: named by its folder
    front = parse_yaml((fresh / "party" / "example.md").read_text(encoding="utf-8").split("---")[1])
    assert front["review"]["department"] == "zt组织办"
