"""Finance tables (财务明细表): the asset register, resource leases, projects, budget and payout lists.

Part of the validate stage: each village's `finance/tables/*.csv|*.xlsx` are read with `load.read_table` (so CSV
and Excel give the same rows, sheet and row numbers) and turned into plain dataclasses that know nothing of
HTML. Links are data: a table names the vouchers behind its figures (`2026-07 记-3`), a journal line may name
the table row it belongs to (the optional 关联 column, `项目:P2026-01`), and both are checked here. Figures that
must agree (a payout list and its voucher, a project's payments and its contract) are reconciled here too, and
a mismatch names both figures.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from sitegen import accounts
from sitegen.accounts import Account
from sitegen.errors import Location, Report
from sitegen.ledger import village_ledgers
from sitegen.load import RawTable
from sitegen.model import Image, Village, Voucher
from sitegen.money import ZERO, AmountError, parse_amount, yuan

if TYPE_CHECKING:  # validate imports this module; the checker is only used for its path and image checks
    from sitegen.validate import _Checker

# Table kinds, recognised by the start of the file name (资产.csv, 低保-2026.xlsx, projects.csv ...).
TABLE_KINDS: dict[str, tuple[str, ...]] = {
    "assets": ("资产", "assets"),
    "leases": ("资源", "leases"),
    "projects": ("工程项目", "项目", "projects"),
    "budget": ("预算", "budget"),
    "payouts": ("补助", "低保", "福利", "干部工资", "工资", "名单", "payouts", "wages", "subsidies"),
}

# Columns per table: field -> accepted headers (Chinese first), compared without spaces, case-insensitive.
TABLE_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "assets": {"id": ("编号", "id"), "name": ("名称", "资产名称", "item", "name"), "location": ("地点", "存放地点", "location"),
               "value": ("原值", "价值", "金额", "value"), "acquired": ("购建日期", "取得日期", "acquired"),
               "status": ("状态", "使用状态", "status"), "voucher": ("凭证", "凭证号", "voucher")},
    "leases": {"id": ("编号", "合同编号", "id"), "resource": ("资源", "资源名称", "resource"), "kind": ("类型", "kind"),
               "area": ("面积", "area"), "lessee": ("承租方", "承包方", "lessee"), "start": ("起始日期", "start"),
               "end": ("终止日期", "end"), "rent": ("年租金", "年承包费", "rent"), "due": ("缴租日期", "due"),
               "scan": ("合同扫描件", "scan"), "vouchers": ("收款凭证", "凭证", "vouchers")},
    "projects": {"id": ("项目编号", "编号", "project"), "name": ("项目名称", "name"), "stage": ("环节", "stage"),
                 "date": ("日期", "date"), "document": ("文件", "内容", "document"), "amount": ("金额", "amount"),
                 "voucher": ("凭证", "凭证号", "voucher"), "scan": ("扫描件", "scan")},
    "budget": {"year": ("年度", "year"), "name": ("项目", "预算项目", "line"), "account": ("科目编码", "account_code"),
               "amount": ("预算数", "预算金额", "budget")},
    "payouts": {"list": ("名单", "list"), "name": ("姓名", "name"), "group": ("村民小组", "小组", "group"),
                "household": ("家庭人口", "人口", "household"), "amount": ("金额", "发放金额", "amount"),
                "period": ("期间", "所属期", "period"), "voucher": ("凭证", "发放凭证", "voucher")},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "assets": ("id", "name", "value", "acquired"),
    "leases": ("id", "resource", "lessee", "rent"),
    "projects": ("id", "stage"),
    "budget": ("year", "name", "account", "amount"),
    "payouts": ("name", "amount", "voucher"),
}
# Personal data the rules do not allow to be published: these columns are dropped unread, even if filled in.
PRIVATE_HEADERS = ("身份证号", "身份证号码", "身份证", "证件号码", "银行卡号", "银行账号", "卡号", "账号", "手机", "手机号",
                   "手机号码", "电话", "联系电话", "住址", "家庭住址", "详细地址", "地址", "id_number", "bank_account",
                   "card", "phone", "mobile", "address")

# 工程项目的环节 The life of a project, in order; 付款 rows are payments, linked to vouchers.
STAGES = ("立项", "招投标", "合同", "进度", "增减项目", "验收", "决算")
PAYMENT = "付款"

# 关联 column of the journal: kind word -> table kind
REF_KINDS = {"资产": "assets", "资源": "leases", "合同": "leases", "项目": "projects", "预算": "budget",
             "名单": "payouts", "asset": "assets", "lease": "leases", "project": "projects", "budget": "budget",
             "list": "payouts"}

# 在建工程 in each chart: money spent on it should belong to a project.
CIP_CODES = {accounts.SYSTEM_2004: "154", accounts.SYSTEM_2024: "153"}


@dataclass(frozen=True)
class Asset:
    """固定资产 One line of the fixed-asset register."""

    id: str
    name: str
    location: str
    value: Decimal
    acquired: date
    status: str
    voucher: Voucher | None
    where: Location


@dataclass
class Lease:
    """资源发包/租赁 Land, a pond, a forest or a building let out, with the rent received for it."""

    id: str
    resource: str
    kind: str
    area: str
    lessee: str
    start: date | None
    end: date | None
    rent: Decimal          # per year
    due: date | None       # this year's payment date
    scan: Image | None
    vouchers: list[Voucher]
    where: Location

    def received(self, year: int) -> Decimal:
        return sum((money_in(v) for v in self.vouchers if v.date.year == year), ZERO)


@dataclass(frozen=True)
class Stage:
    """工程环节 One step of a project (立项 … 决算) or one payment (付款)."""

    stage: str
    date: date | None
    document: str
    amount: Decimal | None
    voucher: Voucher | None
    scan: Image | None
    where: Location


@dataclass
class Project:
    """工程项目 A project's whole life and its payments."""

    id: str
    name: str
    stages: list[Stage] = field(default_factory=list)
    where: Location | None = None

    def _sum(self, stage: str) -> Decimal:
        return sum((s.amount or ZERO for s in self.stages if s.stage == stage), ZERO)

    @property
    def contract(self) -> Decimal:
        return self._sum("合同")

    @property
    def changes(self) -> Decimal:
        return self._sum("增减项目")

    @property
    def payable(self) -> Decimal:
        """合同价加批准的增减 What the village owes for the whole project."""
        return self.contract + self.changes

    @property
    def payments(self) -> list[Stage]:
        return [s for s in self.stages if s.stage == PAYMENT]

    @property
    def paid(self) -> Decimal:
        return self._sum(PAYMENT)

    @property
    def final(self) -> Decimal | None:
        rows = [s for s in self.stages if s.stage == "决算" and s.amount is not None]
        return rows[-1].amount if rows else None


@dataclass(frozen=True)
class BudgetLine:
    """预算项目 One line of a year's budget, matched to the ledger through its account code."""

    year: int
    name: str
    code: str
    account: Account
    amount: Decimal
    where: Location

    @property
    def income(self) -> bool:
        return self.account.side == accounts.CREDIT


@dataclass(frozen=True)
class Payee:
    """名单中的一人：只有规定允许公开的内容 (name, village group, household size, amount, period)."""

    name: str
    group: str
    household: str
    amount: Decimal
    period: str


@dataclass
class PayoutList:
    """发放名单 A subsidy, welfare or wage list (低保、补助、福利、干部工资) paid out by one voucher."""

    slug: str
    name: str
    voucher: Voucher
    payees: list[Payee]
    where: Location

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payees), ZERO)


@dataclass
class Finance:
    """A village's finance tables, checked and linked."""

    assets: list[Asset] = field(default_factory=list)
    leases: list[Lease] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    budget: list[BudgetLine] = field(default_factory=list)
    payouts: list[PayoutList] = field(default_factory=list)
    # voucher key -> the table rows it is linked to, as (kind, id) from the journal's 关联 column
    refs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def money_in(v: Voucher) -> Decimal:
    return sum((ln.debit - ln.credit for ln in v.lines if ln.account.is_money), ZERO)


def table_kind(path: Path) -> str | None:
    stem = path.stem.lower()
    for kind, names in TABLE_KINDS.items():
        if any(stem.startswith(n.lower()) for n in names):
            return kind
    return None


_VREF = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*\D*?(\d+)\D*$")


def parse_voucher_ref(text: str) -> tuple[str, int] | None:
    """'2026-07 记-3' (also 2026/7/3号, 2026年7月 记字第3号) -> ('2026-07', 3)."""
    m = _VREF.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}", int(m.group(3))


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;；、,，\n]", text) if p.strip()]


class _Rows:
    """One finance table: its columns found, each row with cell(field) and loc(field)."""

    def __init__(self, table: RawTable, kind: str, report: Report):
        self.t, self.kind, self.report = table, kind, report
        self.index: dict[str, int] = {}
        lookup = {h.lower(): f for f, names in TABLE_COLUMNS[kind].items() for h in names}
        private = {h.lower() for h in PRIVATE_HEADERS}
        header_row = table.rows[0][0] - 1 if table.rows else 1
        for i, header in enumerate(table.header):
            key = re.sub(r"\s+", "", header).lower()
            if key in lookup:
                self.index.setdefault(lookup[key], i)
            elif key and key not in private:
                report.warning("journal-header-unknown", Location(table.where, header_row, sheet=table.sheet),
                               column=header)
        self.ok = True
        for f in REQUIRED[kind]:
            if f not in self.index:
                names = TABLE_COLUMNS[kind][f]
                report.error("journal-header", Location(table.where, header_row, sheet=table.sheet), column=names[0],
                             choices=" / ".join(names))
                self.ok = False

    def __iter__(self) -> Iterator[tuple[Callable[[str], str], Callable[[str | None], Location]]]:
        if not self.ok:
            return
        for row_no, row in self.t.rows:
            def cell(f: str, _row=row) -> str:
                i = self.index.get(f)
                return _row[i].strip() if i is not None and i < len(_row) else ""

            def loc(f: str | None, _n=row_no) -> Location:
                column = self.t.header[self.index[f]] if f in self.index else None
                return Location(self.t.where, _n, column, self.t.sheet)
            yield cell, loc


class _Reader:
    def __init__(self, checker: "_Checker", vouchers: list[Voucher], system: str):
        self.c, self.report, self.system = checker, checker.report, system
        self.by_key = {(v.month, v.number): v for v in vouchers}

    def amount(self, text: str, where: Location, required: bool = True) -> Decimal | None:
        if not text and not required:
            return None
        try:
            return parse_amount(text) if text else None
        except AmountError:
            self.report.error("amount-format", where, value=text)
            return None

    def day(self, text: str, where: Location, key: str) -> date | None:
        from sitegen.validate import parse_day  # validate imports this module
        if not text:
            return None
        d = parse_day(text)
        if d is None:
            self.report.error("bad-date", where, key=key, value=text)
        return d

    def voucher(self, text: str, where: Location) -> Voucher | None:
        ref = parse_voucher_ref(text)
        if ref is None:
            self.report.error("finance-voucher-ref", where, value=text)
            return None
        found = self.by_key.get(ref)
        if found is None:
            self.report.error("finance-voucher-missing", where, value=text)
        return found

    def scan(self, text: str, table: RawTable, where: Location) -> Image | None:
        if not text:
            return None
        path = self.c.inside(table.path.parent, text, where)
        return self.c.image(path, where, text, self.c.media_name(path)) if path is not None else None

    # ---- the five tables ----------------------------------------------------------------------------------
    def assets(self, table: RawTable, fin: Finance, seen: dict) -> None:
        for cell, loc in _Rows(table, "assets", self.report):
            value = self.amount(cell("value"), loc("value"))
            acquired = self.day(cell("acquired"), loc("acquired"), "购建日期")
            voucher = self.voucher(cell("voucher"), loc("voucher")) if cell("voucher") else None
            if not self.unique("assets", cell("id"), loc("id"), seen) or value is None or acquired is None:
                continue
            fin.assets.append(Asset(cell("id"), cell("name"), cell("location"), value, acquired,
                                    cell("status") or "在用", voucher, loc(None)))

    def leases(self, table: RawTable, fin: Finance, seen: dict) -> None:
        for cell, loc in _Rows(table, "leases", self.report):
            rent = self.amount(cell("rent"), loc("rent"))
            start, end = self.day(cell("start"), loc("start"), "起始日期"), self.day(cell("end"), loc("end"), "终止日期")
            due = self.day(cell("due"), loc("due"), "缴租日期")
            vouchers = [v for v in (self.voucher(t, loc("vouchers")) for t in _split(cell("vouchers"))) if v]
            scan = self.scan(cell("scan"), table, loc("scan"))
            if not self.unique("leases", cell("id"), loc("id"), seen) or rent is None:
                continue
            fin.leases.append(Lease(cell("id"), cell("resource"), cell("kind"), cell("area"), cell("lessee"), start,
                                    end, rent, due, scan, vouchers, loc(None)))

    def projects(self, table: RawTable, fin: Finance) -> None:
        by_id = {p.id: p for p in fin.projects}
        for cell, loc in _Rows(table, "projects", self.report):
            stage = cell("stage")
            if stage not in STAGES + (PAYMENT,):
                self.report.error("bad-value", loc("stage"), key=stage or "环节",
                                  detail="环节只能是 " + "、".join(STAGES + (PAYMENT,)),
                                  detail_en="stage must be one of " + ", ".join(STAGES + (PAYMENT,)))
                continue
            amount = self.amount(cell("amount"), loc("amount"), required=stage in ("合同", PAYMENT))
            if stage in ("合同", PAYMENT) and amount is None and not cell("amount"):
                self.report.error("missing-key", loc("amount"), key=TABLE_COLUMNS["projects"]["amount"][0])
            voucher = self.voucher(cell("voucher"), loc("voucher")) if cell("voucher") else None
            if stage == PAYMENT and not cell("voucher"):
                self.report.error("missing-key", loc("voucher"), key=TABLE_COLUMNS["projects"]["voucher"][0])
            project = by_id.get(cell("id"))
            if project is None:
                project = by_id[cell("id")] = Project(cell("id"), cell("name") or cell("id"), where=loc(None))
                fin.projects.append(project)
            project.stages.append(Stage(stage, self.day(cell("date"), loc("date"), "日期"), cell("document"), amount,
                                        voucher, self.scan(cell("scan"), table, loc("scan")), loc(None)))

    def budget(self, table: RawTable, fin: Finance) -> None:
        seen: dict[tuple[int, str], Location] = {}
        for cell, loc in _Rows(table, "budget", self.report):
            amount = self.amount(cell("amount"), loc("amount"))
            if not cell("year").isdigit():
                self.report.error("bad-value", loc("year"), key="年度", detail="应当是年份，如 2026",
                                  detail_en="expected a year like 2026")
                continue
            year = int(cell("year"))
            system = self.system or accounts.system_for_year(year, self.c.config.new_accounts_from)
            account = accounts.lookup(system, cell("account"))
            if account is None:
                self.report.error("account-unknown", loc("account"), value=cell("account"),
                                  system=accounts.SYSTEM_TITLES[system], system_en=system)
                continue
            # the rule linking a budget line to the ledger is its account code, so it must be unambiguous
            key = (year, cell("account"))
            if key in seen:
                self.report.error("finance-duplicate", loc("account"), value=cell("account"), other=seen[key].zh())
                continue
            seen[key] = loc("account")
            if amount is not None:
                fin.budget.append(BudgetLine(year, cell("name"), cell("account"), account, amount, loc(None)))

    def payouts(self, table: RawTable, fin: Finance) -> None:
        lists: dict[tuple[str, str], PayoutList] = {}
        for cell, loc in _Rows(table, "payouts", self.report):
            amount = self.amount(cell("amount"), loc("amount"))
            voucher = self.voucher(cell("voucher"), loc("voucher"))
            if amount is None or voucher is None:
                continue
            name = cell("list") or table.path.stem
            key = (name, voucher.key)
            if key not in lists:
                slug = f"{voucher.key}-{len([k for k in lists if k[1] == voucher.key]) + 1}"
                lists[key] = PayoutList(slug, name, voucher, [], loc(None))
                fin.payouts.append(lists[key])
            lists[key].payees.append(Payee(cell("name"), cell("group"), cell("household"), amount, cell("period")))

    def unique(self, kind: str, ident: str, where: Location, seen: dict) -> bool:
        if not ident:
            self.report.error("missing-key", where, key=TABLE_COLUMNS[kind]["id"][0])
            return False
        if (kind, ident) in seen:
            self.report.error("finance-duplicate", where, value=ident, other=seen[(kind, ident)].zh())
            return False
        seen[(kind, ident)] = where
        return True


def read(checker: "_Checker", tables: list[RawTable], village: Village, system: str) -> Finance:
    """Read, check, link and reconcile one village's finance tables, and its statements with its ledger."""
    fin = Finance()
    vouchers = village.vouchers
    reader = _Reader(checker, vouchers, system)
    seen: dict = {}
    for table in tables:
        kind = table_kind(table.path)
        if kind is None:
            checker.report.warning("stray-file", Location(table.where), name=table.path.name)
        elif kind in ("assets", "leases"):  # ids unique across all files of the kind
            getattr(reader, kind)(table, fin, seen)
        else:
            getattr(reader, kind)(table, fin)
    fin.payouts.sort(key=lambda p: (p.voucher.date, p.voucher.key, p.slug))
    _journal_refs(fin, vouchers, checker.report)
    _apply_refs(fin, vouchers)
    reconcile(fin, checker.report)
    _unlinked(fin, vouchers, system, checker, checker.report)
    for what, what_en, a, b in reconcile_statements(village):
        checker.report.error("finance-mismatch", Location(village.where), what=what, what_en=what_en, a=yuan(a),
                             b=yuan(b))
    return fin


def ref_ids(fin: Finance) -> dict[str, set[str]]:
    return {"assets": {a.id for a in fin.assets}, "leases": {x.id for x in fin.leases},
            "projects": {p.id for p in fin.projects}, "budget": {b.name for b in fin.budget} | {b.code for b in fin.budget},
            "payouts": {p.name for p in fin.payouts}}


def _journal_refs(fin: Finance, vouchers: list[Voucher], report: Report) -> None:
    """The journal's 关联 column: each reference must name an existing table row."""
    ids = ref_ids(fin)
    for v in vouchers:
        for ln in v.lines:
            for text in _split(ln.ref):
                kind_word, sep, ident = text.replace("：", ":").partition(":")
                kind = REF_KINDS.get(kind_word.strip().lower() if kind_word.isascii() else kind_word.strip())
                where = Location(ln.where.path, ln.where.line, "关联", ln.where.sheet)
                if not sep or kind is None:
                    report.error("finance-ref-format", where, value=text)
                elif ident.strip() not in ids[kind]:
                    report.error("finance-ref-missing", where, value=text, kind=kind_word.strip())
                else:
                    pair = (kind, ident.strip())
                    if pair not in fin.refs.setdefault(v.key, []):
                        fin.refs[v.key].append(pair)


def _apply_refs(fin: Finance, vouchers: list[Voucher]) -> None:
    """A journal line's 关联 links as much as the table's own voucher column: rent received for a lease, a payment
    for a project (its amount: the money the voucher paid out)."""
    by_key = {v.key: v for v in vouchers}
    leases = {x.id: x for x in fin.leases}
    projects = {p.id: p for p in fin.projects}
    for key, refs in sorted(fin.refs.items()):
        v = by_key[key]
        for kind, ident in refs:
            if kind == "leases" and v not in leases[ident].vouchers and money_in(v) > 0:
                leases[ident].vouchers.append(v)
            elif kind == "projects" and money_in(v) < 0 and all(s.voucher is not v for s in projects[ident].stages):
                line = next(ln for ln in v.lines if any(r.strip().endswith(ident) for r in _split(ln.ref)))
                projects[ident].stages.append(Stage(PAYMENT, v.date, v.summary, -money_in(v), v, None, line.where))
    for lease in fin.leases:
        lease.vouchers.sort(key=lambda v: (v.date, v.key))


def reconcile(fin: Finance, report: Report) -> None:
    """Figures that must agree; a mismatch is an error naming both figures."""
    for p in fin.payouts:
        if p.total != p.voucher.debit_total:
            report.error("finance-mismatch", p.where, what=f"名单“{p.name}”合计与凭证 {p.voucher.month} {p.voucher.label}",
                         what_en=f"list '{p.name}' total and voucher {p.voucher.month} {p.voucher.label}",
                         a=yuan(p.total), b=yuan(p.voucher.debit_total))
    for proj in fin.projects:
        for s in proj.payments:
            if s.voucher is not None and s.amount is not None and s.amount != -money_in(s.voucher):
                report.error("finance-mismatch", s.where,
                             what=f"项目 {proj.id} 付款与凭证 {s.voucher.month} {s.voucher.label} 付出的钱",
                             what_en=f"project {proj.id} payment and money paid by voucher {s.voucher.month} {s.voucher.label}",
                             a=yuan(s.amount), b=yuan(-money_in(s.voucher)))
        if proj.contract and proj.paid > proj.payable:
            report.error("finance-mismatch", proj.where, what=f"项目 {proj.id} 已付款与合同价加增减",
                         what_en=f"project {proj.id} paid to date and contract sum plus changes",
                         a=yuan(proj.paid), b=yuan(proj.payable))
        if proj.final is not None and proj.contract and proj.final != proj.payable:
            report.error("finance-mismatch", proj.where, what=f"项目 {proj.id} 决算金额与合同价加增减",
                         what_en=f"project {proj.id} final account and contract sum plus changes",
                         a=yuan(proj.final), b=yuan(proj.payable))


def _unlinked(fin: Finance, vouchers: list[Voucher], system: str, checker: "_Checker", report: Report) -> None:
    """What should be linked but is not: warnings, listed by `sitegen check`."""
    last = max((v.date for v in vouchers), default=None)
    if last is not None:
        for lease in fin.leases:
            if (lease.end is not None and lease.end.year < last.year) or (lease.start and lease.start > last):
                continue  # not let out this year
            if not lease.received(last.year):
                report.warning("finance-unlinked", lease.where,
                               what=f"资源 {lease.id}（{lease.resource}）今年（{last.year}年）没有收到租金的凭证",
                               what_en=f"lease {lease.id} has no rent received in {last.year}")
    linked = {s.voucher.key for p in fin.projects for s in p.stages if s.voucher} | \
             {k for k, refs in fin.refs.items() if any(kind == "projects" for kind, _ in refs)}
    for v in vouchers:
        sys_ = system or accounts.system_for_year(v.date.year, checker.config.new_accounts_from)
        cip = CIP_CODES[sys_]
        if v.key not in linked and money_in(v) < 0 and any(ln.account.code == cip and ln.debit for ln in v.lines):
            report.warning("finance-unlinked", v.where,
                           what=f"凭证 {v.month} {v.label} 是工程款，但没有对应的工程项目（请在工程项目表或“关联”列写明）",
                           what_en=f"voucher {v.month} {v.label} pays for works but names no project")


# ---- account balances from the journal -------------------------------------------------------------------
@dataclass
class AccountYear:
    """A first-level account's movements in one year: the lines behind every statement figure."""

    account: Account
    year: int
    opening: Decimal            # debit minus credit before the year
    lines: list[tuple[Voucher, Any]] = field(default_factory=list)

    @property
    def debit(self) -> Decimal:
        return sum((ln.debit for _, ln in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((ln.credit for _, ln in self.lines), ZERO)

    @property
    def closing(self) -> Decimal:
        """The balance on the account's own side (assets: debit minus credit; the others: credit minus debit)."""
        net = self.opening + self.debit - self.credit
        return net if self.account.side == accounts.DEBIT else -net

    @property
    def signed(self) -> Decimal:
        """The balance as its category counts it: 累计折旧 (a credit-side asset account) reduces the assets."""
        net = self.opening + self.debit - self.credit
        return net if self.account.category == accounts.ASSET else -net

    @property
    def movement(self) -> Decimal:
        """This year's amount on the account's own side (income: credits less debits; expense: the reverse)."""
        net = self.debit - self.credit
        return net if self.account.side == accounts.DEBIT else -net


def account_years(village: Village) -> dict[int, dict[str, AccountYear]]:
    """year -> account code -> its movements; balances carry over from year to year (by official name, since
    a code can change meaning between the 2004 and 2024 charts)."""
    by_year: "OrderedDict[int, dict[str, AccountYear]]" = OrderedDict()
    for v in sorted(village.vouchers, key=lambda v: (v.date, v.month, v.number)):
        accs = by_year.setdefault(v.date.year, {})
        for ln in v.lines:
            if ln.account.code not in accs:
                accs[ln.account.code] = AccountYear(ln.account, v.date.year, ZERO)
            accs[ln.account.code].lines.append((v, ln))
    carried: dict[str, tuple[Account, Decimal]] = {}
    result: dict[int, dict[str, AccountYear]] = {}
    for year, accs in by_year.items():
        for name, (acc, value) in carried.items():
            same = next((a for a in accs.values() if a.account.name == name), None)
            if same is not None:
                same.opening = value
            elif value and acc.code not in accs:
                accs[acc.code] = AccountYear(acc, year, value)
        for ay in accs.values():
            carried[ay.account.name] = (ay.account, ay.opening + ay.debit - ay.credit)
        result[year] = dict(sorted(accs.items()))
    return result


@dataclass
class Statement:
    """资产负债表 One year's balance sheet, from the journal (and the opening money balance)."""

    year: int
    assets: list[AccountYear]
    liabilities: list[AccountYear]
    equity: list[AccountYear]
    result: Decimal           # this year's income less expense, not yet carried to 本年收益
    opening_money: Decimal    # cash + bank before the first journal line (village.yaml)

    @property
    def asset_total(self) -> Decimal:
        return sum((a.signed for a in self.assets), ZERO) + self.opening_money

    @property
    def liability_total(self) -> Decimal:
        return sum((a.signed for a in self.liabilities), ZERO)

    @property
    def equity_total(self) -> Decimal:
        return sum((a.signed for a in self.equity), ZERO) + self.result + self.opening_money

    @property
    def net_assets(self) -> Decimal:
        return self.asset_total - self.liability_total


def statements(village: Village) -> list[Statement]:
    out = []
    for year, accs in account_years(village).items():
        pick = lambda cats: [a for a in accs.values() if a.account.category in cats]  # noqa: E731
        # income less expense not yet carried to 本年收益, this year's and any earlier year's
        result = -sum((a.opening + a.debit - a.credit for a in pick((accounts.PROFIT_LOSS, accounts.COST))), ZERO)
        out.append(Statement(year, pick((accounts.ASSET,)), pick((accounts.LIABILITY,)), pick((accounts.EQUITY,)),
                             result, village.opening_balance))
    return out


def reconcile_statements(village: Village) -> list[tuple[str, str, Decimal, Decimal]]:
    """(what, what in English, figure a, figure b) for every statement figure that disagrees with the ledger."""
    problems = []
    ledgers = {lg.year: lg for lg in village_ledgers(village)}
    for st in statements(village):
        if st.asset_total != st.liability_total + st.equity_total:
            problems.append((f"{st.year}年资产负债表：资产合计与负债加净资产", f"{st.year} balance sheet: assets and "
                             "liabilities plus equity", st.asset_total, st.liability_total + st.equity_total))
        money = st.opening_money + sum((a.signed for a in st.assets if a.account.is_money), ZERO)
        if st.year in ledgers and ledgers[st.year].closing != money:
            problems.append((f"{st.year}年收支流水年末余额与资产负债表中的现金和银行存款",
                             f"{st.year} ledger closing balance and cash plus bank in the balance sheet",
                             ledgers[st.year].closing, money))
    return problems
