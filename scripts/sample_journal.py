"""The sample's money for scripts/make_sample.py: a quarter's journal per village, its finance tables, and the
oversight data around it (payee IDs and approval trails, payments that trip every warning rule, month reviews,
acknowledgements, registries and the 12345 hotline's records).

Amounts are drawn from each village's own seeded generator, so they are the same on every run; vouchers balance
and cash / bank never go negative (checked as they are made).
"""

from __future__ import annotations

import csv
import io
import random
import types
from datetime import date
from decimal import Decimal
from pathlib import Path

from sample_world import (
    CITY,
    FINANCE,
    FIRMS,
    GIFT_SHOPS,
    GIVEN_F,
    GIVEN_M,
    MONTHS,
    POWER,
    RESTAURANTS,
    WATER,
    YEAR,
    ZERO,
    Attachment,
    D,
    PeopleFactory,
    Person,
    Village,
    Voucher,
    _cents,
    s2,
    write_text,
    yscalar,
)

from sitegen.oversight.refcode import item_code, voucher_code  # sample_world puts the repository on sys.path

JOURNAL = FINANCE["journal"]  # the journal's amounts and ranges

# ================================================================================================================
# Journal
# ================================================================================================================


def build_journal(v: Village) -> None:
    """A quarter of vouchers (at least 12 a month), numbered 记-1.. per month in date order, all balanced."""
    rng = random.Random(f"sample:{v.slug}:journal")
    out: list[Voucher] = []
    town = v.town
    gross = sum((c.base for c in v.cadres), ZERO)
    insurance = sum((c.insurance for c in v.cadres), ZERO)
    cleaners_total = sum((w for _, w in v.cleaners), ZERO)
    pay_plan = {month: Decimal(share) for month, share in JOURNAL["works_paid"].items()}
    level = "街道" if town.name.endswith("街道") else "镇"
    names = {month: name.format(year=YEAR) for month, name in JOURNAL["subsidies"].items()}
    subsidy = {
        7: (names[7], rng.randrange(8, 13) * 10000),  # 80,000-120,000 in steps of 10,000
        8: (names[8], rng.choice((50000, 60000))),
        9: (names[9], rng.randrange(30, 61) * 1000),
    }

    def V(month, day, summary, cp, lines, atts, extra=(), tag=""):
        out.append(Voucher(month, day, summary, cp, lines, list(atts), list(extra), tag=tag))

    for m in MONTHS:
        prev = m - 1
        # 提取备用金: bank -> cash, once this quarter (the petty cash limit is 5000)
        amt = D(rng.choice(JOURNAL["petty_cash"]))
        if m == 7:
            V(
                m,
                rng.randint(1, 3),
                "提取备用金",
                "",
                [v.dr("cash", amt, "提取备用金"), v.cr("bank", amt, "提取备用金", "基本户")],
                [Attachment("cheque", {"amount": amt, "purpose": "备用金"})],
                tag="cash",
            )
        # 上级补助
        name, value = subsidy[m]
        text = f"收到{level}拨付{name}"
        amt = D(value)
        V(
            m,
            rng.randint(4, 7),
            text,
            town.finance_office,
            [v.dr("bank", amt, text, "基本户"), v.cr("subsidy", amt, text)],
            [Attachment("notice", {"kind": "subsidy", "name": name, "amount": amt})]
            if m != 8
            else [
                Attachment("bankslip", {"amount": amt, "payer": town.finance_office, "payee": v.org, "purpose": name})
            ],
            tag="subsidy",
        )
        # 发放上月干部工资 (withholding personal social insurance)
        text = f"发放{prev}月份村干部报酬"
        net = gross - insurance
        V(
            m,
            rng.randint(8, 10),
            text,
            f"{v.name}村干部（{len(v.cadres)}人）",
            [
                v.dr("wages", gross, text),
                v.cr("bank", net, text, "基本户"),
                v.cr("payable", insurance, f"代扣{prev}月个人社保"),
            ],
            [Attachment("list", {"kind": "cadre_pay", "month": prev})]
            + (
                [
                    Attachment(
                        "bankslip",
                        {
                            "amount": net,
                            "payer": v.org,
                            "payee": f"批量代发 共{len(v.cadres)}笔",
                            "purpose": f"{prev}月工资代发",
                        },
                    )
                ]
                if m == 7
                else []
            ),
            tag="wages",
        )
        # 保洁员工资
        text = f"支付{prev}月份保洁员工资"
        V(
            m,
            rng.randint(10, 12),
            text,
            f"保洁员{len(v.cleaners)}人",
            [v.dr("public", cleaners_total, text, "环境卫生"), v.cr("bank", cleaners_total, text, "基本户")],
            [Attachment("list", {"kind": "cleaners", "month": prev})],
            tag="cleaners",
        )
        # 工程款 / 结算
        if m in pay_plan:
            part = D(v.contract_amount * pay_plan[m])
            text = {
                7: f"支付{v.spec.project}预付款",
                8: f"支付{v.spec.project}进度款",
                9: f"支付{v.spec.project}结算款",
            }[m]
            atts = [
                Attachment("invoice", {"kind": "works", "seller": v.contractor, "amount": part, "rate": "9%"}),
                Attachment(
                    "contract" if m == 7 else "table",
                    {"kind": "works" if m == 7 else ("progress" if m == 8 else "settlement"), "amount": part},
                ),
            ]
            V(
                m,
                rng.randint(14, 17),
                text,
                v.contractor,
                [v.dr("cip", part, text), v.cr("bank", part, text, "基本户")],
                atts,
                extra=[Attachment("approval", {"summary": text, "amount": part, "payee": v.contractor})]
                if m == 8
                else [],
                tag=f"works{m}",
            )
        # 电费、水费
        a1, a2, a3 = (_cents(rng, *JOURNAL[k]) for k in ("office_power", "street_lights", "office_water"))
        text = f"支付{prev}月份电费、水费"
        lines = [
            v.dr("admin", a1, "村委会办公用电", "水电费"),
            v.dr("public", a2, "村内路灯用电", "路灯电费"),
            v.dr("admin", a3, "村委会用水", "水电费"),
        ]
        tot = a1 + a2 + a3
        lines.append(v.cr("bank", tot, text, "基本户"))
        V(
            m,
            rng.randint(16, 19),
            text,
            f"{POWER}、{WATER}",
            lines,
            [
                Attachment(
                    "invoice", {"kind": "power", "seller": POWER, "amount": a1 + a2, "rate": "13%", "small": m != 7}
                ),
                Attachment("invoice", {"kind": "water", "seller": WATER, "amount": a3, "rate": "3%", "small": True}),
            ],
            tag="utility",
        )
        # 村务卡: a working meal in August (the 七一 activity in July is below)
        if m == 8:
            amt = D(rng.randrange(6, 15) * 100 + rng.choice((0, 20, 50, 80)))
            seller = RESTAURANTS[rng.randrange(len(RESTAURANTS))]
            text = "村务卡支付上级检查防汛工作用餐费"
            V(
                m,
                rng.randint(20, 23),
                text,
                seller,
                [v.dr("admin", amt, text, "业务招待费"), v.cr("bank", amt, text, "基本户")],
                [
                    Attachment("invoice", {"kind": "meal", "seller": seller, "amount": amt, "rate": "1%"}),
                    Attachment("list", {"kind": "meal", "amount": amt}),
                ],
                tag="meal",
            )
        # 计提当月干部报酬; 计提折旧 (no money moves)
        text = f"计提{m}月份村干部报酬"
        V(
            m,
            30 if m != 7 else 31,
            text,
            "",
            [v.dr("admin", gross, text, "干部报酬"), v.cr("wages", gross, text)],
            [Attachment("table", {"kind": "accrual", "month": m})],
            tag="accrual",
        )
        d1, d2 = (_cents(rng, *JOURNAL[k]) for k in ("office_depreciation", "rented_depreciation"))
        text = f"计提{m}月份固定资产折旧"
        V(
            m,
            30 if m != 7 else 31,
            text,
            "",
            [
                v.dr("admin", d1, "办公用房及设备折旧", "折旧费"),
                v.dr("op_cost", d2, "出租厂房折旧"),
                v.cr("depr", d1 + d2, text),
            ],
            [Attachment("table", {"kind": "depreciation", "month": m, "a": d1, "b": d2})],
            tag="depr",
        )

    # --- July ---
    for lot in v.lots:
        if lot.due_month != 7:
            continue
        text = "收到2026年度土地承包费"
        atts = [
            Attachment(
                "receipt",
                {"payer": lot.holder, "amount": lot.amount, "purpose": f"2026年度土地承包费（{lot.place}{lot.mu}亩）"},
            )
        ]
        if lot is v.lots[0]:
            atts.append(Attachment("contract", {"kind": "land", "lot": lot}))
        V(
            7,
            rng.randint(11, 14),
            text,
            lot.holder,
            [
                v.dr("bank", lot.amount, text, "基本户"),
                v.cr("income", lot.amount, f"{lot.holder}土地承包费", "发包收入"),
            ],
            atts,
            tag="land",
        )
    rent = v.quarter_rent
    base = D(rent / Decimal("1.05"))
    text = "收到标准厂房第三季度租金"
    V(
        7,
        rng.randint(18, 21),
        text,
        v.tenant,
        [
            v.dr("bank", rent, text, "基本户"),
            v.cr("income", base, text, "租赁收入"),
            v.cr("tax", rent - base, "应交增值税（简易计税5%）"),
        ],
        [Attachment("invoice", {"kind": "rent", "seller": v.org, "buyer": v.tenant, "amount": rent, "rate": "5%"})],
        tag="rent",
    )
    amt = D(rng.randrange(98, 240) * 10)
    text = "村务卡支付“七一”主题党日活动费用"
    V(
        7,
        1,
        text,
        "江阴市澄江广告印务有限公司",
        [v.dr("admin", amt, text, "党建活动经费"), v.cr("bank", amt, text, "基本户")],
        [
            Attachment(
                "invoice", {"kind": "party", "seller": "江阴市澄江广告印务有限公司", "amount": amt, "rate": "1%"}
            ),
            Attachment("list", {"kind": "signin"}),
        ],
        tag="party",
    )

    # --- August ---
    relief_total = sum((a for _, a, _ in v.relief), ZERO)
    text = f"收到{level}拨付困难群众临时救助资金"
    V(
        8,
        rng.randint(11, 13),
        text,
        town.finance_office,
        [v.dr("bank", relief_total, text, "基本户"), v.cr("special", relief_total, text)],
        [Attachment("notice", {"kind": "relief", "summary": text, "amount": relief_total})],
        tag="relief_in",
    )
    text = "发放困难群众临时救助金"
    V(
        8,
        rng.randint(14, 15),
        text,
        f"救助对象{len(v.relief)}户",
        [v.dr("special", relief_total, text), v.cr("bank", relief_total, text, "基本户")],
        [
            Attachment("list", {"kind": "relief"}),
            Attachment(
                "bankslip",
                {
                    "amount": relief_total,
                    "payer": v.org,
                    "payee": f"批量代发 共{len(v.relief)}笔",
                    "purpose": "临时救助金",
                },
            ),
        ],
        tag="relief_out",
    )
    tax = rent - base
    text = "缴纳7月份增值税"
    V(
        8,
        rng.randint(12, 15),
        text,
        "国家税务总局江阴市税务局",
        [v.dr("tax", tax, text), v.cr("bank", tax, text, "基本户")],
        [
            Attachment(
                "bankslip",
                {"amount": tax, "payer": v.org, "payee": "国家税务总局江阴市税务局", "purpose": "增值税（7月）"},
            )
        ],
        tag="taxpay",
    )
    n = rng.randint(8, 12)
    amt = D(n * 100)
    text = "支付村民小组长防汛会议误工补贴"
    V(
        8,
        rng.randint(26, 28),
        text,
        f"村民小组长{n}人",
        [v.dr("admin", amt, text, "误工补贴"), v.cr("cash", amt, text)],
        [Attachment("list", {"kind": "meeting_pay", "n": n})],
        tag="meeting",
    )

    # --- September ---
    q = D(200 * 3)
    leaders_total = q * len(v.leaders)
    text = "支付第三季度村民小组长误工补贴"
    V(
        9,
        rng.randint(11, 13),
        text,
        f"村民小组长{len(v.leaders)}人",
        [v.dr("admin", leaders_total, text, "误工补贴"), v.cr("bank", leaders_total, text, "基本户")],
        [
            Attachment("list", {"kind": "leaders", "each": q}),
            Attachment(
                "bankslip",
                {
                    "amount": leaders_total,
                    "payer": v.org,
                    "payee": f"批量代发 共{len(v.leaders)}笔",
                    "purpose": "三季度误工补贴",
                },
            ),
        ],
        tag="leaders",
    )
    retain = v.contract_amount - sum((D(v.contract_amount * p) for p in pay_plan.values()), ZERO)
    text = f"{v.spec.project}竣工验收，转入固定资产"
    V(
        9,
        rng.randint(18, 20),
        text,
        v.contractor,
        [
            v.dr("fixed", v.contract_amount, text),
            v.cr("cip", v.contract_amount - retain, f"结转{v.spec.project}已付工程款"),
            v.cr("payable", retain, "工程质保金（5%）"),
        ],
        [Attachment("table", {"kind": "acceptance"})],
        tag="transfer",
    )
    fest_total = sum((a for _, a, _ in v.festival), ZERO)
    shop = GIFT_SHOPS[0 if town.slug == "xiagang" else 1]
    text = "购买中秋节困难群众慰问品"
    V(
        9,
        rng.randint(21, 23),
        text,
        shop,
        [v.dr("public", fest_total, text, "慰问救助"), v.cr("bank", fest_total, text, "基本户")],
        [
            Attachment("invoice", {"kind": "gifts", "seller": shop, "amount": fest_total, "rate": "13%"}),
            Attachment("list", {"kind": "festival"}),
        ],
        tag="festival",
    )
    for lot in v.lots:
        if lot.due_month == 9:
            text = "收到2026年度土地承包费（补交）"
            V(
                9,
                rng.randint(24, 26),
                text,
                lot.holder,
                [
                    v.dr("bank", lot.amount, text, "基本户"),
                    v.cr("income", lot.amount, f"{lot.holder}土地承包费", "发包收入"),
                ],
                [
                    Attachment(
                        "receipt",
                        {
                            "payer": lot.holder,
                            "amount": lot.amount,
                            "purpose": f"2026年度土地承包费（{lot.place}{lot.mu}亩）",
                        },
                    )
                ],
                tag="land",
            )
    amt = _cents(rng, *JOURNAL["training_travel"])
    text = "报销村干部赴市农业农村局参加培训交通费"
    V(
        9,
        rng.randint(26, 28),
        text,
        v.off("副书记"),
        [v.dr("admin", amt, text, "差旅费"), v.cr("cash", amt, text)],
        [Attachment("tickets", {"amount": amt})],
        tag="travel",
    )
    out += oversight_vouchers(v, out)  # payments that trip the warning rules (own random stream)

    # number per month in date order (stable: same-day vouchers keep their creation order)
    for m in MONTHS:
        month = sorted((x for x in out if x.month == m), key=lambda x: x.day)
        for n, x in enumerate(month, start=1):
            x.no = n
        if len(month) < 12:
            raise AssertionError(f"{v.slug} {m}: only {len(month)} vouchers")
    out.sort(key=lambda x: (x.month, x.no))
    # sanity: balanced, and cash / bank never negative
    cash, bank = v.opening_cash, v.opening_bank
    cash_code, bank_code = v.accounts["cash"][0], v.accounts["bank"][0]
    for x in out:
        assert sum((ln.debit for ln in x.lines), ZERO) == sum((ln.credit for ln in x.lines), ZERO), x.summary
        assert 2 <= len(x.lines) <= 4 and 1 <= len(x.atts) <= 3, x.summary
        for ln in x.lines:
            if ln.code.startswith(cash_code):
                cash += ln.debit - ln.credit
            elif ln.code.startswith(bank_code):
                bank += ln.debit - ln.credit
        assert cash >= 0 and bank >= 0, (v.slug, x.summary, cash, bank)
    v.vouchers = out


def month_balances(v: Village) -> list[tuple[int, Decimal, Decimal, Decimal, Decimal]]:
    """(month, opening, income, expense, closing) of cash + bank, as the ledger computes it."""
    out = []
    bal = v.opening_cash + v.opening_bank
    for m in MONTHS:
        inc = exp = ZERO
        for x in v.vouchers:
            if x.month != m:
                continue
            net = x.money(v.accounts)
            if net > 0:
                inc += net
            elif net < 0:
                exp -= net
        out.append((m, bal, inc, exp, bal + inc - exp))
        bal = bal + inc - exp
    return out


JOURNAL_HEADER = ("日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "往来单位", "附件张数")


def write_journal(v: Village, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    excel = v.spec.encoding == "gb18030"  # Excel "另存为 CSV": GB18030, CRLF, dates as 2026/7/5
    for m in MONTHS:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n" if v.spec.encoding != "utf-8" else "\n")
        w.writerow(JOURNAL_HEADER + TRAIL_HEADER)  # + payee ID and approval trail (oversight, below)
        for x in (x for x in v.vouchers if x.month == m):
            day = f"{YEAR}/{m}/{x.day}" if excel else x.date.isoformat()
            for ln in x.lines:
                w.writerow(
                    (
                        day,
                        f"记-{x.no}",
                        ln.summary,
                        ln.code,
                        ln.name,
                        s2(ln.debit) if ln.debit else "",
                        s2(ln.credit) if ln.credit else "",
                        x.counterparty,
                        len(x.atts),
                    )
                    + trail_cells(v, x, day)
                )
        (folder / f"{YEAR}-{m:02d}.csv").write_bytes(buf.getvalue().encode(v.spec.encoding))


ASSET_DOC, BUDGET_DOC = "doc-zichan-taizhang.jpg", "doc-yusuan-jueyi.jpg"


def lot_contract(n: int) -> str:
    return f"doc-tudi-hetong-{n}.jpg"


def write_finance_tables(v: Village, folder: Path) -> None:
    """finance/tables/: asset register, leases, project, budget and payout lists (sitegen/finance/tables.py), each naming
    the vouchers behind its figures. The lists carry raw ID, card and mobile numbers and addresses, as a clerk's
    export would: sitegen must drop them."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"sample:{v.slug}:finance")
    ref = lambda x: f"{YEAR}-{x.month:02d} 记-{x.no}"  # noqa: E731
    tagged = lambda tag: [x for x in v.vouchers if x.tag == tag]  # noqa: E731
    enc, nl = v.spec.encoding, "\n" if v.spec.encoding == "utf-8" else "\r\n"

    def write(name: str, header: tuple, rows: list[tuple]) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator=nl)
        w.writerow(header)
        w.writerows(rows)
        (folder / name).write_bytes(buf.getvalue().encode(enc))

    files = folder.parent.parent / "files"
    scan = lambda name: f"../../files/{name}" if (files / name).exists() else ""  # noqa: E731
    (transfer,) = tagged("transfer")
    register = f"../../files/{ASSET_DOC}"  # assets from before the journal: the register's scanned page
    write(
        "资产.csv",
        ("编号", "名称", "地点", "原值", "购建日期", "状态", "凭证", "来源"),
        [
            (a, n if n.startswith("标准") else f"{v.name}{n}", f"{v.name}{place}", value, day, status, "", register)
            for a, n, place, value, day, status in OLD_ASSETS
        ]
        + [
            (
                "A-03",
                v.spec.project,
                f"{v.name}",
                s2(v.contract_amount),
                transfer.date.isoformat(),
                "在用",
                ref(transfer),
                "",
            )
        ],
    )
    leases = []
    for n, lot in enumerate(v.lots, start=1):
        paid = [x for x in tagged("land") if x.counterparty == lot.holder]
        leases.append(
            (
                f"L-{n:02d}",
                f"{lot.place}耕地",
                "土地",
                f"{lot.mu}亩",
                lot.holder,
                lot.contact.mobile,
                "2024-01-01",
                "2028-12-31",
                s2(lot.amount),
                f"{YEAR}-07-31",
                scan("basis-tudi-hetong.jpg") if n == 1 else f"../../files/{lot_contract(n)}",
                "；".join(ref(x) for x in paid),
            )
        )
    leases.append(
        (
            f"L-{len(leases) + 1:02d}",
            "标准厂房",
            "房屋",
            f"{v.tenant_area}平方米",
            v.tenant,
            "",
            "2025-01-01",
            "2027-12-31",
            s2(v.quarter_rent * 4),
            f"{YEAR}-12-31",
            "",
            "；".join(ref(x) for x in tagged("rent")),
        )
    )
    pond = PeopleFactory(random.Random(f"sample:{v.slug}:pond"), 1).person(born=(1960, 1980))  # v.people untouched
    leases.append(
        (
            f"L-{len(leases) + 1:02d}",
            "村南鱼塘",
            "鱼塘",
            "18亩",
            pond.name,
            pond.mobile,
            "2023-03-01",
            "2028-02-28",
            "9000.00",
            f"{YEAR}-06-30",
            "",
            "",
        )
    )  # no rent this year: shown overdue, warned
    write(
        "资源.csv",
        (
            "编号",
            "资源",
            "类型",
            "面积",
            "承租方",
            "联系电话",
            "起始日期",
            "终止日期",
            "年租金",
            "缴租日期",
            "合同扫描件",
            "收款凭证",
        ),
        leases,
    )
    pid = v.project_no or f"P{YEAR}-01"
    works = {x.month: x for x in v.vouchers if x.tag.startswith("works")}
    project = [
        (pid, v.spec.project, "立项", f"{YEAR}-03-12", "村民代表会议决议", "", "", ""),
        (pid, v.spec.project, "招投标", f"{YEAR}-05-20", "镇招投标中心公开比选，三家报价", "", "", ""),
        (
            pid,
            v.spec.project,
            "合同",
            f"{YEAR}-06-28",
            f"施工合同（{v.contractor}）",
            s2(v.contract_amount),
            "",
            scan("basis-shigong-hetong.jpg"),
        ),
        (pid, v.spec.project, "进度", f"{YEAR}-08-15", "完成工程量 70%", "", "", ""),
    ]
    project += [
        (pid, v.spec.project, "付款", x.date.isoformat(), x.summary, s2(-x.money(v.accounts)), ref(x), "")
        for _, x in sorted(works.items())
    ]
    project += [
        (pid, v.spec.project, "验收", transfer.date.isoformat(), "竣工验收合格", "", ref(transfer), ""),
        (
            pid,
            v.spec.project,
            "决算",
            transfer.date.isoformat(),
            "工程决算审核",
            s2(v.contract_amount),
            ref(transfer),
            "",
        ),
    ]
    write("工程项目.csv", ("项目编号", "项目名称", "环节", "日期", "文件", "金额", "凭证", "扫描件"), project)
    actual: dict[str, Decimal] = {}
    for x in v.vouchers:
        for ln in x.lines:
            actual[ln.code[:3]] = actual.get(ln.code[:3], ZERO) + ln.debit - ln.credit
    budget = []
    for code, name in (
        ("501", "经营收入"),
        ("503", "上级补助收入"),
        ("511", "经营支出"),
        ("513", "管理费用"),
        ("514", "公益支出"),
    ):
        real = abs(actual.get(code, ZERO))
        budget.append(
            (str(YEAR), name, code, s2(D(round(real * Decimal(rng.choice(("1.1", "1.25", "1.4"))) / 100) * 100)))
        )
    budget = [row + ((f"../../files/{BUDGET_DOC}",) if n == 0 else ("",)) for n, row in enumerate(budget)]
    write("预算.csv", ("年度", "预算项目", "科目编码", "预算数", "来源"), budget)  # one resolution for the year
    (relief_out,) = tagged("relief_out")
    (festival,) = tagged("festival")
    addr = lambda p: f"{CITY}{v.town.name}{v.name}{p.group}组{rng.randint(1, 99)}号"  # noqa: E731
    rows = [
        (
            "临时救助金",
            p.name,
            f"{p.group}组",
            rng.randint(1, 5),
            s2(a),
            f"{YEAR}年8月",
            ref(relief_out),
            p.id_no,
            p.card,
            p.mobile,
            addr(p),
        )
        for p, a, _ in v.relief
    ]
    rows += [
        (
            "中秋节困难群众慰问",
            p.name,
            f"{p.group}组",
            rng.randint(1, 5),
            s2(a),
            f"{YEAR}年中秋",
            ref(festival),
            p.id_no,
            p.card,
            p.mobile,
            addr(p),
        )
        for p, a, _ in v.festival
    ]
    write(
        "补助.csv",
        ("名单", "姓名", "村民小组", "家庭人口", "金额", "期间", "凭证", "身份证号", "银行卡号", "手机号", "家庭住址"),
        rows,
    )
    wages = [
        (
            "村干部报酬",
            c.person.name,
            c.role,
            "",
            s2(c.base),
            f"{YEAR}年{x.month - 1}月",
            ref(x),
            c.person.id_no,
            c.person.card,
            c.person.mobile,
        )
        for x in tagged("wages")
        for c in v.cadres
    ]
    write(
        "干部工资.csv",
        ("名单", "姓名", "村民小组", "家庭人口", "金额", "期间", "凭证", "身份证号", "银行卡号", "手机号"),
        wages,
    )


# Fixed assets from before the journal (资产.csv ): their values open the 固定资产 account.
OLD_ASSETS = tuple(tuple(row) for row in FINANCE["old_assets"])


def opening_fixed(v: Village) -> tuple[Decimal, Decimal]:
    """固定资产 and 累计折旧 on 2026-07-01 (own random stream, so the rest of the sample is unchanged)."""
    fixed = sum((D(a[3]) for a in OLD_ASSETS), ZERO)
    rng = random.Random(f"sample:{v.slug}:opening")
    return fixed, D(fixed * Decimal(str(rng.uniform(0.25, 0.4))))


# ================================================================================================================
# Oversight (sitegen/oversight/supervise.py, review.py, questions.py): cadres and 低保 lists, payments that trip every
# warning rule, approval trails, month reviews, acknowledgements, registries, hotline records and drafts
# ================================================================================================================

AS_OF = FINANCE["as_of"]  # site.yaml oversight.as_of: the day time limits and reports are measured at
OFFICE_SHOP = FIRMS["office_shop"]
NURSERY = FIRMS["nursery"]
BAD_FIRM = (FIRMS["bad_firm"]["name"], FIRMS["bad_firm"]["credit_code"])
# (July, August, September) approval day of each month's finance by the 农经站, in the next month
REVIEW_DAYS = {slug: tuple(days) for slug, days in FINANCE["review_days"].items()}
_EXTRA: dict[str, dict] = {}  # slug -> the invented people below, made once per village


def oversight_people(v: Village) -> dict:
    """Each cadre's spouse and a brother, the village's dishonest labourer (文林村) and the 低保 recipient who died
    (江头村): invented with their own generator so that the rest of the village stays as it was."""
    if v.slug in _EXTRA:
        return _EXTRA[v.slug]
    rng = random.Random(f"sample:{v.slug}:oversight-people")
    people = PeopleFactory(rng, v.spec.groups)
    people.used = set(v.people.used)

    def kin(surname: str, sex: str, born: tuple[int, int]) -> Person:
        while True:
            name = surname + rng.choice(GIVEN_M if sex == "男" else GIVEN_F)
            if name not in people.used:
                return people.person(sex=sex, born=born, name=name)

    relatives = {}
    for c in v.cadres:
        spouse = people.person(
            sex="女" if c.person.sex == "男" else "男", born=(c.person.born.year - 3, c.person.born.year + 3)
        )
        brother = kin(c.person.name[0], "男", (c.person.born.year - 6, c.person.born.year + 6))
        relatives[c.person.name] = [(spouse, "配偶"), (brother, "兄弟")]
    dibao = [h for h in v.households if h.kind == "低保"]
    _EXTRA[v.slug] = {
        "relatives": relatives,
        "labourer": people.person(sex="男", born=(1965, 1980)),
        "deceased": dibao[0].person,
        "died": date(YEAR, 8, 20),
    }
    return _EXTRA[v.slug]


def oversight_vouchers(v: Village, existing: list[Voucher]) -> list[Voucher]:
    """Payments that trip the warning rules a village does not trip by itself (every village already pays its
    road works in instalments over 50,000 元 and reimburses a cadre's travel)."""
    extra = oversight_people(v)
    out: list[Voucher] = []

    def pay(month, day, text, payee, role, amount, detail=None, payee_id=""):
        amt = D(amount)
        out.append(
            Voucher(
                month,
                day,
                text,
                payee,
                [v.dr(role, amt, text, detail), v.cr("bank", amt, text, "基本户")],
                [Attachment("bankslip", {"amount": amt, "payer": v.org, "payee": payee, "purpose": text})],
                tag="oversight",
                payee_id=payee_id,
            )
        )

    if v.slug == "changshou":
        pay(9, 3, "购买村委会办公用品", OFFICE_SHOP, "admin", 1286, "办公费")  # same-day, with the next
        pay(9, 3, "购买打印机硒鼓", OFFICE_SHOP, "admin", 860, "办公费")
        secretary = v.cadres[0].person.name
        brother = extra["relatives"][secretary][1][0]
        pay(8, 20, "支付村部会议室门窗维修费", brother.name, "admin", 3680, "其他", brother.id_no)  # a cadre's brother
    elif v.slug == "jiangtou":
        for day, (batch, amount) in zip((3, 5, 7), (("第一批", 18600), ("第二批", 19800), ("第三批", 16500))):
            pay(8, day, f"支付村庄绿化补植苗木款（{batch}）", NURSERY, "public", amount, "绿化养护")  # split payment
        person = extra["deceased"]
        pay(9, 15, f"发放低保户{person.name}9月份村级生活补贴", person.name, "public", 600, "慰问救助", person.id_no)
    elif v.slug == "wenlin":
        pay(8, 18, "购买村道修补用沥青冷补料", BAD_FIRM[0], "public", 12800, payee_id=BAD_FIRM[1])  # bad enterprise
        labourer = extra["labourer"]
        pay(9, 8, "支付村民小组道路清障劳务费", labourer.name, "public", 2400, "环境卫生", labourer.id_no)  # 失信
    elif v.slug == "hexiang":
        meal = next(x for x in existing if x.tag == "meal")
        meal.trail_gap = ("supervisor", "supervisor_date")  # the 村监委主任 never reviewed it online
    for x in existing:
        if x.tag == "travel":
            x.payee_id = v.cadres[1].person.id_no  # 副书记 reimbursed: a cadre paid, matched by ID
    return out


TRAIL_HEADER = (
    "收款人证件号",
    "经手人",
    "证明人",
    "审批人",
    "监委审核人",
    "监委审核日期",
    "农经审核人",
    "农经审核日期",
)


def trail_cells(v: Village, x: Voucher, day: str) -> tuple:
    """The payee's ID and the approval trail of a payment (empty for money coming in or staying put); online
    reviews only where the money left the bank through E银通."""
    if x.money(v.accounts) >= 0:
        return ("",) * len(TRAIL_HEADER)
    handler = (
        v.off("出纳")
        if x.tag in ("cash", "land", "rent")
        else (v.off("副书记") if x.tag.startswith("works") else v.off("委员"))
    )
    bank = v.accounts["bank"][0]
    online = any(ln.credit and ln.code.startswith(bank) for ln in x.lines)
    cells = {
        "handler": handler,
        "witness": v.off("副主任"),
        "approver": v.off("书记"),
        "supervisor": v.off("监委会主任") if online else "",
        "supervisor_date": day if online else "",
        "township": v.town.agri_reviewer if online else "",
        "township_date": day if online else "",
    }
    for gap in x.trail_gap:
        cells[gap] = ""
    return (x.payee_id,) + tuple(
        cells[k]
        for k in ("handler", "witness", "approver", "supervisor", "supervisor_date", "township", "township_date")
    )


def people_yaml(v: Village) -> list[str]:
    """village.yaml `cadres:` (with relatives) and `allowance_recipients:` (低保对象), for the payment warnings."""
    extra = oversight_people(v)
    lines = [
        "# 村干部及其近亲属、低保对象：用于资金支付预警（收款人是村干部或亲属、已去世的低保对象），不单独公开",
        "cadres:",
    ]
    for c in v.cadres:
        lines += [f"  - name: {c.person.name}", f"    post: {c.role}", f'    id: "{c.person.id_no}"', "    relatives:"]
        lines += [
            f'      - {{name: {p.name}, relation: {rel}, id: "{p.id_no}"}}'
            for p, rel in extra["relatives"][c.person.name]
        ]
    lines.append("allowance_recipients:")
    lines += [f'  - {{name: {h.person.name}, id: "{h.person.id_no}"}}' for h in v.households if h.kind == "低保"]
    return lines


def write_village_oversight(v: Village, vdir: Path) -> None:
    """reviews.yaml (the 农经站's review of each month) and acknowledgements.yaml (the town explains warnings)."""
    days = REVIEW_DAYS[v.slug]
    lines = [f"# 财务月度审核：{v.town.name}农经站对每月记账凭证和收支流水的审核。由 scripts/make_sample.py 生成。"]
    for m, day in zip(MONTHS, days):
        when = date(YEAR, m + 1, day)
        lines.append(
            f"{YEAR}-{m:02d}: {{department: {v.town.dept('财务')}, reviewer: {v.town.agri_reviewer}, "
            f"date: {when.isoformat()}, status: 已通过}}"
        )
    write_text(vdir / "reviews.yaml", "\n".join(lines) + "\n")
    ref = lambda x: f"{YEAR}-{x.month:02d} 记-{x.no}"  # noqa: E731
    acks = []
    travel = next(x for x in v.vouchers if x.tag == "travel")
    acks.append(
        (
            travel,
            "村干部或亲属",
            date(YEAR, 10, 8),
            f"{v.off('副书记')}赴市农业农村局参加培训的交通费报销，车票齐全，属正常公务报销。",
        )
    )
    if v.slug == "changshou":
        works = next(x for x in v.vouchers if x.tag == "works7")
        acks.append(
            (
                works,
                "大额支付",
                date(YEAR, 7, 20),
                f"按施工合同（{v.project_no}）支付30%预付款，经村民代表会议决议，街道农经站已线上审核。",
            )
        )
    if v.slug == "jiangtou":
        for x in (x for x in v.vouchers if x.counterparty == NURSERY):
            acks.append((x, "拆分支付", date(YEAR, 8, 20), "苗木分三批进场，每批验收后按送货单付款，不属于拆分支付。"))
    lines = [f"# {v.town.name}对资金支付预警的说明。由 scripts/make_sample.py 生成。"]
    for x, rule, when, text in acks:
        lines += [
            f"- voucher: {ref(x)}",
            f"  rule: {rule}",
            f"  by: {v.town.dept('财务')}",
            f"  date: {when.isoformat()}",
            f"  explanation: {yscalar(text)}",
        ]
    write_text(vdir / "acknowledgements.yaml", "\n".join(lines) + "\n")


def write_city_oversight(out: Path, villages: list[Village]) -> None:
    """registries/ (bad enterprises, 失信 persons, the death register) and feedback/ (the hotline's records)."""
    by = {v.slug: v for v in villages}

    def table(path: Path, header: tuple, rows: list[tuple]) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))

    rng = random.Random("sample:registries")
    others = PeopleFactory(rng, 20)
    others.used = set().union(*(v.people.used for v in villages))
    table(
        out / "registries" / "不良企业名单.csv",
        ("企业名称", "统一社会信用代码", "列入日期", "列入原因"),
        [
            (BAD_FIRM[0], BAD_FIRM[1], "2026-03-01", "以次充好，被市住建局列入建筑市场不良行为记录"),
            ("江阴市澄南土石方工程有限公司", "91320281MA1R2N8T4C", "2025-11-20", "拖欠农民工工资"),
            ("江阴市绿源园林工程有限公司", "91320281MA1P5K6W9E", "2025-06-01", "围标串标"),
        ],
    )  # a near miss, never paid
    labourer = _EXTRA["wenlin"]["labourer"]
    dishonest = [others.person(born=(1960, 1985)) for _ in range(2)]
    table(
        out / "registries" / "失信人员名单.csv",
        ("姓名", "身份证号", "列入日期", "说明"),
        [(labourer.name, labourer.id_no, "2026-05-12", "失信被执行人：拒不履行民间借贷纠纷判决")]
        + [(p.name, p.id_no, "2025-12-03", "失信被执行人") for p in dishonest],
    )
    deceased = _EXTRA["jiangtou"]["deceased"]
    dead = [others.person(born=(1930, 1945)) for _ in range(2)]
    table(
        out / "registries" / "死亡登记.csv",
        ("姓名", "身份证号", "死亡日期"),
        [(deceased.name, deceased.id_no, _EXTRA["jiangtou"]["died"].isoformat())]
        + [(p.name, p.id_no, f"{YEAR}-0{7 + k}-1{k}") for k, p in enumerate(dead)],
    )

    def vcode(v: Village, x: Voucher) -> str:
        return voucher_code(v.town.slug, v.slug, types.SimpleNamespace(key=f"{YEAR}-{x.month:02d}-{x.no:03d}"))

    def icode(v: Village, folder: str, slug: str, board: str) -> str:
        item = types.SimpleNamespace(
            board=types.SimpleNamespace(name=board, slug=folder),
            where=f"{out.name}/{v.town.slug}/{v.slug}/{folder}/{slug}.md",
        )
        return item_code(item, f"{v.town.slug}/{v.slug}")

    def city_code(folder: str, slug: str, board: str) -> str:  # what the city publishes for every village
        item = types.SimpleNamespace(
            board=types.SimpleNamespace(name=board, slug=folder), where=f"{out.name}/{folder}/{slug}.md"
        )
        return item_code(item, "")

    cs, jt, wl, hx = (by[s] for s in ("changshou", "jiangtou", "wenlin", "hexiang"))
    office = next(x for x in cs.vouchers if x.counterparty == OFFICE_SHOP)
    works8 = next(x for x in cs.vouchers if x.tag == "works8")
    nursery = [x for x in jt.vouchers if x.counterparty == NURSERY]
    firm = next(x for x in wl.vouchers if x.counterparty == BAD_FIRM[0])
    meal = next(x for x in hx.vouchers if x.tag == "meal")
    deceased = _EXTRA["jiangtou"]["deceased"]
    rows = [
        (
            "12345-20260820-0117",
            "2026-08-20",
            f"{vcode(cs, works8)}-2",
            "8月份的工程进度款发票金额和合同对得上吗？",
            "夏港街道农经站",
            "进度款按合同价的40%支付，发票金额与支付金额一致，工程进度确认单已一并公开。",
            "已答复",
            "2026-08-26",
        ),
        (
            "12345-20260812-0342",
            "2026-08-12",
            vcode(jt, nursery[1]),
            "绿化苗木款为什么一个星期里分三次付？",
            "夏港街道农经站",
            "苗木分三批进场，每批验收合格后按送货单付款；街道已核对三批送货单和验收记录。",
            "已答复",
            "2026-08-24",
        ),
        (
            "12345-20260902-0056",
            "2026-09-02",
            icode(jt, "affairs", "2026-07-25-dibao-gongshi", "村务"),
            f"低保名单上的{deceased.name}老人8月份已经去世了，名单和补贴有没有调整？",
            "夏港街道民政办",
            "经核实，该户已于8月去世，已按规定停发低保金，9月份多发的村级生活补贴600元已追回。",
            "已答复",
            "2026-09-28",
        ),
        (
            "12345-20260905-0211",
            "2026-09-05",
            vcode(cs, office),
            "9月3日同一天向文具商店付了两次钱，为什么不一起付？",
            "夏港街道农经站",
            "两笔分别是办公用品和打印机硒鼓，分别开票、分别报销，合计2,146元，属正常支出。",
            "已答复",
            "2026-09-12",
        ),
        (
            "12345-20260915-0388",
            "2026-09-15",
            city_code("policies", "2026-07-02-jiangsu-jiti-zichan", "政策法规"),
            "村里的鱼塘、厂房出租，按这个条例要不要公开招标？",
            "江阴市农业农村局",
            "按条例，村集体资产资源出租应当在镇（街道）农村产权交易平台公开交易，结果在村务公开栏和户户通上公开。",
            "已答复",
            "2026-09-22",
        ),
        (
            "12345-20260910-0498",
            "2026-09-10",
            vcode(wl, firm),
            "宏达建材是不是上了不良企业名单？村里为什么还买他家的材料？",
            "祝塘镇农经站",
            "",
            "办理中",
            "",
        ),
        (
            "12345-20261012-0733",
            "2026-10-12",
            vcode(hx, meal),
            "8月份的用餐费有没有经过村监委审核？",
            "祝塘镇农经站",
            "",
            "办理中",
            "",
        ),
    ]
    table(
        out / "feedback" / "12345-2026.csv",
        ("工单号", "日期", "查询码", "问题", "承办部门", "答复", "状态", "答复日期"),
        rows,
    )
