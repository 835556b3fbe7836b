"""`sitegen new village`: the village.yaml it writes reads back with the title as written, whatever it holds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from sitegen.cli.scaffold import JOURNAL_HEADERS, ScaffoldError, new_town, new_village
from sitegen.content.accounts import CHARTS, system_for_year
from sitegen.content.load import parse_yaml
from sitegen.oversight.review import publish
from tests.checked import check

TITLES = [
    "东新村",
    "东新村: 一组",  # a colon and space: a YAML mapping if unquoted
    "#3 村",  # a comment if unquoted
    "[东新]",  # a flow sequence if unquoted
    '东"新"村',  # quotes
    "{title}村",  # braces: a format field if the title were a template
    "yes",  # a boolean in YAML 1.1 if unquoted
]


@pytest.mark.parametrize("title", TITLES)
def test_village_yaml_keeps_the_title_as_text(tmp_path, title):
    village = new_village(tmp_path / "content", "xg", "dongxin", title, "夏港街道")
    data = parse_yaml((village / "village.yaml").read_text(encoding="utf-8"))
    assert data["name"] == title
    assert data["intro"] == f"{title}的“三务”公开。"
    assert set(data["opening_balances"]) == {"银行存款"}
    assert data["cadres"][0]["relatives"][0]["relation"] == "配偶"


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
    fresh = new_village(tmp_path / "content", "zt", "hexiang", "河湘村", "周庄镇")  # a new town: named by --town-title
    front = parse_yaml((fresh / "party" / "example.md").read_text(encoding="utf-8").split("---")[1])
    assert front["review"]["department"] == "周庄镇组织办"


# ---- issue 16: a first village that passes --------------------------------------------------------------------


def test_a_new_village_passes_check_with_every_example_a_draft(mini):
    village = new_village(mini, "xg", "dongxin", "东新村")
    city, report = check(mini)
    assert city is not None and report.errors == []
    assert not [p for p in report.warnings if "dongxin" in p.where.path], report.warnings
    dongxin = next(v for v in city.villages if v.slug == "dongxin")
    boards = {item.board.slug for item in dongxin.items}
    assert boards >= {"party", "affairs", "finance"} and (village / "rules" / "example.md").is_file()
    assert all(item.review.status == "pending" for item in dongxin.items)  # drafts until the reviewer approves
    assert "2026-01" in dongxin.month_reviews and dongxin.month_reviews["2026-01"].status == "pending"
    city = publish(city, preview=False)
    dongxin = next(v for v in city.villages if v.slug == "dongxin")
    assert dongxin.items == [] and dongxin.vouchers == []  # nothing of the examples is published


def test_the_journal_template_is_read_back_by_the_journal_reader(mini):
    """journal/2026-01.xlsx: the example voucher reads as one balanced voucher; the account column offers the codes
    of the chart in force as a drop-down, and the dates and amounts are checked as typed."""
    village = new_village(mini, "xg", "dongxin", "东新村")
    city, report = check(mini)
    dongxin = next(v for v in city.villages if v.slug == "dongxin")
    [voucher] = dongxin.vouchers
    assert voucher.label == "记-1" and str(voucher.date) == "2026-01-05"
    assert (
        sum(line.debit for line in voucher.lines) == sum(line.credit for line in voucher.lines) == Decimal("12000.00")
    )
    book = load_workbook(village / "journal" / "2026-01.xlsx")
    sheet = book["凭证"]
    assert [c.value for c in sheet[1]] == list(JOURNAL_HEADERS)
    kinds = {v.type: v for v in sheet.data_validations.dataValidation}
    assert set(kinds) == {"list", "date", "decimal", "whole"}
    assert "科目表" in kinds["list"].formula1 and "D2:D5000" in str(kinds["list"].sqref)
    codes = [row[0].value for row in book["科目表"].iter_rows(min_row=2)]
    assert codes == list(CHARTS[system_for_year(2026)])


def test_the_chart_in_the_template_follows_site_yaml(mini):
    """A site that switches to the 2024 chart only in 2027 gets the 2004 codes in its 2026 template."""
    (mini / "site.yaml").write_text(
        (mini / "site.yaml").read_text(encoding="utf-8") + "new_accounts_from: 2027\n", encoding="utf-8"
    )
    village = new_village(mini, "xg", "dongxin", "东新村")
    codes = [row[0].value for row in load_workbook(village / "journal" / "2026-01.xlsx")["科目表"].iter_rows(min_row=2)]
    assert codes == list(CHARTS[system_for_year(2026, 2027)]) != list(CHARTS[system_for_year(2026)])


def test_a_new_town_is_named_by_its_title(tmp_path):
    content = tmp_path / "content"
    town = new_town(content, "xg", "夏港街道")
    assert parse_yaml((town / "town.yaml").read_text(encoding="utf-8"))["name"] == "夏港街道"
    with pytest.raises(ScaffoldError):
        new_town(content, "xg", "夏港街道")  # exists
    with pytest.raises(ScaffoldError, match="--town-title"):
        new_village(content, "zt", "hexiang", "河湘村")  # a new town needs its Chinese name
    assert not (content / "zt").exists()
