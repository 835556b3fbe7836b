"""Stage 4, link (链接): give every model object its page, and plan the pages with their navigation.

Paths are POSIX, relative to a theme's output root; templates only ever receive them through `Page.url`,
which makes them relative to the page, so a site works from any base path and from file://. After
rendering, `check_links` proves every href and src resolves, fragments included.
"""

from __future__ import annotations

import functools
import hashlib
import html
import posixpath
import re
import string
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sitegen.content.errors import Location, Report
from sitegen.content.markdown import is_external
from sitegen.content.model import (
    Basis,
    City,
    Image,
    Item,
    Ledger,
    LedgerLine,
    LedgerMonth,
    PaymentWarning,
    Question,
    Town,
    Village,
    VillageListing,
    Voucher,
    listing_of,
)
from sitegen.content.money import ZERO
from sitegen.content.taxonomy import BOARDS, FINANCE, POLICIES, RULES, Board, Category
from sitegen.finance.ledger import explain
from sitegen.images.renditions import Picture, Rendition, pictures, whole
from sitegen.oversight import refcode
from sitegen.site import glossary, search
from sitegen.site.finance_pages import (
    FinancePlanner,
    Section,
    finance_slug,
    month_words,
    pending_notice,
    voucher_finance_rows,
)
from sitegen.site.pages import (
    BoardPage,
    CityPage,
    FinancePage,
    ItemPage,
    LedgerPage,
    LedgerPart,
    ListPage,
    Page,
    QuestionsPage,
    Row,
    ScanPage,
    SearchPage,
    Subject,
    Tile,
    TownPage,
    VillagePage,
    VoucherPage,
    WarningsPage,
)


@dataclass
class Site:
    pages: list[Page]
    images: dict[str, Rendition]  # output path -> the rendition published there (assets.py)
    item_paths: dict[Path, str]  # item source file -> page path (for Markdown links between items)
    # output path -> bytes made at build (charts, QR codes), or how to make them: drawn only if their page is made
    generated: dict[str, bytes | Callable[[], bytes]] = field(default_factory=dict)
    # page path -> (item, its body's HTML, (linked file, its page path then) ...): render.body_html, both themes
    bodies: dict[str, tuple[Item, Any, tuple[tuple[Path, str | None], ...]]] = field(
        default_factory=dict, repr=False, compare=False
    )


def search_tile(folder: str) -> Tile:
    """The search tile (搜索), last on a village, town or city home."""
    return Tile("搜索", "按拼音首字母或数字找钱、找人、找通知", f"{folder}{search.PAGE_NAME}")


def _sections(folder: str) -> list[Tile]:
    """制度建设 and 政策法规 of the city or a town: its search page's ways in without script."""
    return [Tile(b.name, "", f"{folder}{b.slug}/index.html") for b in (RULES, POLICIES)]


OTHER_SUBITEM = "其他"  # the sub-item group of a category's items that name none, when others do


def subitem_groups(items: list[Item], order: tuple[str, ...]) -> list[tuple[str, list[Item]]]:
    """A category's items by sub-item (小项), each group in the items' order: the sub-items in the order site.yaml
    lists them (`order`), then any others by name, then the items naming none as 其他."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.subitem or OTHER_SUBITEM, []).append(item)
    rank = {name: i for i, name in enumerate(order)}
    return sorted(
        groups.items(), key=lambda g: (g[0] == OTHER_SUBITEM and g[0] not in rank, rank.get(g[0], len(rank)), g[0])
    )


def subitem_slug(name: str) -> str:
    """A sub-item's page name: ASCII (it is part of a URL) and stable whatever order site.yaml lists them in."""
    return "sub-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def _digits(tiles: list[Tile]) -> list[Tile]:
    """Number the first nine tiles so a digit key opens them."""
    return [Tile(t.title, t.sub, t.path, i if i <= 9 else None) for i, t in enumerate(tiles, start=1)]


P = TypeVar("P", bound=Page)


class _Planner:
    def __init__(
        self,
        city: City,
        only: Collection[str] | None = None,
        codes: dict[int, str] | None = None,
        listed: Sequence[VillageListing] | None = None,
    ):
        self.city = city
        self.only = only  # "town/village" of the villages whose pages are planned; None: every village
        # the villages as listed (VillageListing) when `city` holds none of them (the build's check stores them)
        self.listed: dict[str, list[VillageListing]] | None = None
        if listed is not None:
            self.listed = {}
            for v in listed:
                self.listed.setdefault(v.town, []).append(v)
        self._in_folder: dict[str, set[str]] = {}  # folder -> the item page paths in it (subitem_pages)
        self.pages: list[Page] = []
        self.images: dict[str, Rendition | Image] = {}  # a plain Image: one whole-image file (finance_pages.image_path)
        self.item_paths: dict[Path, str] = {}
        self.generated: dict[str, bytes | Callable[[], bytes]] = {}  # charts (finance_pages.py)
        self.finance_paths: set[str] = set()  # finance sub-pages already planned
        self._codes = codes  # reference codes (refcode.assign), else made when a search index is (codes())
        self.ledger_lines: dict[int, str] = {}  # id(voucher) -> its line in its ledger page ("path#v-KEY")

    def add(self, page: P) -> P:
        """Plan a page: one of the kinds of pages.py, its fields its template's variables."""
        self.pages.append(page)
        return page

    def add_finance(self, path: str, title: str, crumbs: list[tuple[str, str]], sections: list[Section]) -> None:
        """A finance sub-page of tables only, for finance_pages.py (which pages.py imports, so it knows no kinds)."""
        self.add(FinancePage(path, title, crumbs, sections=sections))

    def rows(self, items: list[Item]) -> list[Row]:
        return [
            Row(
                i.date.isoformat(),
                i.title,
                ("草稿·待审核 " if i.draft else "")  # only in --preview (review.py)
                + (i.subitem or (i.category.name if i.category else "")),
                self.item_paths[i.source],
            )
            for i in items
        ]

    def pictures(self, base: str, img: Image) -> list[Picture]:
        """Every page of an image with its renditions (TV and phone tiles, thumbnail), registered for assets."""
        pics = pictures(posixpath.join(base, "media", img.name), img)
        for pic in pics:
            for r in pic.renditions():
                self.images[r.path] = r
        return pics

    def item_path(self, item: Item, folder: str) -> None:
        """Register an item's page path (so Markdown links can point at any item, planned or not)."""
        self.item_path_at(item.source, f"{folder}/{item.slug}.html")

    def item_path_at(self, source: Path, path: str) -> None:
        self.item_paths[source] = path
        self._in_folder.setdefault(posixpath.dirname(path), set()).add(path)

    def villages_of(self, town: Town) -> list[VillageListing]:
        """The villages of `town` as its pages list them."""
        if self.listed is not None:
            return self.listed.get(town.slug, [])
        return [listing_of(v) for v in town.villages]

    def item_page(self, item: Item, base: str, folder: str, crumbs: list[tuple[str, str]]) -> None:
        """Register an item's page path first (so Markdown links can point at any item), page later."""
        self.item_path(item, folder)
        images = [pic for img in item.images for pic in self.pictures(base, img)]
        basis_scan = self.pictures(base, item.basis.scan) if item.basis and item.basis.scan else None
        # 相关文件 (a project stage's documents): each with its scanned pages, if it has a scan
        documents = [(d, self.pictures(base, d.scan) if d.scan else []) for d in item.documents]
        self._pending.append((item, crumbs, images, basis_scan, documents))

    def plan(self) -> Site:
        self._pending: list[
            tuple[Item, list[tuple[str, str]], list[Picture], list[Picture] | None, list[tuple[Basis, list[Picture]]]]
        ] = []
        city = self.city
        home = [(city.title, "index.html")]
        for item in city.items:
            self.item_page(item, "", item.board.slug, home + [(item.board.name, f"{item.board.slug}/index.html")])
        for town in city.towns:
            self.town(town, home)
        town_tiles = [Tile(t.name, f"{len(self.villages_of(t))} 个村", f"{t.slug}/index.html") for t in city.towns]
        sections = [
            Tile(b.name, f"{len(self._section(b, city.items))} 条", f"{b.slug}/index.html") for b in (RULES, POLICIES)
        ]
        self.search_page("", home, _sections(""), lambda: self.shared_entries(city.items, search.CITY))
        sections.append(search_tile(""))
        self.add(
            CityPage(
                "index.html",
                city.title,
                [],
                tiles=_digits(town_tiles + sections),
                villages=[
                    (t, [Tile(v.name, "", f"{v.key}/index.html") for v in self.villages_of(t)]) for t in city.towns
                ],
            )
        )
        for board in (RULES, POLICIES):
            self.add(
                ListPage(
                    f"{board.slug}/index.html",
                    f"{city.name}{board.name}",
                    home,
                    rows=self.rows(self._section(board, city.items)),
                    empty="暂无内容",
                )
            )
        return self.planned()

    def planned(self) -> Site:
        """The site planned: the item pages waiting (their paths known first), then the renditions. Its pages and
        generated files are handed over, the planner keeps neither: the lazy search indexes and the ledger pages'
        `voucher_path` call back into the planner, so a planner holding them too made the whole plan of a village
        (~40,000 objects) cyclic garbage once dropped, freed only by the collector's full passes (each walking
        the village being made: ~1 s of a cold 10-village build), not by its reference count as it is now."""
        for item, crumbs, images, basis_scan, documents in self._pending:
            self.add(
                ItemPage(
                    self.item_paths[item.source],
                    item.title,
                    crumbs,
                    subject=Subject(item),
                    item=item,
                    images=images,
                    basis_scan=basis_scan,
                    documents=documents,
                )
            )
        # finance_pages.image_path() users register plain Images: one whole-image file each
        renditions = {p: r if isinstance(r, Rendition) else whole(p, r) for p, r in self.images.items()}
        site = Site(self.pages, renditions, self.item_paths, self.generated)
        self.pages, self.generated = [], {}
        return site

    def one_village(self, key: str) -> Site:
        """Only the pages of the village `key` ("town/village") and its renditions, as plan() plans them; every
        other item's page path is known already (`item_paths`, given)."""
        self._pending = []
        home = [(self.city.title, "index.html")]
        for town in self.city.towns:
            for v in town.villages:
                if f"{town.slug}/{v.slug}" == key:
                    self.village(v, town, home + [(town.name, f"{town.slug}/index.html")])
        return self.planned()

    @staticmethod
    def _section(board: Board, *groups: list[Item]) -> list[Item]:
        items = [i for g in groups for i in g if i.board is board]
        return sorted(items, key=lambda i: (i.date, i.title), reverse=True)

    @staticmethod
    def village_path(v: Village) -> str:
        return f"{v.town_slug}/{v.slug}/index.html"

    def town(self, town: Town, home: list[tuple[str, str]]) -> None:
        base = town.slug
        crumbs = home + [(town.name, f"{base}/index.html")]
        for item in town.items:
            self.item_page(
                item,
                base,
                f"{base}/{item.board.slug}",
                crumbs + [(item.board.name, f"{base}/{item.board.slug}/index.html")],
            )
        tiles = [
            Tile(v.name, f"{v.items} 条公开事项 · {v.vouchers} 张凭证", f"{v.key}/index.html")
            for v in self.villages_of(town)
        ]
        sections = [
            Tile(b.name, f"{len(self._section(b, self.city.items, town.items))} 条", f"{base}/{b.slug}/index.html")
            for b in (RULES, POLICIES)
        ]
        sections.append(search_tile(f"{base}/"))
        self.add(TownPage(f"{base}/index.html", town.name, home, tiles=_digits(tiles + sections)))
        self.search_page(
            f"{base}/",
            crumbs,
            _sections(f"{base}/"),
            lambda: self.shared_entries(town.items, search.TOWN) + self.shared_entries(self.city.items, search.CITY),
        )
        for board in (RULES, POLICIES):
            self.add(
                ListPage(
                    f"{base}/{board.slug}/index.html",
                    f"{town.name}{board.name}",
                    crumbs,
                    rows=self.rows(self._section(board, self.city.items, town.items)),
                    empty="暂无内容",
                )
            )
        for village in town.villages:
            if self.only is None or f"{town.slug}/{village.slug}" in self.only:
                self.village(village, town, crumbs)
            else:  # not planned (carried over, or held): only where its items' pages are, for links into it
                for source, path in item_pages(village):
                    self.item_path_at(source, path)
        for listed in self.listed.get(town.slug, []) if self.listed is not None else []:
            for source, path in listed.item_paths:  # (as listed: planned in its turn, plan_village)
                self.item_path_at(source, path)

    @staticmethod
    def item_folder(base: str, item: Item) -> str:
        """The folder of a village's item page: its board's, and its category's within it."""
        return f"{base}/{item.board.slug}" + (f"/{item.category.slug}" if item.category else "")

    def village(self, v: Village, town: Town, parent: list[tuple[str, str]]) -> None:
        base = f"{town.slug}/{v.slug}"
        crumbs = parent + [(v.name, f"{base}/index.html")]
        for item in v.items:
            folder = self.item_folder(base, item)
            trail = crumbs + [(item.board.name, f"{base}/{item.board.slug}/index.html")]
            if item.category:
                trail.append((item.category.name, f"{folder}/index.html"))
            self.item_page(item, base, folder, trail)
        ledger_path = self.ledgers(v, base, crumbs)
        tiles = [Tile(b.name, f"{len(v.items_of(b))} 条", f"{base}/{b.slug}/index.html") for b in BOARDS]
        # with no month published yet, the 收支流水 tile opens 收支情况, which says the months are 待审核
        ledger_tile = Tile(
            "收支流水",
            f"{month_words(v.pending_months[0])}起待审核" if v.pending_months else "每一笔钱的来龙去脉",
            ledger_path
            or (f"{base}/finance/income-expense/index.html" if v.pending_months else f"{base}/finance/index.html"),
        )
        tiles.append(ledger_tile)
        rules = self._section(RULES, self.city.items, town.items, v.items)
        policies = self._section(POLICIES, self.city.items, town.items)
        tiles += [
            Tile(RULES.name, f"{len(rules)} 条", f"{base}/rules/index.html"),
            Tile(POLICIES.name, f"{len(policies)} 条", f"{base}/policies/index.html"),
        ]
        warnings_tile = Tile("资金支付预警", f"{len(v.warnings)} 条", f"{base}/warnings.html")  # oversight_pages
        asked = len(v.questions) + len(self._shared_questions(v))
        tiles += [warnings_tile, Tile("群众疑问", f"{asked} 条", f"{base}/questions.html")]
        tiles.append(search_tile(f"{base}/"))  # last: the home's other digits and the press budget stay as they were
        self.add(VillagePage(f"{base}/index.html", v.name, parent, village=v, tiles=_digits(tiles)))
        for board in BOARDS:
            board_crumbs = crumbs + [(board.name, f"{base}/{board.slug}/index.html")]
            cats = [
                Tile(c.name, f"{len(v.items_of(board, c))} 条", f"{base}/{board.slug}/{c.slug}/index.html")
                for c in board.categories
            ]
            if board is FINANCE and (ledger_path or v.pending_months):
                cats.insert(
                    0,
                    Tile(
                        "收支流水",
                        ledger_tile.sub if v.pending_months else "流水账：逐笔收入、支出和余额",
                        ledger_tile.path,
                    ),
                )
            if board is FINANCE:
                cats.append(warnings_tile)
            self.add(BoardPage(f"{base}/{board.slug}/index.html", f"{v.name}{board.name}", crumbs, tiles=_digits(cats)))
            fin = FinancePlanner(self, v, base, board_crumbs) if board is FINANCE else None
            for c in board.categories:
                items = v.items_of(board, c)
                folder = f"{base}/{board.slug}/{c.slug}"
                subitems = self.subitem_pages(
                    board, c, items, folder, board_crumbs + [(c.name, f"{folder}/index.html")]
                )
                path, rows, empty = f"{folder}/index.html", self.rows(items), "本类别暂无公开内容"
                # finance categories: the structured tables and charts (finance_pages.py), then the items
                self.add(
                    FinancePage(
                        path, c.name, board_crumbs, sections=fin.sections(c), rows=rows, subitems=subitems, empty=empty
                    )
                    if fin
                    else ListPage(path, c.name, board_crumbs, rows=rows, subitems=subitems, empty=empty)
                )
            if fin:
                fin.account_pages_plan()
        self.add(
            ListPage(
                f"{base}/rules/index.html", f"{v.name}{RULES.name}", crumbs, rows=self.rows(rules), empty="暂无内容"
            )
        )
        self.add(
            ListPage(
                f"{base}/policies/index.html",
                f"{v.name}{POLICIES.name}",
                crumbs,
                rows=self.rows(policies),
                empty="暂无内容",
            )
        )
        self.oversight_pages(v, base, crumbs)
        self.search_page(
            f"{base}/", crumbs, self.ledger_ways(v, base, ledger_path), lambda: self.village_entries(v, town, base)
        )

    def subitem_pages(
        self, board: Board, category: Category, items: list[Item], folder: str, crumbs: list[tuple[str, str]]
    ) -> list[Tile]:
        """小项 A category's sub-item pages, one per sub-item its items are under, each listing those items; returned
        as the tiles (with counts) its category page shows above all its items. A category whose items are all
        under one sub-item (or none) gets none: its page lists the items straight away."""
        groups = subitem_groups(items, self.city.subitems.get(board.name, {}).get(category.name, ()))
        if len(groups) < 2:
            return []
        tiles = []
        taken = self._in_folder.get(folder, set())  # an item's file may be called sub-<hash>.md: it keeps that name
        for name, members in groups:
            path = f"{folder}/{subitem_slug(name)}.html"
            while path in taken:
                path = path[: -len(".html")] + "-0.html"
            self.add(ListPage(path, name, crumbs, rows=self.rows(members), empty="暂无内容"))
            tiles.append(Tile(name, f"{len(members)} 条", path))
        return _digits(tiles)

    def search_page(
        self, folder: str, crumbs: list[tuple[str, str]], ways: list[Tile], entries: Callable[[], list[search.Entry]]
    ) -> None:
        """搜索 The search page of a village, town or the city, and its index (search.py), made only if the page is
        (a village carried over by reuse.py keeps its last index). `ways`: links for a browser without script."""
        page = self.add(
            SearchPage(
                f"{folder}{search.PAGE_NAME}",
                "搜索",
                crumbs,
                ways=ways,
                index=f"{folder}{search.INDEX_NAME}",
                keys=list(string.ascii_uppercase),
                boards=search.BOARD_NAMES,
            )
        )
        self.generated[f"{folder}{search.INDEX_NAME}"] = lambda: search.script(
            entries(), page.url, ["本村", "本镇", "全市"]
        )

    def ledger_ways(self, v: Village, base: str, ledger_path: str | None) -> list[Tile]:
        """The boards, and the ledger month by month: the ways in when the search cannot run."""
        ways = [Tile(b.name, "", f"{base}/{b.slug}/index.html") for b in BOARDS]
        for lg in reversed(v.ledgers):
            ways += [
                Tile(f"{m.month} 收支流水", f"{len(m.lines)} 笔", self.ledger_lines[id(m.lines[0].voucher)])
                for m in reversed(lg.months)
                if m.lines
            ]
        return ways

    def codes(self) -> dict[int, str]:
        """The reference codes (查询码) the pages show (feedback.plan makes the same, from the same city)."""
        if self._codes is None:
            self._codes = refcode.assign(self.city)
        return self._codes

    def shared_entries(self, items: list[Item], scope: int) -> list[search.Entry]:
        return [
            search.item_entry(i, self.item_paths[i.source], scope, self.codes().get(id(i), ""))
            for i in items
            if not i.draft and i.source in self.item_paths
        ]

    def village_entries(self, v: Village, town: Town, base: str) -> list[search.Entry]:
        """The village's own items, payments, projects and payout lists, then its town's and the city's notices."""
        codes = self.codes()
        own = [
            search.item_entry(i, self.item_paths[i.source], search.VILLAGE, codes.get(id(i), ""))
            for i in v.items
            if not i.draft and i.source in self.item_paths
        ]
        own += search.voucher_entries(v, lambda x: self.voucher_path(base, x), codes)
        own += search.finance_entries(v, base, self.finance_paths, finance_slug)
        return own + self.shared_entries(town.items, search.TOWN) + self.shared_entries(self.city.items, search.CITY)

    def oversight_pages(self, v: Village, base: str, crumbs: list[tuple[str, str]]) -> None:
        """The village's payment warnings (oversight.py) and villagers' questions (questions.py), each row
        linking to the voucher or item it is about when that is published."""
        published = {id(x): self.voucher_path(base, x) for x in v.vouchers}
        published.update({id(i): self.item_paths[i.source] for i in v.items if i.source in self.item_paths})
        by_voucher: dict[
            int, list[PaymentWarning]
        ] = {}  # one row per payment, with all its warnings (they come in voucher order)
        for w in v.warnings:
            by_voucher.setdefault(id(w.voucher), []).append(w)
        self.add(
            WarningsPage(
                f"{base}/warnings.html",
                f"{v.name}资金支付预警",
                crumbs,
                rows=[(ws[0].voucher, ws, published[key]) for key, ws in by_voucher.items()],
            )
        )
        self.add(
            QuestionsPage(
                f"{base}/questions.html",
                f"{v.name}群众疑问",
                crumbs,
                rows=[(q, published.get(id(q.target))) for q in v.questions],
                shared=[(q, self.item_paths[q.target.source]) for q in self._shared_questions(v)],
            )
        )

    def _shared_questions(self, v: Village) -> list[Question]:
        """Questions about what the city or the village's town publishes for all its villages (制度建设, 政策法规):
        every village of that town lists them too, since its villagers read those items as their own."""
        return [
            q
            for q in self.city.questions
            if not q.village
            and q.town in ("", v.town_slug)
            and isinstance(q.target, Item)
            and q.target.source in self.item_paths
        ]  # drafts have no page

    def ledgers(self, v: Village, base: str, crumbs: list[tuple[str, str]]) -> str | None:
        """Ledger pages, voucher pages and scan viewers; returns the latest year's ledger (its latest month).

        A year's ledger is a page per month (a long month in parts, `ledger_parts`), so no page grows with the
        year: `ledger-YYYY.html` is its latest month, the others `ledger-YYYY-MM.html` (parts `-MM-2.html` ...),
        linked by the month row at the top. A voucher has at most two scan viewers (`scan_viewers`): at most three
        pages a voucher, whatever its number of scans."""
        finance = crumbs + [(FINANCE.name, f"{base}/finance/index.html")]
        ledger_of: dict[int, tuple[Ledger, str]] = {}  # id(voucher) -> its year, and its ledger page
        years = [(lg, f"{base}/finance/ledger-{lg.year}.html") for lg in v.ledgers]
        for lg, entry in years:
            months = [(month, self.ledger_month(lg, month, entry, base)) for month in lg.months]
            jump = [(m.label, parts[0].path, m.month) for m, parts in months]
            for month, parts in months:
                for part in parts:
                    for line in part.lines:
                        ledger_of[id(line.voucher)] = (lg, part.path)
                        self.ledger_lines[id(line.voucher)] = f"{part.path}#v-{line.voucher.key}"
                    k = part.part
                    self.add(
                        LedgerPage(
                            part.path,
                            f"{v.name}{lg.year}年{month.label}收支流水"
                            + (f"（{k}/{part.parts}）" if part.parts > 1 else ""),
                            finance,
                            listed=tuple(line.voucher for line in part.lines),
                            ledger=lg,
                            part=part,
                            pending=pending_notice(v),
                            opening_label="接上页" if k > 1 else "上期结余" if month is lg.months[0] else "上月结余",
                            months=[(label, None if path == part.path else path, mid) for label, path, mid in jump],
                            prev_part=parts[k - 2].path if k > 1 else None,
                            next_part=parts[k].path if k < part.parts else None,
                            years=[(other.year, p) for other, p in years if other is not lg],
                            voucher_path=functools.partial(self.voucher_path, base),
                        )
                    )
        vouchers = v.vouchers
        finance_rows = voucher_finance_rows(base, v)  # the finance table rows each voucher stands behind
        paths = [self.voucher_path(base, voucher) for voucher in vouchers]  # each its own, its neighbours' prev/next
        terms = glossary.explain_terms(("凭证号", "借方", "贷方"))  # the same on every voucher page: one list
        for i, voucher in enumerate(vouchers):
            path = paths[i]
            back_to = ledger_of.get(id(voucher))
            ledger_anchor = self.ledger_lines.get(id(voucher))
            trail = finance + ([(f"{back_to[0].year}年收支流水", back_to[1])] if back_to else [])
            # every page of every scan (a multi-page TIFF or PDF gives several), numbered 第1张, 第2张 ...
            pics = [pic for img in voucher.scans for pic in self.pictures(base, img)]
            viewers = scan_viewers(f"{base}/finance/vouchers/{voucher.key}", pics)
            scans = [
                (n, pic, view if k == 0 else f"{view}#s-{n}")
                for view, shown in viewers
                for k, (n, pic) in enumerate(shown)
            ]
            self.add(
                VoucherPage(
                    path,
                    f"凭证 {voucher.month} {voucher.label}",
                    trail,
                    subject=Subject(voucher),
                    voucher=voucher,
                    plain=explain(voucher),
                    ledger_anchor=ledger_anchor,
                    scans=scans,
                    finance_rows=finance_rows.get(voucher.key, []),
                    terms=terms,
                    prev=paths[i - 1] if i > 0 else None,
                    next=paths[i + 1] if i + 1 < len(vouchers) else None,
                )
            )
            for k, (view, shown) in enumerate(viewers):
                first, last = shown[0][0], shown[-1][0]
                which = f"第{first}张" if first == last else f"第{first}–{last}张"
                self.add(
                    ScanPage(
                        view,
                        f"凭证 {voucher.month} {voucher.label} {which}（共{len(pics)}张）",
                        trail + [(f"凭证 {voucher.label}", path)],
                        subject=Subject(voucher, tuple(n for n, _ in shown)),
                        voucher=voucher,
                        pictures=shown,
                        zoom=any(pic.zoom for _, pic in shown),
                        total=len(pics),
                        voucher_path=path,
                        prev=viewers[k - 1][0] if k > 0 else None,
                        next=viewers[k + 1][0] if k + 1 < len(viewers) else None,
                    )
                )
        return years[-1][1] if years else None

    @staticmethod
    def ledger_month(lg: Ledger, month: LedgerMonth, entry: str, base: str) -> list[LedgerPart]:
        """A month's ledger pages: the year's entry page for its latest month, else a page of its own; in parts
        when its lines would make a page over the size budget (ledger_parts)."""
        mm = month.month.rsplit("-", 1)[-1]
        first = entry if month is lg.months[-1] else f"{base}/finance/ledger-{lg.year}-{mm}.html"
        chunks = ledger_parts(month.lines)
        paths = [first] + [f"{base}/finance/ledger-{lg.year}-{mm}-{k}.html" for k in range(2, len(chunks) + 1)]
        out, opening = [], month.opening
        for k, (chunk, path) in enumerate(zip(chunks, paths), start=1):
            closing = chunk[-1].balance if chunk else opening
            out.append(
                LedgerPart(
                    month,
                    chunk,
                    k,
                    len(chunks),
                    path,
                    opening,
                    sum((ln.income for ln in chunk), ZERO),
                    sum((ln.expense for ln in chunk), ZERO),
                    closing,
                )
            )
            opening = closing
        return out

    @staticmethod
    def voucher_path(base: str, voucher: Voucher) -> str:
        return f"{base}/finance/vouchers/{voucher.key}.html"


# A ledger page's lines, estimated before rendering (line_bytes): with the page's frame (about 6 KB) a page stays
# well under the 60 KB a set-top box loads in a moment; a month with more goes on over parts.
LEDGER_BYTES = 44_000
LINE_MARKUP = 760  # a line's markup without its texts, on the larger theme (measured ~560-620 on the sample)


def line_bytes(line: LedgerLine) -> int:
    """A generous estimate of one ledger line's HTML on either theme: its markup, its texts as escaped UTF-8."""
    texts = [line.description, line.purpose, line.counterparty, line.voucher.key * 4, line.voucher.label]
    texts += [w.title for w in line.voucher.warnings]
    return LINE_MARKUP + 120 * len(line.voucher.warnings) + sum(len(html.escape(t).encode()) for t in texts)


def ledger_parts(lines: list[LedgerLine], budget: int = LEDGER_BYTES) -> list[list[LedgerLine]]:
    """A month's lines in consecutive parts, each within `budget` estimated bytes (at least one line a part)."""
    parts: list[list[LedgerLine]] = [[]]
    size = 0
    for line in lines:
        cost = line_bytes(line)
        if parts[-1] and size + cost > budget:
            parts.append([])
            size = 0
        parts[-1].append(line)
        size += cost
    return parts


def scan_viewers(stem: str, pics: list[Picture]) -> list[tuple[str, list[tuple[int, Picture]]]]:
    """A voucher's scan viewers: the first scan (the 记账凭证) alone, then every other scan (the 原始单据) in one
    viewer, one after another, so a voucher has at most three pages however many scans it has. Each viewer is
    `STEM-N.html`, N its first scan's number; a later scan of the second viewer is its `#s-N`."""
    groups = [pics[:1], pics[1:]] if len(pics) > 1 else [pics] if pics else []
    out, n = [], 1
    for group in groups:
        out.append((f"{stem}-{n}.html", [(n + k, pic) for k, pic in enumerate(group)]))
        n += len(group)
    return out


def plan(
    city: City,
    only: Collection[str] | None = None,
    codes: dict[int, str] | None = None,
    listed: Sequence[VillageListing] | None = None,
) -> Site:
    """The site's pages: the city's and towns' pages, and those of the villages in `only` ("town/village"; None:
    every village). `item_paths` holds every item of every village all the same (Markdown links between villages
    resolve against it), found without planning the villages left out (a build carries their pages over).
    `codes`: the city's reference codes when the caller has them (refcode.assign), else made when needed.
    `listed`: the villages' listings (their item pages among them) when `city` holds no village (the build, which
    plans each village in its turn: plan_village), in the city's order."""
    return _Planner(city, only, codes, listed).plan()


def item_pages(village: Village) -> tuple[tuple[Path, str], ...]:
    """(source, page path) of each item of `village`, as plan() registers them in `item_paths` (a village's
    listing keeps them: links into a village not planned resolve against them)."""
    base = f"{village.town_slug}/{village.slug}"
    return tuple((item.source, f"{_Planner.item_folder(base, item)}/{item.slug}.html") for item in village.items)


def plan_village(city: City, key: str, item_paths: dict[Path, str], codes: dict[int, str] | None = None) -> Site:
    """One village's pages (`key`: "town/village") and renditions alone, the same as plan(city) plans them: the
    build plans, renders and drops one village at a time (its memory: issue 14). `item_paths`: every item's page
    path (a plan of the city's and towns' pages: `plan(city, only=())`), shared, not copied; `codes` as for plan."""
    planner = _Planner(city, {key}, codes)
    planner.item_paths = item_paths
    return planner.one_village(key)


# Our own templates write every attribute double-quoted, so a regex reads them reliably and ~10x faster
# than an HTML parser over hundreds of thousands of pages. An attribute follows HTML's whitespace (tab, LF, FF, CR,
# space: what a browser takes between attributes); the page's other whitespace is made spaces first (`_SPACES`), so
# the pattern opens with a literal space, which the regex engine finds by a fast search instead of trying a
# character class at every character (17.5 -> 8 us a page of ~4 KB).
_ATTR = re.compile(r' (href|src|data-back|id)="([^"]*)"')
_ATTR_EXACT = re.compile(r'[\t\n\f\r ](href|src|data-back|id)="([^"]*)"')
_SPACES = bytes.maketrans(b"\t\n\f\r", b"    ")


def _found(data: bytes) -> list[tuple[str, str]]:
    """(attribute, value) of each href/src/data-back/id in turn, character references resolved (most values have
    none: html.unescape is not called for them). A value with a space may have held another whitespace (made a
    space by `_SPACES`): such a page, rare, is read again as it is (the same attributes, at the same places)."""
    found = _ATTR.findall(data.translate(_SPACES).decode("utf-8"))
    if any(" " in v for _, v in found):
        found = _ATTR_EXACT.findall(data.decode("utf-8"))
    if any("&" in v for _, v in found):
        return [(k, html.unescape(v) if "&" in v else v) for k, v in found]
    return found


def check_links(
    files: dict[str, bytes],
    report: Report,
    theme: str,
    present: Mapping[str, Path | str] | None = None,
    *,
    outside: str = "",
) -> None:
    """Every href/src of every generated page resolves to a generated file (and #fragment to an id): LinkCheck
    over pages all in hand.

    `present`: the other files the theme will hold (images, pages carried over from the last build), each with
    where it is now; a carried page is read only when a link needs one of its ids. The only schemes allowed are
    tel: (the hotline on a phone), which dials, and data: (the empty favicon that stops browsers asking the
    server for /favicon.ico); neither fetches anything. `outside`: the one address outside the site a page may
    link to (the 我有疑问 form on a phone: site.yaml's feedback_url up to its {code}), as an href only."""
    check = LinkCheck(report, theme, files.keys(), present, outside=outside, fetch=files.get)
    for path, data in files.items():
        check.page(path, data)
    check.finish()


class LinkCheck:
    """链接检查 check_links page by page, as the pages are rendered, holding none of them (a city's pages are never
    all in memory): every href/src must name a file the theme will hold (`targets`: every page planned, static
    and generated file; `present`: the files it holds besides, renditions and carried pages, each with where it
    is now), and a #fragment an id of that page.

    Only ids are kept, and only of the scope (a village: `page(..., scope)`) being rendered and of pages of no
    scope (the city's and towns'); a fragment link to a page whose ids are not in hand waits, and is resolved when
    that page is rendered, or at `finish`: a page of another scope rendered earlier from `fetch(path)` (its bytes
    again, None when there are none), a carried page read from where it is. `finish` reports the broken links in
    the order they appear (page by page, link by link), whenever each was found."""

    def __init__(
        self,
        report: Report,
        theme: str,
        targets: Collection[str],
        present: Mapping[str, Path | str] | None = None,
        *,
        outside: str = "",
        fetch: Callable[[str], bytes | None] | None = None,
    ):
        self.report, self.theme, self.targets = report, theme, targets
        self.present: Mapping[str, Path | str] = present or {}
        self.outside, self.fetch = outside, fetch
        self.ids: dict[str, frozenset[str]] = {}  # page -> its ids, for the pages in hand (see above)
        self.scope: str | None = None
        self._scoped: list[str] = []  # the pages of self.scope in self.ids
        self._waiting: dict[str, list[tuple[int, int, str, str, str]]] = {}  # target -> (n, k, page, href, fragment)
        self._broken: list[tuple[int, int, str, str]] = []  # (n: the page's place, k: the link's, page, href)
        self._pages = 0
        # page's folder -> href -> _resolve's answer, for the scope in hand: a village's pages share most links
        self._resolved: dict[str, dict[str, tuple[str | None, str]]] = {}

    def page(self, path: str, data: bytes, scope: str | None = None) -> None:
        """Check one page's links (a file that is no page has none); `scope`: the village it is in, or None."""
        if not path.endswith(".html"):
            return
        if scope != self.scope:
            for done in self._scoped:  # that village is done: its ids are read again if ever needed
                del self.ids[done]
            self.scope, self._scoped, self._resolved = scope, [], {}
        found = _found(data)
        n, self._pages = self._pages, self._pages + 1
        ids = self.ids[path] = frozenset([v for k, v in found if k == "id"])
        if scope is not None:
            self._scoped.append(path)
        for m, k, page, href, fragment in self._waiting.pop(path, []):
            if fragment not in ids:
                self._broken.append((m, k, page, href))
        # one pass over the links (k: the link's place among them); a folder's pages share their answers
        folder = posixpath.dirname(path)
        resolved = self._resolved.get(folder)
        if resolved is None:
            resolved = self._resolved[folder] = {}
        targets, present, outside, k = self.targets, self.present, self.outside, -1
        for kind, href in found:
            if kind == "id":
                continue
            k += 1
            if href.startswith(("tel:", "data:")) or (
                outside and href.startswith(outside) and _as_href(href, kind, found)
            ):
                continue
            if not href or href[0] == "#":  # this very page: not the same for every page of the folder
                target, fragment = _resolve(path, href)
            else:
                answer = resolved.get(href)
                if answer is None:
                    answer = resolved[href] = _resolve(path, href)
                target, fragment = answer
            if target is not None and not fragment and target in targets:
                continue  # the common case: a file of the theme
            if target is None or (target not in targets and target not in present):
                self._broken.append((n, k, path, href))
            elif fragment and target in self.ids:
                if fragment not in self.ids[target]:
                    self._broken.append((n, k, path, href))
            elif fragment:
                self._waiting.setdefault(target, []).append((n, k, path, href, fragment))

    def _ids_of(self, target: str) -> frozenset[str]:
        """The ids of a page not in hand: one made in this build again (fetch), a carried one read."""
        data = None
        if target.endswith(".html"):
            if target in self.targets:
                data = self.fetch(target) if self.fetch else None
            else:
                data = Path(self.present[target]).read_bytes()
        return frozenset(v for k, v in _found(data) if k == "id") if data is not None else frozenset()

    def finish(self) -> None:
        """Resolve the links still waiting and report every broken link (link-broken), in page order."""
        for target, waiting in sorted(self._waiting.items()):
            ids = self._ids_of(target)
            self._broken.extend((n, k, page, href) for n, k, page, href, fragment in waiting if fragment not in ids)
        self._waiting = {}
        for _, _, page, href in sorted(self._broken):
            self.report.error("link-broken", Location(f"{self.theme}/{page}"), page=f"{self.theme}/{page}", href=href)
        self._broken = []


def _as_href(value: str, kind: str, found: list[tuple[str, str]]) -> bool:
    """The address outside the site is allowed as an href only: this one, or the same value an href of the page."""
    return kind == "href" or ("href", value) in found


def _resolve(page: str, href: str) -> tuple[str | None, str]:
    if is_external(href):  # never allowed in a page of the site
        return None, ""
    path, _, fragment = href.partition("#")
    if not path:
        return page, fragment
    joined = _joined(posixpath.dirname(page), path)
    return (None if joined.startswith("..") else joined), fragment


def _joined(folder: str, path: str) -> str:
    """`posixpath.normpath(posixpath.join(folder, path))`, the link check's ~6 a page: for a relative folder and
    path (every page's folder, almost every href) the parts walked once here, without join's and normpath's
    general cases (absolute paths, bytes, leading slashes). tests/test_links.py compares the two."""
    if folder.startswith("/") or path.startswith("/"):
        return posixpath.normpath(posixpath.join(folder, path))
    parts: list[str] = []
    for part in f"{folder}/{path}".split("/"):
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append(part)
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts) or "."
