"""The sample city's world for scripts/make_sample.py: its data (scripts/sample_data/*.yaml), money and
identifier helpers, invented villagers, and each village's shared facts (cadres, households, land, tenants).

The words and numbers live in the YAML files; this module gives them types. Every random draw comes from a
generator seeded by name ("sample:<village>:people" …), so the output is the same on every run.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "sample_data"
sys.path.insert(0, str(REPO))  # sitegen's chart of accounts, when run as a script

from sitegen.content.accounts import by_name


def load_data(name: str):
    """One file of scripts/sample_data/, parsed."""
    return yaml.safe_load((DATA / name).read_text("utf-8"))


WORLD = load_data("world.yaml")
FIRMS = load_data("firms.yaml")
NAMES = load_data("people.yaml")
ACCOUNTS = load_data("accounts.yaml")
FINANCE = load_data("finance.yaml")

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SYSTEM = ACCOUNTS["system"]  # 《农村集体经济组织会计制度》财会〔2023〕14号, applies to 2026

# ================================================================================================================
# Small helpers: money, Chinese amounts, identifiers
# ================================================================================================================


def D(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def s2(amount: Decimal) -> str:
    """'1200.00' as in the journal."""
    return f"{amount.quantize(CENT):.2f}"


def comma(amount: Decimal) -> str:
    """'12,345.60' as printed on forms."""
    return f"{amount.quantize(CENT):,.2f}"


_UPPER = "零壹贰叁肆伍陆柒捌玖"


def _upper_int(n: int) -> str:
    units = ("", "万", "亿", "万亿")
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out = ""
    pending_zero = False
    for gi in range(len(groups) - 1, -1, -1):
        g = groups[gi]
        if g == 0:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or g < 1000):
            out += "零"
        part, zero = "", False
        for digit, unit in zip(f"{g:04d}", ("仟", "佰", "拾", "")):
            d = int(digit)
            if d == 0:
                zero = bool(part)
            else:
                if zero:
                    part += "零"
                    zero = False
                part += _UPPER[d] + unit
        out += part + units[gi]
        pending_zero = False
    return out


def rmb_upper(amount: Decimal) -> str:
    """人民币大写: Decimal('12004.50') -> '壹万贰仟零肆元伍角整'."""
    cents = int((amount.quantize(CENT) * 100).to_integral_value())
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    out = _upper_int(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return (out or "零元") + "整"
    if jiao:
        out += _UPPER[jiao] + "角"
    elif yuan:
        out += "零"
    out += _UPPER[fen] + "分" if fen else "整"
    return out


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check(first17: str) -> str:
    """GB 11643 check character of a citizen identity number."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix + str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_complete(number[:-1]) == number


_MOBILE_PREFIXES = tuple(NAMES["mobile_prefixes"])
_CARD_BINS = tuple((prefix, length) for prefix, length in NAMES["card_bins"])
SURNAMES = NAMES["surnames"]
GIVEN_M = tuple(NAMES["given_male"])
GIVEN_F = tuple(NAMES["given_female"])


@dataclass
class Person:
    name: str
    sex: str  # 男 / 女
    born: date
    id_no: str
    mobile: str
    card: str
    group: int  # 村民小组

    @property
    def age(self) -> int:
        return 2026 - self.born.year - ((self.born.month, self.born.day) > (9, 1))


class PeopleFactory:
    """Invented villagers with valid-looking (check-digit-correct) identifiers, unique names per village."""

    def __init__(self, rng: random.Random, groups: int):
        self.rng = rng
        self.groups = groups
        self.used: set[str] = set()
        self.seq = 0

    def person(
        self,
        sex: str | None = None,
        born: tuple[int, int] = (1940, 1990),
        name: str | None = None,
        group: int | None = None,
    ) -> Person:
        rng = self.rng
        sex = sex or rng.choice("男女")
        while name is None or name in self.used:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_M if sex == "男" else GIVEN_F)
        self.used.add(name)
        birth = date(rng.randint(*born), rng.randint(1, 12), rng.randint(1, 28))
        seq = rng.randint(10, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "男" else (0, 2, 4, 6, 8))
        first17 = f"320281{birth:%Y%m%d}{seq:03d}"
        mobile = rng.choice(_MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"
        bin_, length = rng.choice(_CARD_BINS)
        card = luhn_complete(bin_ + "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 1)))
        return Person(
            name,
            sex,
            birth,
            first17 + id_check(first17),
            mobile,
            card,
            group if group is not None else rng.randint(1, self.groups),
        )


def masked_card(card: str) -> str:
    """How a careful clerk prints a card number on a paper list (the scans are not masked by sitegen)."""
    return card[:4] + "*" * (len(card) - 8) + card[-4:]


# ================================================================================================================
# The sample world: city, towns, villages
# ================================================================================================================

CITY = WORLD["city"]
TITLE = WORLD["title"]
YEAR = WORLD["year"]
MONTHS = tuple(WORLD["months"])
BANK = WORLD["bank"]


@dataclass
class Town:
    slug: str
    name: str
    short: str  # 夏港 / 祝塘, used in document numbers (澄夏发〔2026〕…)
    gov: str  # 江阴市人民政府夏港街道办事处
    party: str  # 中共江阴市夏港街道工作委员会
    org_reviewer: str  # 组织办
    civil_reviewer: str  # 民政办
    agri_reviewer: str  # 农经站
    finance_office: str  # 财政所 (pays subsidies)

    def dept(self, board: str) -> str:
        return self.name + {"党务": "组织办", "村务": "民政办", "财务": "农经站"}[board]

    def reviewer(self, board: str) -> str:
        return {"党务": self.org_reviewer, "村务": self.civil_reviewer, "财务": self.agri_reviewer}[board]


@dataclass
class VillageSpec:
    town: str
    slug: str
    name: str
    short: str  # one character for document numbers: 长党〔2026〕5号
    encoding: str  # journal CSV encoding: utf-8, utf-8-sig or gb18030
    officials: dict  # role -> name
    groups: int
    households: int
    population: int
    area_km2: str
    farmland_mu: int
    party_members: int
    reps: int  # 村民代表
    intro: str
    project: str  # this quarter's road works
    project_place: str
    detail_codes: bool = False  # write sub-account codes (10201 …) in the journal


TOWNS = tuple(Town(**t) for t in WORLD["towns"])
VILLAGES = tuple(VillageSpec(**v) for v in WORLD["villages"])
TOWN_BY_SLUG = {t.slug: t for t in TOWNS}

CONTRACTORS = tuple(FIRMS["contractors"])
RESTAURANTS = tuple(FIRMS["restaurants"])
TENANTS = tuple(FIRMS["tenants"])
FARMS = tuple(FIRMS["farms"])
POWER = FIRMS["power"]
WATER = FIRMS["water"]
GIFT_SHOPS = tuple(FIRMS["gift_shops"])


# ================================================================================================================
# Accounts: codes come from sitegen.accounts (the 2024 chart), looked up by official name
# ================================================================================================================

ROLE_NAMES = ACCOUNTS["roles"]
# Sub-accounts (明细科目) used by the village that writes detail codes.
DETAILS = {(role, detail): code for role, details in ACCOUNTS["details"].items() for detail, code in details.items()}


def load_accounts() -> dict[str, tuple[str, str]]:
    """role -> (code, official name) from sitegen.accounts; fails loudly if the chart lacks a name."""
    out = {}
    for role, name in ROLE_NAMES.items():
        account = by_name(SYSTEM, name)
        if account is None:
            raise SystemExit(
                f"make_sample: the {SYSTEM} chart in sitegen/content/accounts.py has no account named {name}"
            )
        out[role] = (account.code, account.name)
    return out


# ================================================================================================================
# A village: its journal's records, its people, land and tenant
# ================================================================================================================


@dataclass
class Line:
    code: str
    name: str
    debit: Decimal
    credit: Decimal
    summary: str
    role: str


@dataclass
class Attachment:
    kind: str  # invoice, receipt, list, contract, bankslip, notice, cheque, table, approval, tickets
    data: dict


@dataclass
class Voucher:
    month: int
    day: int
    summary: str
    counterparty: str
    lines: list[Line]
    atts: list[Attachment]
    extra: list[Attachment] = field(default_factory=list)  # scans beyond 附件张数 (e.g. the E银通 slip)
    no: int = 0
    tag: str = ""
    payee_id: str = ""  # 收款人证件号 (oversight: matched against registries and cadres)
    trail_gap: tuple[str, ...] = ()  # approval steps left out on purpose (trail_cells)

    @property
    def date(self) -> date:
        return date(YEAR, self.month, self.day)

    @property
    def total(self) -> Decimal:
        return sum((ln.debit for ln in self.lines), ZERO)

    def money(self, accounts) -> Decimal:
        codes = (accounts["cash"][0], accounts["bank"][0])
        return sum((ln.debit - ln.credit for ln in self.lines if ln.code[:3] in codes), ZERO)


@dataclass
class Cadre:
    person: Person
    role: str
    base: Decimal  # monthly basic pay
    insurance: Decimal  # personal social insurance withheld monthly


@dataclass
class Household:
    person: Person
    members: int
    monthly: Decimal
    kind: str  # 低保 / 特困 / 低保边缘


@dataclass
class LandLot:
    holder: str  # farm or person
    contact: Person
    place: str
    mu: Decimal
    price: Decimal
    due_month: int

    @property
    def amount(self) -> Decimal:
        return D(self.mu * self.price)


@dataclass
class Village:
    spec: VillageSpec
    town: Town
    rng: random.Random
    people: PeopleFactory
    accounts: dict
    org: str = ""
    committee: str = ""
    party_org: str = ""
    cadres: list[Cadre] = field(default_factory=list)
    cleaners: list[tuple[Person, Decimal]] = field(default_factory=list)
    leaders: list[tuple[Person, str]] = field(default_factory=list)  # 小组长 with their group
    households: list[Household] = field(default_factory=list)
    relief: list[tuple[Person, Decimal, str]] = field(default_factory=list)
    festival: list[tuple[Person, Decimal, str]] = field(default_factory=list)
    lots: list[LandLot] = field(default_factory=list)
    tenant: str = ""
    tenant_area: int = 0
    quarter_rent: Decimal = ZERO
    contractor: str = ""
    contract_amount: Decimal = ZERO
    project_no: str = ""
    opening_cash: Decimal = ZERO
    opening_bank: Decimal = ZERO
    vouchers: list[Voucher] = field(default_factory=list)
    credit_code: str = ""
    bank_account: str = ""
    supervisor: Person | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def full(self) -> str:
        return f"{CITY}{self.town.name}{self.spec.name}"

    def off(self, role: str) -> str:
        return self.spec.officials[role]

    def acct(self, role: str, detail: str | None = None) -> tuple[str, str]:
        code, name = self.accounts[role]
        if self.spec.detail_codes and detail and (role, detail) in DETAILS:
            return code + DETAILS[(role, detail)], f"{name}—{detail}"
        if self.spec.detail_codes and role == "bank":
            return code + "01", f"{name}—基本户"
        return code, name

    def dr(self, role: str, amount: Decimal, summary: str, detail: str | None = None) -> Line:
        code, name = self.acct(role, detail)
        return Line(code, name, D(amount), ZERO, summary, role)

    def cr(self, role: str, amount: Decimal, summary: str, detail: str | None = None) -> Line:
        code, name = self.acct(role, detail)
        return Line(code, name, ZERO, D(amount), summary, role)


def _cents(rng: random.Random, lo: float, hi: float) -> Decimal:
    return D(rng.randint(int(lo * 100), int(hi * 100)) / 100)


def build_village(spec: VillageSpec, accounts: dict) -> Village:
    """Everything about one village that the items, the journal and the scans share."""
    rng = random.Random(f"sample:{spec.slug}:people")
    v = Village(spec, TOWN_BY_SLUG[spec.town], rng, PeopleFactory(rng, spec.groups), accounts)
    town = v.town
    v.org = f"{CITY}{town.name}{spec.name}股份经济合作社"
    v.committee = f"{CITY}{town.name}{spec.name}村民委员会"
    v.party_org = f"中共{CITY}{town.name}{spec.name}委员会"
    v.credit_code = "N2320281MF" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    v.bank_account = "3202810" + "".join(str(rng.randint(0, 9)) for _ in range(12))
    idx = [s.slug for s in VILLAGES].index(spec.slug)

    for key, title, base, ins in NAMES["cadre_posts"]:
        name = spec.officials[key]
        sex = "女" if name[-1] in "英娟芬华燕红敏萍珍" or key in ("副主任", "出纳") else "男"
        p = v.people.person(sex=sex, born=(1968, 1990), name=name)
        v.cadres.append(Cadre(p, title, D(base + rng.choice((0, 100, 200))), D(ins)))
    v.supervisor = v.people.person(sex="男", born=(1955, 1965), name=spec.officials["监委会主任"])

    for _ in range(rng.randint(8, 11)):
        v.cleaners.append((v.people.person(born=(1956, 1970)), D(rng.choice(NAMES["cleaner_wages"]))))
    v.cleaners.sort(key=lambda c: c[0].group)
    for g in range(1, spec.groups + 1):
        v.leaders.append((v.people.person(sex="男", born=(1955, 1975), group=g), "组长"))
        v.leaders.append((v.people.person(sex="女", born=(1958, 1980), group=g), "妇女小组长"))
    for _ in range(rng.randint(6, 8)):
        kind = rng.choice(("低保", "低保", "低保", "特困", "低保边缘"))
        members = 1 if kind == "特困" else rng.randint(1, 4)
        monthly = {"低保": members * rng.choice((960, 1040, 1085)), "特困": 1410, "低保边缘": members * 270}[kind]
        v.households.append(Household(v.people.person(born=(1940, 1975)), members, D(monthly), kind))
    v.households.sort(key=lambda h: (h.person.group, h.person.name))
    reasons = NAMES["relief_reasons"]
    for _ in range(rng.randint(4, 6)):
        v.relief.append(
            (v.people.person(born=(1945, 1985)), D(rng.choice((1000, 1500, 2000, 3000))), rng.choice(reasons))
        )
    fest = [(h.person, D(500), f"{h.kind}户") for h in v.households]
    for _ in range(rng.randint(3, 5)):
        fest.append((v.people.person(born=(1940, 1950)), D(300), "高龄独居老人"))
    v.festival = fest

    places = FINANCE["land_places"]
    for i in range(3):
        holder = FARMS[idx] if i == 0 else None
        contact = v.people.person(sex="男", born=(1962, 1985))
        lot = LandLot(
            holder or contact.name,
            contact,
            f"{rng.randint(1, spec.groups)}组{places[(idx + i) % len(places)]}",
            D(rng.choice(FINANCE["land_mu"])),
            D(rng.choice(FINANCE["land_price"])),
            7 if i < 2 else 9,
        )
        v.lots.append(lot)
    v.tenant = TENANTS[idx]
    v.tenant_area = rng.choice((2400, 3200, 3600, 4800))
    v.quarter_rent = D(v.tenant_area * rng.choice((15, 16, 18)) * 3)
    v.contractor = CONTRACTORS[idx]
    v.contract_amount = D(rng.randrange(1580, 2860) * 100)
    v.project_no = f"{town.short}{spec.short}工〔2026〕{rng.randint(2, 6)}号"
    v.opening_cash = _cents(rng, 2300, 4800)
    v.opening_bank = D(rng.randrange(420, 980) * 1000 + rng.randint(0, 99999) / 100)
    return v


# ================================================================================================================
# Writing helpers
# ================================================================================================================


def yscalar(value) -> str:
    """One YAML scalar as PyYAML writes it (quoted only where needed)."""
    text = yaml.safe_dump(value, allow_unicode=True, width=1_000_000)
    for end in ("\n...\n", "\n"):
        if text.endswith(end):
            text = text[: -len(end)]
            break
    return text


def write_text(path: Path, text: str) -> None:
    """UTF-8, LF, parents made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
