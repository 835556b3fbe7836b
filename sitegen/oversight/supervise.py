"""Stage 2b, oversight (监督): payment warnings (资金支付预警), the township's acknowledgements, and the rest of
the supervision data (registries, basis checks, hotline questions), run after validation on the whole city.

A payment is a voucher that moves money out of the village's cash and bank (`ledger.money_movement` < 0); its
payee is the voucher's counterparty (往来单位), with the optional 收款人证件号 column. The rules, as the Jiangyin
E银通 system raises them, with thresholds from site.yaml `oversight:` (config.OversightConfig):

- large-payment: a single payment over `large_payment` (50,000 元; exactly 50,000 does not warn);
- same-day: one payee paid more than once on one day;
- split-payment: one payee's payments within `split_days` consecutive days that add up to over `split_total`
  while each stays at or under `large_payment`;
- bad-enterprise / dishonest: the payee is on the city's bad-enterprise or 失信 list (registries.py), and the
  payment was made on or after the day it was listed;
- cadre: the payee is one of this village's cadres or their close relatives (village.yaml `cadres:`);
- deceased-recipient: the payee is on this village's 低保 list and the death register records their death
  before the payment;
- trail: a step of the approval trail is missing (经手人, 证明人, 审批人 on paper; for money leaving the bank
  also the online reviews by the 村监委主任 and the township 农经站, with dates).

People match by normalised name or by ID / unified social credit code (registries.norm_*): when both sides
carry an ID, the IDs decide, so a namesake with another ID is not a match. Each warning says what matched.
The township explains a warning in the village's acknowledgements.yaml; the explanation is published with it.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol

from sitegen.content.config import OversightConfig, check_keys, get_date, get_text
from sitegen.content.errors import Location, Problem, Report
from sitegen.content.load import RawContent, RawDoc
from sitegen.content.model import (
    Acknowledgement,
    Cadre,
    City,
    PaymentWarning,
    Question,
    Relative,
    Town,
    Village,
    Voucher,
)
from sitegen.content.money import ZERO, yuan
from sitegen.finance.ledger import money_movement
from sitegen.oversight import questions, review
from sitegen.oversight.attach import attached, village_key
from sitegen.oversight.registries import KINDS, Registries, norm_id, norm_name, read_registries
from sitegen.oversight.reviewers import check_village, town_departments

# rule -> (title in plain words, other names a township clerk may write in acknowledgements.yaml)
RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "large-payment": ("单笔大额支付", ("大额支付", "单笔大额", "单笔超5万")),
    "same-day": ("同一天多次付给同一收款人", ("同日多次", "同日多笔", "一天多次")),
    "split-payment": ("疑似拆分支付", ("拆分支付", "拆分")),
    "bad-enterprise": ("收款方在不良企业名单上", ("不良企业",)),
    "dishonest": ("收款人在失信人员名单上", ("失信人员", "失信")),
    "cadre": ("收款人是本村干部或其亲属", ("村干部", "干部亲属", "村干部亲属", "村干部或亲属")),
    "deceased-recipient": ("付款给已去世的低保对象", ("已故低保户", "已死亡低保户", "死亡低保户")),
    "trail": ("付款审批手续不全", ("审批不全", "审批手续不全")),
}
ACK_KEYS = ("voucher", "rule", "by", "date", "explanation")
_SPLIT_NAMES = re.compile(r"[、，,；;／/]")


@dataclass(frozen=True, slots=True)
class Payee:
    name: str  # as written
    id: str  # as written, may be ""


@dataclass(frozen=True, slots=True)
class Payment:
    """付款 A voucher that moves money out of cash and bank, with who was paid."""

    voucher: Voucher
    amount: Decimal
    payees: tuple[Payee, ...]
    from_bank: bool  # money left a bank account (paid through E银通): online reviews are required

    @property
    def payee(self) -> str:
        return "、".join(p.name for p in self.payees)

    @property
    def key(self) -> str:
        """Who was paid, for the same-day and split rules: the ID if there is one, else the normalised name."""
        if len(self.payees) == 1:
            p = self.payees[0]
            return f"id:{norm_id(p.id)}" if p.id else f"name:{norm_name(p.name)}"
        return "+".join(sorted(norm_name(p.name) for p in self.payees))


def payments(village: Village) -> list[Payment]:
    out = []
    for v in village.vouchers:
        net = money_movement(v)
        if net is None or net >= 0:
            continue
        payees: dict[str, Payee] = {}
        for ln in v.lines:
            names = [n.strip() for n in _SPLIT_NAMES.split(ln.counterparty) if n.strip()]
            for name in names:
                known = payees.get(norm_name(name))
                pid = ln.payee_id if len(names) == 1 else ""
                if known is None or (pid and not known.id):
                    payees[norm_name(name)] = Payee(known.name if known else name, pid)
        from_bank = any(ln.credit and ln.account.is_money and ln.account.name == "银行存款" for ln in v.lines)
        out.append(Payment(v, -net, tuple(payees.values()), from_bank))
    return out


def match(name: str, pid: str, other_name: str, other_id: str, id_label: str | None = None) -> str | None:
    """What matched, in words, or None. IDs decide when both sides have one. `id_label`: what the ID is called,
    by default told from the IDs (_id_label), and only when they match (oversight runs on every payment)."""
    if pid and other_id:
        if norm_id(pid) != norm_id(other_id):
            return None
        return f"{id_label or _id_label(other_id or pid)} {other_id} 一致"
    if norm_name(name) and norm_name(name) == norm_name(other_name):
        return f"姓名（名称）“{other_name}”一致，没有证件号可以核对"
    return None


def _id_label(pid: str) -> str:
    digits = norm_id(pid)
    return "身份证号" if len(digits) in (15, 18) and digits[:17].isdigit() else "统一社会信用代码"


class _People:
    """The village's cadres and their relatives by ID and by name, so that a payee is looked up, not compared with
    each of them (payments x people `match` calls a village). `first` gives whom `match` would match first, trying
    each cadre, then that cadre's relatives, in the order listed: by the IDs when both sides have one, else by the
    names (norm_name), as `match` decides."""

    def __init__(self, cadres: Sequence[Cadre]):
        self.listed: list[tuple[Cadre, Relative | None]] = []
        self.by_id: dict[str, int] = {}  # norm_id -> the first listed with that ID
        self.by_name: dict[str, int] = {}  # norm_name -> the first listed with that name (with an ID or not)
        self.by_name_no_id: dict[str, int] = {}  # ... of those without an ID
        for cadre in cadres:
            self._add(cadre, None, cadre.name, cadre.id)
            for relative in cadre.relatives:
                self._add(cadre, relative, relative.name, relative.id)

    def _add(self, cadre: Cadre, relative: Relative | None, name: str, pid: str) -> None:
        n = len(self.listed)
        self.listed.append((cadre, relative))
        named = norm_name(name)
        if pid:
            self.by_id.setdefault(norm_id(pid), n)
        elif named:
            self.by_name_no_id.setdefault(named, n)
        if named:
            self.by_name.setdefault(named, n)

    def first(self, name: str, pid: str) -> tuple[Cadre, Relative | None] | None:
        if not self.listed:
            return None
        named = norm_name(name)
        if pid:  # an ID decides against those with one; a name, against those without
            found = [n for n in (self.by_id.get(norm_id(pid)), self.by_name_no_id.get(named)) if n is not None]
        else:
            found = [self.by_name[named]] if named and named in self.by_name else []
        return self.listed[min(found)] if found else None


class _Rules:
    def __init__(self, village: Village, registries: Registries, config: OversightConfig):
        self.village, self.registries, self.config = village, registries, config
        self.found: list[PaymentWarning] = []
        self.people = _People(village.cadres)

    def warn(self, p: Payment, rule: str, message: str, group: list[Payment] | None = None) -> None:
        others = tuple(q.voucher for q in group or [] if q.voucher is not p.voucher)
        self.found.append(PaymentWarning(rule, RULES[rule][0], message, p.voucher, p.payee, p.amount, others=others))

    def run(self, pays: list[Payment]) -> list[PaymentWarning]:
        for p in pays:
            self.large(p)
            self.lists(p)
            self.cadres(p)
            self.deceased(p)
            self.trail(p)
        self.same_day(pays)
        self.split(pays)
        order = {r: n for n, r in enumerate(RULES)}
        return sorted(self.found, key=lambda w: (w.voucher.date, w.voucher.month, w.voucher.number, order[w.rule]))

    def large(self, p: Payment) -> None:
        if p.amount > self.config.large_payment:
            self.warn(
                p, "large-payment", f"单笔支付 {yuan(p.amount)} 元，超过 {yuan(self.config.large_payment)} 元的预警线。"
            )

    def same_day(self, pays: list[Payment]) -> None:
        groups: dict[tuple, list[Payment]] = defaultdict(list)
        for p in pays:
            if p.payees:
                groups[(p.voucher.date, p.key)].append(p)
        for (day, _), group in groups.items():
            if len(group) < 2:
                continue
            listed = "、".join(f"{q.voucher.label} {yuan(q.amount)} 元" for q in group)
            for p in group:
                self.warn(
                    p, "same-day", f"{day.isoformat()} 同一天向“{p.payee}”付款 {len(group)} 次：{listed}。", group
                )

    def split(self, pays: list[Payment]) -> None:
        """Each payment's heaviest window of `split_days` consecutive days that adds up to over the threshold."""
        limit, days, total = self.config.large_payment, self.config.split_days, self.config.split_total
        by_payee: dict[str, list[Payment]] = defaultdict(list)
        for p in pays:
            if p.payees and p.amount <= limit:
                by_payee[p.key].append(p)
        for group in by_payee.values():
            windows = []
            for i, first in enumerate(group):
                window = [q for q in group[i:] if (q.voucher.date - first.voucher.date).days < days]
                amount = sum((q.amount for q in window), ZERO)
                if len(window) >= 2 and amount > total:
                    windows.append((window, amount))
            for p in group:
                # (`p in w` as list membership has it, cheaply: payments of other amounts are never equal)
                mine = [(w, a) for w, a in windows if any(q is p or q.amount == p.amount and q == p for q in w)]
                if not mine:
                    continue
                window, amount = max(mine, key=lambda wa: (wa[1], -group.index(wa[0][0])))
                listed = "、".join(
                    f"{q.voucher.date.isoformat()} {q.voucher.label} {yuan(q.amount)} 元" for q in window
                )
                self.warn(
                    p,
                    "split-payment",
                    f"{days} 天之内向“{p.payee}”付款 {len(window)} 笔，每笔都不超过 {yuan(limit)} 元，合计 "
                    f"{yuan(amount)} 元，超过 {yuan(total)} 元：{listed}。",
                    window,
                )

    def lists(self, p: Payment) -> None:
        for kind, rule in (("bad-enterprise", "bad-enterprise"), ("dishonest", "dishonest")):
            title = KINDS[kind][1]
            for payee in p.payees:
                for entry in self.registries.of(kind):
                    if entry.date and p.voucher.date < entry.date:
                        continue  # paid before the payee was listed
                    how = match(
                        payee.name,
                        payee.id,
                        entry.name,
                        entry.id,
                        "统一社会信用代码" if kind == "bad-enterprise" else None,
                    )
                    if how:
                        since = f"；{entry.date.isoformat()} 列入" if entry.date else ""
                        note = f"；列入原因：{entry.note}" if entry.note else ""
                        self.warn(p, rule, f"收款方“{payee.name}”在{title}上：{how}{since}{note}。")
                        break

    def cadres(self, p: Payment) -> None:
        """A payee who is one of the village's cadres or their relatives: the first of them, in the order listed
        (each cadre, then their relatives), that `match` matches, found by its ID and name (_People)."""
        for payee in p.payees:
            found = self.people.first(payee.name, payee.id)
            if found is None:
                continue
            cadre, relative = found
            post = cadre.post or "村干部"
            if relative is None:
                how = match(payee.name, payee.id, cadre.name, cadre.id)
                self.warn(p, "cadre", f"收款人“{payee.name}”是本村{post}：{how}。")
            else:
                how = match(payee.name, payee.id, relative.name, relative.id)
                relation = relative.relation or "亲属"
                self.warn(p, "cadre", f"收款人“{payee.name}”是本村{post}{cadre.name}的{relation}：{how}。")

    def deceased(self, p: Payment) -> None:
        for payee in p.payees:
            for person in self.village.allowance_recipients:
                how = match(payee.name, payee.id, person.name, person.id)
                if not how:
                    continue
                pid = person.id or payee.id
                for death in self.registries.of("death"):
                    died = match(person.name, pid, death.name, death.id)
                    if died and death.date and p.voucher.date > death.date:
                        self.warn(
                            p,
                            "deceased-recipient",
                            f"收款人“{payee.name}”是本村低保对象，死亡登记记载其已于 {death.date.isoformat()} "
                            f"去世，这笔钱是在那以后支付的。低保名单：{how}；死亡登记：{died}。",
                        )
                        return

    def trail(self, p: Payment) -> None:
        missing = [step for step in p.voucher.trail.missing if p.from_bank or not step.endswith("线上审核")]
        if missing:
            self.warn(p, "trail", f"这笔付款的审批手续还缺：{'、'.join(missing)}。")


def payment_warnings(village: Village, registries: Registries, config: OversightConfig) -> list[PaymentWarning]:
    return _Rules(village, registries, config).run(payments(village))


# ---- acknowledgements ---------------------------------------------------------------------------------------


def rule_code(text: str) -> str | None:
    t = norm_name(text)
    for code, (title, aliases) in RULES.items():
        if t == code or t == norm_name(title) or t in (norm_name(a) for a in aliases):
            return code
    return None


def find_voucher(village: Village, text: str) -> Voucher | None:
    """'2026-07 记-8' (or 2026-07 8, 2026-07-008): the month, then the voucher's number."""
    m = re.match(r"^\s*(\d{4})-(\d{1,2})(.*?)(\d+)\D*$", text)
    if not m:
        return None
    month, number = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}", int(m.group(4))
    return next((v for v in village.vouchers if v.month == month and v.number == number), None)


def acknowledge(
    village: Village, warnings: list[PaymentWarning], doc: RawDoc | None, report: Report
) -> list[PaymentWarning]:
    """acknowledgements.yaml: a list of {voucher, rule, by, date, explanation}; the village's warnings with each
    explanation given to the warnings it names (new warnings: those given are left as they were)."""
    out = list(warnings)
    if doc is None:
        return out
    where = Location(doc.where)
    if not isinstance(doc.data, list):
        report.error(
            "bad-value",
            where,
            key="acknowledgements",
            detail="应当是一个列表，每条说明一项：- voucher: …",
            detail_en="expected a list, one '- voucher: …' per acknowledgement",
        )
        return out
    for entry in doc.data:
        if not isinstance(entry, dict):
            report.error("yaml-not-mapping", where)
            continue
        if not check_keys(entry, ACK_KEYS, ("voucher", "rule", "explanation"), where, report):
            continue
        ref, rule_text = get_text(entry, "voucher", where, report), get_text(entry, "rule", where, report)
        voucher = find_voucher(village, ref)
        rule = rule_code(rule_text)
        if voucher is None:
            report.error("ack-voucher", where, value=ref)
        if rule is None:
            report.error("ack-rule", where, value=rule_text, choices="、".join(t for t, _ in RULES.values()))
        if voucher is None or rule is None:
            continue
        ack = Acknowledgement(
            get_text(entry, "by", where, report),
            get_date(entry, "date", where, report),
            get_text(entry, "explanation", where, report),
        )
        hits = [n for n, w in enumerate(out) if w.voucher is voucher and w.rule == rule]
        if not hits:
            report.warning("ack-unused", where, voucher=f"{voucher.month} {voucher.label}", rule=RULES[rule][0])
        for n in hits:
            out[n] = replace(out[n], acknowledgement=ack)
    return out


# ---- the stage ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Findings:
    """What oversight finds in a validated city, referring to its vouchers and items (attach.attached puts it
    into a new city)."""

    warnings: dict[str, list[PaymentWarning]]  # "town/village" -> its payment warnings, in voucher order
    questions: list[Question]  # every hotline record, in date order
    # the villages gone through this run, whose findings a memo may keep (no error among them), and the key of
    # what they were made from besides each village (`inputs`)
    made: dict[str, VillageFindings] = field(default_factory=dict)
    key: str = ""


@dataclass(frozen=True, slots=True)
class VillageFindings:
    """What oversight finds in one village on its own: its payment warnings (acknowledged), and the problems its
    acknowledgements, its items' basis and its reviews gave, each list in the order reported. Made from the
    village, its acknowledgements.yaml and reviews.yaml, its town's and the site's settings, the registries and
    sitegen's code only (no rule compares villages: the same-day and split rules look at one village's payments),
    so a village remembered unchanged with the same registries and settings has the same findings
    (FindingsMemo)."""

    warnings: list[PaymentWarning]
    acknowledged: list[Problem]
    basis: list[Problem]
    reviews: list[Problem]


class FindingsMemo(Protocol):
    """What oversight asks of the memo of validated villages (validate/memo.py): a village's findings kept with
    `key` (what oversight reads besides the village: `inputs`), or None (oversee); `keep_findings` keeps those
    just made with the village as oversight left it (`supervised`: its warnings attached, no question; supervise).
    """

    def findings(self, village: Village, key: str) -> VillageFindings | None: ...

    def keep_findings(self, village: Village, key: str, findings: VillageFindings, supervised: Village) -> None: ...


def inputs(registries: Registries, config: OversightConfig) -> str:
    """What every village's findings are made from besides the village and its town's settings: each registry
    entry as the rules read it (the `where` of an entry is not in a warning), and the oversight settings."""
    h = hashlib.sha256(repr(config).encode("utf-8", "surrogateescape"))
    for e in registries.entries:
        h.update(repr((e.kind, e.name, e.id, e.date, e.note)).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


class Oversight:
    """监督 One run's oversight, a village at a time (issue 14: what crosses villages is small, so a village can
    be gone through in its turn and dropped): `village` gives each village's findings from that village, its raw
    acknowledgements and reviews, its town's settings and the run's registries alone; `finish` then reports every
    problem in the order a whole run reports them (the villages' acknowledgements, the city's, towns' and villages'
    basis checks, each town's review settings with its villages' reviews) from the villages' names alone; nothing
    of a village is held here once it is gone through (its warnings go with it). The
    hotline records are read after it (oversee: their targets are every item and voucher of the city). `city`:
    the validated city's settings (its villages are not read here); `memo`, as oversee takes it."""

    def __init__(self, raw: RawContent, city: City, report: Report, memo: FindingsMemo | None = None):
        self.config = city.oversight or OversightConfig()
        self.raw, self.report, self.memo = raw, report, memo
        # the registries' problems are reported at `finish`, first: where a whole run reports them, after
        # validation, even when the villages are gone through as they are validated (pipeline.check_stored)
        read = Report()
        self.registries = read_registries(raw.registries, read)
        self.registry_problems = read.problems
        self.key = inputs(self.registries, self.config)
        self.raw_towns = {t.slug: t for t in raw.towns}
        self.raw_villages = {(t.slug, v.slug): v for t in raw.towns for v in t.villages}
        # "town/village" -> its findings' problems, in the city's order: not its warnings, which name its vouchers
        # (the caller keeps them with the village: a village gone through holds nothing of it here)
        self.known: dict[str, VillageFindings] = {}
        self.made: set[str] = set()  # the villages gone through this run (not recalled from the memo)
        self.allowed: dict[str, tuple[dict[str, list[str]], list[Problem]]] = {}  # town -> reviewers, problems
        # the city's settings alone (town_departments reads them): none of its items or villages held here
        self.settings = replace(city, towns=[], items=[], questions=[], oversight=self.config)

    def village(self, village: Village, town: Town) -> VillageFindings:
        """The findings of `village` (of `town`), recalled from the memo or made now; reported at `finish`."""
        name = village_key(village.town_slug, village.slug)
        recalled = self.memo.findings(village, self.key) if self.memo is not None else None
        if recalled is not None:
            self.known[name] = replace(recalled, warnings=[])
            return recalled
        raw_village = self.raw_villages.get((village.town_slug, village.slug))
        acked, basis, reviews = Report(), Report(), Report()
        warnings = acknowledge(
            village,
            payment_warnings(village, self.registries, self.config),
            raw_village.acknowledgements if raw_village else None,
            acked,
        )
        review.check_items_basis(village.items, basis)
        check_village(village, self.town(town)[0], raw_village.reviews if raw_village else None, reviews)
        self.made.add(name)
        found = VillageFindings(warnings, acked.problems, basis.problems, reviews.problems)
        self.known[name] = replace(found, warnings=[])
        return found

    def town(self, town: Town) -> tuple[dict[str, list[str]], list[Problem]]:
        """Who may review each board in `town` (town_departments), and the problems its town.yaml gave, once."""
        if town.slug not in self.allowed:
            mine = Report()
            allowed = town_departments(self.raw_towns.get(town.slug), town, self.settings, mine)
            self.allowed[town.slug] = (allowed, mine.problems)
        return self.allowed[town.slug]

    def finish(self, city: City, villages: Sequence[str] | None = None) -> Findings:
        """Every village's problems reported, in a whole run's order (each village of `city` gone through before:
        only their names are read here; `villages`: their "town/village" in the city's order when `city` holds
        none, the villages gone through and dropped); the findings without the villages' warnings (`village` gave
        them) and the hotline's questions (oversee reads them)."""
        report = self.report
        report.problems.extend(self.registry_problems)
        names = [village_key(v.town_slug, v.slug) for v in city.villages] if villages is None else list(villages)
        for name in names:
            report.problems.extend(self.known[name].acknowledged)
        for items in [city.items] + [t.items for t in city.towns]:
            review.check_items_basis(items, report)
        for name in names:
            report.problems.extend(self.known[name].basis)
        by_town: dict[str, list[str]] = {}
        for name in names:
            by_town.setdefault(name.split("/", 1)[0], []).append(name)
        for town in city.towns:
            report.problems.extend(self.town(town)[1])
            for name in by_town.get(town.slug, []):
                report.problems.extend(self.known[name].reviews)
        kept = {
            name: self.known[name]
            for name in names
            if name in self.made and not any(p.severity == "error" for p in _problems(self.known[name]))
        }
        return Findings({}, [], kept, self.key)


def oversee(
    raw: RawContent,
    city: City,
    report: Report,
    memo: FindingsMemo | None = None,
    codes: Mapping[int, str] | None = None,
) -> Findings:
    """Everything oversight finds in a validated city, which it does not change; problems go to the report
    like any content problem. `memo`: each village's findings as made before (FindingsMemo): only the villages
    it has none for are gone through (their findings given to it); `codes`: refcode.assign(city) when the
    caller has it (the hotline records' targets). (Oversight, a village at a time.)"""
    run = Oversight(raw, city, report, memo)
    warnings = {
        village_key(v.town_slug, v.slug): run.village(v, town).warnings for town in city.towns for v in town.villages
    }
    found = run.finish(city)
    if city.oversight is None:
        city = replace(city, oversight=run.config)  # (a copy: the questions' time limit is read from it)
    return replace(found, warnings=warnings, questions=questions.read(raw.feedback, city, report, codes))


def _problems(found: VillageFindings) -> list[Problem]:
    return [*found.acknowledged, *found.basis, *found.reviews]


def supervise(
    raw: RawContent,
    city: City,
    report: Report,
    memo: FindingsMemo | None = None,
    codes: Mapping[int, str] | None = None,
) -> City:
    """The validated city with what oversight finds (oversee) attached: a new city, `city` is left as it was.
    Each village's warnings are on it and on their vouchers; each hotline question on the item or voucher it is
    about, on its village (a village's own item or voucher) and, all of them, on the city. `memo`, `codes`: as
    oversee takes them."""
    found = oversee(raw, city, report, memo, codes)
    mine: dict[str, list[Question]] = {}
    for q in found.questions:
        if q.village:
            mine.setdefault(village_key(q.town, q.village), []).append(q)
    new = attached(
        replace(city, oversight=city.oversight or OversightConfig()),
        lambda thing: thing.draft,
        found.warnings,
        mine,
        found.questions,
    )
    if memo is not None and found.made:
        # each village gone through kept as oversight leaves it, without the hotline's questions (read every run;
        # an error among its findings: gone through again next time, like a village with errors is validated)
        before = {village_key(v.town_slug, v.slug): v for v in city.villages}
        for village in new.villages:
            name = village_key(village.town_slug, village.slug)
            if name in found.made:
                memo.keep_findings(before[name], found.key, found.made[name], _unasked(village, new))
    return new


def _unasked(village: Village, city: City) -> Village:
    """`village` (of the supervised `city`) without the hotline's questions on it, its items and vouchers."""
    if (
        not village.questions
        and not any(t.questions for t in village.items)
        and not any(v.questions for v in village.vouchers)
    ):
        return village
    alone = replace(city, items=[], questions=[], towns=[Town(village.town_slug, "", [village])])
    return attached(
        alone, lambda thing: thing.draft, {village_key(village.town_slug, village.slug): village.warnings}, {}, []
    ).villages[0]
