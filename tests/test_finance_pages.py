"""Finance pages (finance_pages.py): every table of figures on a public page adds up to the total it shows.

A generic checker reads every table of every page of both themes (finance category pages, the ledger, account,
project, list and where-from/where-to pages, voucher pages) and, for every row that is a total (合计, 小计,
本月合计, 全年合计 …), asserts with Decimal that the amounts above it add up to it, column by column; and, for a
column headed 合计, that it is the sum of the row's other amounts. Running balances (余额) are state, not flows:
a total row leaves them alone.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.build.pipeline import build
from sitegen.content.model import Village
from sitegen.finance.ledger import flows
from sitegen.site.finance_pages import Cell, Table, pending_notice
from tests.built_sample import CONTENT, sample_output
from tests.checked import check
from tests.conftest import FIXTURES

# an amount, alone in its cell or before a link's words (the ledger's balance cell ends in 我有疑问)
AMOUNT = re.compile(r"^-?\d{1,3}(,\d{3})*\.\d{2}(?![\d.,])")
TOTAL = re.compile(r"^(本月|全年|\d{4}年)?(合计|小计)")


class _Tables(HTMLParser):
    """Every <table> of a page: its header (the first row of <th> only) and its rows of cell texts; a cell
    spanning n columns counts as n (its text in the first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._open: list[dict] = []
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._open.append({"head": None, "rows": [], "row": None})
        elif tag == "tr" and self._open:
            self._open[-1]["row"] = ([], [])
        elif tag in ("td", "th") and self._open:
            self._cell = [tag, int(dict(attrs).get("colspan") or 1), ""]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._open:
            texts, kinds = self._open[-1]["row"]
            kind, span, text = self._cell
            texts += [" ".join(text.split())] + [""] * (span - 1)
            kinds.append(kind)
            self._cell = None
        elif tag == "tr" and self._open and self._open[-1]["row"] is not None:
            table = self._open[-1]
            texts, kinds = table["row"]
            if table["head"] is None and not table["rows"] and kinds and all(k == "th" for k in kinds):
                table["head"] = texts
            else:
                table["rows"].append(texts)
            table["row"] = None
        elif tag == "table" and self._open:
            table = self._open.pop()
            self.tables.append((table["head"] or [], table["rows"]))

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data


def _amount(text: str) -> Decimal | None:
    found = AMOUNT.match(text)
    return Decimal(found.group(0).replace(",", "")) if found else None


def table_problems(html: str) -> tuple[int, list[str]]:
    """(totals checked, what does not add up) for one page."""
    parser = _Tables()
    parser.feed(html)
    checked, problems = 0, []
    for head, rows in parser.tables:
        money = [j for j, h in enumerate(head) if h.endswith("（元）") and "余额" not in h]
        balances = [j for j, h in enumerate(head) if h.endswith("（元）") and "余额" in h]
        across = [j for j in money if "合计" in head[j]]
        parts = [j for j in money if j not in across]
        is_total = [any(TOTAL.match(c) for j, c in enumerate(r) if j not in money) for r in rows]
        for i, row in enumerate(rows):
            for j in across:  # a 合计 column: the sum of the row's other amounts
                if j < len(row) and _amount(row[j]) is not None:
                    checked += 1
                    got = sum((_amount(row[k]) or Decimal(0) for k in parts if k < len(row)), Decimal(0))
                    if got != _amount(row[j]):
                        problems.append(f"{head} row {row}: the columns add up to {got}, not {row[j]}")
            if not is_total[i]:
                continue
            # the rows since the previous total; right after another total (a year after its months): all rows
            start = i
            while start > 0 and not is_total[start - 1]:
                start -= 1
            above = rows[start:i] if start < i else [r for k, r in enumerate(rows[:i]) if not is_total[k]]
            for j in balances:  # a running balance is not summed: the total row may only repeat the last one
                shown = _amount(row[j]) if j < len(row) else None
                last = next(
                    (
                        _amount(r[j])
                        for k, r in reversed(list(enumerate(rows[:i])))
                        if not is_total[k] and j < len(r) and _amount(r[j]) is not None
                    ),
                    None,
                )
                if shown is not None:
                    checked += 1
                    if shown != last:
                        problems.append(f"{head} total row {row}: “{head[j]}” {shown} is not the last balance {last}")
            for j in money:
                total = _amount(row[j]) if j < len(row) else None
                if total is None:
                    continue
                checked += 1
                got = sum((_amount(r[j]) or Decimal(0) for r in above if j < len(r)), Decimal(0))
                if got != total:
                    problems.append(f"{head} total row {row}: the rows above add up to {got} in “{head[j]}”")
    return checked, problems


def site_problems(out: Path) -> tuple[int, dict[str, list[str]]]:
    checked, found = 0, {}
    for page in sorted(out.rglob("*.html")):
        n, problems = table_problems(page.read_text(encoding="utf-8"))
        checked += n
        if problems:
            found[page.relative_to(out).as_posix()] = problems
    return checked, found


# ---- the checker itself ----------------------------------------------------------------------------------

GOOD = """<table><thead><tr><th>类别</th><th>金额（元）</th><th>余额（元）</th></tr></thead><tbody>
<tr><td>a</td><td>1,000.00</td><td>5.00</td></tr><tr><td>b</td><td>-250.50</td><td>7.00</td></tr>
<tr><td>合计</td><td>749.50</td><td>7.00</td></tr></tbody></table>"""


@pytest.mark.parametrize(
    "html, problems",
    [
        (GOOD, 0),
        (GOOD.replace("749.50", "749.51"), 1),  # a total that is off by a fen
        (GOOD.replace("-250.50", "250.50"), 1),  # a sign lost
        (GOOD.replace("<tr><td>合计", "<tr><td>x</td><td>1.00</td><td></td></tr><tr><td>合计"), 1),  # a row too many
        (GOOD.replace("<td>7.00</td></tr></tbody>", "<td>12.00</td></tr></tbody>"), 1),  # a balance column summed
        # months, then the year: the year's total is the sum of every line, not of the month totals
        (
            "<table><tr><th>月</th><th>收入（元）</th></tr><tr><td>1</td><td>1.00</td></tr><tr><td>本月合计</td>"
            "<td>1.00</td></tr><tr><td>2</td><td>2.00</td></tr><tr><td>本月合计</td><td>2.00</td></tr>"
            "<tr><td>全年合计</td><td>3.00</td></tr></table>",
            0,
        ),
        (
            "<table><tr><th>月</th><th>a（元）</th><th>b（元）</th><th>资金合计（元）</th></tr>"
            "<tr><td>7</td><td>1.00</td><td>2.00</td><td>3.01</td></tr></table>",
            1,
        ),  # a row-wise 合计 column
        (
            "<table><tr><th>a</th><th>b</th><th>金额（元）</th></tr><tr><td>x</td><td>y</td><td>1.00</td></tr>"
            '<tr><td colspan="2">合计（借贷相等）</td><td>2.00</td></tr></table>',
            1,
        ),  # a colspan label
    ],
)
def test_the_checker_finds_tables_that_do_not_add_up(html, problems):
    assert len(table_problems(html)[1]) == problems


# ---- every table of the built sites ---------------------------------------------------------------------


def test_every_table_of_the_sample_city_adds_up(tmp_path_factory):
    out = sample_output(tmp_path_factory)
    checked, found = site_problems(out)
    assert not found, found
    assert checked > 1000  # every finance, ledger, account and voucher page of both themes was read


def test_every_table_of_the_finance_fixture_adds_up(tmp_path):
    build(FIXTURES / "finance", tmp_path / "out")
    checked, found = site_problems(tmp_path / "out")
    assert not found and checked > 50, found


def _village(content: Path, slug: str) -> Village:
    city, _ = check(content)
    assert city is not None
    return next(v for v in city.villages if v.slug == slug)


def test_the_money_in_and_out_tables_add_up_to_the_ledger_in_every_village(tmp_path_factory):
    """The where-from and where-to tables are the year's income and expense split by account: the money that is
    neither (paid into 在建工程, a loan, money collected for others) is a row of its own, so a villager adding the
    rows finds the year's figure (长寿村 2026: 468,888.97 spent, of which only 259,978.80 is 支出 proper)."""
    from sitegen.finance.ledger import village_ledgers

    city, _ = check(CONTENT)
    assert city is not None
    neither = Decimal(0)
    for village in city.villages:
        for lg in village_ledgers(village):
            money_in, money_out = flows(lg)
            assert sum((f.amount for f in money_in), Decimal(0)) == lg.income
            assert sum((f.amount for f in money_out), Decimal(0)) == lg.expense
            for f in money_in + money_out:
                assert sum((part for _, part in f.vouchers), Decimal(0)) == f.amount
            neither += sum((f.amount for f in money_out if not f.real), Decimal(0))
    assert neither  # the sample has such movements: the test is about them
    out = sample_output(tmp_path_factory)
    for theme in ("tv", "mobile"):
        for village in city.villages:
            page = out / theme / village.town_slug / village.slug / "finance/income-expense/index.html"
            parser = _Tables()
            parser.feed(page.read_text(encoding="utf-8"))
            # per year: the months table, then where the money came from and went
            years = [rows for head, rows in parser.tables if head[:2] == ["月份", "收入（元）"]]
            totals = [rows[-1][2] for head, rows in parser.tables if head[:1] in (["钱从哪里来"], ["钱用到哪里去"])]
            assert years and totals == [x for rows in years for x in (rows[-1][1], rows[-1][2])], village.slug
            if village.slug == "changshou":
                assert totals == ["863,440.00", "468,888.97"]
                assert "不算支出" in page.read_text(encoding="utf-8")


def test_each_money_row_opens_the_vouchers_behind_it(tmp_path_factory):
    out = sample_output(tmp_path_factory)
    root = out / "mobile/xiagang/changshou/finance"
    pages = sorted((root / "flows").glob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "../vouchers/" in html
        assert table_problems(html)[0] >= 1


def test_pending_notice_names_the_months_in_words():
    v = Village("cs", "长寿村", "xg", "", Decimal(0), pending_months=["2026-08", "2026-09"])
    assert pending_notice(v) == (
        "2026年8月、2026年9月的账目待审核：镇农经站审核通过以后才公开这些月份的凭证和金额。现在还没有审核通过的月份。"
    )
    assert pending_notice(Village("cs", "长寿村", "xg", "", Decimal(0))) == ""


def test_a_tables_rows_carry_their_ids_and_each_cells_heading():
    """Table.labelled (the template's rows): each row's id ("" for none, ids shorter than the rows or none at
    all), each cell with its column's heading, "" past the last heading; every cell of every row, in order."""
    head = [Cell("名称"), Cell("金额（元）", num=True)]
    rows = [[Cell("a"), Cell("1.00", num=True)], [Cell("b")], [Cell("c"), Cell("2.00"), Cell("注")]]
    assert Table(head, rows, ids=["r-a", ""]).labelled() == [
        ("r-a", [(rows[0][0], "名称"), (rows[0][1], "金额（元）")]),
        ("", [(rows[1][0], "名称")]),
        ("", [(rows[2][0], "名称"), (rows[2][1], "金额（元）"), (rows[2][2], "")]),
    ]
    assert [row_id for row_id, _ in Table(head, rows).labelled()] == ["", "", ""]
    assert Table(head, []).labelled() == []
