"""Items for scripts/make_sample.py: the Markdown pages with YAML front matter (docs/content-format.md §4), and
site.yaml / village.yaml.

The city's and towns' items are templates in scripts/sample_data/items_city.yaml and items_town.yaml, a village's
items (its 21 categories of 党务/村务/财务, and its rules) in items_village.yaml: titles, Markdown bodies, bases,
table heads and fixed rows, with {placeholders}. Here `village_items` only draws what each village's items are woven
with (members present, votes, names, figures), in a fixed order of random draws, and `village_item` fills them in.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sample_journal import AS_OF, month_balances, opening_fixed, people_yaml
from sample_world import (
    BANK,
    CITY,
    CONTRACTORS,
    SURNAMES,
    TITLE,
    YEAR,
    ZERO,
    D,
    Town,
    Village,
    comma,
    load_data,
    rmb_upper,
    s2,
    yscalar,
)

# ================================================================================================================
# Items (Markdown with YAML front matter)
# ================================================================================================================

BOARD_OF = {"party": "党务", "affairs": "村务", "finance": "财务"}


@dataclass
class Item:
    folder: str  # party / affairs / finance / rules / policies
    slug: str  # file name without .md (ASCII, starts with the date)
    title: str
    day: date
    body: str
    category: str | None = None
    subitem: str | None = None
    basis: dict | None = None  # title, number, scan (bool: draw a scan of it)
    images: list[tuple[str, dict]] = field(default_factory=list)  # (file name, picture spec)
    review: bool = True
    status: str = "已通过"  # review status; 待审核 / 退回 make a draft (complete_items)
    documents: list[dict] = field(default_factory=list)  # further documents (project stages), each {title: …}

    @property
    def file(self) -> str:
        return f"{self.folder}/{self.slug}.md"


def md_table(head, rows, align: str = "") -> str:
    out = [
        "| " + " | ".join(head) + " |",
        "|"
        + "|".join(
            {"r": " ---: ", "c": " :---: "}.get(align[i] if i < len(align) else "l", " --- ") for i in range(len(head))
        )
        + "|",
    ]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def d(month: int, day: int) -> date:
    return date(YEAR, month, day)


def vote(rng: random.Random, total: int, low: float = 0.82) -> tuple[int, int, int, int]:
    """(应到, 实到, 同意, 弃权) of a meeting: a quorum well above two thirds, no votes against."""
    present = max(int(total * 2 / 3) + 1, int(total * rng.uniform(low, 0.97)))
    abstain = rng.randint(0, max(0, min(4, present // 15)))
    return total, present, present - abstain, abstain


def village_items(v: Village) -> list[Item]:
    rng = random.Random(f"sample:{v.slug}:items")
    spec, town = v.spec, v.town
    sec, dep, vice, mem, cashier, sup = (v.off(k) for k in ("书记", "副书记", "副主任", "委员", "出纳", "监委会主任"))
    S = spec.short
    items: list[Item] = []
    add = items.append
    project = spec.project
    bal = month_balances(v)
    pm = spec.party_members
    # documents several items rest on; each is scanned once into files/
    JUEYI6, CONTRACT, LAND = (village_basis(name, S=S, project=project, v=v) for name in ("JUEYI6", "CONTRACT", "LAND"))

    # ------------------------------------------------------------------------------------------------ 党务
    t, pr, yes, ab = vote(rng, pm, 0.78)
    honoured = [v.people.person(born=(1930, 1952), sex="男").name for _ in range(3)]
    excellent = [v.people.person(born=(1970, 1995)).name for _ in range(4)]
    add(
        village_item(
            "2026-07-01-qiyi-dangri",
            v=v,
            t=t,
            pr=pr,
            sec=sec,
            honoured="、".join(honoured),
            excellent="、".join(excellent),
            spec=spec,
            S=S,
        )
    )

    team = rng.randint(18, 32)
    hazards = rng.randint(5, 11)
    add(
        village_item(
            "2026-07-08-fangxun-bushu",
            town=town,
            sec=sec,
            team=team,
            hazards=hazards,
            fixed=hazards - 1,
            bank_group=rng.randint(2, spec.groups),
            households=rng.randint(20, 40),
            notice_no=rng.randint(40, 60),
        )
    )

    add(
        village_item(
            "2026-08-12-lilun-xuexi",
            pm=pm,
            present=int(pm * rng.uniform(0.8, 0.9)),
            dep=dep,
            vice=vice,
            speaker=rng.choice(excellent),
        )
    )

    dev = [v.people.person(born=(1994, 2002)) for _ in range(2)]
    add(
        village_item(
            "2026-07-10-fazhan-duixiang",
            candidates_table=[
                (
                    p_.name,
                    p_.sex,
                    f"{p_.born.year}年{p_.born.month}月",
                    rng.choice(("大专", "本科")),
                    f"{YEAR - 2}年{rng.randint(3, 11)}月",
                    f"第{rng.randint(1, 4)}党支部",
                )
                for p_ in dev
            ],
            town=town,
            party_phone=rng.randint(100000, 999999),
            office_phone=rng.randint(100000, 999999),
        )
    )

    branches = 4
    counts = [pm // branches + (1 if k < pm % branches else 0) for k in range(branches)]
    fee_rows, fee_total = [], ZERO
    for k in range(branches):
        n = counts[k]
        paid = n - (1 if k == 2 else 0)
        amount = D(paid * rng.uniform(9, 16) * 3)
        fee_total += amount
        fee_rows.append((f"第{k + 1}党支部", n, paid, comma(amount)))
    add(village_item("2026-07-15-dangfei-q2", fee_table=fee_rows, fee_total=comma(fee_total), town=town))

    t, pr, yes, ab = vote(rng, pm, 0.8)
    add(
        village_item(
            "2026-09-15-dangyuan-dahui",
            v=v,
            t=t,
            pr=pr,
            sec=sec,
            project=project,
            town=town,
            yes=yes,
            ab=ab,
            probationer=v.people.person(born=(1990, 2000)).name,
            votes_for=pr - 1,
            S=S,
            spec=spec,
        )
    )

    ditch_group = rng.randint(3, spec.groups)
    visits = rng.randint(260, 480)
    add(
        village_item(
            "2026-08-20-zoubaijia",
            visits=visits,
            suggestions=len(table_rows("2026-08-20-zoubaijia", "issues_table")) + rng.randint(8, 15),
            answered=rng.randint(5, 8),
            mem=mem,
            vice=vice,
            dep=dep,
            cashier=cashier,
            ditch_group=ditch_group,
        )
    )

    add(village_item("2026-08-05-jingshi-jiaoyu", attendees=rng.randint(40, 60), sec=sec, town=town))

    add(
        village_item(
            "2026-07-03-lianzheng-chengnuo",
            spec=spec,
            pledgers="、".join(v.off(k) for k in ("书记", "副书记", "副主任", "委员", "会计")),
        )
    )

    reps_t, reps_p, reps_y, reps_a = vote(rng, spec.reps, 0.84)
    pt, pp, py, pa = vote(rng, pm, 0.78)
    decision_slug = "2026-07-06-gongcheng-juece"
    add(
        village_item(
            "2026-07-06-gongcheng-juece",
            project=project,
            spec=spec,
            budget=comma(D(v.contract_amount * Decimal("1.06"))),
            town=town,
            pt=pt,
            pp=pp,
            py=py,
            pa=pa,
            reps_t=reps_t,
            reps_p=reps_p,
            reps_y=reps_y,
            reps_a=reps_a,
            JUEYI6=JUEYI6,
        )
    )

    truck = D(rng.randrange(118, 168) * 1000)
    t2, p2, y2, a2 = vote(rng, spec.reps, 0.84)
    add(
        village_item(
            "2026-09-18-baojieche-juece", truck=comma(truck), truck_wan=truck / 10000, t2=t2, p2=p2, y2=y2, a2=a2
        )
    )

    elders = [v.people.person(born=(1928, 1945), sex="男") for _ in range(rng.randint(4, 6))]
    add(
        village_item(
            "2026-09-22-laodangyuan-weiwen",
            elders_table=[
                (
                    p_.name,
                    f"{YEAR - p_.born.year - 20 - rng.randint(0, 8)}年",
                    rng.choice((sec, dep, vice)),
                    "500.00",
                )
                for p_ in elders
            ],
            town=town,
        )
    )

    # ------------------------------------------------------------------------------------------------ 村务
    target = D(rng.randrange(260, 520) * 10000)
    add(village_item("2026-07-05-xiabannian-jihua", project=project, lease_end=YEAR + 2, target_wan=target / 10000))

    add(
        village_item(
            "2026-08-28-fazhan-guihua",
            spec=spec,
            project=project,
            contract_wan=v.contract_amount / 10000,
            roof_cost=rng.randint(60, 120),
            farmland_cost=rng.randint(150, 300),
            centre_cost=rng.randint(40, 90),
            town=town,
        )
    )

    rt, rp, ry, ra = vote(rng, spec.reps, 0.85)
    add(village_item("2026-07-20-cungui-minyue", spec=spec, rt=rt, rp=rp, ry=ry, ra=ra, S=S))

    if spec.slug in ("changshou", "wenlin"):
        add(village_item("2026-08-10-hongbai-lishihui", dep=dep, vice=vice))

    hh_rows = []
    for k, h in enumerate(v.households, 1):
        p_ = h.person
        hh_rows.append((k, p_.name, f"{p_.group}组", h.kind, h.members, p_.id_no, p_.mobile, p_.card, comma(h.monthly)))
    add(village_item("2026-07-25-dibao-gongshi", town=town, hh_table=hh_rows, notice_no=rng.randint(20, 40)))

    rel_rows = []
    for k, (p_, a, why) in enumerate(v.relief, 1):
        i = p_.id_no
        idtext = f"{i[:6]} {i[6:14]} {i[14:]}" if k % 3 == 0 else i
        card = " ".join(p_.card[j : j + 4] for j in range(0, len(p_.card), 4)) if k % 2 == 0 else p_.card
        rel_rows.append((k, p_.name, f"{p_.group}组", why, idtext, card, comma(a)))
    total_relief = sum((a for _, a, _ in v.relief), ZERO)
    add(
        village_item(
            "2026-08-16-linshi-jiuzhu",
            town=town,
            households=len(v.relief),
            total_relief=comma(total_relief),
            rel_table=rel_rows,
        )
    )

    fest_rows = [(k, p_.name, f"{p_.group}组", why, comma(a)) for k, (p_, a, why) in enumerate(v.festival, 1)]
    add(
        village_item(
            "2026-09-20-zhongqiu-weiwen",
            fest_table=fest_rows,
            total=comma(sum((a for _, a, _ in v.festival), ZERO)),
        )
    )

    rt, rp, ry, ra = reps_t, reps_p, reps_y, reps_a
    add(
        village_item(
            "2026-07-06-daibiao-huiyi",
            project=project,
            v=v,
            rt=rt,
            rp=rp,
            sup=sup,
            ry=ry,
            ra=ra,
            budget=comma(D(v.contract_amount * Decimal("1.06"))),
            decision_slug=decision_slug,
            JUEYI6=JUEYI6,
            spec=spec,
        )
    )

    lot_rows = [(lot.holder, lot.place, f"{lot.mu}", comma(lot.price), comma(lot.amount), "已交清") for lot in v.lots]
    add(village_item("2026-09-26-fabao-shishi", lot_table=lot_rows, LAND=LAND))

    cad_rows = []
    duties = WORDS["duties"]
    for k, c in enumerate(v.cadres):
        key = list(duties)[k]
        ph = c.person.mobile
        shown = ph if k % 3 != 1 else f"{ph[:3]}-{ph[3:7]}-{ph[7:]}"
        cad_rows.append((c.person.name, c.role, duties[key], shown))
    sup_p = v.supervisor
    cad_rows.append((sup, WORDS["supervisor"]["post"], WORDS["supervisor"]["duty"], sup_p.mobile))
    add(village_item("2026-07-02-ganbu-fengong", cad_table=cad_rows))

    wage_rows = []
    for c in v.cadres:
        p_ = c.person
        wage_rows.append((p_.name, c.role, comma(c.base), comma(c.base * 3), comma(c.insurance * 3), p_.id_no, p_.card))
    add(village_item("2026-09-28-ganbu-baochou", town=town, wage_table=wage_rows, notice_no=rng.randint(3, 12)))

    n_v = len(v.vouchers)
    n_att = sum(len(x.atts) for x in v.vouchers)
    add(
        village_item(
            "2026-09-29-jianweihui-lvzhi",
            sup=sup,
            member1_surname=rng.choice(SURNAMES),
            member2_surname=rng.choice(SURNAMES),
            meetings=rng.randint(5, 8),
            n_v=n_v,
            n_att=n_att,
            remarks=rng.randint(2, 5),
            project=project,
            payments=rng.randint(3, 5),
            sup_p=sup_p,
        )
    )

    add(village_item("2026-09-05-yibao-jiaofei", cashier=cashier, cashier_mobile=v.cadres[5].person.mobile))

    add(village_item("2026-07-12-jinshao-fangni"))

    # ------------------------------------------------------------------------------------------------ 财务
    opening = v.opening_cash + v.opening_bank
    fixed_value = D(rng.randrange(1800, 4200) * 1000)
    depr_value = D(fixed_value * Decimal(str(rng.uniform(0.25, 0.4))))
    fixed_value, depr_value = opening_fixed(v)  # as village.yaml opens the books (the draws above keep the stream)
    receivable = D(rng.randrange(20, 180) * 1000)
    payable = D(rng.randrange(30, 160) * 1000)
    land_mu = sum((lot.mu for lot in v.lots), ZERO)
    add(
        village_item(
            "2026-07-08-jiadi",
            opening=comma(opening),
            cash=comma(v.opening_cash),
            bank=comma(v.opening_bank),
            receivable=comma(receivable),
            fixed_value=comma(fixed_value),
            depr_value=comma(depr_value),
            net_fixed=comma(fixed_value - depr_value),
            assets=comma(opening + receivable + fixed_value - depr_value),
            payable=comma(payable),
            equity=comma(opening + receivable + fixed_value - depr_value - payable),
            spec=spec,
            land_mu=land_mu,
            v=v,
            contracts=rng.randint(12, 30),
        )
    )

    members = spec.population - rng.randint(100, 300)
    dividend = D(rng.choice((300, 400, 500)))
    add(
        village_item(
            "2026-07-18-gufen-fenhong",
            last_year=YEAR - 1,
            v=v,
            members=members,
            dividend=comma(dividend),
            dividend_members=comma(dividend * members),
        )
    )

    bal_rows = [(f"{m}月", comma(o), comma(i), comma(e), comma(c)) for m, o, i, e, c in bal]
    add(village_item("2026-09-30-zijin-yue", bank_account=v.bank_account[-4:], bal_table=bal_rows))

    card_rows = [
        (x.date.isoformat(), f"记-{x.no}", x.summary, x.counterparty, comma(x.total))
        for x in v.vouchers
        if "村务卡" in x.summary
    ]
    add(
        village_item(
            "2026-09-30-cunwuka",
            card_table=card_rows,
            total=comma(sum((D(r[4].replace(",", "")) for r in card_rows), ZERO)),
        )
    )

    add(
        village_item(
            "2026-09-20-xinzeng-guding",
            project=project,
            contract_amount=comma(v.contract_amount),
            paid=comma(D(v.contract_amount * Decimal("0.95"))),
            retention=comma(
                v.contract_amount
                - D(v.contract_amount * Decimal("0.30"))
                - D(v.contract_amount * Decimal("0.40"))
                - D(v.contract_amount * Decimal("0.25"))
            ),
        )
    )

    add(village_item("2026-08-22-zichan-chuzhi", town=town))

    lot_rows = [
        (lot.holder, lot.place, f"{lot.mu}", comma(lot.price), comma(lot.amount), f"{YEAR}.1.1—{YEAR + 2}.12.31")
        for lot in v.lots
    ]
    add(village_item("2026-07-16-tudi-fabao", lease_end=YEAR + 2, lot_table=lot_rows, LAND=LAND))

    add(
        village_item(
            "2026-07-20-changfang-chuzu",
            v=v,
            quarter_rent=comma(v.quarter_rent),
            lease_start=YEAR - 1,
            lease_end=YEAR + 3,
        )
    )

    bidders = [(v.contractor, D(v.contract_amount))]
    for name in CONTRACTORS:
        if name != v.contractor and len(bidders) < 3:
            bidders.append((name, D(v.contract_amount * Decimal(str(rng.uniform(1.02, 1.08))))))
    tender_slug = "2026-07-12-gongcheng-bixuan"
    add(
        village_item(
            "2026-07-12-gongcheng-bixuan",
            project=project,
            town=town,
            bids_table=[(n, comma(a), k) for k, (n, a) in enumerate(sorted(bidders, key=lambda b: b[1]), 1)],
            v=v,
            contract_amount=comma(v.contract_amount),
            JUEYI6=JUEYI6,
        )
    )

    add(
        village_item(
            "2026-07-14-gongcheng-hetong",
            project=project,
            v=v,
            contract_amount=comma(v.contract_amount),
            contract_words=rmb_upper(v.contract_amount),
            tender_slug=tender_slug,
            CONTRACT=CONTRACT,
        )
    )

    progress_slug = "2026-08-18-gongcheng-jindu"
    add(
        village_item(
            "2026-08-18-gongcheng-jindu",
            project=project,
            done_percent=rng.randint(62, 70),
            inspectors=rng.randint(3, 5),
            instalment=comma(D(v.contract_amount * Decimal("0.40"))),
            CONTRACT=CONTRACT,
        )
    )

    extra = D(rng.randrange(30, 90) * 100)
    add(
        village_item(
            "2026-08-25-gongcheng-zengjian",
            project=project,
            culvert_group=rng.randint(2, spec.groups),
            extra=comma(extra),
            reduced=comma(extra),
            CONTRACT=CONTRACT,
        )
    )

    add(
        village_item(
            "2026-09-19-gongcheng-yanshou",
            project=project,
            town=town,
            settlement=comma(D(v.contract_amount * Decimal("1.043"))),
            contract_amount=comma(v.contract_amount),
            paid=comma(D(v.contract_amount * Decimal("0.95"))),
            progress_slug=progress_slug,
        )
    )

    inc_by, exp_by = {}, {}
    for x in v.vouchers:
        net = x.money(v.accounts)
        if net == 0:
            continue
        key = x.summary.replace("2026年度", "").replace("（补交）", "")
        key = key.split("月份")[-1] if "月份" in key else key
        (inc_by if net > 0 else exp_by)[key] = (inc_by if net > 0 else exp_by).get(key, ZERO) + abs(net)
    add(
        village_item(
            "2026-09-30-shouzhi",
            income_table=sorted(((k, comma(a)) for k, a in inc_by.items()), key=lambda r: r[0]),
            expense_table=sorted(((k, comma(a)) for k, a in exp_by.items()), key=lambda r: r[0]),
        )
    )

    meal = next(x for x in v.vouchers if x.tag == "meal")
    add(
        village_item(
            "2026-08-31-yongcan",
            meal_date=meal.date.isoformat(),
            town=town,
            diners=rng.randint(6, 9),
            meal_total=comma(meal.total),
            meal_no=meal.no,
        )
    )

    pay_rows = []
    for c in v.cadres:
        pay_rows.append(
            (
                c.person.name,
                c.role,
                comma(c.base - c.insurance),
                comma(c.base - c.insurance),
                comma(c.base - c.insurance),
                c.person.card,
            )
        )
    add(village_item("2026-09-10-ganbu-gongzi", pay_table=pay_rows))

    sept = [x for x in v.vouchers if x.month == 9]
    by_acct: dict[str, list[Decimal]] = {}
    for x in sept:
        for ln in x.lines:
            key = f"{ln.code[:3]} {ln.name.split('—')[0]}"
            by_acct.setdefault(key, [ZERO, ZERO])
            by_acct[key][0] += ln.debit
            by_acct[key][1] += ln.credit
    rows = [(k, comma(a) if a else "", comma(b) if b else "") for k, (a, b) in sorted(by_acct.items())]
    rows.append(
        ("合计", comma(sum((a for a, _ in by_acct.values()), ZERO)), comma(sum((b for _, b in by_acct.values()), ZERO)))
    )
    add(village_item("2026-09-30-yuebao-09", rows_table=rows, vouchers=len(sept)))

    budget = [(b["line"], rng.randrange(*b["wan"]) * 10000) for b in WORDS["budget"]]
    brows = [(n, comma(D(a)), comma(D(a * rng.uniform(0.62, 0.81))), f"{rng.randint(62, 81)}%") for n, a in budget]
    add(village_item("2026-09-30-yusuan-zhixing", brows_table=brows))

    # ------------------------------------------------------------------------------------------------ 制度建设
    add(village_item("2026-07-01-caiwu-guanli", spec=spec, town=town, S=S))
    if spec.slug in ("jiangtou", "hexiang"):
        add(village_item("2026-07-02-xiaoe-gongcheng", spec=spec, town=town))

    return items


# A village's items (党务/村务/财务): their words in scripts/sample_data/items_village.yaml, by slug; village_items draws
# the figures and names they are woven with, in a fixed order, and passes them in.
VILLAGE = load_data("items_village.yaml")
VILLAGE_ITEMS = {entry["slug"]: entry for entry in VILLAGE["items"]}
WORDS = VILLAGE["words"]  # cell texts the drawing code puts into rows
WHOLE = re.compile(r"^\{=(\w+)\}$")  # "{=name}": the value passed as `name` itself (a basis shared by items)


def _fill(x: Any, values: dict) -> Any:
    """A piece of items_village.yaml with its {placeholders} filled in from `values` (str.format_map)."""
    if isinstance(x, str):
        whole = WHOLE.match(x)
        return values[whole[1]] if whole else x.format_map(values)
    if isinstance(x, list):
        return [_fill(y, values) for y in x]
    if isinstance(x, dict):
        return {k: _fill(y, values) for k, y in x.items()}
    return x


def _basis(basis: Any) -> Any:
    """A basis as Item holds it: its scan (file, picture) a tuple (YAML has lists only)."""
    if isinstance(basis, dict) and isinstance(basis.get("scan"), list):
        return {**basis, "scan": tuple(basis["scan"])}
    return basis


def village_basis(name: str, **values: Any) -> dict:
    """A document several of a village's items rest on (items_village.yaml `bases`)."""
    return _basis(_fill(VILLAGE["bases"][name], {"YEAR": YEAR, **values}))


def table_rows(slug: str, table: str) -> list:
    """The rows items_village.yaml writes out for a table of an item (as templates)."""
    return VILLAGE_ITEMS[slug]["tables"][table]["rows"]


def village_item(slug: str, **values: Any) -> Item:
    """The item of items_village.yaml with this slug, its {placeholders} filled in from `values` (and the year and
    city); each of its `tables` is a Markdown table made from the rows passed under that name."""
    entry = VILLAGE_ITEMS[slug]
    values = {"YEAR": YEAR, "CITY": CITY, "BANK": BANK, "TITLE": TITLE, **values}
    for name, table in entry.get("tables", {}).items():
        rows = _fill(table["rows"], values) if "rows" in table else values[name]
        values[name] = md_table(table["head"], rows, table.get("align", ""))
    fields = {k: _fill(x, values) for k, x in entry.items() if k != "tables"}
    images = [tuple(image) for image in fields.pop("images", [])]  # (file, picture)
    return Item(basis=_basis(fields.pop("basis", None)), images=images, **fields)


def _from_template(entry: dict, values: dict) -> Item:
    """An item of items_city.yaml / items_town.yaml with its {placeholders} filled in (never reviewed)."""
    basis = {k: v.format_map(values) for k, v in entry["basis"].items()} if "basis" in entry else None
    return Item(
        entry["folder"],
        entry["slug"],
        entry["title"].format_map(values),
        entry["date"],
        entry["body"].format_map(values),
        basis=basis,
        review=False,
    )


def town_items(town: Town) -> list[Item]:
    """The town's own policies and rules (the same texts for every town)."""
    rng = random.Random(f"sample:{town.slug}:items")
    values = {
        "city": CITY,
        "year": YEAR,
        "town": town.name,
        "gov": town.gov,
        "short": town.short,
        "number": rng.randint(30, 60),
    }
    return [_from_template(entry, values) for entry in load_data("items_town.yaml")]


def city_items() -> list[Item]:
    """The city-wide policies and rules."""
    values = {"city": CITY, "year": YEAR, "bank": BANK}
    return [_from_template(entry, values) for entry in load_data("items_city.yaml")]


# ================================================================================================================
# Writing files
# ================================================================================================================

SUBITEMS = load_data("subitems.yaml")  # the site's 小项 table (board -> category -> subitems)


def front_matter(it: Item, town: Town | None) -> str:
    """YAML front matter in the style of docs/content-format.md §4; checked by reading it back."""
    data: dict = {"title": it.title, "date": it.day}
    if it.category:
        data["category"] = it.category
    if it.subitem:
        data["subitem"] = it.subitem
    if it.basis:
        b = {"title": it.basis["title"]}
        if it.basis.get("number"):
            b["number"] = it.basis["number"]
        if it.basis.get("scan"):
            b["scan"] = f"../files/{it.basis['scan'][0]}"
        data["basis"] = b
    if it.images:
        data["images"] = [f"../files/{name}" for name, _ in it.images]
    if it.documents:
        data["documents"] = it.documents
    if it.review and town is not None:
        board = BOARD_OF.get(it.folder) or ("财务" if any(k in it.title for k in ("财务", "工程")) else "村务")
        when = it.day + timedelta(days=random.Random(f"sample:review:{it.file}").randint(1, 3))
        data["review"] = {
            "department": town.dept(board),
            "reviewer": town.reviewer(board),
            "date": when,
            "status": it.status,
        }
        if it.status == "待审核":  # not reviewed yet: nobody has signed it
            data["review"] = {"department": town.dept(board), "status": it.status}
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):  # documents: one mapping per line
            lines.append(f"{key}:")
            lines += ["  - {" + ", ".join(f"{k}: {yscalar(x)}" for k, x in entry.items()) + "}" for entry in value]
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {yscalar(x)}" for k, x in value.items()]
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(yscalar(x) for x in value)}]")
        else:
            lines.append(f"{key}: {yscalar(value)}")
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != data:
        raise AssertionError(f"front matter of {it.file} does not read back")
    return text


def write_item(folder: Path, it: Item, town: Town | None) -> None:
    path = folder / it.file
    path.parent.mkdir(parents=True, exist_ok=True)
    body = it.body if it.body.endswith("\n") else it.body + "\n"
    path.write_bytes(("---\n" + front_matter(it, town) + "---\n" + body).encode("utf-8"))


def site_yaml() -> str:
    lines = [
        "# 全市配置（示例内容，人名、单位、号码均为虚构）。由 scripts/make_sample.py 生成，请勿手工修改。",
        f"city: {CITY}",
        f"title: {yscalar(TITLE)}",
        'hotline: "12345"',
        'feedback_url: "https://12345.jiangyin.example/ask?code={code}"   # 我有疑问的二维码（虚构地址）',
        "new_accounts_from: 2024",
        'large_amount: "100000"',
        "subitems:",
    ]
    for board, cats in SUBITEMS.items():
        lines.append(f"  {board}:")
        lines += [f"    {cat}: [{', '.join(names)}]" for cat, names in cats.items()]
    lines += [
        "oversight:   # 资金支付预警、审核和群众疑问（docs/content-format.md §2）",
        '  large_payment: "50000"',
        "  split_days: 7",
        "  answer_days: 15",
        f"  as_of: {AS_OF.isoformat()}",
        "  review_required: true",
    ]
    return "\n".join(lines) + "\n"


def village_yaml(v: Village) -> str:
    fixed, depr = opening_fixed(v)
    bank = f"{v.accounts['bank'][1]}—基本户" if v.spec.detail_codes else v.accounts["bank"][1]
    lines = [
        f"name: {v.name}",
        f"intro: {yscalar(v.spec.intro)}",
        f"opening_balances:   # {YEAR}年7月1日（记账开始前）各账户的余额 (docs/content-format.md §3)",
        f'  {v.accounts["cash"][1]}: "{s2(v.opening_cash)}"',
        f'  {bank}: "{s2(v.opening_bank)}"',
        f'  {v.accounts["fixed"][1]}: "{s2(fixed)}"   # 资产登记簿 A-01、A-02 的原值',
        f'  {v.accounts["depr"][1]}: "{s2(depr)}"',
    ]
    if v.spec.detail_codes:
        lines.append('accounting_system: "2024"')
    lines += people_yaml(v)  # cadres and 低保 recipients (oversight)
    return "\n".join(lines) + "\n"


def complete_items(v: Village, items: list[Item]) -> list[Item]:
    """Name a basis for the items that lack one (one 村务 item in 长寿村 is left without, so `sitegen check`
    has something to list), the documents of each project stage (河湘村's acceptance report is missing), and add
    two drafts: a 村务 item awaiting review and a 财务 item sent back."""
    generic = {
        "party": f"{v.name}党委会议决定",
        "affairs": f"{v.name}村民委员会会议决定",
        "finance": f"{v.name}记账凭证及会计账簿",
    }
    bare = [it for it in items if it.basis is None and it.folder in generic]
    for it in bare:
        if not (v.slug == "changshou" and it is [b for b in bare if b.folder == "affairs"][-1]):
            it.basis = {"title": generic[it.folder]}
    stage_docs = {
        "招投标": "比选成交通知书",
        "进度": "工程进度款支付确认单",
        "增减项目": "工程变更签证单",
        "验收": "竣工验收报告",
    }
    for it in items:
        if (
            it.category == "工程项目"
            and it.subitem in stage_docs
            and not (v.slug == "hexiang" and it.subitem == "验收")
        ):
            it.documents = [{"title": stage_docs[it.subitem]}]
    if v.slug == "changshou":
        items.append(
            Item(
                "affairs",
                "2026-09-28-sijidu-yiti",
                "2026年第四季度村民代表会议议题（征求意见稿）",
                d(9, 28),
                "拟提请第四季度村民代表会议讨论：\n\n1. 2027年村级公益事业项目安排；\n2. 村规民约修订草案；\n"
                "3. 集体厂房续租方案。\n\n欢迎村民提出意见建议。\n",
                "村民会议及实施",
                "村民代表会议决议",
                basis={"title": f"{v.name}村民委员会会议决定"},
                status="待审核",
            )
        )
    if v.slug == "wenlin":
        items.append(
            Item(
                "finance",
                "2026-09-29-cunwuka-gengzheng",
                "9月份村务卡使用明细（更正）",
                d(9, 29),
                "更正9月份村务卡使用明细中一笔用餐费的金额。\n",
                "资金",
                "村务卡",
                basis={"title": f"{v.name}记账凭证及会计账簿"},
                status="退回",
            )
        )
    return items
