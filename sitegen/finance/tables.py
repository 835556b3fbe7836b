"""Finance tables (财务明细表): the asset register, resource leases, projects, budget and payout lists.

Part of the validate stage: each village's `finance/tables/*.csv|*.xlsx` are read with `load.read_table` (so CSV
and Excel give the same rows, sheet and row numbers), their columns found by the shared `load.table_columns` /
`load.table_rows` (personal-data columns dropped first, unread), and turned into plain dataclasses that know
nothing of HTML. A figure no voucher stands behind names the scanned document it came from (来源); the asset
register is reconciled with the 固定资产 account, and village.yaml's opening balances (per account) open the
books. Links are data: a table names the vouchers behind its figures (`2026-07 记-3`), a journal line may name
the table row it belongs to (the optional 关联 column, `项目:P2026-01`), and both are checked here. Figures that
must agree (a payout list and its voucher, a project's payments and its contract) are reconciled here too, and
a mismatch names both figures.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from sitegen.content import accounts
from sitegen.content.accounts import Account
from sitegen.content.config import SiteConfig
from sitegen.content.dates import PAST, RECORD, TERM, read_day
from sitegen.content.errors import Location, Report
from sitegen.content.load import RawTable, table_columns, table_rows
from sitegen.content.model import Image, Village, Voucher
from sitegen.content.money import ZERO, AmountError, amount_example, parse_amount, yuan
from sitegen.finance.ledger import village_ledgers


class Checker(Protocol):
    """What the finance reader needs of the validate stage's checker (validate/city.py, which calls this module):
    the report, the site's config, and its one way to resolve a clerk's path and attach an image."""

    report: Report
    config: SiteConfig

    def inside(self, base: Path, value: str, where: Location) -> Path | None: ...

    def image(self, path: Path, where: Location, value: str, name: str) -> Image | None: ...

    def media_name(self, path: Path) -> str: ...


# Table kinds, recognised by the start of the file name (资产.csv, 低保-2026.xlsx, projects.csv ...).
TABLE_KINDS: dict[str, tuple[str, ...]] = {
    "assets": ("资产", "assets"),
    "leases": ("资源", "leases"),
    "projects": ("工程项目", "项目", "projects"),
    "budget": ("预算", "budget"),
    "payouts": ("补助", "低保", "福利", "干部工资", "工资", "名单", "payouts", "wages", "subsidies"),
}

# The document behind a figure that no voucher stands behind (an asset from before the journal, a contract sum, a
# budget): a scan or PDF, its path relative to the table file, e.g. ../../files/zichan-taizhang.jpg.
SOURCE = ("来源", "依据", "来源文件", "依据文件", "source")

# Columns per table: field -> accepted headers (Chinese first), compared without spaces, case-insensitive.
TABLE_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "assets": {
        "id": ("编号", "id"),
        "name": ("名称", "资产名称", "item", "name"),
        "location": ("地点", "存放地点", "location"),
        "value": ("原值", "价值", "金额", "value"),
        "acquired": ("购建日期", "取得日期", "acquired"),
        "status": ("状态", "使用状态", "status"),
        "voucher": ("凭证", "凭证号", "voucher"),
        "source": SOURCE,
        "depreciation": ("累计折旧", "depreciation"),
    },
    "leases": {
        "id": ("编号", "合同编号", "id"),
        "resource": ("资源", "资源名称", "resource"),
        "kind": ("类型", "kind"),
        "area": ("面积", "area"),
        "lessee": ("承租方", "承包方", "lessee"),
        "start": ("起始日期", "start"),
        "end": ("终止日期", "end"),
        "rent": ("年租金", "年承包费", "rent"),
        "due": ("缴租日期", "due"),
        "scan": ("合同扫描件", "扫描件", "scan") + SOURCE,
        "vouchers": ("收款凭证", "凭证", "vouchers"),
    },
    "projects": {
        "id": ("项目编号", "编号", "project"),
        "name": ("项目名称", "name"),
        "stage": ("环节", "stage"),
        "date": ("日期", "date"),
        "document": ("文件", "内容", "document"),
        "amount": ("金额", "amount"),
        "voucher": ("凭证", "凭证号", "voucher"),
        "scan": ("扫描件", "scan") + SOURCE,
    },
    "budget": {
        "year": ("年度", "year"),
        "name": ("项目", "预算项目", "line"),
        "account": ("科目编码", "account_code"),
        "amount": ("预算数", "预算金额", "budget"),
        "source": ("扫描件", "scan") + SOURCE,
    },
    "payouts": {
        "list": ("名单", "list"),
        "name": ("姓名", "name"),
        "group": ("村民小组", "小组", "group"),
        "household": ("家庭人口", "人口", "household"),
        "amount": ("金额", "发放金额", "amount"),
        "period": ("期间", "所属期", "period"),
        "voucher": ("凭证", "发放凭证", "voucher"),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "assets": ("id", "name", "value", "acquired"),
    "leases": ("id", "resource", "lessee", "rent"),
    "projects": ("id", "stage"),
    "budget": ("year", "name", "account", "amount"),
    "payouts": ("name", "amount", "voucher"),
}
# Personal data the rules do not allow to be published: these columns are dropped unread, even if filled in.
PRIVATE_HEADERS = (
    "身份证号",
    "身份证号码",
    "身份证",
    "证件号码",
    "银行卡号",
    "银行账号",
    "卡号",
    "账号",
    "手机",
    "手机号",
    "手机号码",
    "电话",
    "联系电话",
    "住址",
    "家庭住址",
    "详细地址",
    "地址",
    "id_number",
    "bank_account",
    "card",
    "phone",
    "mobile",
    "address",
)

# 工程项目的环节 The life of a project, in order; 付款 rows are payments, linked to vouchers.
STAGES = ("立项", "招投标", "合同", "进度", "增减项目", "验收", "决算")
PAYMENT = "付款"

# 关联 column of the journal: kind word -> table kind
REF_KINDS = {
    "资产": "assets",
    "资源": "leases",
    "合同": "leases",
    "项目": "projects",
    "预算": "budget",
    "名单": "payouts",
    "asset": "assets",
    "lease": "leases",
    "project": "projects",
    "budget": "budget",
    "list": "payouts",
}

# An asset whose status says it is gone is no longer on the books (固定资产 account).
DISPOSED = ("报废", "处置", "出售", "变卖", "核销", "调出", "disposed", "sold", "scrapped")

# 在建工程 in each chart: money spent on it should belong to a project.
CIP_CODES = {accounts.SYSTEM_2004: "154", accounts.SYSTEM_2024: "153"}


@dataclass(frozen=True, slots=True)
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
    source: Image | None = None  # the document behind the value when no voucher is (来源)
    depreciation: Decimal | None = None  # 累计折旧, only needed where the chart books assets net

    @property
    def held(self) -> bool:
        """Still on the books (not scrapped, sold or written off)."""
        return not any(w in self.status for w in DISPOSED)


@dataclass(slots=True)
class Lease:
    """资源发包/租赁 Land, a pond, a forest or a building let out, with the rent received for it."""

    id: str
    resource: str
    kind: str
    area: str
    lessee: str
    start: date | None
    end: date | None
    rent: Decimal  # per year
    due: date | None  # this year's payment date
    scan: Image | None
    vouchers: list[Voucher]
    where: Location

    def received(self, year: int) -> Decimal:
        return sum((money_in(v) for v in self.vouchers if v.date.year == year), ZERO)


@dataclass(frozen=True, slots=True)
class Stage:
    """工程环节 One step of a project (立项 … 决算) or one payment (付款)."""

    stage: str
    date: date | None
    document: str
    amount: Decimal | None
    voucher: Voucher | None
    scan: Image | None
    where: Location


@dataclass(slots=True)
class Project:
    """工程项目 A project's whole life and its payments."""

    id: str
    name: str
    stages: list[Stage] = field(default_factory=list)
    where: Location = Location("")  # always given: a message needs a place

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


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """预算项目 One line of a year's budget, matched to the ledger through its account code."""

    year: int
    name: str
    code: str
    account: Account
    amount: Decimal
    where: Location
    source: Image | None = None  # the budget as adopted (the meeting's resolution), scanned

    @property
    def income(self) -> bool:
        return self.account.side == accounts.CREDIT


@dataclass(frozen=True, slots=True)
class Payee:
    """名单中的一人：只有规定允许公开的内容 (name, village group, household size, amount, period)."""

    name: str
    group: str
    household: str
    amount: Decimal
    period: str


@dataclass(slots=True)
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


@dataclass(slots=True)
class Finance:
    """A village's finance tables, checked and linked."""

    assets: list[Asset] = field(default_factory=list)
    leases: list[Lease] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    budget: list[BudgetLine] = field(default_factory=list)
    payouts: list[PayoutList] = field(default_factory=list)
    # voucher key -> the table rows it is linked to, as (kind, id) from the journal's 关联 column
    refs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    register_complete: bool = True  # every row of the asset register could be read (else it is not reconciled)


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


_PRIVATE = {re.sub(r"\s+", "", h).lower() for h in PRIVATE_HEADERS}


def public_columns(table: RawTable) -> RawTable:
    """The table without its personal-data columns: they are dropped before anything reads a cell, and are
    neither looked up nor warned about."""
    keep = [i for i, h in enumerate(table.header) if re.sub(r"\s+", "", h).lower() not in _PRIVATE]
    if len(keep) == len(table.header):
        return table
    return RawTable(
        table.path,
        table.where,
        table.sheet,
        [table.header[i] for i in keep],
        [(n, [row[i] if i < len(row) else "" for i in keep]) for n, row in table.rows],
    )


def _rows(table: RawTable, kind: str, report: Report) -> Iterator[tuple[Callable[[str], str], Callable[..., Location]]]:
    """One finance table through the shared reader (load.table_columns/table_rows): cell(field), loc(field)."""
    table = public_columns(table)
    index = table_columns(table, TABLE_COLUMNS[kind], REQUIRED[kind], report)
    if index is None:
        return
    for _, cell, loc in table_rows(table, index):
        yield cell, loc


class _Reader:
    def __init__(self, checker: Checker, vouchers: list[Voucher], system: str):
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

    def day(self, text: str, where: Location, key: str, kind: str = RECORD) -> date | None:
        return read_day(text, where, key, self.report, kind)  # the one date parser and plausibility rule

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
        rows = list(_rows(table, "assets", self.report))
        if not rows:
            fin.register_complete = False
        for cell, loc in rows:
            value = self.amount(cell("value"), loc("value"))
            acquired = self.day(cell("acquired"), loc("acquired"), "购建日期", PAST)
            voucher = self.voucher(cell("voucher"), loc("voucher")) if cell("voucher") else None
            source = self.scan(cell("source"), table, loc("source"))
            depreciation = self.amount(cell("depreciation"), loc("depreciation"), required=False)
            if not self.unique("assets", cell("id"), loc("id"), seen) or value is None or acquired is None:
                fin.register_complete = False
                continue
            fin.assets.append(
                Asset(
                    cell("id"),
                    cell("name"),
                    cell("location"),
                    value,
                    acquired,
                    cell("status") or "在用",
                    voucher,
                    loc(None),
                    source,
                    depreciation,
                )
            )

    def leases(self, table: RawTable, fin: Finance, seen: dict) -> None:
        for cell, loc in _rows(table, "leases", self.report):
            rent = self.amount(cell("rent"), loc("rent"))
            start, end = (
                self.day(cell("start"), loc("start"), "起始日期", TERM),
                self.day(cell("end"), loc("end"), "终止日期", TERM),
            )
            due = self.day(cell("due"), loc("due"), "缴租日期", TERM)
            vouchers = [v for v in (self.voucher(t, loc("vouchers")) for t in _split(cell("vouchers"))) if v]
            scan = self.scan(cell("scan"), table, loc("scan"))
            if not self.unique("leases", cell("id"), loc("id"), seen) or rent is None:
                continue
            fin.leases.append(
                Lease(
                    cell("id"),
                    cell("resource"),
                    cell("kind"),
                    cell("area"),
                    cell("lessee"),
                    start,
                    end,
                    rent,
                    due,
                    scan,
                    vouchers,
                    loc(None),
                )
            )

    def projects(self, table: RawTable, fin: Finance) -> None:
        by_id = {p.id: p for p in fin.projects}
        for cell, loc in _rows(table, "projects", self.report):
            stage = cell("stage")
            if stage not in STAGES + (PAYMENT,):
                self.report.error(
                    "bad-value",
                    loc("stage"),
                    key=stage or "环节",
                    detail="环节只能是 " + "、".join(STAGES + (PAYMENT,)),
                    detail_en="stage must be one of " + ", ".join(STAGES + (PAYMENT,)),
                )
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
            project.stages.append(
                Stage(
                    stage,
                    self.day(cell("date"), loc("date"), "日期"),
                    cell("document"),
                    amount,
                    voucher,
                    self.scan(cell("scan"), table, loc("scan")),
                    loc(None),
                )
            )

    def budget(self, table: RawTable, fin: Finance) -> None:
        seen: dict[tuple[int, str], Location] = {}
        for cell, loc in _rows(table, "budget", self.report):
            amount = self.amount(cell("amount"), loc("amount"))
            if not cell("year").isdigit():
                self.report.error(
                    "bad-value",
                    loc("year"),
                    key="年度",
                    detail="应当是年份，如 2026",
                    detail_en="expected a year like 2026",
                )
                continue
            year = int(cell("year"))
            system = self.system or accounts.system_for_year(year, self.c.config.new_accounts_from)
            account = accounts.lookup(system, cell("account"))
            if account is None:
                self.report.error(
                    "account-unknown",
                    loc("account"),
                    value=cell("account"),
                    system=accounts.SYSTEM_TITLES[system],
                    system_en=system,
                    **dict(zip(("hint", "hint_en"), accounts.other_chart_hint(system, cell("account")))),
                )
                continue
            # the rule linking a budget line to the ledger is its account code, so it must be unambiguous
            key = (year, cell("account"))
            if key in seen:
                self.report.error("finance-duplicate", loc("account"), value=cell("account"), other=seen[key].zh())
                continue
            seen[key] = loc("account")
            source = self.scan(cell("source"), table, loc("source"))
            if amount is not None:
                fin.budget.append(BudgetLine(year, cell("name"), cell("account"), account, amount, loc(None), source))

    def payouts(self, table: RawTable, fin: Finance) -> None:
        lists: dict[tuple[str, str], PayoutList] = {}
        for cell, loc in _rows(table, "payouts", self.report):
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


def read(checker: Checker, tables: list[RawTable], village: Village, system: str) -> Finance:
    """Read, check and link one village's finance tables (rows, their vouchers and scans, the journal's 关联
    column); then reconcile them (`reconcile_village`): two steps, so that reading never depends on the figures."""
    fin = read_tables(checker, tables, village.vouchers, system)
    reconcile_village(fin, village, system, checker.config.new_accounts_from, checker.report)
    return fin


def read_tables(checker: Checker, tables: list[RawTable], vouchers: list[Voucher], system: str) -> Finance:
    """Read and check every finance table of a village, each row linked to its vouchers and scans."""
    fin = Finance()
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
    _budget_sources(fin)
    _journal_refs(fin, vouchers, checker.report)
    _apply_refs(fin, vouchers)
    return fin


def reconcile_village(fin: Finance, village: Village, system: str, new_from: int, report: Report) -> None:
    """Figures that must agree (lists and projects with their vouchers, statements with the ledger, the asset
    register with the books) are errors when they do not; what should be linked but is not, warnings."""
    reconcile(fin, report)
    _unlinked(fin, village.vouchers, system, new_from, report)
    _unsourced(fin, report)
    for what, what_en, a, b in reconcile_statements(village):
        report.error("finance-mismatch", Location(village.where), what=what, what_en=what_en, a=yuan(a), b=yuan(b))
    if fin.assets and fin.register_complete:
        register = Location(fin.assets[0].where.path, sheet=fin.assets[0].where.sheet)
        for what, what_en, a, b in reconcile_register(fin, village, system, new_from):
            report.error("finance-mismatch", register, what=what, what_en=what_en, a=yuan(a), b=yuan(b))


def _budget_sources(fin: Finance) -> None:
    """A budget is adopted as a whole: one line's document (the resolution) stands for the year's other lines."""
    first: dict[int, Image] = {}
    for b in fin.budget:
        if b.source is not None:
            first.setdefault(b.year, b.source)
    fin.budget = [replace(b, source=first.get(b.year)) if b.source is None else b for b in fin.budget]


def _unsourced(fin: Finance, report: Report) -> None:
    """A figure with neither a voucher nor a document behind it: 'every amount links to where it came from'."""
    unlinked = [
        (
            a.where,
            f"资产 {a.id}（{a.name}）的原值没有凭证，也没有写来源文件（如资产台账、清产核资表的扫描件）",
            f"asset {a.id}: its value has neither a voucher nor a source document",
        )
        for a in fin.assets
        if a.voucher is None and a.source is None
    ]
    unlinked += [
        (
            x.where,
            f"资源 {x.id}（{x.resource}）的年租金没有合同扫描件（来源）",
            f"lease {x.id}: its annual rent has no contract scan (source)",
        )
        for x in fin.leases
        if x.scan is None
    ]
    unlinked += [
        (
            st.where,
            f"项目 {p.id} 的“{st.stage}”金额没有凭证，也没有扫描件（来源）",
            f"project {p.id}: the {st.stage} amount has neither a voucher nor a scan",
        )
        for p in fin.projects
        for st in p.stages
        if st.amount is not None and st.voucher is None and st.scan is None
    ]
    unlinked += [
        (
            b.where,
            f"{b.year}年预算“{b.name}”没有写来源文件（通过预算的会议决议扫描件）",
            f"budget {b.year} '{b.name}' has no source document (the adopting resolution)",
        )
        for b in fin.budget
        if b.source is None
    ]
    for where, what, what_en in unlinked:
        report.warning("finance-unlinked", where, what=what, what_en=what_en)


def reconcile_register(
    fin: Finance, village: Village, system: str, new_from: int
) -> list[tuple[str, str, Decimal, Decimal]]:
    """The fixed-asset register against the books: at the end of each year of the journal (or its last day),
    the register's assets then held must add up to the 固定资产 account's balance. Where the chart has an
    accumulated-depreciation account (both built-in charts do) the account holds original values, like the
    register; a chart without one books assets net, so the register's 累计折旧 is taken off first."""
    problems = []
    last: dict[int, date] = {}
    for v in village.vouchers:
        last[v.date.year] = max(last.get(v.date.year, v.date), v.date)
    for year, accs in account_years(village).items():
        sys_ = system or accounts.system_for_year(year, new_from)
        fixed = accounts.by_name(sys_, "固定资产")
        if fixed is None or year not in last:
            continue
        book = next((ay.closing for ay in accs.values() if ay.account.name == fixed.name), ZERO)
        held = [a for a in fin.assets if a.acquired <= last[year] and a.held]
        registered = sum((a.value for a in held), ZERO)
        if accounts.by_name(sys_, "累计折旧") is None:
            registered -= sum((a.depreciation or ZERO for a in held), ZERO)
        if registered != book:
            when = f"{year}年末" if last[year] == date(year, 12, 31) else f"截至{last[year].isoformat()}"
            opened = any(o.account.name == fixed.name for o in getattr(village, "opening_accounts", None) or [])
            hint = (
                ""
                if opened or registered < book
                else "（记账以前就有的资产，请在 village.yaml 的 opening_balances 写固定资产的期初数）"
            )
            problems.append(
                (
                    f"{when}资产登记簿（{len(held)} 项）原值合计与账上固定资产余额{hint}",
                    f"{last[year].isoformat()}: the asset register's total ({len(held)} assets) and the "
                    "fixed-asset account's balance",
                    registered,
                    book,
                )
            )
    return problems


def ref_ids(fin: Finance) -> dict[str, set[str]]:
    return {
        "assets": {a.id for a in fin.assets},
        "leases": {x.id for x in fin.leases},
        "projects": {p.id for p in fin.projects},
        "budget": {b.name for b in fin.budget} | {b.code for b in fin.budget},
        "payouts": {p.name for p in fin.payouts},
    }


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
            report.error(
                "finance-mismatch",
                p.where,
                what=f"名单“{p.name}”合计与凭证 {p.voucher.month} {p.voucher.label}",
                what_en=f"list '{p.name}' total and voucher {p.voucher.month} {p.voucher.label}",
                a=yuan(p.total),
                b=yuan(p.voucher.debit_total),
            )
    for proj in fin.projects:
        for s in proj.payments:
            if s.voucher is not None and s.amount is not None and s.amount != -money_in(s.voucher):
                report.error(
                    "finance-mismatch",
                    s.where,
                    what=f"项目 {proj.id} 付款与凭证 {s.voucher.month} {s.voucher.label} 付出的钱",
                    what_en=f"project {proj.id} payment and money paid by voucher {s.voucher.month} {s.voucher.label}",
                    a=yuan(s.amount),
                    b=yuan(-money_in(s.voucher)),
                )
        if proj.contract and proj.paid > proj.payable:
            report.error(
                "finance-mismatch",
                proj.where,
                what=f"项目 {proj.id} 已付款与合同价加增减",
                what_en=f"project {proj.id} paid to date and contract sum plus changes",
                a=yuan(proj.paid),
                b=yuan(proj.payable),
            )
        if proj.final is not None and proj.contract and proj.final != proj.payable:
            report.error(
                "finance-mismatch",
                proj.where,
                what=f"项目 {proj.id} 决算金额与合同价加增减",
                what_en=f"project {proj.id} final account and contract sum plus changes",
                a=yuan(proj.final),
                b=yuan(proj.payable),
            )


def _unlinked(fin: Finance, vouchers: list[Voucher], system: str, new_from: int, report: Report) -> None:
    """What should be linked but is not: warnings, listed by `sitegen check`."""
    last = max((v.date for v in vouchers), default=None)
    if last is not None:
        for lease in fin.leases:
            if (lease.end is not None and lease.end.year < last.year) or (lease.start and lease.start > last):
                continue  # not let out this year
            if not lease.received(last.year):
                report.warning(
                    "finance-unlinked",
                    lease.where,
                    what=f"资源 {lease.id}（{lease.resource}）今年（{last.year}年）没有收到租金的凭证",
                    what_en=f"lease {lease.id} has no rent received in {last.year}",
                )
    linked = {s.voucher.key for p in fin.projects for s in p.stages if s.voucher} | {
        k for k, refs in fin.refs.items() if any(kind == "projects" for kind, _ in refs)
    }
    for v in vouchers:
        sys_ = system or accounts.system_for_year(v.date.year, new_from)
        cip = CIP_CODES[sys_]
        if v.key not in linked and money_in(v) < 0 and any(ln.account.code == cip and ln.debit for ln in v.lines):
            report.warning(
                "finance-unlinked",
                v.where,
                what=f"凭证 {v.month} {v.label} 是工程款，但没有对应的工程项目（请在工程项目表或“关联”列写明）",
                what_en=f"voucher {v.month} {v.label} pays for works but names no project",
            )


# ---- what is published (审核通过的月份) -------------------------------------------------------------------
def published(fin: Finance | None, keep: set[str]) -> Finance | None:
    """The finance tables as far as the published journal goes: `keep` is the keys of the vouchers that are
    published (their months approved by the 农经站, review.publish). A row whose figure is a voucher's money of a
    month not yet approved (a rent received, a project payment, a payout list, an asset bought) is left out;
    a row that only names such a voucher (a contract stage) keeps its own figure but loses the voucher. This is
    the one filter every finance page goes through, so nothing of an unreviewed month is shown or linked."""
    if fin is None:
        return None

    def shown(v: Voucher | None) -> bool:
        return v is None or v.key in keep

    projects = []
    for p in fin.projects:
        stages = [
            s if shown(s.voucher) else replace(s, voucher=None)
            for s in p.stages
            if s.stage != PAYMENT or shown(s.voucher)
        ]
        projects.append(Project(p.id, p.name, stages, p.where))
    leases = [replace(x, vouchers=[v for v in x.vouchers if shown(v)]) for x in fin.leases]
    return Finance(
        assets=[a for a in fin.assets if shown(a.voucher)],
        leases=leases,
        projects=projects,
        budget=list(fin.budget),
        payouts=[p for p in fin.payouts if shown(p.voucher)],
        refs={k: list(r) for k, r in fin.refs.items() if k in keep},
        register_complete=fin.register_complete,
    )


# ---- account balances from the journal -------------------------------------------------------------------
@dataclass(slots=True)
class AccountYear:
    """A first-level account's movements in one year: the lines behind every statement figure."""

    account: Account
    year: int
    opening: Decimal  # debit minus credit before the year
    lines: list[tuple[Voucher, Any]] = field(default_factory=list)
    key: str = ""  # its key in account_years(): the code, or 131-2004 for an old account kept apart

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


# Carrying balances across the switch from the 2004 chart to the 2024 one (财会〔2023〕20号 衔接规定): an account
# is carried into the account of the same name; these were renamed or merged. Codes are never compared, since the
# two charts give some codes another meaning (2004 154 在建工程 is 2024 153; 2024 154 is 固定资产清理).
CARRY_NAMES = {"现金": "库存现金", "发包及上交收入": "经营收入", "农业税附加返还收入": "其他收入"}


def _system_of(account: Account) -> str | None:
    return next((s for s, chart in accounts.CHARTS.items() if chart.get(account.code) is account), None)


def account_years(village: Village) -> dict[int, dict[str, AccountYear]]:
    """year -> account code -> its movements; the opening balances of village.yaml go into the first year, and
    balances carry over from year to year by official name (renamed accounts by CARRY_NAMES), since a code can
    change meaning between the 2004 and 2024 charts."""
    by_year: OrderedDict[int, dict[str, AccountYear]] = OrderedDict()
    systems: dict[int, str | None] = {}
    for v in sorted(village.vouchers, key=lambda v: (v.date, v.month, v.number)):
        accs = by_year.setdefault(v.date.year, {})
        for ln in v.lines:
            systems.setdefault(v.date.year, _system_of(ln.account))
            if ln.account.code not in accs:
                accs[ln.account.code] = AccountYear(ln.account, v.date.year, ZERO)
            accs[ln.account.code].lines.append((v, ln))
    if by_year:
        first_year, first = next(iter(by_year.items()))
        for o in getattr(village, "opening_accounts", None) or []:
            ay = first.setdefault(o.account.code, AccountYear(o.account, first_year, ZERO))
            ay.opening += o.net
    carried: dict[str, tuple[Account, Decimal]] = {}
    result: dict[int, dict[str, AccountYear]] = {}
    for year, accs in by_year.items():
        incoming: dict[str, Decimal] = {}
        for name, (acc, value) in carried.items():
            key = next((k for k, a in accs.items() if a.account.name == name), None) or next(
                (k for k, a in accs.items() if a.account.name == CARRY_NAMES.get(name)), None
            )
            if key is None and value:
                system = systems.get(year)
                new = (
                    accounts.by_name(system, CARRY_NAMES.get(name, name)) or accounts.by_name(system, name)
                    if system
                    else None
                ) or acc
                key = new.code
                if key in accs and accs[key].account is not new:
                    # an old account the new chart does not have (2004 131 牲畜（禽）资产), whose code now means
                    # another one (2024 131 消耗性生物资产): kept apart under its own name until transferred
                    key = f"{acc.code}-{_system_of(acc)}"
                accs.setdefault(key, AccountYear(new, year, ZERO))
            if key is not None:
                incoming[key] = incoming.get(key, ZERO) + value
        for key, value in incoming.items():
            accs[key].opening = value
        for key, ay in accs.items():
            ay.key = key
            carried[ay.account.name] = (ay.account, ay.opening + ay.debit - ay.credit)
        result[year] = dict(sorted(accs.items()))
    return result


@dataclass(slots=True)
class Statement:
    """资产负债表 One year's balance sheet, from the journal and the opening balances of village.yaml."""

    year: int
    assets: list[AccountYear]
    liabilities: list[AccountYear]
    equity: list[AccountYear]
    result: Decimal  # this year's income less expense, not yet carried to 本年收益
    opening_money: Decimal  # the old combined cash + bank opening figure, when it could not go to one account
    opening_equity: Decimal = ZERO  # 期初结存: what all opening balances add up to (their equity side)

    @property
    def asset_total(self) -> Decimal:
        return sum((a.signed for a in self.assets), ZERO) + self.opening_money

    @property
    def liability_total(self) -> Decimal:
        return sum((a.signed for a in self.liabilities), ZERO)

    @property
    def equity_total(self) -> Decimal:
        return sum((a.signed for a in self.equity), ZERO) + self.result + self.opening_equity

    @property
    def net_assets(self) -> Decimal:
        return self.asset_total - self.liability_total


def unassigned_opening(village: Village) -> Decimal:
    """The part of the cash + bank opening figure that belongs to no one account (the old `opening_balance`
    of a village whose journal uses several money accounts)."""
    openings = getattr(village, "opening_accounts", None) or []
    return village.opening_balance - sum((o.amount for o in openings if o.account.is_money), ZERO)


def statements(village: Village) -> list[Statement]:
    out = []
    loose = unassigned_opening(village)
    opening_equity = loose + sum((o.net for o in getattr(village, "opening_accounts", None) or []), ZERO)
    for year, accs in account_years(village).items():
        pick = lambda cats: [a for a in accs.values() if a.account.category in cats]  # noqa: E731, B023 (used within this iteration)
        # income less expense not yet carried to 本年收益, this year's and any earlier year's
        result = -sum((a.opening + a.debit - a.credit for a in pick((accounts.PROFIT_LOSS, accounts.COST))), ZERO)
        out.append(
            Statement(
                year,
                pick((accounts.ASSET,)),
                pick((accounts.LIABILITY,)),
                pick((accounts.EQUITY,)),
                result,
                loose,
                opening_equity,
            )
        )
    return out


def reconcile_statements(village: Village) -> list[tuple[str, str, Decimal, Decimal]]:
    """(what, what in English, figure a, figure b) for every statement figure that disagrees with the ledger."""
    problems = []
    ledgers = {lg.year: lg for lg in village_ledgers(village)}
    for st in statements(village):
        if st.asset_total != st.liability_total + st.equity_total:
            problems.append(
                (
                    f"{st.year}年资产负债表：资产合计与负债加净资产",
                    f"{st.year} balance sheet: assets and liabilities plus equity",
                    st.asset_total,
                    st.liability_total + st.equity_total,
                )
            )
        money = st.opening_money + sum((a.signed for a in st.assets if a.account.is_money), ZERO)
        if st.year in ledgers and ledgers[st.year].closing != money:
            problems.append(
                (
                    f"{st.year}年收支流水年末余额与资产负债表中的现金和银行存款",
                    f"{st.year} ledger closing balance and cash plus bank in the balance sheet",
                    ledgers[st.year].closing,
                    money,
                )
            )
    return problems


# ---- opening balances (village.yaml) ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Opening:
    """期初余额 One account's balance before the first journal line (village.yaml `opening_balances`)."""

    code: str  # as the journal writes it: 102, or 10201 for one bank account
    name: str  # as the clerk wrote it
    account: Account  # its first-level account in the chart of the journal's first year
    amount: Decimal  # on the account's own side (累计折旧: the depreciation so far, a positive figure)

    @property
    def net(self) -> Decimal:
        """Debit minus credit, as AccountYear.opening counts it."""
        return self.amount if self.account.side == accounts.DEBIT else -self.amount


_FULLWIDTH = str.maketrans("０１２３４５６７８９（）—－–", "0123456789()---")


def _norm(name: str) -> str:
    return "".join(name.split()).translate(_FULLWIDTH)


def money_pockets(village: Village) -> OrderedDict[str, str]:
    """Each cash or bank account the journal uses, as written (102, or 10201 and 10202 for two bank accounts)
    -> its name as written (银行存款—基本户), in code order; plus those only opening_balances names."""
    found: dict[str, str] = {}
    for v in village.vouchers:
        for ln in v.lines:
            if ln.account.is_money:
                found.setdefault(ln.account_code, ln.account_name or ln.account.name)
    for o in getattr(village, "opening_accounts", None) or []:
        if o.account.is_money:
            found.setdefault(o.code, o.name)
    return OrderedDict(sorted(found.items()))


def read_openings(checker: Checker, data: dict, where: Location, village: Village, system: str) -> None:
    """village.yaml: `opening_balances` (each account's balance before the journal: cash, every bank account,
    固定资产, 累计折旧 …) or the old `opening_balance` (cash and bank together), which goes to the one money
    account the journal uses; with several it stays a combined figure, and the clerk is told how to split it."""
    report = checker.report
    new_from = checker.config.new_accounts_from
    first = village.vouchers[0].date.year if village.vouchers else new_from
    chart = system or accounts.system_for_year(first, new_from)
    pockets = money_pockets(village)
    raw = data.get("opening_balances")
    if raw is None:
        total = village.opening_balance
        if total and len(pockets) == 1:
            ((code, name),) = pockets.items()
            account = accounts.lookup(chart, code)
            if account is not None:
                village.opening_accounts = [Opening(code, name, account, total)]
        elif total and len(pockets) > 1:
            names = "、".join(f"{n}（{c}）" for c, n in pockets.items())
            report.warning(
                "bad-value",
                where,
                key="opening_balance",
                detail=f"这是现金和银行存款的合计，但记账凭证用了 {len(pockets)} 个资金账户（{names}），分不清各有多少；"
                '请改写 opening_balances，每个账户一行，如 库存现金: "3512.40"（资金页面才能显示各账户的余额）',
                detail_en=f"a combined cash and bank figure, but the journal uses {len(pockets)} money "
                "accounts; write opening_balances with one line per account instead",
            )
        return
    if "opening_balance" in data:
        report.error(
            "bad-value",
            where,
            key="opening_balance",
            detail="写了 opening_balances（每个账户的期初余额）就删掉 opening_balance，合计由各账户相加",
            detail_en="remove opening_balance when opening_balances gives each account",
        )
    if not isinstance(raw, dict):
        report.error(
            "bad-value",
            where,
            key="opening_balances",
            detail='每行写 账户: 金额，如 库存现金: "3512.40"',
            detail_en="one 'account: amount' line per account",
        )
        return
    written: dict[str, str] = {}
    codes: dict[str, set[str]] = {}
    for v in village.vouchers:
        for ln in v.lines:
            written.setdefault(_norm(ln.account_name), ln.account_code)
            codes.setdefault(ln.account.code, set()).add(ln.account_code)
    out: list[Opening] = []
    for key, value in raw.items():
        label = str(key).strip()
        try:
            amount = parse_amount(str(value))
        except AmountError:
            report.error("opening-balance", where, value=value, account=label, example=amount_example(str(value)))
            continue
        text = label.translate(_FULLWIDTH)
        official = accounts.by_name(chart, label)  # before the journal's spelling: a row may name the wrong account
        if text.isdigit():
            code = text
        elif official is None and _norm(label) in written:
            code = written[_norm(label)]
        else:
            found = (
                official
                or accounts.by_name(chart, CARRY_NAMES.get(label, ""))
                or accounts.by_name(chart, {v: k for k, v in CARRY_NAMES.items()}.get(label, ""))
            )
            code = found.code if found else ""
        account = accounts.lookup(chart, code) if code else None
        if account is not None and code == account.code and len(codes.get(code, ())) == 1:
            (code,) = codes[code]  # 银行存款 where the journal writes its only bank account as 10201
        if account is None:
            report.error(
                "bad-value",
                where,
                key=f"opening_balances: {label}",
                detail=f"不是{accounts.SYSTEM_TITLES[chart]}的科目编码或名称，也不是记账凭证里用过的科目名称",
                detail_en=f"not an account code or name of the {chart} chart, nor an account the journal uses",
            )
        elif account.category != accounts.ASSET:
            report.error(
                "bad-value",
                where,
                key=f"opening_balances: {label}",
                detail="只写资产类科目的期初余额：库存现金、银行存款（各个账户）、固定资产、累计折旧等",
                detail_en="only asset accounts: cash, each bank account, fixed assets, depreciation",
            )
        elif any(o.code == code for o in out):
            report.error(
                "bad-value",
                where,
                key=f"opening_balances: {label}",
                detail=f"科目 {code} 写了两次",
                detail_en=f"account {code} is given twice",
            )
        else:
            out.append(Opening(code, label, account, amount))
    village.opening_accounts = out
    village.opening_balance = sum((o.amount for o in out if o.account.is_money), ZERO)


# ---- what each voucher stands behind -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Use:
    """A finance table row that points at a voucher: shown on the voucher's page, linking back to the row."""

    kind: str  # assets, leases, projects, payouts, budget
    ident: str  # the row's id (a payout list: its slug; a budget line: its year)
    text: str  # what it is, in words
    amount: Decimal | None


def voucher_uses(fin: Finance) -> dict[str, list[Use]]:
    """voucher key -> the asset bought, the project payment or stage, the lease rent, the payout list … that
    name it (in the tables or through the journal's 关联 column)."""
    uses: dict[str, list[Use]] = {}

    def add(v: Voucher, use: Use) -> None:
        have = uses.setdefault(v.key, [])
        if use not in have:
            have.append(use)

    for a in fin.assets:
        if a.voucher is not None:
            add(a.voucher, Use("assets", a.id, f"固定资产 {a.id} {a.name}（原值）", a.value))
    for x in fin.leases:
        for v in x.vouchers:
            add(v, Use("leases", x.id, f"资源 {x.id} {x.resource} 的租金（{x.lessee}）", money_in(v)))
    for p in fin.projects:
        for st in p.stages:
            if st.voucher is not None:
                what = "付款" if st.stage == PAYMENT else f"{st.stage}环节"
                add(
                    st.voucher,
                    Use(
                        "projects",
                        p.id,
                        f"工程项目 {p.name}：{what}" + (f"（{st.document}）" if st.document else ""),
                        st.amount,
                    ),
                )
    for lst in fin.payouts:
        add(lst.voucher, Use("payouts", lst.slug, f"发放名单 {lst.name}（{len(lst.payees)} 人）", lst.total))
    budget = {b.name: b for b in fin.budget} | {b.code: b for b in fin.budget}
    assets = {a.id: a for a in fin.assets}
    for key, refs in fin.refs.items():
        for kind, ident in refs:
            if kind == "budget" and ident in budget:
                b = budget[ident]
                uses.setdefault(key, []).append(Use("budget", str(b.year), f"{b.year}年预算 {b.name}", None))
            elif kind == "payouts":
                for lst in fin.payouts:
                    if lst.name == ident and lst.voucher.key != key:
                        uses.setdefault(key, []).append(Use("payouts", lst.slug, f"发放名单 {lst.name}", None))
            elif kind == "assets" and ident in assets and not any(u.ident == ident for u in uses.get(key, [])):
                a = assets[ident]
                uses.setdefault(key, []).append(Use("assets", a.id, f"固定资产 {a.id} {a.name}", None))
    return uses
