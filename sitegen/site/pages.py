"""The page kinds (页面种类) the planner makes: one dataclass per page template, its fields exactly the variables
that template shows.

`Page` is what every page has: where it is (`path`), its title and crumbs, what its 我有疑问 panel is about
(`subject`) and the vouchers it lists (`listed`), both recorded by the planner (plan.py), and the panel and the
ledger lines' codes feedback.plan attaches (`ask`, `refs`). A kind adds its template's own variables as typed
fields; `Page.context` hands them to its template (render.py). tests/test_pages.py reads every template and
fails on a variable its kind does not give or a field its template never reads, so a typo is caught there, not
mid-render on some page. The templates reach the frame (crumbs, title, home) through `page`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field, fields
from decimal import Decimal
from typing import ClassVar

from sitegen.content.model import (
    Basis,
    Item,
    Ledger,
    LedgerLine,
    LedgerMonth,
    PaymentWarning,
    Question,
    Town,
    Village,
    Voucher,
)
from sitegen.content.taxonomy import BOARDS, POLICIES, RULES
from sitegen.images.renditions import Picture
from sitegen.site.finance_pages import Section

_BOARD_SLUGS = frozenset(b.slug for b in (*BOARDS, RULES, POLICIES))

# Template variables render.render_theme passes to every page itself: no page kind may have a field of these names.
RENDER_NAMES = frozenset({"page", "city", "url", "body"})

PANEL = "ask"  # the 我有疑问 panel's id: the button's #fragment (feedback.py)


@dataclass(frozen=True)
class Tile:
    """A big focusable tile (board, category, town, village)."""

    title: str
    sub: str
    path: str
    digit: int | None = None


@dataclass(frozen=True)
class Row:
    """A focusable list row (an item)."""

    date: str
    title: str
    meta: str
    path: str


@dataclass(frozen=True)
class Subject:
    """What a page is about, for its 我有疑问 panel (feedback.py): an item, a voucher, or some of a voucher's scans
    (`scans`: their numbers, 第n张, on a scan viewer). Recorded by the planner as it plans the page."""

    thing: Item | Voucher
    scans: tuple[int, ...] = ()


@dataclass(frozen=True)
class Ask:
    """我有疑问 What a page's 我有疑问 panel shows: the reference code, what it is about in words, and when site.yaml
    has a feedback_url, the address with the code filled in (a link on a phone) and its QR code (an image for a TV
    or paper, another device scans it). Made by feedback.plan."""

    code: str
    about: str
    page: str  # the page whose panel this is
    qr: str | None = None  # the QR image's path, one per code
    address: str | None = None  # feedback_url with the code in it

    @property
    def href(self) -> str:
        """The panel opened: the page at its #ask (a ledger line's 我有疑问 on a phone opens its voucher's)."""
        return f"{self.page}#{PANEL}"


@dataclass(frozen=True)
class LedgerPart:
    """One page of a year's ledger (收支流水): a month, or one part of a month too long for one page (LEDGER_BYTES).
    `opening`/`closing`: the balances before its first line and after its last."""

    month: LedgerMonth
    lines: list[LedgerLine]
    part: int  # 1-based
    parts: int
    path: str
    opening: Decimal  # the balance before its first line (the month's opening on its first part)
    income: Decimal  # its lines' sums: a month in parts totals each page (本页合计), the month in words
    expense: Decimal
    closing: Decimal


@dataclass
class Page:
    """What every page has. A page of the site is always of one of the kinds below (the subclasses, one per
    template); `Page` itself is only made by tests of `url`. Path, title and crumbs are positional, the rest by
    keyword."""

    template: ClassVar[str] = ""  # the kind's template, in themes/*/templates

    path: str
    title: str
    crumbs: list[tuple[str, str]]  # (label, path) from the city home down to the parent
    _: KW_ONLY
    subject: Subject | None = None  # what its 我有疑问 panel is about (feedback.plan), if it has one
    listed: tuple[Voucher, ...] = ()  # vouchers whose codes it lists, each line opening its voucher (a ledger)
    ask: Ask | None = None  # its 我有疑问 panel, set by feedback.plan for a page with a subject that has a code
    refs: dict[str, Ask] = field(default_factory=dict)  # voucher key -> its voucher page's Ask, for `listed`

    def context(self) -> dict[str, object]:
        """The template variables of this page: its kind's own fields, and `ask` and `refs` (the 我有疑问 panel and
        the codes of the vouchers it lists). The frame (title, crumbs, home ...) the templates read from `page`."""
        own = {name: getattr(self, name) for name in _own(type(self))}
        return {**own, "ask": self.ask, "refs": self.refs}

    @property
    def back(self) -> str:
        """Where Back goes when there is no history: the parent page, the city home for the home itself."""
        return self.crumbs[-1][1] if self.crumbs else "index.html"

    @property
    def kind(self) -> str:
        """The page's kind, its template's name ("ledger", "voucher", "scan" ...): a class on <body> for the themes
        and the screenshot script."""
        return self.template.rsplit(".", 1)[0]

    @property
    def home(self) -> str:
        """Where digit 0 goes on TV: the village home for a page inside a village (the village home itself
        included), else the city home."""
        if isinstance(self, VillagePage):
            return self.path
        if len(self.crumbs) > 2:  # city home, town, then a village's home or (a town's own items) a board
            town, folder, rest = (self.crumbs[2][1].split("/", 2) + ["", ""])[:3]
            if rest == "index.html" and folder not in _BOARD_SLUGS:
                return self.crumbs[2][1]
        return "index.html"

    @property
    def home_label(self) -> str:
        """What digit 0 opens, for the TV's key hints."""
        return "首页" if self.home == "index.html" else "本村首页"

    @property
    def place(self) -> list[str]:
        """Where the viewer is, in a few words for a TV's top line (长寿村 › 财务): the crumbs from the village down
        (from the town for a town's pages, the city's name only on its own pages), without the city and town."""
        labels = [label for label, _ in self.crumbs]
        return labels[2:] if len(labels) > 2 else labels[1:] if len(labels) > 1 else labels

    @property
    def tv_title(self) -> str:
        """The title for a TV's top line, after `place`: without the village's (or town's) name when the place just
        said it (长寿村 › 财务 › 2026年收支流水, not ... › 长寿村2026年收支流水)."""
        place = self.place
        if place and self.title.startswith(place[0]) and len(self.title) > len(place[0]) and len(self.crumbs) > 1:
            return self.title[len(place[0]) :].lstrip(" ·")
        return self.title

    def url(self, target: str) -> str:
        """`target` (a root-relative path, optionally with #fragment) relative to this page."""
        path, _, fragment = target.partition("#")
        here, there = self.path.split("/")[:-1], path.split("/")
        common = 0
        while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
            common += 1
        rel = "/".join([".."] * (len(here) - common) + there[common:])
        return f"{rel}#{fragment}" if fragment else rel


_FRAME = frozenset(f.name for f in fields(Page))  # what every page has: not a kind's own template variables


_OWN: dict[type, tuple[str, ...]] = {}  # a page kind -> its own template variables (_own)


def _own(kind: type[Page]) -> tuple[str, ...]:
    """A page kind's own template variables (Page.context): its fields less the frame's, found once a kind, not
    once a page (`dataclasses.fields` builds its answer at every call)."""
    names = _OWN.get(kind)
    if names is None:
        names = _OWN[kind] = tuple(f.name for f in fields(kind) if f.name not in _FRAME)
    return names


def kinds() -> list[type[Page]]:
    """Every page kind, one per page template."""
    return list(Page.__subclasses__())


# ---- the kinds, one per template -------------------------------------------------------------------------------


@dataclass(kw_only=True)
class CityPage(Page):
    """The city home (首页): its towns, 制度建设, 政策法规 and search as numbered tiles, then each town's villages."""

    template = "city.html"
    tiles: list[Tile]
    villages: list[tuple[Town, list[Tile]]]  # each town with its villages' tiles


@dataclass(kw_only=True)
class TownPage(Page):
    """A town's home: its villages (with their counts), 制度建设, 政策法规 and search as tiles."""

    template = "town.html"
    tiles: list[Tile]


@dataclass(kw_only=True)
class VillagePage(Page):
    """A village's home (本村首页): its introduction and the tiles of its boards, ledger, oversight and search."""

    template = "village.html"
    village: Village
    tiles: list[Tile]


@dataclass(kw_only=True)
class BoardPage(Page):
    """A village's board (党务 / 村务 / 财务): its categories as tiles."""

    template = "board.html"
    tiles: list[Tile]


@dataclass(kw_only=True)
class ListPage(Page):
    """A list of items (a category, a sub-item, 制度建设, 政策法规), after the sub-items' tiles if any (小项)."""

    template = "list.html"
    rows: list[Row]
    empty: str  # what it says when it lists nothing
    subitems: list[Tile] = field(default_factory=list)


@dataclass(kw_only=True)
class FinancePage(Page):
    """A finance category (财务公开) with its tables and charts (finance_pages.py) and then its items, or one of its
    sub-pages (a project, a flow, a payout list, an account, a scanned document) with tables only."""

    template = "finance-page.html"
    sections: list[Section]
    rows: list[Row] = field(default_factory=list)
    empty: str = ""
    subitems: list[Tile] = field(default_factory=list)


@dataclass(kw_only=True)
class ItemPage(Page):
    """One item (事项): its text (rendered from `item` by render.py as `body`), pictures, basis and documents."""

    template = "item.html"
    item: Item
    images: list[Picture]
    basis_scan: list[Picture] | None  # the basis's scanned pages, when it has a scan
    documents: list[tuple[Basis, list[Picture]]]  # 相关文件, each with its scanned pages


@dataclass(kw_only=True)
class LedgerPage(Page):
    """One page of a year's ledger (收支流水): a month, or a part of a long one (plan.ledgers)."""

    template = "ledger.html"
    ledger: Ledger
    part: LedgerPart
    pending: str  # the months held back for review, in words (finance_pages.pending_notice)
    opening_label: str  # 上期结余 / 上月结余 / 接上页
    months: list[tuple[str, str | None, str]]  # (label, its page or None for this one, YYYY-MM)
    prev_part: str | None
    next_part: str | None
    years: list[tuple[int, str]]  # the village's other years, with their ledger pages
    voucher_path: Callable[[Voucher], str]


@dataclass(kw_only=True)
class VoucherPage(Page):
    """One voucher (凭证): in plain words, its scans' thumbnails, entries, warnings, trail and questions."""

    template = "voucher.html"
    voucher: Voucher
    plain: str  # the voucher in one plain sentence (ledger.explain)
    ledger_anchor: str | None  # its line in its ledger page
    scans: list[tuple[int, Picture, str]]  # (第n张, the picture, its viewer page)
    finance_rows: list[tuple[str, str, str]]  # (what, amount, page) of the finance tables naming it
    terms: list[tuple[str, str]]  # glossary
    prev: str | None
    next: str | None


@dataclass(kw_only=True)
class ScanPage(Page):
    """A viewer of a voucher's scans (扫描件): the first alone, or all the others one after another."""

    template = "scan.html"
    voucher: Voucher
    pictures: list[tuple[int, Picture]]  # (第n张, the picture)
    zoom: bool  # some picture has 放大 tiles
    total: int  # the voucher's scans in all
    voucher_path: str
    prev: str | None
    next: str | None


@dataclass(kw_only=True)
class WarningsPage(Page):
    """A village's payment warnings (资金支付预警): one row per payment, with all its warnings and its page."""

    template = "warnings.html"
    rows: list[tuple[Voucher, list[PaymentWarning], str]]


@dataclass(kw_only=True)
class QuestionsPage(Page):
    """A village's questions (群众疑问), each with the page it is about if published, then those about what the
    city or its town publishes for every village (`shared`)."""

    template = "questions.html"
    rows: list[tuple[Question, str | None]]
    shared: list[tuple[Question, str]]


@dataclass(kw_only=True)
class SearchPage(Page):
    """搜索 The search page of a village, town or the city (search.py): the ways in without script, its index."""

    template = "search.html"
    ways: list[Tile]
    index: str  # its search index script
    keys: list[str]  # the TV's on-screen letter keys
    boards: list[str]  # the board filter's names
