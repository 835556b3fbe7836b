"""Finance pages (财务七大类), planned in the link stage: the structured content of each finance category.

Everything shown is computed here, as plain tables of cells (text, and the page it came from); the one template
`finance.html` only lays them out. Every amount links to where it came from: a voucher, an account's lines for
the year (which link to their vouchers), the ledger, or the statement section it was summed from.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from sitegen.content import accounts
from sitegen.content.model import City, Image, Ledger, Village, Voucher
from sitegen.content.money import ZERO, yuan
from sitegen.content.privacy import mask
from sitegen.content.taxonomy import Category
from sitegen.finance.ledger import Flow, flows, money_movement
from sitegen.finance.tables import (
    Finance,
    Lease,
    Project,
    account_years,
    money_in,
    money_pockets,
    statements,
    unassigned_opening,
    voucher_uses,
)
from sitegen.images.renditions import fit_box
from sitegen.site import charts, glossary
from sitegen.site.channels import Said


class PagePlanner(Protocol):
    """What the finance planner needs of the site's page planner (plan._Planner, which calls this module): the
    city, the registers of images, generated files and finance sub-pages, and its one way to add a page."""

    city: City
    images: dict[str, Any]
    generated: dict[str, bytes | Callable[[], bytes]]
    finance_paths: set[str]
    ledger_lines: dict[int, str]  # id(voucher) -> its line in its ledger page ("path#v-KEY")

    def add_finance(self, path: str, title: str, crumbs: list[tuple[str, str]], sections: list[Section]) -> None: ...

    def voucher_path(self, base: str, voucher: Voucher) -> str: ...


def image_path(base: str, img: Image) -> str:
    """One published file for a whole image (a page that links straight to it); scans get `Picture`s."""
    ext = ".png" if img.source.suffix.lower() == ".png" else ".jpg"
    return posixpath.join(base, "media", f"{img.name}{ext}")


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None  # root-relative; the template passes it through url()
    num: bool = False
    cls: str = ""


@dataclass
class Table:
    head: list[Cell]
    rows: list[list[Cell]]
    anchor: str = ""
    caption: str = ""
    ids: list[str] = field(default_factory=list)  # an id per row ("" for none), for links to one row

    def labelled(self) -> list[tuple[str, list[tuple[Cell, str]]]]:
        """Each row with its id ("" for none) and each of its cells with its column's heading ("" past the last),
        which a phone shows beside the value (data-label): looked up once here, not by the template for each
        cell (a long table's rows are most of a finance page's work)."""
        labels = [h.text for h in self.head]
        labels += [""] * (max(map(len, self.rows), default=0) - len(labels))
        ids = self.ids + [""] * (len(self.rows) - len(self.ids))
        return [(ids[n], list(zip(row, labels))) for n, row in enumerate(self.rows)]


@dataclass
class Section:
    title: str
    anchor: str = ""
    lines: list[str] = field(default_factory=list)  # plain sentences above the tables
    tables: list[Table] = field(default_factory=list)
    # (image path, alt text with the figures, width, height): the size is written on the <img>, so nothing moves
    charts: list[tuple[str, str, int, int]] = field(default_factory=list)
    terms: list[tuple[str, str]] = field(default_factory=list)  # glossary entries for this section


def _h(*names: str) -> list[Cell]:
    return [Cell(n, num=n.endswith("（元）")) for n in names]


def _amt(value: Decimal, href: str | None = None, cls: str = "") -> Cell:
    return Cell(yuan(value), href, True, cls)


# ---- the planner ---------------------------------------------------------------------------------------------
class FinancePlanner:
    """Plans one village's finance pages for `_Planner`: the seven category pages' content and their sub-pages."""

    def __init__(self, planner: PagePlanner, village: Village, base: str, crumbs: list[tuple[str, str]]):
        self.p, self.v, self.base, self.crumbs = planner, village, base, crumbs
        self.fin: Finance = village.finance or Finance()
        self.years = account_years(village)
        self.statements = statements(village)
        self.large = planner.city.large_amount
        self.pending = pending_notice(village)
        self.account_pages: dict[tuple[int, str], str] = {}
        self.linked_accounts: set[tuple[int, str]] = set()
        for year, accs in self.years.items():
            for code in accs:
                self.account_pages[(year, code)] = f"{base}/finance/accounts/{year}-{code}.html"

    # paths
    def voucher(self, v: Voucher) -> str:
        return self.p.voucher_path(self.base, v)

    def account(self, year: int, code: str) -> str | None:
        path = self.account_pages.get((year, code))
        if path:
            self.linked_accounts.add((year, code))  # only pages something links to are made: none is orphaned
        return path

    def cat(self, slug: str) -> str:
        return f"{self.base}/finance/{slug}/index.html"

    def ledger(self, year: int, v: Voucher | None = None) -> str | None:
        if not any(lg.year == year for lg in self.v.ledgers):
            return None
        path = f"{self.base}/finance/ledger-{year}.html"  # the year's ledger: its latest month (links.ledgers)
        return self.p.ledger_lines.get(id(v), f"{path}#v-{v.key}") if v is not None else path

    def chart(self, name: str, labels: list[str], series: list[charts.Series], alt: str) -> tuple[str, str, int, int]:
        path = f"{self.base}/finance/charts/{name}.png"
        self.p.generated[path] = charts.drawing(labels, series)  # drawn if the page is made and not in the cache
        return path, alt, charts.WIDTH, charts.HEIGHT

    def image(self, img: Image, title: str) -> str:
        """A page showing a scanned document (contract, stage document): on a TV a bare image file would have no
        remote-control handling and no way back, so every scan opens inside a page of the site."""
        path = image_path(self.base, img)
        self.p.images[path] = img
        page = f"{self.base}/finance/docs/{img.name}.html"
        if page not in self.p.finance_paths:
            self.p.finance_paths.add(page)
            w, h = fit_box(img.pages[0])  # the size the whole-image rendition is made at if img.pages else (0, 0)
            self.p.add_finance(
                page,
                title,
                self.crumbs,
                [Section(title, "doc", [], [], [(path, title, w, h)])],
            )
        return page

    def source(self, voucher: Voucher | None, scan: Image | None, title: str) -> str | None:
        """Where a figure came from: its voucher, else the scanned document named for it (来源)."""
        if voucher is not None:
            return self.voucher(voucher)
        return self.image(scan, title) if scan is not None else None

    # category content
    def sections(self, category: Category) -> list[Section]:
        return self.noticed(getattr(self, category.slug.replace("-", "_"))())

    def noticed(self, sections: list[Section]) -> list[Section]:
        """The sections, after a plain word on the months held back for review (待审核), if any."""
        return ([Section("待审核的月份", "pending", [self.pending])] if self.pending else []) + sections

    def net_worth(self) -> list[Section]:
        rows = []
        for st in self.statements:
            bs = f"{self.cat('reports')}#bs-{st.year}"
            rows.append(
                [
                    Cell(f"{st.year}年末"),
                    _amt(st.asset_total, bs),
                    _amt(st.liability_total, bs),
                    _amt(st.net_assets, bs),
                ]
            )
        lines = [
            f"{st.year}年末，村集体资产 {glossary.amount_text(st.asset_total, self.large)}，负债 "
            f"{glossary.amount_text(st.liability_total, self.large)}，净资产 "
            f"{glossary.amount_text(st.net_assets, self.large)}。"
            for st in self.statements[-1:]
        ]
        return [
            Section(
                "本村家底",
                "net-worth",
                lines,
                [Table(_h("年份", "资产（元）", "负债（元）", "净资产（元）"), rows)],
                terms=glossary.explain_terms(("资产", "负债", "净资产")),
            )
        ]

    def funds(self) -> list[Section]:
        """Month-end balance of each cash and bank account (as the journal writes them: 库存现金, 银行存款—基本户 …),
        from its opening balance in village.yaml."""
        pockets = money_pockets(self.v)
        balance = {code: ZERO for code in pockets}
        opening_year = self.v.vouchers[0].date.year if self.v.vouchers else None
        for o in self.v.opening_accounts:
            if o.account.is_money:
                balance[o.code] += o.amount
        loose = unassigned_opening(self.v)
        first_of = {
            code: next((ln.account.code for v in self.v.vouchers for ln in v.lines if ln.account_code == code), None)
            or next((o.account.code for o in self.v.opening_accounts if o.code == code), code)
            for code in pockets
        }
        # the opening figure no one account holds is a column of its own, so each row adds up to its 资金合计
        head = _h(
            "月份",
            *[f"{name}（元）" for name in pockets.values()],
            *(["未分到账户（元）"] if loose else []),
            "资金合计（元）",
        )
        unassigned = [_amt(loose, self.cat("funds") + "#balances")] if loose else []
        rows = []
        if opening_year is not None and (any(balance.values()) or loose):
            rows.append(
                [Cell("记账开始时")]
                + [_amt(balance[c], self.account(opening_year, first_of[c])) for c in pockets]
                + unassigned
                + [_amt(sum(balance.values(), ZERO) + loose, self.ledger(opening_year))]
            )
        by_month: OrderedDict[str, list] = OrderedDict()
        for v in sorted(self.v.vouchers, key=lambda v: (v.date, v.month, v.number)):
            by_month.setdefault(v.month, []).append(v)
        for month, vs in by_month.items():
            year = int(month[:4])
            for v in vs:
                for ln in v.lines:
                    if ln.account.is_money:
                        balance[ln.account_code] += ln.debit - ln.credit
            money_vs = [v for v in vs if money_movement(v) is not None]
            rows.append(
                [Cell(month)]
                + [_amt(balance[c], self.account(year, first_of[c])) for c in pockets]
                + unassigned
                + [_amt(sum(balance.values(), ZERO) + loose, self.ledger(year, money_vs[-1]) if money_vs else None)]
            )
        card = [
            [
                Cell(v.date.isoformat()),
                Cell(v.summary, self.voucher(v)),
                Cell(_payee(v)),
                _amt(-(money_movement(v) or ZERO), self.voucher(v), "out"),
            ]
            for v in self.v.vouchers
            if "村务卡" in v.summary and (money_movement(v) or ZERO) < 0
        ]
        card_total = sum(
            (
                -(money_movement(v) or ZERO)
                for v in self.v.vouchers
                if "村务卡" in v.summary and (money_movement(v) or ZERO) < 0
            ),
            ZERO,
        )
        if card:
            card.append(
                [Cell("合计"), Cell(f"{len(card)} 笔"), Cell(""), _amt(card_total, self.cat("funds") + "#card")]
            )
        lines: list[str] = (
            [Said(lambda w: f"每个资金账户的月末余额；{w.pick}金额可以看到这个账户当年的每一笔。")] if pockets else []
        )
        if loose:
            lines.append(
                f"记账开始时现金和银行存款共 {glossary.amount_text(loose, self.large)}（村里申报的合计数，没有分到各账户），"
                "计入资金合计。"
            )
        return [
            Section(
                "资金：各账户的月末余额",
                "balances",
                lines,
                [Table(head, rows)] if rows else [],
                terms=glossary.explain_terms(("期初余额",)) if rows else [],
            ),
            Section(
                "村务卡支出（逐笔）",
                "card",
                ["摘要中写明“村务卡”的每一笔支出。"],
                [Table(_h("日期", "摘要", "收款方", "金额（元）"), card)] if card else [],
                terms=glossary.explain_terms(("村务卡",)),
            ),
        ]

    def assets(self) -> list[Section]:
        rows, ids = [], []
        for a in self.fin.assets:
            href = self.source(a.voucher, a.source, f"资产 {a.id} {a.name} 的来源文件")
            rows.append(
                [
                    Cell(a.id),
                    Cell(a.name),
                    Cell(a.location),
                    Cell(a.acquired.isoformat()),
                    Cell(a.status),
                    _amt(a.value, href),
                    Cell("凭证" if a.voucher else "来源文件" if a.source else "（未写）", cls="" if href else "out"),
                ]
            )
            ids.append(asset_anchor(a.id))
        total = sum((a.value for a in self.fin.assets), ZERO)
        if rows:
            rows.append(
                [
                    Cell("合计"),
                    Cell(f"{len(self.fin.assets)} 项"),
                    Cell(""),
                    Cell(""),
                    Cell(""),
                    _amt(total, self.cat("assets") + "#register"),
                    Cell(""),
                ]
            )
            ids.append("")
        books, lines = [], []
        for year, accs in self.years.items():
            fixed = depreciation = None
            for code, ay in accs.items():
                if (
                    ay.account.category == accounts.ASSET
                    and not ay.account.is_money
                    and ay.account.code in ("151", "152", "153", "154")
                ):
                    books.append(
                        [
                            Cell(f"{year}年末"),
                            Cell(ay.account.name),
                            Cell(ay.account.plain),
                            _amt(ay.closing, self.account(year, code)),
                        ]
                    )
                if ay.account.name == "固定资产":
                    fixed = ay
                elif ay.account.name == "累计折旧":
                    depreciation = ay
            if fixed is not None and depreciation is not None:
                books.append(
                    [
                        Cell(f"{year}年末"),
                        Cell("固定资产净值"),
                        Cell("原价减去累计折旧"),
                        _amt(fixed.closing - depreciation.closing, self.account(year, fixed.account.code)),
                    ]
                )
            if fixed is not None and year == max(self.years) and self.fin.assets:
                held = sum((a.value for a in self.fin.assets if a.held), ZERO)
                lines.append(
                    f"登记簿上在用资产的原值合计 {glossary.amount_text(held, self.large)}，与账上固定资产余额 "
                    f"{glossary.amount_text(fixed.closing, self.large)} 核对相符。"
                    if held == fixed.closing
                    else f"登记簿上在用资产的原值合计 {glossary.amount_text(held, self.large)}，账上固定资产余额 "
                    f"{glossary.amount_text(fixed.closing, self.large)}。"
                )
        return [
            Section(
                "固定资产登记簿",
                "register",
                [
                    Said(
                        lambda w: (
                            f"共 {len(self.fin.assets)} 项，原值合计 "
                            f"{glossary.amount_text(total, self.large)}。{w.pick}原值可以看买它的凭证，"
                            "记账以前就有的资产看资产台账等来源文件。"
                        )
                    )
                ]
                if rows
                else [],
                [Table(_h("编号", "名称", "地点", "购建日期", "状态", "原值（元）", "来源"), rows, ids=ids)]
                if rows
                else [],
                terms=glossary.explain_terms(("原值",)) if rows else [],
            ),
            Section(
                "账上的资产",
                "books",
                lines,
                [Table(_h("时间", "科目", "通俗说法", "余额（元）"), books)] if books else [],
                terms=glossary.explain_terms(("固定资产", "累计折旧", "净值", "在建工程", "来源文件")),
            ),
        ]

    def resources(self) -> list[Section]:
        rows, receipts, ids = [], [], []
        year = max((v.date.year for v in self.v.vouchers), default=None)
        for lease in self.fin.leases:
            received = lease.received(year) if year else ZERO
            overdue = _overdue(lease, year, self.v)
            term = "—".join(str(d.year) for d in (lease.start, lease.end) if d)  # short enough for a TV column
            what = lease.resource + (
                f"（{'，'.join(x for x in (lease.kind, lease.area) if x)}）" if lease.kind or lease.area else ""
            )
            contract = self.image(lease.scan, f"{lease.id} {lease.resource} 租赁合同") if lease.scan else None
            rows.append(
                [
                    Cell(lease.id),
                    Cell(what),
                    Cell(lease.lessee),
                    Cell(term),
                    _amt(lease.rent, contract),
                    _amt(received, f"{self.cat('resources')}#rent-{lease.id}" if lease.vouchers else None, "in"),
                    Cell(f"逾期 {yuan(overdue)}" if overdue else "按时", cls="out" if overdue else ""),
                ]
            )
            ids.append(lease_anchor(lease.id))
            for n, v in enumerate(lease.vouchers):
                receipts.append(
                    (
                        [
                            Cell(lease.id),
                            Cell(v.date.isoformat()),
                            Cell(v.summary, self.voucher(v)),
                            _amt(money_in(v), self.voucher(v), "in"),
                        ],
                        f"rent-{lease.id}" if n == 0 else "",
                    )
                )
        tables = (
            [
                Table(
                    _h(
                        "编号",
                        "资源",
                        "承租方",
                        "期限",
                        "年租金（元）",
                        f"{year}年已收（元）" if year else "已收（元）",
                        "缴租情况",
                    ),
                    rows,
                    ids=ids,
                )
            ]
            if rows
            else []
        )
        section = Section(
            "资源发包和出租",
            "leases",
            [
                Said(
                    lambda w: (
                        f"共 {len(rows)} 份合同。{w.pick}年租金可以看合同扫描件（有扫描件的），"
                        f"{w.pick}已收金额可以看每一笔收款凭证。"
                    )
                )
            ]
            if rows
            else [],
            tables,
            terms=glossary.explain_terms(("逾期",)),
        )
        recv = Section("租金收款（每笔都对应收款凭证）", "receipts")
        if receipts:
            recv.tables.append(
                Table(
                    _h("合同", "日期", "凭证摘要", "金额（元）"), [r for r, _ in receipts], ids=[a for _, a in receipts]
                )
            )
        return [section, recv]

    def projects(self) -> list[Section]:
        rows = []
        for proj in self.fin.projects:
            path = self.project_page(proj)
            stage = next((s.stage for s in reversed(proj.stages) if s.stage != "付款"), "")
            rows.append(
                [
                    Cell(proj.name, path),
                    Cell(stage),
                    _amt(proj.contract, path + "#stages"),
                    _amt(proj.changes, path + "#stages"),
                    _amt(proj.paid, path + "#payments", "out"),
                    _amt(proj.payable - proj.paid, path),
                ]
            )
        return [
            Section(
                "工程项目",
                "projects",
                [
                    Said(
                        lambda w: (
                            f"{w.pick}项目名称可以看到立项、招投标、合同、进度、增减项目、验收、决算的每一步和每一笔付款。"
                        )
                    )
                ]
                if rows
                else [],
                [Table(_h("项目", "进行到", "合同价（元）", "增减（元）", "已付（元）", "未付（元）"), rows)]
                if rows
                else [],
                terms=glossary.explain_terms(("立项", "招投标", "增减项目", "验收", "决算", "质保金")),
            )
        ]

    def project_page(self, proj: Project) -> str:
        path = f"{self.base}/finance/projects/{finance_slug(proj.id)}.html"
        if path in self.p.finance_paths:
            return path
        self.p.finance_paths.add(path)
        stages = []
        for s in proj.stages:
            if s.stage == "付款":
                continue
            scan = self.image(s.scan, f"{proj.name} {s.stage}") if s.scan else None
            stages.append(
                [
                    Cell(s.stage),
                    Cell(s.date.isoformat() if s.date else ""),
                    Cell(s.document),
                    _amt(s.amount, self.voucher(s.voucher) if s.voucher else scan)
                    if s.amount is not None
                    else Cell(""),
                    Cell("看扫描件", scan) if scan else Cell(""),
                ]
            )
        pays = [
            [
                Cell(s.date.isoformat() if s.date else s.voucher.date.isoformat()),
                Cell(s.document or s.voucher.summary, self.voucher(s.voucher)),
                _amt(s.amount or ZERO, self.voucher(s.voucher), "out"),
            ]
            for s in proj.payments
            if s.voucher
        ]
        if pays:
            pays.append([Cell("合计"), Cell(f"{len(pays)} 笔"), _amt(proj.paid, path + "#payments", "out")])
        lines = [
            f"项目编号 {proj.id}。合同价 {yuan(proj.contract)} 元，批准增减 {yuan(proj.changes)} 元，应付合计 {yuan(proj.payable)} 元；"
            f"已付 {yuan(proj.paid)} 元，未付 {yuan(proj.payable - proj.paid)} 元。"
        ]
        sections = [
            Section(
                "项目全过程",
                "stages",
                lines,
                [Table(_h("环节", "日期", "文件", "金额（元）", "扫描件"), stages)] if stages else [],
            ),
            Section(
                "每一笔付款",
                "payments",
                [],
                [Table(_h("日期", "凭证摘要", "金额（元）"), pays)] if pays else [],
                terms=glossary.explain_terms(("增减项目", "决算", "质保金")),
            ),
        ]
        self.p.add_finance(
            path,
            proj.name,
            self.crumbs + [("工程项目", self.cat("projects"))],
            self.noticed(sections),
        )
        return path

    def income_expense(self) -> list[Section]:
        out = []
        for lg in self.v.ledgers:
            path = self.ledger(lg.year)
            rows = [
                [
                    Cell(m.month),
                    _amt(m.income, self.ledger(lg.year, m.lines[0].voucher), "in"),
                    _amt(m.expense, self.ledger(lg.year, m.lines[0].voucher), "out"),
                    _amt(m.closing, self.ledger(lg.year, m.lines[0].voucher)),
                ]
                for m in lg.months
                if m.lines
            ]
            rows += [
                [Cell(m), Cell("待审核", num=True), Cell("待审核", num=True), Cell("")]
                for m in self.v.pending_months
                if m[:4] == str(lg.year)
            ]
            # the balance is not a sum: the total row leaves it empty, the year-end balance is in the sentence
            rows.append(
                [Cell(f"{lg.year}年合计"), _amt(lg.income, path, "in"), _amt(lg.expense, path, "out"), Cell("")]
            )
            alt = "；".join(f"{m.month} 收入 {yuan(m.income)} 元 支出 {yuan(m.expense)} 元" for m in lg.months)
            chart = self.chart(
                f"monthly-{lg.year}",
                [f"{int(m.month[5:])}月" for m in lg.months],
                [
                    charts.Series("收入", tuple(m.income for m in lg.months)),
                    charts.Series("支出", tuple(m.expense for m in lg.months)),
                ],
                alt,
            )
            out.append(
                Section(
                    f"{lg.year}年每月收支",
                    f"months-{lg.year}",
                    [
                        f"全年收入 {glossary.amount_text(lg.income, self.large)}，支出 "
                        f"{glossary.amount_text(lg.expense, self.large)}，"
                        f"{lg.months[-1].month[:4]}年{int(lg.months[-1].month[5:])}月底余额 "
                        f"{glossary.amount_text(lg.closing, self.large)}。"
                    ],
                    [Table(_h("月份", "收入（元）", "支出（元）", "月末余额（元）"), rows)],
                    [chart],
                )
            )
            out.append(self.flow_section(lg))
        lists = [
            [
                Cell(p.voucher.date.isoformat()),
                Cell(p.name, self.payout_page(p)),
                Cell(f"{len(p.payees)} 人"),
                _amt(p.total, self.payout_page(p)),
            ]
            for p in self.fin.payouts
        ]
        out.append(
            Section(
                "补助、低保、福利和干部工资名单",
                "payouts",
                ["名单只公开姓名、村民小组、家庭人口、金额和期间。"] if lists else [],
                [Table(_h("发放日期", "名单", "人数", "金额（元）"), lists)] if lists else [],
            )
        )
        return out

    def flow_section(self, lg: Ledger) -> Section:
        """Where the year's money came from and went, by account: each table adds up to the year's income or
        expense of the ledger above it, the movements that are neither (a loan, money paid into 在建工程, money
        collected for others) as their own rows, each row opening the vouchers behind it."""
        money_in, money_out = flows(lg)
        tables, lines = [], []
        for label, fl, total, word, cls in (
            ("钱从哪里来", money_in, lg.income, "收入", "in"),
            ("钱用到哪里去", money_out, lg.expense, "支出", "out"),
        ):
            if not fl:
                continue
            # a negative row takes back part of the others: said so in words (_nature)
            rows = [
                [
                    Cell(f.account.plain),
                    Cell(_nature(f, cls == "in")),
                    _amt(f.amount, self.flow_page(lg.year, cls, f, label), cls),
                ]
                for f in fl
            ]
            rows.append([Cell("合计"), Cell(f"{len(fl)} 类"), _amt(total, self.ledger(lg.year), cls)])
            tables.append(Table(_h(label, "性质", "金额（元）"), rows, caption=label))
            real = sum((f.amount for f in fl if f.real), ZERO)
            lines.append(
                f"全年{'收进' if cls == 'in' else '付出'} {glossary.amount_text(total, self.large)}：其中{word} "
                f"{glossary.amount_text(real, self.large)}"
                + (
                    f"，另外 {glossary.amount_text(total - real, self.large)} 不算{word}"
                    f"（{'借来的钱、代收的钱、收回的欠款等' if cls == 'in' else '投入工程、还钱、代付的钱等'}），单独列出。"
                    if total != real
                    else "。"
                )
            )
        section = Section(
            f"{lg.year}年的钱从哪里来、用到哪里去",
            f"categories-{lg.year}",
            lines
            + [
                Said(
                    lambda w: (
                        "按会计科目归类，用群众的话说明；每张表的合计就是上面全年的收入或支出，"
                        f"{w.pick}金额可看每一笔。"
                    )
                )
            ]
            if tables
            else [],
            tables,
        )
        spend = [(f.account.name, f.amount) for f in money_out if f.amount > 0]
        if spend:
            section.charts.append(
                self.chart(
                    f"spending-{lg.year}",
                    [n for n, _ in spend],
                    [charts.Series("付出", tuple(a for _, a in spend), colour=1)],
                    "；".join(f"{n} {yuan(a)} 元" for n, a in spend),
                )
            )
        return section

    def flow_page(self, year: int, side: str, flow: Flow, label: str) -> str:
        """The vouchers behind one row of the where-from / where-to tables, with what each moved."""
        path = f"{self.base}/finance/flows/{year}-{side}-{finance_slug(flow.code + '-' + flow.account.name)}.html"
        if path in self.p.finance_paths:
            return path
        self.p.finance_paths.add(path)
        rows = [
            [Cell(v.date.isoformat()), Cell(v.summary, self.voucher(v)), _amt(part, self.voucher(v), side)]
            for v, part in flow.vouchers
        ]
        rows.append([Cell("合计"), Cell(f"{len(flow.vouchers)} 笔"), _amt(flow.amount, None, side)])
        kind = _nature(flow, side == "in")
        title = f"{year}年{label}：{flow.account.plain}"
        sections = [
            Section(
                title,
                "vouchers",
                [
                    Said(
                        lambda w: (
                            f"科目 {flow.code} {flow.account.name}（{kind}）。每一笔凭证中记到这个科目的钱；{w.pick}摘要可以看凭证和原始票据。"
                        )
                    )
                ],
                [Table(_h("日期", "凭证摘要", "金额（元）"), rows)],
            )
        ]
        self.p.add_finance(
            path,
            title,
            self.crumbs + [("收支情况", self.cat("income-expense"))],
            self.noticed(sections),
        )
        return path

    def payout_page(self, p) -> str:
        path = f"{self.base}/finance/lists/{p.slug}.html"
        if path in self.p.finance_paths:
            return path
        self.p.finance_paths.add(path)
        rows = [[Cell(x.name), Cell(x.group), Cell(x.household), Cell(x.period), _amt(x.amount)] for x in p.payees]
        rows.append(
            [Cell("合计"), Cell(f"{len(p.payees)} 人"), Cell(""), Cell(""), _amt(p.total, self.voucher(p.voucher))]
        )
        sections = [
            Section(
                p.name,
                "list",
                [
                    Said(
                        lambda w: (
                            f"由凭证 {p.voucher.month} {p.voucher.label}（{p.voucher.date}）发放，"
                            f"合计 {yuan(p.total)} 元；{w.pick}合计可看凭证和签收单。"
                        )
                    )
                ],
                [Table(_h("姓名", "村民小组", "家庭人口", "期间", "金额（元）"), rows)],
            )
        ]
        self.p.add_finance(
            path,
            p.name,
            self.crumbs + [("收支情况", self.cat("income-expense"))],
            self.noticed(sections),
        )
        return path

    def reports(self) -> list[Section]:
        """The balance sheet and the income statement of each year: each group a table of its own ending in its
        合计, so every table adds up to the total it shows."""
        out = []
        for st in self.statements:
            here = f"{self.cat('reports')}#bs-{st.year}"
            result = [
                Cell("收支结余"),
                Cell("收入减支出，还没结转到收益的部分"),
                _amt(st.result, f"{self.cat('reports')}#is-{st.year}"),
            ]
            groups = []
            for label, group, extra, total in (
                (
                    "资产",
                    st.assets,
                    [
                        [
                            Cell("期初资金"),
                            Cell("记账开始时的现金和银行存款（没有分到各账户）"),
                            _amt(st.opening_money, self.cat("funds") + "#balances"),
                        ]
                    ]
                    if st.opening_money
                    else [],
                    st.asset_total,
                ),
                ("负债", st.liabilities, [], st.liability_total),
                (
                    "所有者权益",
                    st.equity,
                    (
                        [
                            [
                                Cell("期初结存"),
                                Cell("记账开始时各账户余额相抵后的家底"),
                                _amt(st.opening_equity, self.cat("funds") + "#balances"),
                            ]
                        ]
                        if st.opening_equity
                        else []
                    )
                    + [result],
                    st.equity_total,
                ),
            ):
                rows = [
                    [
                        Cell(f"{ay.account.code} {ay.account.name}"),
                        Cell(ay.account.plain),
                        _amt(ay.signed, self.account(st.year, ay.key or ay.account.code)),
                    ]
                    for ay in group
                ] + extra
                rows.append([Cell("合计"), Cell(f"{label}合计"), _amt(total, here)])
                groups.append(Table(_h("科目", "通俗说法", "年末金额（元）"), rows, caption=label))
            out.append(
                Section(
                    f"{st.year}年末资产负债表",
                    f"bs-{st.year}",
                    [
                        f"资产合计 {yuan(st.asset_total)} 元 = 负债合计 {yuan(st.liability_total)} 元 + "
                        f"净资产（所有者权益）合计 {yuan(st.equity_total)} 元。"
                    ],
                    groups,
                    terms=glossary.explain_terms(("资产", "负债", "净资产", "借方", "贷方")),
                )
            )
            sides: dict[str, list[list[Cell]]] = {"收入": [], "支出": []}
            totals = {"收入": ZERO, "支出": ZERO}
            prior = ZERO  # income less expense of earlier years not yet carried to 本年收益
            for code, ay in self.years[st.year].items():
                if ay.account.category in (accounts.PROFIT_LOSS, accounts.COST):
                    kind = "收入" if ay.account.side == accounts.CREDIT else "支出"
                    prior -= ay.opening
                    totals[kind] += ay.movement
                    if ay.movement:
                        sides[kind].append(
                            [
                                Cell(f"{code} {ay.account.name}"),
                                Cell(ay.account.plain),
                                _amt(ay.movement, self.account(st.year, code)),
                            ]
                        )
            tables = []
            for kind, rows in sides.items():
                if rows:
                    tables.append(
                        Table(
                            _h("科目", "通俗说法", "金额（元）"),
                            rows
                            + [
                                [
                                    Cell("合计"),
                                    Cell(f"{kind}合计"),
                                    _amt(totals[kind], f"{self.cat('reports')}#is-{st.year}"),
                                ]
                            ],
                            caption=kind,
                        )
                    )
            net = [
                [Cell("收入合计"), Cell("上面收入表的合计"), _amt(totals["收入"])],
                [Cell("支出合计"), Cell("上面支出表的合计，要减去（记为负数）"), _amt(-totals["支出"])],
            ]
            if prior:
                net.append([Cell("以前年度结余"), Cell("以前年度还没结转到收益的收支结余"), _amt(prior)])
            net.append([Cell("合计"), Cell("本年收支结余"), _amt(st.result, f"{self.cat('reports')}#bs-{st.year}")])
            tables.append(Table(_h("项目", "说明", "金额（元）"), net, caption="收支结余"))
            out.append(
                Section(
                    f"{st.year}年收支明细表",
                    f"is-{st.year}",
                    ["损益类科目的发生数：收入合计减支出合计就是收支结余（资产负债表里“收支结余”一行）。"],
                    tables,
                )
            )
        budget_years = sorted({b.year for b in self.fin.budget})
        for year in budget_years:
            lines = [b for b in self.fin.budget if b.year == year]
            rows, labels, planned, actual = [], [], [], []
            accs = self.years.get(year, {})
            for b in lines:
                same = next((a for a in accs.values() if a.account.code == b.account.code), None)
                real = same.movement if same else ZERO
                rate = f"{(real * 100 / b.amount).quantize(Decimal('1'))}%" if b.amount else ""
                doc = self.image(b.source, f"{year}年预算（{b.name}）的来源文件") if b.source else None
                rows.append(
                    [
                        Cell(b.name),
                        Cell("收入" if b.income else "支出"),
                        _amt(b.amount, doc),
                        _amt(real, self.account(year, b.account.code)),
                        _amt(real - b.amount),
                        Cell(rate, num=True),
                    ]
                )
                labels.append(b.name)
                planned.append(b.amount)
                actual.append(real)
            chart = self.chart(
                f"budget-{year}",
                labels,
                [charts.Series("预算", tuple(planned), colour=2), charts.Series("实际", tuple(actual), colour=3)],
                "；".join(f"{lb} 预算 {yuan(p)} 元 实际 {yuan(a)} 元" for lb, p, a in zip(labels, planned, actual)),
            )
            out.append(
                Section(
                    f"{year}年预算执行情况",
                    f"budget-{year}",
                    [
                        Said(
                            lambda w: (
                                f"“预算”{w.pick}可以看通过预算的文件；“实际”是账上该科目今年发生的数，{w.pick}可以看到背后的每一张凭证。"
                            )
                        )
                    ],
                    [Table(_h("预算项目", "收或支", "预算（元）", "实际（元）", "差额（元）", "完成"), rows)],
                    [chart],
                    glossary.explain_terms(("预算", "实际")),
                )
            )
        return out

    def account_pages_plan(self) -> None:
        """Each account's lines in a year: where every statement figure came from, line by line, to vouchers."""
        for (year, code), path in self.account_pages.items():
            if (year, code) not in self.linked_accounts:
                continue
            ay = self.years[year][code]
            side = ay.account.side == accounts.DEBIT
            bal = ay.opening if side else -ay.opening
            first = year == min(self.years)
            rows = (
                [
                    [
                        Cell("记账开始时" if first else f"{year}-01-01"),
                        Cell("期初余额" if first else "上年结转"),
                        Cell(""),
                        Cell(""),
                        _amt(bal),
                    ]
                ]
                if ay.opening
                else []
            )
            for v, ln in ay.lines:
                bal += (ln.debit - ln.credit) if side else (ln.credit - ln.debit)
                rows.append(
                    [
                        Cell(v.date.isoformat()),
                        Cell(ln.summary or v.summary, self.voucher(v)),
                        _amt(ln.debit, self.voucher(v)) if ln.debit else Cell(""),
                        _amt(ln.credit, self.voucher(v)) if ln.credit else Cell(""),
                        _amt(bal),
                    ]
                )
            # the balance column is not summed: the total row leaves it empty and the closing balance follows
            rows.append([Cell("合计"), Cell(f"{len(ay.lines)} 笔"), _amt(ay.debit), _amt(ay.credit), Cell("")])
            rows.append(
                [
                    Cell(f"{year}年末" if year < max(self.years) else "截至目前"),
                    Cell("余额"),
                    Cell(""),
                    Cell(""),
                    _amt(ay.closing),
                ]
            )
            sections = [
                Section(
                    f"{ay.account.name}：{ay.account.plain}",
                    "lines",
                    [Said(lambda w: f"{year}年这个科目的每一笔分录；{w.pick}摘要可以看到凭证和原始票据。")],  # noqa: B023 (Said calls it at once)
                    [Table(_h("日期", "摘要", "借方（元）", "贷方（元）", "余额（元）"), rows)],
                    terms=glossary.explain_terms(("借方", "贷方")),
                )
            ]
            self.p.add_finance(
                path,
                f"{year}年 {code} {ay.account.name}",
                self.crumbs + [("村务报表", self.cat("reports"))],
                self.noticed(sections),
            )


# What money that is neither income nor expense did, by the category of the account on the other side (short: a TV
# column). Income and expense proper (损益类) are just 收入 / 支出.
NATURE = {
    (True, accounts.LIABILITY): "不算收入：借来、代收或应付的钱",
    (True, accounts.ASSET): "不算收入：收回的钱",
    (False, accounts.LIABILITY): "不算支出：还欠款、发放以前记下的应付款",
    (False, accounts.ASSET): "不算支出：变成村里的资产",
}


def _nature(flow: Flow, money_in: bool) -> str:
    if flow.amount < 0:  # takes back part of the other rows (a works bill partly left owing)
        return f"抵减：这部分没有真正{'收进' if money_in else '付出'}"
    if flow.real:
        return "收入" if money_in else "支出"
    return NATURE.get((money_in, flow.account.category), "不算收入" if money_in else "不算支出")


def month_words(month: str) -> str:
    """2026-08 -> 2026年8月"""
    return f"{month[:4]}年{int(month[5:])}月"


def pending_notice(village: Village) -> str:
    """待审核 The plain sentence naming the months of the journal held back until the 农经站 approves them
    (review.publish), and how far the figures shown go; "" when every month is published."""
    if not village.pending_months:
        return ""
    months = "、".join(month_words(m) for m in village.pending_months)
    shown = max((v.month for v in village.vouchers), default=None)
    return f"{months}的账目待审核：镇农经站审核通过以后才公开这些月份的凭证和金额。" + (
        f"这里的数字只算到{month_words(shown)}底。" if shown else "现在还没有审核通过的月份。"
    )


def asset_anchor(ident: str) -> str:
    return f"asset-{finance_slug(ident)}"


def lease_anchor(ident: str) -> str:
    return f"lease-{finance_slug(ident)}"


def voucher_finance_rows(base: str, village: Village) -> dict[str, list[tuple[str, str, str]]]:
    """voucher key -> (what, amount, page) for every finance table row that names the voucher: the asset it
    bought, the project payment or stage, the lease whose rent it received, the payout list it paid."""
    fin: Finance = village.finance or Finance()
    finance = f"{base}/finance"
    out: dict[str, list[tuple[str, str, str]]] = {}
    for key, uses in voucher_uses(fin).items():
        for u in uses:
            href = {
                "assets": f"{finance}/assets/index.html#{asset_anchor(u.ident)}",
                "leases": f"{finance}/resources/index.html#{lease_anchor(u.ident)}",
                "projects": f"{finance}/projects/{finance_slug(u.ident)}.html",
                "payouts": f"{finance}/lists/{u.ident}.html",
                "budget": f"{finance}/reports/index.html#budget-{u.ident}",
            }[u.kind]
            out.setdefault(key, []).append((u.text, yuan(u.amount) if u.amount is not None else "", href))
    return out


def finance_slug(ident: str) -> str:
    """A clerk's identifier (project, asset, lease) as a file name: ASCII as it is, anything else made ASCII and
    told apart by a short hash, so two Chinese identifiers never share a page."""
    ascii_part = re.sub(r"[^A-Za-z0-9-]+", "-", ident).strip("-").lower()
    digest = hashlib.sha256(ident.encode()).hexdigest()[:6]
    slug = ascii_part if ascii_part == ident.lower() else f"{ascii_part or 'p'}-{digest}"
    # never an address that reads as personal data (a contract number that is an ID number, say): masked on the
    # page, its links would break (and the personal-data scan would flag it)
    return slug if mask(slug) == slug else f"p-{digest}"


def _payee(v: Voucher) -> str:
    return "、".join(dict.fromkeys(ln.counterparty for ln in v.lines if ln.counterparty))


def _overdue(lease: Lease, year: int | None, village: Village) -> Decimal:
    """Rent of this year not received by its due date (as of the last journal date)."""
    if year is None or lease.due is None:
        return ZERO
    last = max(v.date for v in village.vouchers)
    due = lease.due.replace(year=year) if lease.due.year != year else lease.due
    owed = lease.rent - lease.received(year)
    return owed if last > due and owed > 0 else ZERO
