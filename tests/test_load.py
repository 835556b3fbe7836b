"""Loading: encodings clerks actually save in, Excel journals, front matter and YAML errors."""
from __future__ import annotations

import openpyxl

from sitegen.errors import Report
from sitegen.load import load, read_table
from sitegen.pipeline import build, check
from tests.conftest import snapshot
from tests.test_validate import JOURNAL


def vouchers(root):
    city, report = check(root)
    assert not report.errors, [p.format() for p in report.errors]
    return [(v.key, v.date, [(ln.account.code, ln.debit, ln.credit, ln.summary, ln.counterparty) for ln in v.lines])
            for v in city.villages[0].vouchers]


def test_gb18030_and_bom_csv_load_like_utf8(mini, tmp_path):
    reference = vouchers(mini)
    text = (mini / JOURNAL).read_text(encoding="utf-8")
    (mini / JOURNAL).write_bytes(text.encode("gb18030"))
    assert vouchers(mini) == reference
    (mini / JOURNAL).write_bytes(text.encode("utf-8-sig"))
    assert vouchers(mini) == reference


def test_undecodable_csv_is_an_encoding_error(mini):
    (mini / JOURNAL).write_bytes(b"\xff\xfe\x00\x81\x30broken")
    _, report = check(mini)
    assert [p.code for p in report.errors if p.where.path.endswith("2026-09.csv")] == ["encoding"]


def test_xlsx_journal_gives_identical_model_and_output(mini, tmp_path):
    csv_out = tmp_path / "csv-out"
    build(mini, csv_out)
    reference = vouchers(mini)
    rows = [line.split(",") for line in (mini / JOURNAL).read_text(encoding="utf-8").splitlines()]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "9月凭证"
    for row in rows:
        sheet.append(row)
    (mini / JOURNAL).unlink()
    book.save(mini / "xg/cs/journal/2026-09.xlsx")
    assert vouchers(mini) == reference
    xlsx_out = tmp_path / "xlsx-out"
    build(mini, xlsx_out)
    assert snapshot(xlsx_out, published_only=True) == snapshot(csv_out, published_only=True)


def test_xlsx_errors_name_the_sheet_and_row(mini):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "凭证"
    sheet.append(["日期", "凭证字号", "摘要", "科目编码", "借方金额", "贷方金额"])
    sheet.append(["2026-09-01", "记-1", "错误金额", "101", "12.345", ""])
    (mini / JOURNAL).unlink()
    book.save(mini / "xg/cs/journal/2026-09.xlsx")
    _, report = check(mini)
    (p,) = [p for p in report.errors if p.code == "amount-format"]
    assert (p.where.sheet, p.where.line, p.where.column) == ("凭证", 2, "借方金额")
    assert "工作表“凭证” 第2行 “借方金额”列" in p.format()


def test_missing_header_column_is_named(mini):
    text = (mini / JOURNAL).read_text(encoding="utf-8").replace("贷方金额", "贷款金额", 1)
    (mini / JOURNAL).write_text(text, encoding="utf-8")
    _, report = check(mini)
    assert any(p.code == "table-header" and "贷方金额" in p.zh for p in report.errors)


def test_item_without_front_matter(mini):
    (mini / "xg/cs/party/plain.md").write_text("没有前言的正文", encoding="utf-8")
    _, report = check(mini)
    (p,) = [p for p in report.errors if p.code == "front-matter"]
    assert p.where.path == "content/xg/cs/party/plain.md" and p.where.line == 1


def test_chinese_board_folder_names_are_accepted(mini):
    (mini / "xg/cs/party").rename(mini / "xg/cs/党务")
    city, report = check(mini)
    assert not report.errors
    assert any(i.board.name == "党务" for i in city.villages[0].items)


def test_raw_tables_keep_row_numbers(tmp_path):
    path = tmp_path / "j.csv"
    path.write_text("日期,摘要\n\n2026-09-01,a\n", encoding="utf-8")
    table = read_table(path, tmp_path, Report())
    assert table.rows == [(3, ["2026-09-01", "a"])]


def test_missing_site_yaml(tmp_path):
    report = Report()
    raw = load(tmp_path, report)
    assert raw.site is None and [p.code for p in report.errors] == ["missing-file"]


def test_an_empty_table_names_its_file_in_words_that_fit_any_table(mini):
    (mini / "registries").mkdir()
    (mini / "registries" / "失信人员名单.csv").write_text("姓名,身份证号\n", encoding="utf-8")  # header only
    (mini / "feedback").mkdir()
    (mini / "feedback" / "hotline.csv").write_bytes(b"")
    _, report = check(mini)
    empty = sorted(p.format() for p in report.errors if p.code == "table-empty")
    assert len(empty) == 2, [p.format() for p in report.errors]
    assert "feedback/hotline.csv" in empty[0] and "registries/失信人员名单.csv" in empty[1]
    assert all("表里没有数据" in e and "记账凭证" not in e and "has no data rows" in e for e in empty)
