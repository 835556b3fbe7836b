"""The plain running ledger: money in and out of cash and bank, balances, month totals, plain words."""

from __future__ import annotations

from decimal import Decimal as D

from sitegen.finance.ledger import build_ledgers, explain, flows
from tests.checked import check


def ledger_of(root):
    city, report = check(root)
    assert city is not None
    assert not report.errors
    city = build_ledgers(city)
    return city.villages[0]


def test_running_balance_and_month_totals(mini):
    village = ledger_of(mini)
    (ledger,) = village.ledgers
    assert ledger.year == 2026 and ledger.opening == D("10000.00")
    (month,) = ledger.months
    # 记-4 moves no money (a closing entry), so it is not a ledger line
    assert [ln.voucher.label for ln in month.lines] == ["记-1", "记-2", "记-3"]
    assert [(ln.income, ln.expense, ln.balance) for ln in month.lines] == [
        (D("12000.00"), D("0.00"), D("22000.00")),
        (D("0.00"), D("2500.50"), D("19499.50")),
        (D("0.00"), D("0.00"), D("19499.50")),  # bank -> cash: a transfer, neither income nor expense
    ]
    assert month.lines[2].transfer and not month.lines[0].transfer
    assert (month.income, month.expense, month.closing) == (D("12000.00"), D("2500.50"), D("19499.50"))
    assert ledger.closing == ledger.opening + ledger.income - ledger.expense
    assert all(isinstance(x, D) for ln in month.lines for x in (ln.income, ln.expense, ln.balance))


def test_reconciles_with_the_journal(mini):
    """Ledger income minus expense equals the net movement of the money accounts in the journal."""
    village = ledger_of(mini)
    net = sum((ln.debit - ln.credit for v in village.vouchers for ln in v.lines if ln.account.is_money), D(0))
    (ledger,) = village.ledgers
    assert ledger.income - ledger.expense == net


def test_years_chain_their_balances(mini):
    journal = mini / "xg/cs/journal/2027-01.csv"
    journal.write_text(
        "日期,凭证字号,摘要,科目编码,借方金额,贷方金额,附件张数\n"
        "2027-01-05,记-1,收到补助,102,100.00,,0\n2027-01-05,记-1,收到补助,503,,100.00,0\n",
        encoding="utf-8",
    )
    (mini / "xg/cs/scans/2027-01/1").mkdir(parents=True)
    (mini / "xg/cs/scans/2027-01/1/01.jpg").write_bytes((mini / "xg/cs/files/basis.jpg").read_bytes())
    village = ledger_of(mini)
    first, second = village.ledgers
    assert second.opening == first.closing and second.closing == first.closing + D("100.00")


def test_plain_words(mini):
    v1, v2, v3, v4 = ledger_of(mini).vouchers
    assert explain(v1).startswith("村里收到 12,000.00 元") and "来源" in explain(v1)
    assert explain(v2).startswith("村里付出 2,500.50 元") and "用途" in explain(v2)
    assert "不算收入" in explain(v3)
    assert "没有钱进出" in explain(v4)


def test_money_in_and_out_split_by_account_add_up_to_the_year(mini):
    """flows(): a year's money in (and out) by the account on the other side, to the fen: a receipt net of a fee,
    a works bill paid in part and owed in part, a loan, all add up to the ledger's income and expense."""
    journal = mini / "xg/cs/journal/2026-09.csv"
    extra = [
        "2026-09-21,记-5,收到租金扣手续费,102,银行存款,9990.00,,,0",
        "2026-09-21,记-5,收到租金扣手续费,513,管理费用,10.00,,,0",
        "2026-09-21,记-5,收到租金扣手续费,501,经营收入,,10000.00,承租方,0",
        "2026-09-22,记-6,付工程款留质保金,153,在建工程,50000.00,,,0",
        "2026-09-22,记-6,付工程款留质保金,211,应付款,,2500.00,施工方,0",
        "2026-09-22,记-6,付工程款留质保金,102,银行存款,,47500.00,施工方,0",
        "2026-09-23,记-7,向信用社借款,102,银行存款,30000.00,,,0",
        "2026-09-23,记-7,向信用社借款,201,短期借款,,30000.00,信用社,0",
    ]
    journal.write_text(journal.read_text(encoding="utf-8") + "\n".join(extra) + "\n", encoding="utf-8")
    for n in (5, 6, 7):
        (mini / f"xg/cs/scans/2026-09/{n}").mkdir(parents=True)
        (mini / f"xg/cs/scans/2026-09/{n}/01.jpg").write_bytes((mini / "xg/cs/scans/2026-09/1/01.jpg").read_bytes())
    (ledger,) = ledger_of(mini).ledgers
    money_in, money_out = flows(ledger)
    assert sum((f.amount for f in money_in), D(0)) == ledger.income == D("51990.00")
    assert sum((f.amount for f in money_out), D(0)) == ledger.expense == D("50000.50")
    got_in = {f.account.name: (f.amount, f.real) for f in money_in}
    assert got_in == {
        "经营收入": (D("22000.00"), True),
        "管理费用": (D("-10.00"), True),
        "短期借款": (D("30000.00"), False),
    }
    got_out = {f.account.name: (f.amount, f.real) for f in money_out}
    assert got_out == {
        "管理费用": (D("2500.50"), True),
        "在建工程": (D("50000.00"), False),
        "应付款": (D("-2500.00"), False),
    }
    assert [f.real for f in money_out] == [True, False, False]  # income and expense proper first
