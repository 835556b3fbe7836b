"""The typed content model: plain data, built by `validate`, read by `links` and `render`; knows nothing of HTML."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sitegen.accounts import Account
from sitegen.errors import Location
from sitegen.taxonomy import Board, Category

Scope = str  # "city" | "town" | "village": who published an item


@dataclass(frozen=True)
class Image:
    """图片 An image file in the content folder that is published (a scan, a basis scan, an item photo)."""

    source: Path   # absolute path of the original, inside the content folder
    where: str     # the clerk's name for it (relative to the content folder's parent)
    name: str      # output file name stem, unique per village (or city/town), ASCII


@dataclass(frozen=True)
class Review:
    """审核 The responsible department's review of an item."""

    department: str = ""
    reviewer: str = ""
    date: date | None = None
    status: str = "pending"  # approved | pending | rejected

    @property
    def status_label(self) -> str:
        return {"approved": "已通过", "pending": "待审核", "rejected": "退回"}[self.status]


@dataclass(frozen=True)
class Basis:
    """依据 The document, resolution or agreement an item rests on, optionally scanned."""

    title: str
    number: str = ""
    scan: Image | None = None


@dataclass
class Item:
    """事项 One published item of a board (党务/村务/财务) or of 制度建设/政策法规."""

    slug: str
    title: str
    date: date
    board: Board
    category: Category | None
    subitem: str
    body: str            # Markdown source, untrusted
    source: Path         # the .md file
    where: str           # clerk's name for the file
    scope: Scope
    basis: Basis | None = None
    images: list[Image] = field(default_factory=list)
    review: Review = field(default_factory=Review)


@dataclass(frozen=True)
class EntryLine:
    """分录 One line of a voucher: an account debited or credited."""

    summary: str
    account: Account
    account_code: str   # as written, may carry sub-account digits
    account_name: str   # as written (may name the sub-account)
    debit: Decimal
    credit: Decimal
    counterparty: str
    where: Location     # file and row, for messages


@dataclass
class Voucher:
    """记账凭证 A journal voucher: balanced lines on one date, with its scans (voucher sheet first)."""

    month: str          # YYYY-MM
    number: int
    label: str          # as written, e.g. 记-12
    date: date
    attachments: int    # 附件张数
    lines: list[EntryLine]
    scans: list[Image] = field(default_factory=list)
    where: Location | None = None  # its first row

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


@dataclass
class LedgerLine:
    """流水 One line of the plain running ledger: the money movement of one voucher."""

    voucher: Voucher
    date: date
    description: str      # the voucher's summary
    purpose: str          # plain words: where the money came from or went
    counterparty: str
    income: Decimal
    expense: Decimal
    balance: Decimal
    transfer: bool = False  # between the village's own cash and bank: neither income nor expense


@dataclass
class LedgerMonth:
    """月小计 A month of the ledger with its subtotals."""

    month: str
    lines: list[LedgerLine]
    opening: Decimal
    income: Decimal
    expense: Decimal
    closing: Decimal


@dataclass
class Ledger:
    """收支流水账 One accounting year of the plain running ledger."""

    year: int
    opening: Decimal
    months: list[LedgerMonth]
    income: Decimal
    expense: Decimal
    closing: Decimal


@dataclass
class Village:
    """行政村 A village: its items, journal and ledger."""

    slug: str
    name: str
    town_slug: str
    intro: str
    opening_balance: Decimal
    items: list[Item] = field(default_factory=list)       # its own items: boards and 制度建设
    vouchers: list[Voucher] = field(default_factory=list)
    ledgers: list[Ledger] = field(default_factory=list)
    where: str = ""

    def items_of(self, board: Board, category: Category | None = None) -> list[Item]:
        return [i for i in self.items if i.board is board and (category is None or i.category is category)]


@dataclass
class Town:
    """镇/街道 A town and its villages, with what it publishes for all of them."""

    slug: str
    name: str
    villages: list[Village] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # 制度建设 and 政策法规 for all its villages


@dataclass
class City:
    """市 The whole site."""

    name: str
    title: str
    hotline: str
    large_amount: Decimal
    towns: list[Town] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # city-wide 制度建设 and 政策法规

    @property
    def villages(self) -> list[Village]:
        return [v for t in self.towns for v in t.villages]
