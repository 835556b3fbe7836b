"""The typed content model: plain data, built by `validate`, read by `links` and `render`; knows nothing of HTML."""

from __future__ import annotations

import dataclasses
import datetime
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sitegen.content.accounts import Account
from sitegen.content.errors import Location
from sitegen.content.taxonomy import Board, Category

Scope = str  # "city" | "town" | "village": who published an item


@dataclass(frozen=True, slots=True)
class Image:
    """图片 An image file in the content folder that is published (a scan, a basis scan, an item photo)."""

    source: Path  # absolute path of the original, inside the content folder
    where: str  # the clerk's name for it (relative to the content folder's parent)
    name: str  # output file name stem, unique per village (or city/town), ASCII
    # From the header check (assets.probe), so pages and tiles are planned before decoding: the size of each
    # page as shown (a TIFF or PDF has several, each published as its own scan); () when not probed.
    pages: tuple[tuple[int, int], ...] = ()
    line_art: bool = False  # PNG or bilevel: published as PNG


@dataclass(frozen=True, slots=True)
class Review:
    """审核 The responsible department's review of an item."""

    department: str = ""
    reviewer: str = ""
    date: date | None = None
    status: str = "pending"  # approved | pending | rejected
    recorded: bool = True  # False: no review was written at all (see review.py for what that means)

    @property
    def status_label(self) -> str:
        return {"approved": "已通过", "pending": "待审核", "rejected": "退回"}[self.status]


@dataclass(frozen=True, slots=True)
class Basis:
    """依据 The document, resolution or agreement an item rests on, optionally scanned."""

    title: str
    number: str = ""
    scan: Image | None = None


# ---- oversight (监督): people the payment warnings look for, approval trails, warnings, villagers' questions ----
# Built by validate (people, trails); warnings, questions and draft marks are derived (supervise.py, questions.py,
# review.py) and put on a new city (attach.py): the validated city's lists of them stay empty.


@dataclass(frozen=True, slots=True)
class Relative:
    """亲属 A village cadre's close relative (village.yaml `cadres: … relatives:`)."""

    name: str
    relation: str = ""
    id: str = ""  # ID number, or the unified social credit code of their company; optional


@dataclass(frozen=True, slots=True)
class Cadre:
    """村干部 A village cadre with their close relatives (village.yaml `cadres:`)."""

    name: str
    post: str = ""
    id: str = ""
    relatives: tuple[Relative, ...] = ()


@dataclass(frozen=True, slots=True)
class Recipient:
    """低保对象 A recipient of the minimum living allowance (village.yaml `allowance_recipients:`)."""

    name: str
    id: str = ""


@dataclass(frozen=True, slots=True)
class ApprovalTrail:
    """审批流程 A payment's approval: signed on paper by 经手人, 证明人, 审批人, then reviewed online (E银通) by the
    village supervisory committee chair (村监委主任) and the township 农经 office, each with a date."""

    handler: str = ""  # 经手人
    witness: str = ""  # 证明人
    approver: str = ""  # 审批人
    supervisor: str = ""  # 村监委主任
    supervisor_date: date | None = None
    township: str = ""  # 镇农经站审核人
    township_date: date | None = None

    @property
    def steps(self) -> list[tuple[str, str, date | None]]:
        """(step, who, when) in the order the money is released."""
        return [
            ("经手人", self.handler, None),
            ("证明人", self.witness, None),
            ("审批人", self.approver, None),
            ("村监委主任线上审核", self.supervisor, self.supervisor_date),
            ("镇农经站线上审核", self.township, self.township_date),
        ]

    @property
    def missing(self) -> list[str]:
        """Steps not done; an online review needs both the reviewer and the date."""
        return [step for step, who, when in self.steps if not who or (step.endswith("线上审核") and when is None)]

    @property
    def recorded(self) -> bool:
        return any(who or when for _, who, when in self.steps)


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """说明 The township's explanation of one warning on one payment (acknowledgements.yaml)."""

    by: str
    date: date | None
    explanation: str


@dataclass(frozen=True, slots=True)
class PaymentWarning:
    """资金支付预警 One warning rule hit by one payment, in plain words; public on the ledger line and voucher."""

    rule: str  # oversight.RULES key
    title: str  # the rule in a few plain words
    message: str  # what matched, in plain words
    voucher: Voucher
    payee: str
    amount: Decimal  # the payment (money out of cash and bank)
    acknowledgement: Acknowledgement | None = None
    # the other payments its message names (same day, split): it is public only when all of them are (review.py)
    others: tuple[Voucher, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    """群众疑问 A villager's question from the hotline records (feedback/) and the department's reply."""

    ticket: str  # 工单号
    date: date
    code: str  # the reference code it is about (refcode.py)
    question: str
    department: str
    reply: str
    reply_date: datetime.date | None  # not `date`: inside this class that names the field above
    answered: bool
    status: str  # plain words: 已答复 / 办理中 / 超过时限未答复 / 逾期答复
    overdue: bool  # unanswered past the time limit, or answered after it
    where: Location
    target: Any = None  # the Item or Voucher it is about
    subject: str = ""  # what it is about, in words (the item's title, the voucher's number and summary)
    town: str = ""  # slug of the town it belongs to ("" for the city)
    village: str = ""  # slug of the village it belongs to ("" for a town or city item)


@dataclass(frozen=True, slots=True)
class Item:
    """事项 One published item of a board (党务/村务/财务) or of 制度建设/政策法规."""

    slug: str
    title: str
    date: date
    board: Board
    category: Category | None
    subitem: str
    body: str  # Markdown source, untrusted
    source: Path  # the .md file
    where: str  # clerk's name for the file
    scope: Scope
    basis: Basis | None = None
    images: list[Image] = field(default_factory=list)
    review: Review = field(default_factory=Review)
    documents: list[Basis] = field(default_factory=list)  # 文件: further documents (project stages)
    questions: list[Question] = field(default_factory=list)  # villagers' questions about it
    draft: bool = False  # not approved: only in `sitegen build --preview`, marked 草稿
    author: str = ""  # 填报人: who wrote it up; may not also review it (reviewers.py)


@dataclass(frozen=True, slots=True)
class EntryLine:
    """分录 One line of a voucher: an account debited or credited."""

    summary: str
    account: Account
    account_code: str  # as written, may carry sub-account digits
    account_name: str  # as written (may name the sub-account)
    debit: Decimal
    credit: Decimal
    counterparty: str
    where: Location  # file and row, for messages
    ref: str = ""  # 关联: finance table rows this line belongs to, e.g. 项目:P2026-01 (checked in finance.py)
    payee_id: str = ""  # 收款人证件号: ID number or unified social credit code of the counterparty, optional


@dataclass(slots=True)
class Voucher:
    """记账凭证 A journal voucher: balanced lines on one date, with its scans (voucher sheet first)."""

    month: str  # YYYY-MM
    number: int
    label: str  # as written, e.g. 记-12
    date: date
    attachments: int  # 附件张数
    lines: list[EntryLine]
    scans: list[Image] = field(default_factory=list)
    where: Location = Location("")  # its first row (always given: a message needs a place)
    trail: ApprovalTrail = field(default_factory=ApprovalTrail)  # a payment's approval trail
    warnings: list[PaymentWarning] = field(default_factory=list)  # oversight.py
    questions: list[Question] = field(default_factory=list)  # questions.py
    draft: bool = False  # its month's finance is not approved: only in `sitegen build --preview`

    @property
    def key(self) -> str:
        return f"{self.month}-{self.number:03d}"

    @property
    def summary(self) -> str:
        return self.lines[0].summary if self.lines else ""

    @property
    def debit_total(self) -> Decimal:
        return sum((ln.debit for ln in self.lines), Decimal("0.00"))

    @property
    def credit_total(self) -> Decimal:
        return sum((ln.credit for ln in self.lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """流水 One line of the plain running ledger: the money movement of one voucher."""

    voucher: Voucher
    date: date
    description: str  # the voucher's summary
    purpose: str  # plain words: where the money came from or went
    counterparty: str
    income: Decimal
    expense: Decimal
    balance: Decimal
    transfer: bool = False  # between the village's own cash and bank: neither income nor expense


@dataclass(frozen=True, slots=True)
class LedgerMonth:
    """月小计 A month of the ledger with its subtotals."""

    month: str
    lines: list[LedgerLine]
    opening: Decimal
    income: Decimal
    expense: Decimal
    closing: Decimal

    @property
    def label(self) -> str:
        """The month as a villager says it (7月), for the ledger's jump-to-month row."""
        return f"{int(self.month.rsplit('-', 1)[-1])}月"


@dataclass(frozen=True, slots=True)
class Ledger:
    """收支流水账 One accounting year of the plain running ledger."""

    year: int
    opening: Decimal
    months: list[LedgerMonth]
    income: Decimal
    expense: Decimal
    closing: Decimal


@dataclass(slots=True)
class Village:
    """行政村 A village: its items, journal and ledger."""

    slug: str
    name: str
    town_slug: str
    intro: str
    opening_balance: Decimal  # cash and bank together before the first journal line (the ledger's opening)
    items: list[Item] = field(default_factory=list)  # its own items: boards and 制度建设
    vouchers: list[Voucher] = field(default_factory=list)
    ledgers: list[Ledger] = field(default_factory=list)
    where: str = ""
    finance: Any = None  # finance.Finance: the finance tables (finance/tables/), None when there are none
    opening_accounts: list[Any] = field(default_factory=list)  # finance.Opening per account (opening_balances)
    cadres: list[Cadre] = field(default_factory=list)  # village.yaml, for the payee warnings
    allowance_recipients: list[Recipient] = field(default_factory=list)  # village.yaml, 低保对象
    month_reviews: dict[str, Review] = field(default_factory=dict)  # reviews.yaml: YYYY-MM -> 农经站 review
    warnings: list[PaymentWarning] = field(default_factory=list)  # oversight.py, in voucher order
    questions: list[Question] = field(default_factory=list)  # questions.py, in date order
    # 待审核 months of the journal left out of the build (review.publish): named on the finance pages
    pending_months: list[str] = field(default_factory=list)

    def items_of(self, board: Board, category: Category | None = None) -> list[Item]:
        return [i for i in self.items if i.board is board and (category is None or i.category is category)]


@dataclass(frozen=True, slots=True)
class VillageListing:
    """村目录 A village as the city's and towns' pages and the build's bookkeeping read it, without its model: its folder
    (`town`, `slug`), name, `where` (its village.yaml), how many items and vouchers it publishes, where its items'
    pages are (`item_paths`: source -> page path, what a Markdown link into it resolves against; kept packed,
    `pages`: pack_pages), and what tells whether its pages can be carried over (`codes`: a hash of its items' and
    vouchers' reference codes in order; `outside`: the files it publishes from outside its folder;
    reuse.fingerprints), and the rows review.queue gives of its records as validated that are not approved
    (`queued`, review.QueueRow: `sitegen check`'s list of what will not be published reads them here, restoring no
    village). What reads every village of a city (which villages there are, the town pages' tiles, the verdict's
    count) reads this, so that a run need not hold every village's model to the end (issue 14: memory at any size)."""

    town: str
    slug: str
    name: str
    where: str
    items: int
    vouchers: int
    pages: bytes = b""
    codes: str = ""
    outside: tuple[str, ...] = ()
    queued: tuple[Any, ...] = ()

    @property
    def item_paths(self) -> tuple[tuple[Path, str], ...]:
        """(source, page path) of each of its items, made again from `pages` when asked (the build's plan asks once)."""
        if not self.pages:
            return ()
        fields = zlib.decompress(self.pages).decode("utf-8", "surrogateescape").split("\0")
        return tuple((Path(source), page) for source, page in zip(fields[::2], fields[1::2], strict=True))

    @property
    def key(self) -> str:
        """ "town/village": how the build names a village (its folder under the content and output folders)."""
        return f"{self.town}/{self.slug}"


def pack_pages(item_paths: tuple[tuple[Path, str], ...]) -> bytes:
    """A village's (source, page path) of each item as a listing keeps them (VillageListing.pages): one compressed
    run of text (a path holds no NUL), not a `Path` and a string an item. Every listing is held from the check to
    the build's end: a seed-scale village's ~100 items held ~25 KiB as pairs, ~2 KiB so (issue 14)."""
    if not item_paths:
        return b""
    text = "\0".join(f"{source}\0{page}" for source, page in item_paths)
    return zlib.compress(text.encode("utf-8", "surrogateescape"))


def listing_of(village: Village) -> VillageListing:
    """The counts of `village` as it is (validated, or published: drafts out); its name and place."""
    return VillageListing(
        village.town_slug, village.slug, village.name, village.where, len(village.items), len(village.vouchers)
    )


def listings(city: City) -> list[VillageListing]:
    """The listing of every village of `city`, in the city's order (its towns', each town's villages')."""
    return [listing_of(v) for v in city.villages]


@dataclass(slots=True)
class Town:
    """镇/街道 A town and its villages, with what it publishes for all of them."""

    slug: str
    name: str
    villages: list[Village] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # 制度建设 and 政策法规 for all its villages


@dataclass(slots=True)
class City:
    """市 The whole site."""

    name: str
    title: str
    hotline: str
    large_amount: Decimal
    towns: list[Town] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # city-wide 制度建设 and 政策法规
    oversight: Any = None  # config.OversightConfig (site.yaml `oversight:`), set by validate
    questions: list[Question] = field(default_factory=list)  # every hotline record, in date order (questions.py)
    feedback_url: str = ""  # site.yaml `feedback_url`: where a 我有疑问 QR code leads ({code} filled in); "" none
    public_url: str = ""  # site.yaml `public_url`: where the phone site is served (the 公开栏's QR codes); "" none
    # site.yaml `subitems` (board name -> category name -> sub-item names): the order sub-item pages list them in
    subitems: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def villages(self) -> list[Village]:
        return [v for t in self.towns for v in t.villages]


# ---- derived values (读取一次，其余推导): the validated city is never changed; each later step returns a new one ----


def with_villages(city: City, change: Callable[[Village], Village]) -> City:
    """A new city whose villages are `change(village)`; towns and the city copied around them, the rest shared."""
    towns = [replace(t, villages=[change(v) for v in t.villages]) for t in city.towns]
    return replace(city, towns=towns)


class Rebuild:
    """Copies of a model's objects with some of them swapped (`swap`: id(old) -> its new object): a dataclass,
    list, tuple or dict that holds a swapped object, directly or further down, is copied with the new one in its
    place; everything else is shared, never copied. Each object is rebuilt once (the same old object gives the
    same new object wherever it is held), so identity inside the new model is as it was in the old one: what
    refers to a voucher (a warning, a finance table row, a question) refers to the new voucher. The old model is
    left as it was. Swapped objects are not looked into: their fields are the caller's to fill."""

    def __init__(self, swap: dict[int, Any]):
        self.swap = swap
        self.done: dict[int, tuple[object, object]] = {}  # id(old) -> (old, kept alive so the id is not reused; new)
        self.busy: set[int] = set()

    def __call__(self, obj: Any) -> Any:
        key = id(obj)
        if key in self.swap:
            return self.swap[key]
        if key in self.done:
            return self.done[key][1]
        if isinstance(obj, (str, bytes, int, float, Decimal, datetime.date, Path)) or obj is None:
            return obj
        if key in self.busy:  # a cycle that does not pass through a swapped object: cannot be copied
            raise ValueError(f"a cycle through {type(obj).__name__} that no swapped object breaks")
        self.busy.add(key)
        new: Any = obj
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes = {}
            for f in dataclasses.fields(obj):
                old = getattr(obj, f.name)
                value = self(old)
                if value is not old:
                    changes[f.name] = value
            new = replace(obj, **changes) if changes else obj
        elif isinstance(obj, (list, tuple)):
            values = [self(x) for x in obj]
            if any(a is not b for a, b in zip(values, obj)):
                new = type(obj)(values) if type(obj) in (list, tuple) else type(obj)(*values)
        elif isinstance(obj, dict):
            entries = {k: self(x) for k, x in obj.items()}
            if any(entries[k] is not x for k, x in obj.items()):
                new = type(obj)(entries)
        self.busy.discard(key)
        self.done[key] = (obj, new)
        return new
