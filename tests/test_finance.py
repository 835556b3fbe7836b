"""Finance tables (finance.py) and the seven finance category pages (finance_pages.py), from tests/fixtures/finance."""
from __future__ import annotations

import csv
import io
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.errors import ContentError
from sitegen.pipeline import build, check
from sitegen.privacy import find_unmasked
from tests.conftest import FIXTURES, snapshot

CATEGORIES = ("net-worth", "funds", "assets", "resources", "projects", "income-expense", "reports")
RAW = ("320281195803121233", "6228480012345678903", "13712345678", "13812345678", "长寿村3组18号")


@pytest.fixture
def fin(tmp_path: Path) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(FIXTURES / "finance", dest)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fin") / "out"
    build(FIXTURES / "finance", out)
    return out


def text(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def edit(path: Path, old: str, new: str) -> None:
    data = path.read_text(encoding="utf-8")
    assert old in data
    path.write_text(data.replace(old, new), encoding="utf-8")


def codes(content: Path) -> list[tuple[str, str, str]]:
    _, report = check(content)
    return [(p.code, p.severity, p.where.zh() + " " + p.zh) for p in report.problems]


TABLES = "xg/cs/finance/tables"


@pytest.mark.parametrize("theme", ["tv", "mobile"])
def test_each_category_is_rendered_with_its_tables(built, theme):
    root = built / theme / "xg/cs/finance"
    pages = {c: text(root / c / "index.html") for c in CATEGORIES}
    assert "净资产" in pages["net-worth"] and "504,000.00" not in pages["net-worth"]
    assert "村务卡支付村道修补材料款" in pages["funds"] and "4,000.00" in pages["funds"]
    assert "村委会办公楼" in pages["assets"] and "500,000.00" in pages["assets"]
    assert "逾期 3,000.00" in pages["resources"] and "种粮大户李四" in pages["resources"]
    assert "村道修补工程" in pages["projects"] and "10,500.00" not in pages["projects"]  # payable is on its page
    assert "6,500.00" in pages["projects"]  # unpaid: 10,000 + 500 - 4,000
    assert "资产负债表" in pages["reports"] and "预算执行情况" in pages["reports"]
    assert "保洁员工资" in pages["income-expense"]
    assert "2026年收支流水" not in pages["reports"]  # items keep their list, tables come first
    assert (root / "charts/monthly-2026.png").is_file() and (root / "charts/budget-2026.png").is_file()
    project = text(root / "projects" / "p1.html")
    assert all(s in project for s in ("立项", "合同", "增减项目", "10,500.00", "首付款"))


def _links(page: Path) -> list[str]:
    return re.findall(r'<td class="num[^"]*"><a class="row" href="([^"]+)"', page.read_text(encoding="utf-8"))


def test_every_amount_reaches_a_voucher(built):
    root = built / "tv/xg/cs/finance"
    pages = [root / c / "index.html" for c in CATEGORIES] + list((root / "projects").glob("*.html")) + \
        list((root / "lists").glob("*.html")) + list((root / "accounts").glob("*.html"))
    checked = 0
    for page in pages:
        for href in _links(page):
            frontier, seen, reached = [(page, href)], set(), False
            for _ in range(4):  # amount -> statement -> account -> voucher at most
                nxt = []
                for src, h in frontier:
                    target = (src.parent / h.split("#")[0]).resolve()
                    assert target.is_file(), (page, h)
                    # a voucher, the ledger (its lines link to vouchers), or the page of a scanned original (a contract)
                    scan_page = "/finance/docs/" in target.as_posix() and "<img" in target.read_text("utf-8")
                    if "/vouchers/" in target.as_posix() or target.name.startswith("ledger-") or scan_page:
                        reached = True
                        break
                    if target not in seen:
                        seen.add(target)
                        nxt += [(target, x) for x in _links(target)] + \
                            [(target, x) for x in re.findall(r'href="([^"]*vouchers/[^"]+)"', target.read_text("utf-8"))]
                if reached:
                    break
                frontier = nxt
            assert reached, (page, href)
            checked += 1
    assert checked > 40


def test_personal_data_is_dropped_or_masked(built):
    raw = (FIXTURES / "finance" / TABLES / "补助.csv").read_text(encoding="utf-8")
    assert find_unmasked(raw)  # the input carries raw identifiers
    for path in built.rglob("*.html"):
        data = path.read_text(encoding="utf-8")
        assert not find_unmasked(data), path
        assert not any(r in data for r in RAW), path
    assert "王五" in text(next((built / "tv/xg/cs/finance/lists").glob("*.html")))


def _to_xlsx(csv_path: Path) -> None:
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))):
        sheet.append(row)
    book.save(csv_path.with_suffix(".xlsx"))
    csv_path.unlink()


def test_xlsx_and_csv_give_identical_output(tmp_path):
    outputs = []
    for name, excel in (("csv", False), ("xlsx", True)):
        content = tmp_path / name / "content"  # same folder name: page codes derive from where files are
        shutil.copytree(FIXTURES / "finance", content)
        if excel:
            for path in sorted((content / TABLES).glob("*.csv")) + sorted((content / "xg/cs/journal").glob("*.csv")):
                _to_xlsx(path)
        build(content, tmp_path / name / "out")
        outputs.append(snapshot(tmp_path / name / "out"))
    assert outputs[0] == outputs[1]
    assert any("finance/charts/" in p for p in outputs[0])


def test_xlsx_problems_name_sheet_row_and_column(fin):
    edit(fin / TABLES / "资产.csv", "500000.00", "五十万")
    _to_xlsx(fin / TABLES / "资产.csv")
    (problem,) = [p for p in check(fin)[1].errors]
    assert problem.code == "amount-format"
    assert (problem.where.path.endswith("资产.xlsx"), problem.where.sheet, problem.where.line,
            problem.where.column) == (True, "Sheet1", 2, "原值")


def test_payout_list_must_agree_with_its_voucher(fin):
    edit(fin / TABLES / "补助.csv", ",2500.50,", ",2600.50,")
    found = [c for c in codes(fin) if c[1] == "error"]
    assert [c[0] for c in found] == ["finance-mismatch"]
    assert "2,600.50" in found[0][2] and "2,500.50" in found[0][2] and "补助.csv 第2行" in found[0][2]


def test_project_totals_must_add_up(fin):
    edit(fin / TABLES / "工程项目.csv", ",合同,2026-08-20,施工合同,10000.00,", ",合同,2026-08-20,施工合同,3000.00,")
    found = [c[2] for c in codes(fin) if c[0] == "finance-mismatch"]
    assert len(found) == 1 and "4,000.00" in found[0] and "3,500.00" in found[0]


def test_project_payment_must_equal_the_money_paid(fin):
    edit(fin / TABLES / "工程项目.csv", ",首付款,4000.00,", ",首付款,4500.00,")
    found = [c[2] for c in codes(fin) if c[0] == "finance-mismatch"]
    assert len(found) == 1 and "4,500.00" in found[0] and "4,000.00" in found[0]


def test_references_to_missing_things_are_errors_with_file_row_column(fin):
    edit(fin / "xg/cs/journal/2026-09.csv", "项目:P1", "项目:P9")
    edit(fin / TABLES / "资源.csv", "2026-09 记-1", "2026-09 记-11")
    errors = {c[0]: c[2] for c in codes(fin) if c[1] == "error"}
    assert "2026-09.csv 第10行 “关联”列" in errors["finance-ref-missing"]
    assert "资源.csv 第2行 “收款凭证”列" in errors["finance-voucher-missing"]


def test_unlinked_things_are_warnings(fin):
    edit(fin / "xg/cs/journal/2026-09.csv", "项目:P1", "")
    edit(fin / TABLES / "工程项目.csv", "P1,村道修补工程,付款,2026-09-20,首付款,4000.00,2026-09 记-5,\n", "")
    warnings = [c for c in codes(fin) if c[1] == "warning" and c[0].startswith("finance")]
    assert {c[0] for c in warnings} == {"finance-unlinked"} and len(warnings) == 2
    assert any("记-5" in c[2] and "工程" in c[2] for c in warnings)
    assert any("L-02" in c[2] for c in warnings)


def test_ambiguous_budget_lines_and_bad_stages_are_errors(fin):
    edit(fin / TABLES / "预算.csv", "2026,管理费用,513,3000.00", "2026,管理费用,513,3000.00\n2026,办公费,513,100.00")
    edit(fin / TABLES / "工程项目.csv", ",立项,", ",开工,")
    assert sorted(c[0] for c in codes(fin) if c[1] == "error") == ["bad-value", "finance-duplicate"]


def test_statement_mismatch_stops_the_build(fin, tmp_path, monkeypatch):
    from sitegen import finance
    monkeypatch.setattr(finance, "reconcile_statements", lambda v: [("测试", "test", Decimal(1), Decimal(2))])
    with pytest.raises(ContentError) as exc:
        build(fin, tmp_path / "out")
    assert "1.00 元 ≠ 2.00 元" in exc.value.report.errors[0].zh


def test_voucher_references_and_table_names():
    from sitegen.finance import parse_voucher_ref, table_kind
    assert parse_voucher_ref("2026-07 记-3") == ("2026-07", 3)
    assert parse_voucher_ref("2026/7 记字第12号") == ("2026-07", 12)
    assert parse_voucher_ref("2026年7月 3号") == ("2026-07", 3)
    assert parse_voucher_ref("记-3") is None and parse_voucher_ref("2026-13 记-3") is None
    assert [table_kind(Path(n)) for n in ("资源.csv", "低保-2026.xlsx", "projects.csv", "干部工资.csv", "x.csv")] == \
        ["leases", "payouts", "projects", "payouts", None]


def test_bad_voucher_reference_and_missing_column(fin):
    edit(fin / TABLES / "资产.csv", "2026-09 记-5", "九月五号")
    edit(fin / TABLES / "预算.csv", "科目编码", "科目")
    errors = {c[0]: c[2] for c in codes(fin) if c[1] == "error"}
    assert "资产.csv 第3行 “凭证”列" in errors["finance-voucher-ref"]
    assert "预算.csv 第1行" in errors["journal-header"] and "科目编码" in errors["journal-header"]


def test_gb18030_tables_load_like_utf8(fin, tmp_path):
    path = fin / TABLES / "补助.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    city, report = check(fin)
    assert not report.errors
    (lst,) = city.villages[0].finance.payouts
    assert lst.name == "保洁员工资" and lst.payees[0].household == "3" and str(lst.total) == "2500.50"


def test_journal_refs_link_rent_and_project_payments(fin):
    edit(fin / TABLES / "资源.csv", ",2026-09 记-1\n", ",\n")
    edit(fin / TABLES / "工程项目.csv", "P1,村道修补工程,付款,2026-09-20,首付款,4000.00,2026-09 记-5,\n", "")
    city, report = check(fin)
    assert not [p for p in report.problems if p.code.startswith("finance") and "L-02" not in p.zh]
    fin_ = city.villages[0].finance
    assert [v.key for v in fin_.leases[0].vouchers] == ["2026-09-001"]
    (payment,) = fin_.projects[0].payments
    assert (payment.voucher.key, str(payment.amount)) == ("2026-09-005", "4000.00")


def test_sitegen_check_lists_the_warnings(fin):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "sitegen", "check", str(fin)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "L-02" in output and "finance-unlinked" in output
