"""Stage 3, model (账目): the plain running ledger (流水账) and plain-words explanations, from the journal.

The ledger follows the money: a voucher's lines on the cash and bank accounts (`Account.is_money`) give its
income (money in) or expense (money out); the other lines say where the money came from or went, in the
chart's plain words. Money moved between the village's own cash and bank is a transfer, neither.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sitegen.content.accounts import PROFIT_LOSS, Account
from sitegen.content.model import City, Ledger, LedgerLine, LedgerMonth, Village, Voucher, with_villages
from sitegen.content.money import ZERO, yuan


def build_ledgers(city: City) -> City:
    """The city with each village's ledgers (`Village.ledgers`, from its journal): a new city, `city` is left as
    it was; everything but the towns and villages is shared."""
    return with_villages(city, lambda village: replace(village, ledgers=village_ledgers(village)))


def money_movement(voucher: Voucher) -> Decimal | None:
    """Net money into the village's cash and bank (negative: out); None if the voucher moves no money."""
    lines = [ln for ln in voucher.lines if ln.account.is_money]
    if not lines:
        return None
    return sum((ln.debit - ln.credit for ln in lines), ZERO)


def _plain_names(voucher: Voucher, money: bool, side: str | None = None) -> str:
    names: list[str] = []
    for ln in voucher.lines:
        if ln.account.is_money != money:
            continue
        if side == "debit" and not ln.debit or side == "credit" and not ln.credit:
            continue
        if ln.account.plain not in names:
            names.append(ln.account.plain)
    return "、".join(names)


def purpose(voucher: Voucher, net: Decimal) -> str:
    counter = _plain_names(voucher, money=False)
    if net > 0:
        return f"来源：{counter}" if counter else "收入"
    if net < 0:
        return f"用途：{counter}" if counter else "支出"
    return "现金与银行存款之间互转"


def explain(voucher: Voucher) -> str:
    """The voucher in one plain sentence, as a villager would say it."""
    net = money_movement(voucher)
    if net is None:
        return (
            f"这张凭证没有钱进出，只是账目之间的调整：记入{_plain_names(voucher, False, 'debit')}，"
            f"对应{_plain_names(voucher, False, 'credit')}，金额 {yuan(voucher.debit_total)} 元。"
        )
    if net > 0:
        return f"村里收到 {yuan(net)} 元（钱放在：{_plain_names(voucher, True, 'debit')}）；{purpose(voucher, net)}。"
    if net < 0:
        return f"村里付出 {yuan(-net)} 元（钱出自：{_plain_names(voucher, True, 'credit')}）；{purpose(voucher, net)}。"
    moved = sum((ln.debit for ln in voucher.lines if ln.account.is_money), ZERO)
    return (
        f"村里自己的钱换了个地方放：{yuan(moved)} 元从“{_plain_names(voucher, True, 'credit')}”转到"
        f"“{_plain_names(voucher, True, 'debit')}”，不算收入，也不算支出。"
    )


def village_ledgers(village: Village) -> list[Ledger]:
    """One ledger per accounting year, each year opening with the previous year's closing balance."""
    by_year: OrderedDict[int, list[Voucher]] = OrderedDict()
    for v in sorted(village.vouchers, key=lambda v: (v.date, v.month, v.number)):
        if money_movement(v) is not None:
            by_year.setdefault(v.date.year, []).append(v)
    ledgers = []
    balance = village.opening_balance
    for year, vouchers in by_year.items():
        opening = balance
        months: OrderedDict[str, list[LedgerLine]] = OrderedDict()
        for v in vouchers:
            net = money_movement(v)
            assert net is not None
            balance += net
            line = LedgerLine(
                voucher=v,
                date=v.date,
                description=v.summary,
                purpose=purpose(v, net),
                counterparty=_counterparty(v),
                income=max(net, ZERO),
                expense=max(-net, ZERO),
                balance=balance,
                transfer=net == 0,
            )
            months.setdefault(v.month, []).append(line)
        month_list = []
        running = opening
        for month, lines in months.items():
            income = sum((ln.income for ln in lines), ZERO)
            expense = sum((ln.expense for ln in lines), ZERO)
            month_list.append(LedgerMonth(month, lines, running, income, expense, running + income - expense))
            running += income - expense
        ledgers.append(
            Ledger(
                year,
                opening,
                month_list,
                sum((m.income for m in month_list), ZERO),
                sum((m.expense for m in month_list), ZERO),
                balance,
            )
        )
    return ledgers


def _counterparty(voucher: Voucher) -> str:
    names: list[str] = []
    for ln in voucher.lines:
        if ln.counterparty and ln.counterparty not in names:
            names.append(ln.counterparty)
    return "、".join(names)


@dataclass(slots=True)
class Flow:
    """收支去向 The part of a year's money in (or out) that came from (or went to) one account, voucher by voucher.

    A year's money in is split over the accounts on the other side of each voucher (what is not cash or bank),
    so the flows of a year add up to exactly the ledger's income (or expense): real income and expense
    (损益类), and the movements that are neither (a loan taken or repaid, money paid into 在建工程, money
    collected for others, a debt collected) each as their own flow."""

    account: Account
    code: str  # the first-level account code; with its name, what the flow is grouped by
    amount: Decimal
    vouchers: list[tuple[Voucher, Decimal]] = field(default_factory=list)

    @property
    def real(self) -> bool:
        """Income or expense proper (损益类); the rest moves money without being either."""
        return self.account.category == PROFIT_LOSS


def flows(ledger: Ledger) -> tuple[list[Flow], list[Flow]]:
    """(money in by source, money out by use) of one ledger year; each list adds up to the ledger's income or
    expense (a voucher's lines balance, so its other-side lines add up to the money it moved). Real income or
    expense first, then the rest, each in account-code order."""
    found: tuple[dict[tuple[str, str], Flow], dict[tuple[str, str], Flow]] = ({}, {})
    for month in ledger.months:
        for line in month.lines:
            if not line.income and not line.expense:
                continue  # a transfer between the village's own cash and bank
            side = found[0] if line.income else found[1]
            parts: dict[tuple[str, str], Decimal] = {}
            for ln in line.voucher.lines:
                if ln.account.is_money:
                    continue
                key = (ln.account.code, ln.account.name)
                parts[key] = parts.get(key, ZERO) + ((ln.credit - ln.debit) if line.income else (ln.debit - ln.credit))
                side.setdefault(key, Flow(ln.account, ln.account.code, ZERO))
            for key, part in parts.items():
                if part:
                    side[key].amount += part
                    side[key].vouchers.append((line.voucher, part))
    return tuple(
        sorted((f for f in side.values() if f.vouchers), key=lambda f: (not f.real, f.code, f.account.name))
        for side in found
    )  # type: ignore[return-value]
