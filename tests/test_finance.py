"""Finance tables (finance.py) and the seven finance category pages (finance_pages.py), from tests/fixtures/finance."""

from __future__ import annotations

import csv
import io
import pickle
import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.build.pipeline import build
from sitegen.build.scope import locate, unpublished
from sitegen.content.errors import ContentError, Report
from sitegen.content.model import City
from sitegen.content.money import wan, yuan
from sitegen.content.privacy import find_unmasked
from sitegen.finance.ledger import build_ledgers, money_movement, village_ledgers
from sitegen.finance.tables import published, reconcile_village, statements
from sitegen.images import renditions as assets
from sitegen.images.digests import Checked, Probes, facts_file
from sitegen.oversight.refcode import voucher_code
from sitegen.oversight.review import publish
from tests import built_sample
from tests.built_sample import linked_cache
from tests.checked import check
from tests.conftest import FIXTURES, REPO, snapshot

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
    return re.findall(r'<td class="num[^"]*"[^>]*><a class="row" href="([^"]+)"', page.read_text(encoding="utf-8"))


def test_every_amount_reaches_a_voucher(built):
    root = built / "tv/xg/cs/finance"
    pages = (
        [root / c / "index.html" for c in CATEGORIES]
        + list((root / "projects").glob("*.html"))
        + list((root / "lists").glob("*.html"))
        + list((root / "accounts").glob("*.html"))
    )
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
                        nxt += [(target, x) for x in _links(target)] + [
                            (target, x) for x in re.findall(r'href="([^"]*vouchers/[^"]+)"', target.read_text("utf-8"))
                        ]
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
        outputs.append(snapshot(tmp_path / name / "out", published_only=True))  # the build records differ: other files
    assert outputs[0] == outputs[1]
    assert any("finance/charts/" in p for p in outputs[0])


def test_xlsx_problems_name_sheet_row_and_column(fin):
    edit(fin / TABLES / "资产.csv", "500000.00", "五十万")
    _to_xlsx(fin / TABLES / "资产.csv")
    (problem,) = [p for p in check(fin)[1].errors]
    assert problem.code == "amount-format"
    assert (
        problem.where.path.endswith("资产.xlsx"),
        problem.where.sheet,
        problem.where.line,
        problem.where.column,
    ) == (True, "Sheet1", 2, "原值")


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
    from sitegen.finance import tables as finance

    monkeypatch.setattr(finance, "reconcile_statements", lambda v: [("测试", "test", Decimal(1), Decimal(2))])
    with pytest.raises(ContentError) as exc:
        build(fin, tmp_path / "out")
    assert "1.00 元 ≠ 2.00 元" in exc.value.report.errors[0].zh


def test_voucher_references_and_table_names():
    from sitegen.finance.tables import parse_voucher_ref, table_kind

    assert parse_voucher_ref("2026-07 记-3") == ("2026-07", 3)
    assert parse_voucher_ref("2026/7 记字第12号") == ("2026-07", 12)
    assert parse_voucher_ref("2026年7月 3号") == ("2026-07", 3)
    assert parse_voucher_ref("记-3") is None and parse_voucher_ref("2026-13 记-3") is None
    assert [table_kind(Path(n)) for n in ("资源.csv", "低保-2026.xlsx", "projects.csv", "干部工资.csv", "x.csv")] == [
        "leases",
        "payouts",
        "projects",
        "payouts",
        None,
    ]


def test_bad_voucher_reference_and_missing_column(fin):
    edit(fin / TABLES / "资产.csv", "2026-09 记-6", "九月六号")
    edit(fin / TABLES / "预算.csv", "科目编码", "科目")
    errors = {c[0]: c[2] for c in codes(fin) if c[1] == "error"}
    assert "资产.csv 第3行 “凭证”列" in errors["finance-voucher-ref"]
    assert "预算.csv 第1行" in errors["table-header"] and "科目编码" in errors["table-header"]


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


# ---- issue 3 gaps: voucher pages, sources, register, opening balances, chart switch, image sizes, reader -------
def test_voucher_pages_show_the_rows_that_point_at_them(built):
    root = built / "tv/xg/cs/finance"
    expect = {
        "2026-09-006": ("固定资产 A-02 村道修补材料", "../assets/index.html#asset-a-02"),
        "2026-09-005": ("工程项目 村道修补工程：付款（首付款）", "../projects/p1.html"),
        "2026-09-001": ("资源 L-01 北圩耕地 的租金", "../resources/index.html#lease-l-01"),
        "2026-09-002": ("发放名单 保洁员工资（1 人）", "../lists/2026-09-002-1.html"),
    }
    for key, (what, href) in expect.items():
        page = root / "vouchers" / f"{key}.html"
        html = page.read_text("utf-8")
        assert "这张凭证记在哪些财务明细里" in html and what in text(page), key
        assert f'href="{href}"' in html, (key, re.findall(r"voucher-finance.*?</section>", html, re.S))
        target, _, anchor = href.partition("#")
        target_html = (page.parent / target).read_text("utf-8")
        assert not anchor or f'id="{anchor}"' in target_html
    assert "这张凭证记在哪些财务明细里" not in (root / "vouchers/2026-09-003.html").read_text("utf-8")


def _doc_page(page: Path, amount: str) -> Path:
    """The page the amount cell `amount` links to."""
    html = page.read_text("utf-8")
    (href,) = re.findall(r'<a class="row" href="([^"]+)">' + re.escape(amount) + "</a>", html)
    return (page.parent / href.split("#")[0]).resolve()


def test_amounts_without_a_voucher_link_their_source_document(built):
    root = built / "tv/xg/cs/finance"
    for page, amount in (
        (root / "assets/index.html", "500,000.00"),
        (root / "reports/index.html", "15,000.00"),
        (root / "projects/p1.html", "500.00"),
        (root / "projects/p1.html", "10,000.00"),
    ):
        doc = _doc_page(page, amount)
        assert "/finance/docs/" in doc.as_posix(), (page, amount, doc)
        img = re.search(r'<img src="([^"]+)"', doc.read_text("utf-8")).group(1)
        assert (doc.parent / img).resolve().is_file()
    assert "/vouchers/" in _doc_page(root / "assets/index.html", "4,000.00").as_posix()
    # a budget line without its own document shares the year's resolution
    assert _doc_page(root / "reports/index.html", "3,000.00") == _doc_page(root / "reports/index.html", "15,000.00")


def test_figures_with_neither_voucher_nor_document_are_warned(fin):
    edit(fin / TABLES / "资产.csv", ",../../files/zichan-taizhang.jpg", ",")
    edit(fin / TABLES / "工程项目.csv", ",500.00,,../../files/basis.jpg", ",500.00,,")
    edit(fin / TABLES / "预算.csv", ",../../files/yusuan-jueyi.jpg", ",")
    edit(fin / TABLES / "资源.csv", ",../../files/basis.jpg,2026-09 记-1", ",,2026-09 记-1")
    warned = sorted(c[2] for c in codes(fin) if c[0] == "finance-unlinked" and "L-02" not in c[2])
    assert len(warned) == 5, warned  # the asset, the change order, both budget lines, the lease
    assert any("资产.csv 第2行" in w and "A-01" in w and "来源" in w for w in warned)
    assert any("工程项目.csv 第4行" in w and "增减项目" in w for w in warned)
    assert any("资源.csv 第2行" in w and "L-01" in w for w in warned)
    assert sum("预算.csv" in w for w in warned) == 2
    assert not [c for c in codes(fin) if c[1] == "error"]


@pytest.mark.parametrize(
    "value, code",
    [
        ("../../../../../../etc/passwd", "path-outside"),
        ("../../files/none.jpg", "path-missing"),
        ("../../village.yaml", "path-type"),
    ],
)
def test_source_paths_are_checked_like_other_scans(fin, value, code):
    edit(fin / TABLES / "资产.csv", "../../files/zichan-taizhang.jpg", value)
    errors = [c for c in codes(fin) if c[1] == "error"]
    assert [c[0] for c in errors] == [code] and "资产.csv 第2行 “来源”列" in errors[0][2]


def test_register_must_agree_with_the_fixed_asset_account(fin):
    edit(fin / TABLES / "资产.csv", "500000.00", "510000.00")
    (error,) = [c for c in codes(fin) if c[1] == "error"]
    assert error[0] == "finance-mismatch" and "资产.csv" in error[2] and "第" not in error[2].split("：")[0]
    assert "资产登记簿" in error[2] and "固定资产余额" in error[2] and "514,000.00 元 ≠ 504,000.00 元" in error[2]


def test_register_of_assets_from_before_the_journal_needs_their_opening_balance(fin):
    edit(fin / "xg/cs/village.yaml", '  固定资产: "500000.00"', "")
    (error,) = [c[2] for c in codes(fin) if c[1] == "error"]
    assert "504,000.00 元 ≠ 4,000.00 元" in error and "opening_balances 写固定资产的期初数" in error


def test_register_leaves_out_disposed_assets_and_counts_only_assets_held(fin):
    edit(fin / TABLES / "资产.csv", "2026-09-20,在用", "2026-09-20,已报废")
    (error,) = [c[2] for c in codes(fin) if c[1] == "error"]
    assert "500,000.00 元 ≠ 504,000.00 元" in error


def test_register_net_of_depreciation_where_the_chart_books_assets_net(fin, monkeypatch):
    from sitegen.content import accounts

    real = accounts.by_name
    monkeypatch.setattr(accounts, "by_name", lambda system, name: None if name == "累计折旧" else real(system, name))
    edit(fin / TABLES / "资产.csv", "状态,凭证,来源", "状态,凭证,来源,累计折旧")
    edit(fin / TABLES / "资产.csv", "zichan-taizhang.jpg", "zichan-taizhang.jpg,1000.00")
    (error,) = [c[2] for c in codes(fin) if c[1] == "error"]
    assert "503,000.00 元 ≠ 504,000.00 元" in error
    edit(fin / "xg/cs/village.yaml", '固定资产: "500000.00"', '固定资产: "499000.00"')
    assert not [c for c in codes(fin) if c[1] == "error"]


def test_unreadable_register_is_not_reconciled(fin):
    edit(fin / TABLES / "资产.csv", "500000.00", "五十万")
    assert [c[0] for c in codes(fin) if c[1] == "error"] == ["amount-format"]


def test_funds_show_each_account_by_month_from_its_opening_balance(built):
    page = built / "tv/xg/cs/finance/funds/index.html"
    assert "月份 库存现金（元） 银行存款（元） 资金合计（元）" in text(page)
    assert "记账开始时 1,000.00 9,000.00 10,000.00" in text(page)
    assert "2026-09 1,499.50 14,000.00 15,499.50" in text(page)
    html = page.read_text("utf-8")
    assert (
        'href="../accounts/2026-101.html">1,499.50<' in html and 'href="../accounts/2026-102.html">14,000.00<' in html
    )
    account = text(built / "tv/xg/cs/finance/accounts/2026-101.html")
    assert "记账开始时 期初余额 1,000.00" in account


def _old_single_figure(fin: Path) -> None:
    (fin / "xg/cs/village.yaml").write_text('name: 长寿村\nopening_balance: "10000.00"\n', encoding="utf-8")
    edit(fin / TABLES / "资产.csv", "500000.00", "0.00")  # no 固定资产 opening any more


def test_old_combined_opening_figure_is_kept_with_a_clear_message(fin, tmp_path):
    _old_single_figure(fin)
    found = [c for c in codes(fin) if c[0] == "bad-value"]
    assert [c[1] for c in found] == ["warning"] and "opening_balances" in found[0][2] and "village.yaml" in found[0][2]
    assert "库存现金（101）" in found[0][2] and "银行存款（102）" in found[0][2]
    build(fin, tmp_path / "out")
    funds = text(tmp_path / "out/tv/xg/cs/finance/funds/index.html")
    assert "2026-09 1,500.50 -1,000.00 15,499.50" not in funds  # the split is not guessed
    assert "2026-09 499.50 5,000.00 10,000.00 15,499.50" in funds and "没有分到各账户" in funds  # each row adds up


def test_old_combined_opening_figure_goes_to_the_only_money_account(fin):
    _old_single_figure(fin)
    edit(fin / "xg/cs/journal/2026-09.csv", "101,库存现金,,2500.50", "102,银行存款,,2500.50")
    edit(fin / "xg/cs/journal/2026-09.csv", "101,库存现金,3000.00", "102,银行存款,3000.00")
    city, report = check(fin)
    assert not [p for p in report.problems if p.code == "bad-value"]
    (opening,) = city.villages[0].opening_accounts
    assert (opening.code, str(opening.amount)) == ("102", "10000.00")


@pytest.mark.parametrize(
    "yaml, says",
    [
        ('opening_balance: "10000.00"\nopening_balances: {库存现金: "1000.00"}', "删掉 opening_balance"),
        ('opening_balances: {保险柜: "1000.00"}', "opening_balances: 保险柜"),
        ('opening_balances: {应付款: "1000.00"}', "只写资产类科目"),
        ('opening_balances: {"101": "1000.00", 库存现金: "5.00"}', "写了两次"),
        ('opening_balances: {库存现金: "一千元"}', "一千元"),
    ],
)
def test_bad_opening_balances_are_errors(fin, yaml, says):
    (fin / "xg/cs/village.yaml").write_text(f"name: 长寿村\n{yaml}\n", encoding="utf-8")
    errors = [c[2] for c in codes(fin) if c[1] == "error" and c[0] != "finance-mismatch"]
    assert len(errors) == 1 and says in errors[0] and "village.yaml" in errors[0], errors


def test_opening_balance_of_a_bank_account_written_with_sub_account_codes(fin):
    edit(fin / "xg/cs/journal/2026-09.csv", ",102,银行存款,", ",10201,银行存款—基本户,")
    city, report = check(fin)
    assert not report.errors, [p.zh for p in report.errors]
    codes_ = {o.code: str(o.amount) for o in city.villages[0].opening_accounts}
    assert codes_ == {"101": "1000.00", "10201": "9000.00", "151": "500000.00"}


JOURNAL_2023 = """日期,凭证字号,摘要,科目编码,科目名称,借方金额,贷方金额,往来单位,附件张数
2023-12-05,记-1,收到镇拨付补助,102,银行存款,5000.00,,,0
2023-12-05,记-1,收到镇拨付补助,522,补助收入,,5000.00,夏港街道财政所,0
2023-12-10,记-2,提取备用金,101,现金,800.00,,,0
2023-12-10,记-2,提取备用金,102,银行存款,,800.00,,0
2023-12-20,记-3,支付村道修补工程预付款,154,在建工程,2000.00,,,0
2023-12-20,记-3,支付村道修补工程预付款,102,银行存款,,2000.00,江阴市恒通市政工程有限公司,0
"""


@pytest.fixture
def switch(fin: Path) -> Path:
    """The fixture with a December 2023 journal kept on the 2004 chart (new_accounts_from: 2024)."""
    (fin / "xg/cs/journal/2023-12.csv").write_text(JOURNAL_2023, encoding="utf-8")
    for n in (1, 2, 3):
        folder = fin / f"xg/cs/scans/2023-12/{n}"
        folder.mkdir(parents=True)
        shutil.copy(fin / "xg/cs/scans/2026-09/5/01.jpg", folder / "01.jpg")
    reviews = fin / "xg/cs/reviews.yaml"
    if reviews.exists():
        reviews.write_text(
            reviews.read_text("utf-8") + "2023-12: {department: 夏港街道农经站, reviewer: 张永刚, "
            "date: 2024-01-09, status: 已通过}\n",
            "utf-8",
        )
    edit(fin / "xg/cs/village.yaml", "  库存现金:", "  现金:")  # the 2004 chart's name, where the journal starts
    return fin


def test_balances_carry_from_the_2004_chart_into_the_2024_chart(switch):
    from sitegen.finance.ledger import village_ledgers
    from sitegen.finance.tables import account_years, statements

    city, report = check(switch)
    assert not report.errors, [p.zh for p in report.errors]
    village = city.villages[0]
    years = account_years(village)
    assert [ay.account.name for ay in years[2023].values() if ay.account.is_money] == ["现金", "银行存款"]
    assert years[2023]["101"].closing == Decimal("1800.00") and years[2023]["154"].closing == Decimal("2000.00")
    # 现金 (2004, 101) is carried into 库存现金 (2024, 101); 在建工程 moves from 154 to 153
    cash, works = years[2026]["101"], years[2026]["153"]
    assert (cash.account.name, cash.opening) == ("库存现金", Decimal("1800.00"))
    assert (works.account.name, works.opening, works.closing) == ("在建工程", Decimal("2000.00"), Decimal("2000.00"))
    assert "154" not in years[2026]  # 2024's 154 is 固定资产清理: nothing is carried there
    assert years[2026]["102"].opening == Decimal("11200.00")  # 9,000 + 5,000 - 800 - 2,000
    ledgers = village_ledgers(village)
    assert [lg.year for lg in ledgers] == [2023, 2026] and ledgers[1].opening == ledgers[0].closing == Decimal(
        "13000.00"
    )
    for st in statements(village):
        assert st.asset_total == st.liability_total + st.equity_total


def test_chart_switch_pages_show_the_carried_balances(switch, tmp_path):
    build(switch, tmp_path / "out")
    root = tmp_path / "out/tv/xg/cs/finance"
    funds = text(root / "funds/index.html")
    assert "月份 现金（元） 银行存款（元）" in funds
    assert "2023-12 1,800.00 11,200.00 13,000.00" in funds and "2026-09 2,299.50 16,200.00 18,499.50" in funds
    assert "2026-01-01 上年结转 1,800.00" in text(root / "accounts/2026-101.html")


def test_chart_images_have_their_size(built):
    from PIL import Image

    root = built / "tv/xg/cs/finance"
    seen = 0
    for page in [root / c / "index.html" for c in CATEGORIES] + list((root / "docs").glob("*.html")):
        for tag in re.findall(r"<img [^>]+>", page.read_text("utf-8")):
            src = re.search(r'src="([^"]+)"', tag).group(1)
            size = re.search(r'width="(\d+)" height="(\d+)"', tag)
            assert size, (page, tag)
            with Image.open((page.parent / src).resolve()) as im:
                assert im.size == (int(size.group(1)), int(size.group(2))), (page, tag)
            seen += 1
    assert seen >= 6


def test_tables_are_read_by_the_shared_reader_and_private_columns_never_read(fin, monkeypatch):
    from sitegen.finance import tables as finance

    read: list[list[str]] = []
    real = finance.table_columns

    def spy(table, spec, required, report):
        read.append(table.header)
        return real(table, spec, required, report)

    monkeypatch.setattr(finance, "table_columns", spy)
    city, report = check(fin)
    assert len(read) == 5 and ["名单", "姓名", "村民小组", "家庭人口", "金额", "期间", "凭证"] in read
    assert not [p for p in report.problems if p.code == "table-header-unknown"]
    assert not any(r in repr(city.villages[0].finance) for r in RAW)
    edit(fin / TABLES / "补助.csv", "期间,凭证", "期 间,凭证,备注")
    (unknown,) = [p for p in check(fin)[1].errors if p.code == "table-header-unknown"]  # an error (issue 11)
    assert unknown.where.line == 1 and unknown.zh.startswith("不认识的表头“备注”")


def test_an_old_account_without_a_counterpart_is_kept_apart_not_lost(switch, tmp_path):
    """2004's 131 牲畜（禽）资产 has no 2024 account of its name, and 2024's 131 is 消耗性生物资产."""
    from sitegen.finance.tables import account_years

    with open(switch / "xg/cs/journal/2023-12.csv", "a", encoding="utf-8") as fh:
        fh.write(
            "2023-12-25,记-4,购买耕牛,131,牲畜（禽）资产,600.00,,,0\n2023-12-25,记-4,购买耕牛,102,银行存款,,600.00,,0\n"
        )
    shutil.copytree(switch / "xg/cs/scans/2023-12/1", switch / "xg/cs/scans/2023-12/4")
    with open(switch / "xg/cs/journal/2026-09.csv", "a", encoding="utf-8") as fh:
        fh.write(
            "2026-09-25,记-7,购买苗木待售,131,消耗性生物资产,300.00,,,0,\n"
            "2026-09-25,记-7,购买苗木待售,102,银行存款,,300.00,,0,\n"
        )
    shutil.copytree(switch / "xg/cs/scans/2026-09/6", switch / "xg/cs/scans/2026-09/7")
    city, report = check(switch)
    assert not report.errors, [p.zh for p in report.errors]
    years = account_years(city.villages[0])
    assert years[2023]["131"].closing == Decimal("600.00")
    old, new = years[2026]["131-2004"], years[2026]["131"]
    assert (old.account.name, old.opening, new.account.name, new.closing) == (
        "牲畜（禽）资产",
        Decimal("600.00"),
        "消耗性生物资产",
        Decimal("300.00"),
    )
    build(switch, tmp_path / "out")
    reports = (tmp_path / "out/tv/xg/cs/finance/reports/index.html").read_text("utf-8")
    assert 'href="../accounts/2026-131-2004.html">600.00<' in reports
    assert "上年结转 600.00" in text(tmp_path / "out/tv/xg/cs/finance/accounts/2026-131-2004.html")


# ---- months waiting for review (待审核): nothing of them on any page (finance.published, review.publish) --------

SAMPLE = REPO / "content"
CS_REVIEWS = "xiagang/changshou/reviews.yaml"


def _set_month(content: Path, rel: str, month: str, status: str | None) -> None:
    """reviews.yaml with `month` set to `status`, or left out (None)."""
    path = content / rel
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out = [ln for ln in lines if not ln.startswith(f"{month}:")]
    if status is not None:
        out += [ln.replace("已通过", status) for ln in lines if ln.startswith(f"{month}:")]
    path.write_text("".join(out), encoding="utf-8")


def _published_ledgers(village, months: set[str]):
    from copy import copy

    shown = copy(village)
    shown.vouchers = [v for v in village.vouchers if v.month not in months]
    return village_ledgers(shown), statements(shown)


def _hidden(
    content: Path, town: str, slug: str, months: set[str], checked: tuple[City | None, Report] | None = None
) -> tuple[set[str], set[str]]:
    """(strings that name a held voucher: its key, label, reference code and scans; figures only a held month
    gives: its vouchers' amounts, the running balances and totals that include it) for one village, from the
    unfiltered model, less every figure the published months and the tables' own documents show. `checked`:
    what check(content) gave already (a check of the sample is ~1 s of CPU)."""
    city, report = checked or check(content)
    assert city is not None and not report.errors
    village = next(v for v in city.villages if v.slug == slug)
    fin = village.finance
    names, figures = set(), set()
    for v in village.vouchers:
        if v.month in months:
            names |= {f"{v.key}", f"{v.month} {v.label}", voucher_code(town, slug, v)}
            figures |= {yuan(x) for ln in v.lines for x in (ln.debit, ln.credit) if x}
            figures.add(yuan(abs(money_movement(v) or Decimal(0))))
    full_ledgers, full_statements = village_ledgers(village), statements(village)
    shown_ledgers, shown_statements = _published_ledgers(village, months)
    for lg in full_ledgers:
        figures |= {yuan(lg.income), yuan(lg.expense), yuan(lg.closing), wan(lg.income), wan(lg.expense)}
        for m in lg.months:
            if m.month in months:
                figures |= {yuan(m.income), yuan(m.expense), yuan(m.closing)} | {yuan(ln.balance) for ln in m.lines}
    for st in full_statements:
        figures |= {yuan(st.asset_total), yuan(st.liability_total), yuan(st.equity_total), yuan(st.result)}
    # what may show all the same: the published months' figures and the tables' documented figures
    allowed = {
        yuan(x) for v in village.vouchers if v.month not in months for ln in v.lines for x in (ln.debit, ln.credit)
    }
    allowed |= {yuan(abs(money_movement(v) or Decimal(0))) for v in village.vouchers if v.month not in months}
    for lg in shown_ledgers:
        allowed |= {yuan(lg.income), yuan(lg.expense), yuan(lg.closing), yuan(lg.opening), wan(lg.closing)}
        allowed |= {yuan(x) for m in lg.months for x in (m.income, m.expense, m.closing, m.opening)}
        allowed |= {yuan(ln.balance) for m in lg.months for ln in m.lines}
    for st in shown_statements:
        allowed |= {yuan(st.asset_total), yuan(st.liability_total), yuan(st.equity_total), yuan(st.result)}
    allowed |= {yuan(o.amount) for o in village.opening_accounts} | {yuan(village.opening_balance)}
    allowed |= {yuan(x) for x in vars(city.oversight).values() if isinstance(x, Decimal)} | {yuan(city.large_amount)}
    if fin is not None:
        allowed |= {yuan(x.rent) for x in fin.leases} | {yuan(b.amount) for b in fin.budget}
        allowed |= {yuan(a.value) for a in fin.assets if a.voucher is None or a.voucher.month not in months}
        allowed |= {
            yuan(s.amount) for p in fin.projects for s in p.stages if s.amount is not None and s.stage != "付款"
        }
        allowed |= {yuan(p.contract + p.changes) for p in fin.projects} | {yuan(p.contract) for p in fin.projects}
    return names, figures - allowed - {yuan(Decimal(0)), wan(Decimal(0))}  # nothing is a figure of its own


def _leaks(out: Path, names: set[str], figures: set[str], others: tuple[str, ...] = ()) -> list[str]:
    """Where a held voucher's name or a held figure shows: the village's own pages and the city's and towns'
    (the other villages, `others`, have vouchers of the same numbers and figures of their own)."""
    found = []
    for theme in ("tv", "mobile"):
        for path in sorted((out / theme).rglob("*")):
            rel = path.relative_to(out / theme).as_posix()
            if not path.is_file() or path.name.startswith(".") or rel.startswith(tuple(f"{o}/" for o in others)):
                continue
            found += [f"{theme}/{rel}: file name has {n}" for n in names if n in rel]
            if path.suffix == ".html":
                page = path.read_text(encoding="utf-8")
                found += [f"{theme}/{rel}: {n}" for n in sorted(names) if n in page]
                if ITEM_PAGE.search(rel):
                    continue  # a clerk's item, published by its own review, may quote any figure
                found += [  # (the plain `in` first: a regex search a figure a page cost ~1.5 s a build)
                    f"{theme}/{rel}: {n}"
                    for n in sorted(figures)
                    if n in page and re.search(rf"(?<![\d,.]){re.escape(n)}(?!\d)", page)
                ]
    return found


ITEM_PAGE = re.compile(r"/\d{4}-\d{2}-\d{2}-[^/]+\.html$")


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the sample city for this module's variants (each edits it, then puts it back), and an image cache
    that saw it built: the validation memo and the scans' decode records are by path, so a variant's build
    validates and decode-checks only the village it changed (the others as this build left them: the same
    files), and still renders every village into its own fresh output. The renditions are the shared build's
    (built_sample.image_cache: hard links)."""
    top = tmp_path_factory.mktemp("sample-copy")
    content = top / "content"
    shutil.copytree(SAMPLE, content)
    cache = built_sample.image_cache(tmp_path_factory, top / "cache")
    build(content, top / "out", cache=cache)
    return content, cache


@pytest.fixture
def sample_base(sample_site, sample_copy, tmp_path) -> Iterator[tuple[Path, Path, Path]]:
    """The sample city built with every month approved (the session's build, conftest.sample_site); the module's
    copy of the sample content, put back as it was after the test; and a warm image cache of the variant's own
    (a hard-linked copy of the copy's: a variant's build prunes the renditions it holds back, which the next
    variant would otherwise make again)."""
    content, cache = sample_copy
    kept = {p: p.read_bytes() for p in sorted((content / CS_REVIEWS).parent.glob("*.yaml"))}
    yield sample_site, content, linked_cache(cache, tmp_path / "image-cache")
    for path, data in kept.items():
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)


# (what, month -> status or None to leave it out, or "no file"; the months held)
PENDING = [
    ("middle month pending", {"2026-08": "待审核"}, {"2026-08", "2026-09"}),
    ("last month pending", {"2026-09": "待审核"}, {"2026-09"}),
    ("first month pending", {"2026-07": "待审核"}, {"2026-07", "2026-08", "2026-09"}),
    ("middle month missing", {"2026-08": None}, {"2026-08", "2026-09"}),
    ("middle month rejected", {"2026-08": "退回"}, {"2026-08", "2026-09"}),
    (
        "all months pending",
        {"2026-07": "待审核", "2026-08": "待审核", "2026-09": "待审核"},
        {"2026-07", "2026-08", "2026-09"},
    ),
    ("no reviews.yaml", "no file", {"2026-07", "2026-08", "2026-09"}),
]


@pytest.mark.parametrize("what, change, held", PENDING, ids=[p[0] for p in PENDING])
def test_months_waiting_for_review_leave_no_trace_in_the_sample_city(sample_base, tmp_path, what, change, held):
    base, content, cache = sample_base
    if change == "no file":
        (content / CS_REVIEWS).unlink()
    else:
        for month, status in change.items():
            _set_month(content, CS_REVIEWS, month, status)
    out = tmp_path / "out"
    build(content, out, cache=cache)
    # check says what the build holds back, and passes like the build; run after it, as `sitegen check` after the
    # cron's build: with the build's records (villages validated, scans decoded) as the CLI hands them over
    records = Checked(facts_file(cache), assets.CHECK), Probes(facts_file(cache), assets.PROBE)
    city, report = check(content, records[0], probes=records[1], cache=cache)
    assert not report.errors
    said = [line for line in unpublished(city, report, locate(content)) if "xiagang/changshou：" in line]
    assert all(any(f"{m} 记账凭证" in line for line in said) for m in held), said  # check names every held month
    names, figures = _hidden(content, "xiagang", "changshou", held, (city, report))
    assert names and figures
    others = ("xiagang/jiangtou", "zhutang/hexiang", "zhutang/wenlin")
    assert _leaks(out, names, figures, others) == []
    for theme in ("tv", "mobile"):
        village = out / theme / "xiagang/changshou"
        shown = text(village / "finance/income-expense/index.html")
        assert all(f"{m[:4]}年{int(m[5:])}月" in shown for m in held) and "待审核" in shown
        for page in [
            village / "index.html",
            *village.glob("finance/ledger-*.html"),
            village / "finance/funds/index.html",
        ]:
            assert "待审核" in text(page), page
        assert not [p for p in village.rglob("*.html") if "None" in p.read_text(encoding="utf-8")]
        # every other village is exactly as it was
        for other in others:
            assert snapshot(out / theme / other) == snapshot(base / theme / other), other
    kept = {v.key for v in next(v for v in city.villages if v.slug == "changshou").vouchers if v.month not in held}
    assert len(kept) == 0 if "2026-07" in held else kept
    assert all((out / "tv/xiagang/changshou/finance/vouchers" / f"{k}.html").is_file() for k in kept)


@pytest.mark.parametrize(
    "folder, change",
    [
        ("mini", {"2026-09": "待审核"}),
        ("mini", {"2026-09": None}),
        ("mini", "no file"),
        ("finance", {"2026-09": "待审核"}),
        ("finance", {"2026-09": None}),
    ],
)
def test_months_waiting_for_review_leave_no_trace_in_the_fixtures(tmp_path, folder, change):
    """The fixtures' journals have one month: held, the site still builds, with no voucher, figure or list of it
    (the finance fixture's tables point at its vouchers: rents, a project payment, a payout list, an asset)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / folder, content)
    if change == "no file":
        (content / "xg/cs/reviews.yaml").unlink()
    else:
        for month, status in change.items():
            _set_month(content, "xg/cs/reviews.yaml", month, status)
    build(content, tmp_path / "out")
    names, figures = _hidden(content, "xg", "cs", {"2026-09"})
    assert _leaks(tmp_path / "out", names, figures) == []
    for theme in ("tv", "mobile"):
        for page in ("index.html", "finance/index.html", "finance/income-expense/index.html"):
            said = text(tmp_path / "out" / theme / "xg/cs" / page)
            assert "待审核" in said and "2026年9月" in said or page == "finance/index.html" and "待审核" in said


def test_the_finance_filter_keeps_only_published_vouchers(fin):
    city, _ = check(fin)
    village = city.villages[0]
    keep = {v.key for v in village.vouchers if v.number != 1}  # 记-1 is the rent of lease L-01
    shown = published(village.finance, keep)
    assert all(v.key in keep for x in shown.leases for v in x.vouchers)
    assert all(s.voucher is None or s.voucher.key in keep for p in shown.projects for s in p.stages)
    assert all(p.voucher.key in keep for p in shown.payouts) and all(k in keep for k in shown.refs)
    assert village.finance.leases[0].vouchers  # the filter copies: the validated tables are left as they were
    assert published(None, keep) is None


# ---- h18: read once, then derive (issue 13) ----------------------------------------------------------------------


def test_reconciling_and_publishing_leave_the_finance_tables_as_read(fin):
    """Reconciling only reports (reconcile_village); publishing and the ledgers make new tables and a new city
    (review.publish, finance.published): the tables validation read, and the vouchers they name, stay as read."""
    city, report = check(fin)
    assert city is not None and not report.errors, [p.format() for p in report.errors]
    linked = [v for v in city.villages if v.finance is not None and (v.finance.leases or v.finance.payouts)]
    assert linked  # tables whose rows name vouchers
    before = pickle.dumps(city)
    for village in linked:
        reconcile_village(village.finance, village, "", 2026, Report())
    new = build_ledgers(publish(city, preview=False))
    assert pickle.dumps(city) == before
    for village in new.villages:  # the new tables name the new city's vouchers, as the pages link them
        named = [v for x in village.finance.leases for v in x.vouchers] if village.finance else []
        assert all(any(v is mine for mine in village.vouchers) for v in named)
