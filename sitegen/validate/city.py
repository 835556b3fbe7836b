"""Stage 2, validate (校验): check every raw record and turn it into the typed model.

Every problem goes into the `Report`; the model is built as far as it can be so that one run lists all
problems, and the pipeline refuses to render while any error remains.
"""

from __future__ import annotations

import hashlib
import re
import sys
from array import array
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from sitegen.content import accounts, progress
from sitegen.content.config import (
    BasisFront,
    ItemFront,
    ReviewFront,
    SiteConfig,
    TownConfig,
    VillageConfig,
    key_where,
    parse_site_config,
    read_all,
    read_mapping,
    required_of,
)
from sitegen.content.dates import parse_day, read_day  # noqa: F401 (parse_day: kept importable here)
from sitegen.content.errors import Location, Report, rel
from sitegen.content.files import kernel_path
from sitegen.content.load import (
    MAX_IMAGE_BYTES,
    FileProblem,
    RawContent,
    RawItem,
    RawTable,
    RawTown,
    RawVillage,
    content_stat,
    read_records,
    report_file_problem,
    table_columns,
    table_rows,
)
from sitegen.content.markdown import body_links, link_target
from sitegen.content.model import Basis, City, EntryLine, Image, Item, Review, Town, Village, Voucher
from sitegen.content.money import AmountError, parse_amount
from sitegen.content.privacy import mask
from sitegen.finance import tables as finance
from sitegen.images.digests import Probes, facts_of, path_facts
from sitegen.images.renditions import MAX_PIXELS, ImageProblem, probe, probe_known  # noqa: F401 (MAX_PIXELS, probe: kept importable here)
from sitegen.oversight.registries import village_people
from sitegen.oversight.review import JOURNAL_COLUMNS, month_reviews, read_trail
from sitegen.validate.memo import VillageMemo, settle

STATUS = {
    "approved": "approved",
    "已通过": "approved",
    "通过": "approved",
    "已审核": "approved",
    "pending": "pending",
    "待审核": "pending",
    "未审核": "pending",
    "rejected": "rejected",
    "退回": "rejected",
    "未通过": "rejected",
}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf", ".heic", ".heif")  # formats: assets.ACCEPTED

# Journal columns: field -> accepted headers (compared without spaces, case-insensitive).
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "凭证日期", "date"),
    "voucher": ("凭证字号", "凭证号", "凭证编号", "voucher"),
    "summary": ("摘要", "summary"),
    "account_code": ("科目编码", "科目代码", "account_code"),
    "account_name": ("科目名称", "account_name"),
    "debit": ("借方金额", "借方", "debit"),
    "credit": ("贷方金额", "贷方", "credit"),
    "counterparty": ("往来单位", "收款人", "对方单位", "counterparty", "payee"),
    "attachments": ("附件张数", "附件数", "attachments"),
    "ref": ("关联", "ref"),  # optional: the finance table row a line belongs to, e.g. 项目:P2026-01 (finance.py)
    **JOURNAL_COLUMNS,  # optional: the payee's ID and the payment's approval trail (review.py)
}
REQUIRED_COLUMNS = ("date", "voucher", "summary", "account_code", "debit", "credit")
# A voucher's number is part of its key, which names its pages, scans and ledger line ("2026-07-012"): 6 digits
# (a month's vouchers number in the hundreds) can never make a key read as a mobile, card or ID number, which
# masking would change in every link to those pages.
VOUCHER_DIGITS = 6


def validate(
    raw: RawContent, report: Report, probes: Probes | None = None, memo: VillageMemo | None = None
) -> City | None:
    """Build the City from raw content, reporting every problem. None if site.yaml itself is unusable.
    `probes`: image headers read in earlier runs, by stat facts (digests.Probes; an unchanged scan is not opened).
    `memo`: the villages validated before (memo.py; the one `load` was given): an unchanged village is restored,
    its problems reported again in their place; what crosses villages is checked below as always. (Validation,
    with every village kept in its town.)"""
    run = Validation(raw, report, probes, memo)
    if run.city is None:
        return None
    for town, village in run.villages():
        town.villages.append(village)
    return run.finish()


class Validation:
    """校验 One run's validation, a village at a time (issue 14: memory at any size): `city` is the city's settings
    and its own items (None when site.yaml is unusable); `villages` validates each village in the content's order
    and gives it with its town (the town is in `city` already, its villages left to the caller: to keep, or to
    store and drop); `finish` then checks what crosses villages (names unique within a town and among towns, at
    least one village, the items' body links: from an index of names and links, not from the villages) and gives
    the city back. The problems are reported in the order `validate` reports them."""

    def __init__(self, raw: RawContent, report: Report, probes: Probes | None = None, memo: VillageMemo | None = None):
        self.raw, self.report, self.memo = raw, report, memo
        config = parse_site_config(raw.site.data, Location(raw.site.where), report) if raw.site else None
        self.city: City | None = None
        if config is None:
            return
        self.checker = _Checker(raw.root, config, report, probes)
        city = self.city = City(config.city, config.title, config.hotline, config.large_amount)
        city.oversight = config.oversight
        city.feedback_url = config.feedback_url
        city.public_url = config.public_url
        city.subitems = config.subitems
        city.items = self.checker.items(raw.items, "city")
        self.names: dict[str, list[tuple[str, str]]] = {}  # town -> (name, village.yaml) of each of its villages

    def villages(self) -> Iterator[tuple[Town, Village]]:
        """Each village validated (or restored from the memo), with its town, in the content's order. Once the caller
        is done with a village (it keeps no reference: check_stored stores it and drops it) its cyclic garbage is
        collected and what is left frozen (memo.settle) before the next is made: inside a run the collector's full
        passes are rare (memo.FULL_EVERY), and a village's vouchers and warnings name each other, so each village
        gone through would wait there as garbage (~1 MiB a seed-scale village, issue 14)."""
        assert self.city is not None
        root = self.raw.root
        total, done = sum(len(t.villages) for t in self.raw.towns), 0
        for raw_town in self.raw.towns:
            town = read_town(raw_town, root, self.report)
            town.items = self.checker.items(raw_town.items, "town")
            self.city.towns.append(town)
            names = self.names[town.slug] = []
            for raw_village in raw_town.villages:
                village = _village(self.checker, raw_village, raw_town.slug, self.memo)
                names.append((village.name, f"{town.slug}/{village.slug}/village.yaml"))
                yield town, village
                del village
                settle(collect=True)
                done += 1
                progress.tell("villages", done, total)  # a terminal's progress line (progress.py)

    def facts(self) -> Mapping[Path, list[int]]:
        """The stat facts of the files the village just given (`villages`) was validated with, by real path: its
        decode check takes them rather than a stat of each file again (empty for a village the memo restored)."""
        return self.checker.facts

    def finish(self) -> City:
        """What crosses villages checked, once every village was given (`villages`): the city."""
        city, root, report = self.city, self.raw.root, self.report
        assert city is not None
        _unique_names([(t.name, f"{t.slug}/town.yaml") for t in city.towns], root, report)
        for town in city.towns:  # the same village name in two towns is common; within one town it is a mistake
            _unique_names(self.names.get(town.slug, []), root, report)
        if not any(self.names.values()):
            report.error("no-villages", Location(root.name))
        self.checker.check_body_links()
        return city


def read_town(raw: RawTown, root: Path, report: Report) -> Town:
    """镇 A town from its town.yaml (config.TownConfig; review_departments: oversight/reviewers.py)."""
    config = None
    if raw.config:
        config, _ = read_mapping(TownConfig, raw.config.data, Location(rel(raw.path / "town.yaml", root)), report)
    return Town(raw.slug, (config.name if config else "") or raw.slug)


def _village(checker: _Checker, raw: RawVillage, town_slug: str, memo: VillageMemo | None) -> Village:
    """One village validated, or restored from the memo as that validation left it: its problems reported again
    in order, its items registered for body links in the order validation registered them, its image headers
    kept for the next run (digests.Probes.carry), its items' body links known unparsed. Validated afresh, it is
    given to the memo with what it read."""
    report = checker.report
    restored = memo.restore(raw) if memo is not None else None
    checker.assigned.clear()  # (what was registered before this village: no longer asked for)
    checker.deps.clear()
    checker.facts.clear()  # (kept past the end of a village: its decode check comes after validation gives it)
    checker.links.clear()  # (its registered items' are in the checker's index: `register`)
    if restored is None and memo is not None and raw.path in memo.recalled:
        # load read none of its records (the memo stood in), and its entry changed since (another run wrote it):
        # an error in its folder, so that it is held with its last pages, not validated from nothing
        where = rel(raw.path / "village.yaml", checker.root)
        report.error("village-changed", Location(where), village=f"{town_slug}/{raw.slug}")
    if restored is not None:
        report.problems.extend(restored.problems)
        checker.links.update(restored.links)
        for item in restored.items:
            checker.register(item)
        if checker.probes is not None:
            checker.probes.carry(restored.probed)
        return restored.village
    problems = len(report.problems)
    if checker.probes is not None:  # what this village probes, alone: the memo keeps it with the village, and a
        checker.probes.asked.clear()  # list of every scan of the city is not held to the end of the run (issue 14)
    raw = read_records(raw, checker.root, report)  # its rows read now, dropped when it is validated (load.py)
    village = checker.village(raw, town_slug)
    if memo is not None:
        memo.keep(
            raw,
            village,
            report.problems[problems:],
            checker.assigned,
            {item.source: checker.links_of(item) for item in village.items},
            checker.deps,
            list(checker.probes.asked) if checker.probes is not None else [],
        )
    checker.assigned.clear()  # its items are held by the model alone (the checker keeps their sources and links)
    checker.deps.clear()
    return village


def _unique_names(named: list[tuple[str, str]], root: Path, report: Report) -> None:
    """Two towns (or two villages of one town) with one Chinese name cannot be told apart on the TV menu: an
    error at the second file naming the first."""
    first: dict[str, str] = {}
    for name, path in named:
        key = re.sub(r"\s+", "", name)
        if key in first:
            report.error(
                "duplicate-name", Location(f"{root.name}/{path}"), name=name, other=f"{root.name}/{first[key]}"
            )
        else:
            first[key] = path


T = TypeVar("T")


class _Checker:
    def __init__(self, root: Path, config: SiteConfig, report: Report, probes: Probes | None = None):
        self.root = root
        self.probes = probes
        self.config = config
        self.report = report
        # the items a Markdown body link may name, registered (`register`): the hash of each one's source (a link's
        # target is looked up by it), and, in the order registered, the source, clerk's name (`where`) and link
        # targets of those whose body links: all that the body link check reads (check_body_links). Neither an item
        # nor its `Path` is held for it (issue 14: a village dropped once validated keeps ~100 bytes an item here)
        self.sources = array("q")
        self.linking: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.assigned: list[Item] = []  # the village in hand's items as registered (`register`), in order (memo.py)
        self.deps: list[tuple[str, str]] = []  # each path the village in hand named, with its facts (memo.py)
        # the stat facts of each file that passed content_stat since the village in hand began, by its real path: its
        # header record (probe_known) and its decode check (build/pipeline.py) take them, not a stat of their own
        self.facts: dict[Path, list[int]] = {}
        self.links: dict[Path, list[str]] = {}  # item source -> its body's link targets (links_of), a village's
        # memory (issue 14): equal values the model holds many times, held once (page sizes, dates)
        self.shared: dict[object, Any] = {}

    def share(self, value: T) -> T:
        """An equal immutable value held before (a date, a tuple of page sizes), or `value`, now held."""
        return self.shared.setdefault(value, value)

    # ---- paths and images -------------------------------------------------------------------------------
    def inside(self, base: Path, value: str, where: Location) -> Path | None:
        """Resolve a clerk's relative path; None (and an error) if it leaves the content folder or is missing."""
        if not value or PurePosixPath(value).is_absolute() or re.match(r"^[A-Za-z]:|^\\\\", value):
            self.report.error("path-outside", where, value=value)
            return None
        self.deps.append((str(base / value), path_facts(base / value)))
        try:  # the one gate every opened file passes: inside the folder (links followed), a regular file, bounded
            return self.stat(base / value)
        except FileProblem as problem:
            report_file_problem(problem, where, value, self.report)
            return None

    def stat(self, path: Path) -> Path:
        """content_file's gate for a file the village names (its stat noted in `facts`). Raises FileProblem."""
        resolved, st = content_stat(path, self.root, MAX_IMAGE_BYTES)
        self.facts[resolved] = facts_of(st)
        return resolved

    def image(self, path: Path, where: Location, value: str, name: str) -> Image | None:
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            self.report.error("path-type", where, value=value)
            return None
        found = self.image_ok(path, where, value)
        if found is None:
            return None
        return Image(path, rel(path, self.root), name, self.share(found.pages), found.line_art)

    def image_ok(self, path: Path, where: Location, value: str):
        """Header check only (cheap): format, pages, pixel count (decompression bombs). None on a problem.
        Full decoding happens in the assets stage."""
        try:
            return probe_known(path, self.probes, self.facts.get(path))
        except ImageProblem as problem:
            self.report.error(problem.code, where, value=value, **problem.params)
            return None

    def media_name(self, path: Path) -> str:
        """Stable, unique, ASCII output name for an item image: a hash of where it lives in the content folder.
        Never one that reads as personal data: 16 hex digits that are all decimal (1 name in ~1,850; a few in a
        city of 252 villages) read as a bank card number, masked on every page that links to the image (its links
        broken, its village held back) and flagged by the personal-data scan; such a digest ends in a letter that
        is no hex digit instead (unique still)."""
        digest = hashlib.sha256(path.relative_to(self.root).as_posix().encode()).hexdigest()[:16]
        name = f"f-{digest}"
        return name if mask(name) == name else f"f-{digest[:15]}g"

    # ---- items ------------------------------------------------------------------------------------------
    def items(self, raws: list[RawItem], scope: str) -> list[Item]:
        out: list[Item] = []
        seen: dict[tuple[str, str], str] = {}
        for raw in raws:
            item = self.item(raw, scope)
            if item is None:
                continue
            key = (item.board.slug, item.slug)
            if key in seen:
                self.report.error("duplicate-item", Location(raw.where), other=seen[key])
                continue
            seen[key] = raw.where
            self.register(item)
            self.assigned.append(item)
            out.append(item)
        return sorted(out, key=lambda i: (i.date, i.title, i.slug), reverse=True)  # newest first, as on the wall

    def item(self, raw: RawItem, scope: str) -> Item | None:
        if raw.front is None:
            return None
        where, board = Location(raw.where), raw.board
        front: ItemFront
        front, ok = read_all(
            ItemFront, raw.front, where, self.report, required_of(ItemFront, categorised=bool(board.categories))
        )
        category = None
        if board.categories and front.category:
            category = board.category(front.category)
            if category is None:
                self.report.error(
                    "unknown-category",
                    key_where(where, raw.front, "category"),
                    value=front.category,
                    board=board.name,
                    choices="、".join(c.name for c in board.categories),
                )
            elif front.subitem:
                allowed = self.config.subitems.get(board.name, {}).get(category.name, ())
                if allowed and front.subitem not in allowed:
                    self.report.error(
                        "unknown-subitem",
                        key_where(where, raw.front, "subitem"),
                        value=front.subitem,
                        category=category.name,
                        choices="、".join(allowed),
                    )
        base = raw.path.parent
        images = []
        at = key_where(where, raw.front, "images")
        for value in front.images:
            path = self.inside(base, value, at)
            if path is not None:
                img = self.image(path, at, value, self.media_name(path))
                if img is not None:
                    images.append(img)
        basis = self.basis(front.basis, base, key_where(where, raw.front, "basis"))
        at = key_where(where, raw.front, "documents")  # further documents, each written like a basis (review.py)
        documents = [d for d in (self.basis(v, base, at) for v in front.documents) if d is not None]
        review = self.review(front.review, key_where(where, raw.front, "review"))
        if not ok or front.date is None or (board.categories and category is None):
            return None
        return Item(
            slug=item_slug(raw.path.stem),
            title=front.title,
            date=front.date,
            board=board,
            category=category,
            subitem=front.subitem,
            body=raw.body,
            source=kernel_path(raw.path) or raw.path.resolve(),  # (as content_file: the kernel answers in C)
            where=raw.where,
            scope=scope,
            basis=basis,
            images=images,
            review=review,
            documents=documents,
            author=front.author,
        )

    def basis(self, value: object, base: Path, where: Location) -> Basis | None:
        if value is None:
            return None
        if isinstance(value, str):
            return Basis(value.strip())
        found: BasisFront | None
        found, _ = read_mapping(
            BasisFront, value, where, self.report, "basis", "应当写 title、number、scan", "expected title, number, scan"
        )
        if found is None:
            return None
        scan = None
        if found.scan:
            at = key_where(where, value, "scan")
            path = self.inside(base, found.scan, at)
            if path is not None:
                scan = self.image(path, at, found.scan, self.media_name(path))
        return Basis(found.title, found.number, scan)

    def review(self, value: object, where: Location) -> Review:
        if value is None:
            return Review(recorded=False)  # no review written at all (review.py decides what that means)
        found: ReviewFront | None
        found, _ = read_mapping(
            ReviewFront,
            value,
            where,
            self.report,
            "review",
            "应当写 department、reviewer、date、status",
            "expected department, reviewer, date, status",
        )
        if found is None:
            return Review()
        status = STATUS.get(found.status.lower())
        if status is None:
            self.report.error(
                "bad-value",
                key_where(where, value, "status"),
                key="review.status",
                detail="只能是 已通过、待审核、退回",
                detail_en="one of approved, pending, rejected",
            )
            status = "pending"
        return Review(found.department, found.reviewer, found.date, status)

    def check_body_links(self) -> None:
        """A body link must point at another item; web addresses are shown as text (and warned about)."""
        items = _Sources(self.sources)
        for source, (name, targets) in self.linking.items():
            for target in targets:
                where = Location(name)
                if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                    self.report.warning("external-link", where, value=target)
                    continue
                if resolve_body_link(Path(source), target, items) is None:
                    self.report.error("link-target", where, value=target)

    def register(self, item: Item) -> None:
        """An item a body link may name, its body's links parsed now (links_of): the item is not kept. An item
        registered again under a source registered before (two names of one file) is checked once, in the first's
        place, named as the last."""
        targets = self.links_of(item)
        source = str(item.source)
        self.sources.append(hash(source))
        if source in self.linking:
            self.linking[source] = (item.where, self.linking[source][1])
        elif targets:
            self.linking[source] = (item.where, tuple(targets))

    def links_of(self, item: Item) -> list[str]:
        """The link targets in an item's body (parsed once: a restored village's come from the memo), while its
        village is in hand."""
        found = self.links.get(item.source)
        if found is None:
            found = self.links[item.source] = body_links(item.body)
        return found

    # ---- villages and journals --------------------------------------------------------------------------
    def village(self, raw: RawVillage, town_slug: str) -> Village:
        where = Location(rel(raw.path / "village.yaml", self.root))
        config: VillageConfig | None = None
        if raw.config:
            config, _ = read_mapping(VillageConfig, raw.config.data, where, self.report)
        data = raw.config.data if config is not None and raw.config else {}  # the keys other modules read
        config = config or VillageConfig()
        system = config.accounting_system
        village = Village(
            raw.slug, config.name or raw.slug, town_slug, config.intro, config.opening_balance, where=raw.where
        )
        village.items = self.items(raw.items, "village")
        vouchers: list[Voucher] = []
        seen: dict[tuple[str, int], Location] = {}
        for table in raw.journals:
            vouchers += _Journal(self, table, system, seen).vouchers()
        self.attach_scans(raw, vouchers, village)
        village.vouchers = sorted(vouchers, key=lambda v: (v.date, v.month, v.number))
        finance.read_openings(self, data, where, village, system)  # opening balances per account (finance.py)
        # finance/tables/, the journal's 关联 column and the statements, checked and linked (finance.py)
        village.finance = finance.read(self, raw.finance_tables, village, system)
        # oversight: cadres and 低保 recipients (registries.py), month reviews of the journal (review.py)
        village.cadres, village.allowance_recipients = village_people(data, where, self.report)
        village.month_reviews = month_reviews(raw.reviews, self.review, village, self.report)
        return village

    def attach_scans(self, raw: RawVillage, vouchers: list[Voucher], village: Village) -> None:
        by_key: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
        for month, folder in raw.scans:
            digits = re.findall(r"\d+", folder)
            if digits:
                by_key[(month, int(digits[-1]))].append((month, folder))
        used: set[tuple[str, str]] = set()
        for v in vouchers:
            folders = by_key.get((v.month, v.number), [])
            files = [f for key in folders for f in raw.scans[key]]
            used.update(folders)
            scans_dir = f"{rel(raw.path, self.root)}/scans/{v.month}/{v.number}"
            expected = v.attachments + 1
            where = v.where
            found = 0  # pages: a multi-page TIFF or PDF holds several scans (an unreadable file counts as one)
            for n, path in enumerate(files, start=1):
                name = rel(path, self.root)
                found += 1
                try:
                    resolved = self.stat(path)
                except FileProblem as problem:
                    report_file_problem(problem, Location(name), name, self.report)
                    continue
                img = self.image(resolved, Location(name), name, f"{v.key}-{n}")
                if img is not None:
                    v.scans.append(img)
                    found += len(img.pages) - 1
            if found < expected:
                self.report.error(
                    "scan-missing",
                    where,
                    voucher=f"{v.month} {v.label}",
                    folder=scans_dir,
                    expected=expected,
                    attachments=v.attachments,
                    found=found,
                )
        for key in sorted(set(raw.scans) - used):
            self.report.warning(
                "scan-orphan",
                Location(f"{rel(raw.path, self.root)}/scans/{key[0]}/{key[1]}"),
                folder=f"scans/{key[0]}/{key[1]}",
            )


class _Journal:
    """One journal table turned into vouchers: columns, rows, grouping, balance."""

    def __init__(self, checker: _Checker, table: RawTable, system: str, seen: dict[tuple[str, int], Location]):
        self.c, self.t, self.system, self.seen = checker, table, system, seen
        self.report = checker.report
        # memory (issue 14): an amount written again (a voucher's debit is its credit) held once, by its cell text
        self.amounts: dict[str, Decimal] = {}
        self.days: dict[str, date] = {}  # each date cell's text read (read_day: the same answer for the same text)

    def loc(self, row: int, column: str | None = None) -> Location:
        return Location(self.t.where, row, column, self.t.sheet)

    def vouchers(self) -> list[Voucher]:
        cols = table_columns(self.t, COLUMNS, REQUIRED_COLUMNS, self.report)
        if cols is None:
            return []
        headers = self.t.header
        out: list[Voucher] = []
        current: Voucher | None = None

        def col(field: str) -> str:
            return headers[cols[field]]

        for row_no, cell, _ in table_rows(self.t, cols):
            written = cell("date")
            day = self.days.get(written)  # (a journal writes each day on many rows: read once, as it read then)
            if day is None:
                day = read_day(written, self.loc(row_no, col("date")), col("date"), self.report)
                if day is None:
                    if not written:
                        self.report.error("missing-key", self.loc(row_no, col("date")), key=col("date"))
                    continue
                day = self.days[written] = self.c.share(day)
            label = cell("voucher")
            digits = re.findall(r"\d+", label)
            if not digits:
                self.report.error("voucher-format", self.loc(row_no, col("voucher")), value=label)
                continue
            if len(digits[-1].lstrip("0")) > VOUCHER_DIGITS:  # its key names its pages: never a phone or ID number
                self.report.error(
                    "voucher-number-long", self.loc(row_no, col("voucher")), value=label, digits=VOUCHER_DIGITS
                )
                continue
            number, month = int(digits[-1]), sys.intern(f"{day.year:04d}-{day.month:02d}")
            here = self.loc(row_no)  # the row's place: its line's and, on a voucher's first row, the voucher's
            line = self.line(row_no, cell, col, day, here)
            attachments = 0
            if cell("attachments"):
                if cell("attachments").isdigit():
                    attachments = int(cell("attachments"))
                else:
                    self.report.error("count-format", self.loc(row_no, col("attachments")), value=cell("attachments"))
            if current is not None and current.number == number and current.month == month:
                if day != current.date:
                    self.report.error(
                        "voucher-date",
                        self.loc(row_no, col("date")),
                        voucher=current.label,
                        first=current.date.isoformat(),
                        other=day.isoformat(),
                    )
                current.attachments = max(current.attachments, attachments)
            else:
                key = (month, number)
                if key in self.seen:
                    self.report.error(
                        "voucher-duplicate",
                        self.loc(row_no, col("voucher")),
                        voucher=f"{month} {label}",
                        other=self.seen[key].zh(),
                    )
                    current = None
                    continue
                self.seen[key] = here
                current = Voucher(month, number, label, day, attachments, [], where=here)
                out.append(current)
            if line is not None and current is not None:
                current.lines.append(line)
            if current is not None:  # the approval trail, written on any of the voucher's rows (review.py)
                read_trail(current, cell, lambda f: self.loc(row_no, col(f)), self.report)  # noqa: B023 (called here, for this row)
        for v in out:
            debit, credit = v.debit_total, v.credit_total
            if debit != credit:
                self.report.error(
                    "voucher-unbalanced",
                    v.where,
                    voucher=f"{v.month} {v.label}",
                    debit=f"{debit:,.2f}",
                    credit=f"{credit:,.2f}",
                    diff=f"{abs(debit - credit):,.2f}",
                )
        return out

    def line(self, row_no: int, cell, col, day: date, where: Location) -> EntryLine | None:
        amounts: dict[str, Decimal] = {}
        for field in ("debit", "credit"):
            text = cell(field)
            try:
                if text not in self.amounts:
                    self.amounts[text] = parse_amount(text)
                amounts[field] = self.amounts[text]
            except AmountError:
                self.report.error("amount-format", self.loc(row_no, col(field)), value=cell(field))
        if len(amounts) < 2:
            return None
        if amounts["debit"] and amounts["credit"]:
            self.report.error("amount-both", self.loc(row_no))
            return None
        if not amounts["debit"] and not amounts["credit"]:
            self.report.error("amount-none", self.loc(row_no))
            return None
        system = self.system or accounts.system_for_year(day.year, self.c.config.new_accounts_from)
        code = cell("account_code")
        account = accounts.lookup(system, code)
        if account is None:
            hint, hint_en = _account_hint(system, code, cell("account_name"))
            self.report.error(
                "account-unknown",
                self.loc(row_no, col("account_code")),
                value=code,
                system=accounts.SYSTEM_TITLES[system],
                system_en=f"{system} ({accounts.SYSTEM_TITLES[system]})",
                hint=hint,
                hint_en=hint_en,
            )
            return None
        name = cell("account_name")
        other = accounts.other_system(system)
        old = accounts.lookup(other, code)
        if (
            name
            and not _name_matches(name, account.name)
            and old is not None
            and _name_matches(name, old.name)
            and account not in accounts.counterparts(code, other, system)
        ):
            # 502 经营支出 (2004) written in a 2024 year would be booked as 502 投资收益: the figures would be wrong;
            # 101 现金 (2004) is 101 库存现金 renamed: the same account, only the account-name warning below
            hint, hint_en = _account_hint(system, code, name)
            self.report.error(
                "account-other-chart",
                self.loc(row_no, col("account_code")),
                value=code,
                name=name,
                expected=account.name,
                system=accounts.SYSTEM_TITLES[system],
                system_en=system,
                hint=hint,
                hint_en=hint_en,
            )
        elif name and not _name_matches(name, account.name):
            self.report.warning(
                "account-name", self.loc(row_no, col("account_name")), value=name, code=code, expected=account.name
            )
        # the words a journal repeats row after row (summaries, accounts, payees) held once (sys.intern)
        return EntryLine(
            sys.intern(cell("summary")),
            account,
            sys.intern(code),
            sys.intern(name or account.name),
            amounts["debit"],
            amounts["credit"],
            sys.intern(cell("counterparty")),
            where,
            sys.intern(cell("ref")),
            payee_id=sys.intern(cell("payee_id")),
        )


def _account_hint(system: str, code: str, name: str) -> tuple[str, str]:
    """(Chinese, English) hint for an account code that is wrong in a year kept under `system`: what it means in
    the other chart (2004 <-> 2024), else the code of the account `name` names (issue 16), else where the codes
    are listed. Made only for a line with a problem (~10 µs: most codes are in both charts, so the other chart's
    words were made for every line)."""
    hint, hint_en = accounts.other_chart_hint(system, code)  # a code of the other chart (2004 <-> 2024)
    named = accounts.by_name(system, name) if not hint and name else None
    if named is not None:  # the name says which account was meant: show its code (issue 16)
        return f"；“{named.name}”的编码是 {named.code}", f"; '{named.name}' is {named.code}"
    if not hint:
        return (
            "；一级科目编码见 docs/content-format.md §11（如 102 银行存款）",
            "; the first-level codes are in docs/content-format.md §11 (like 102 银行存款)",
        )
    return hint, hint_en


_BRACKETS = str.maketrans("（）", "()")


def _name_matches(written: str, official: str) -> bool:
    """'银行存款—农商行' names a sub-account of 银行存款; brackets differ between full and half width."""
    w, o = written.translate(_BRACKETS).replace(" ", ""), official.translate(_BRACKETS).replace(" ", "")
    return w.startswith(o) or o.startswith(w)


def item_slug(stem: str) -> str:
    """An ASCII page name from a file name; Chinese file names, and names holding a personal number (masked
    on every page, so never an address), get a short stable hash."""
    ascii_part = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:8]
    if mask(stem) != stem:  # a personal number in a file name must not become a page's address
        return f"item-{digest}"
    if ascii_part and ascii_part == stem.lower().replace("_", "-").replace(" ", "-").strip("-"):
        slug = ascii_part
    else:
        slug = f"{ascii_part}-{digest}" if ascii_part else f"item-{digest}"
    return slug if mask(slug) == slug else f"item-{digest}"  # (digits of the name and of the hash run together)


class _Sources(Container[Path]):
    """The items' sources a body link may name, by the hash of each one's text (`_Checker.sources`): a link to a
    file that is no item and whose path's hash is an item's (~1 link in 10^14 at a city's size) is taken as
    sound."""

    def __init__(self, hashes: Iterable[int]):
        self.hashes = set(hashes)

    def __contains__(self, source: object) -> bool:
        return hash(str(source)) in self.hashes


def resolve_body_link(source: Path, target: str, items: Container[Path]) -> Path | None:
    """A relative link in the body of the item `source` to another item's .md file (of `items`: their sources)."""
    found = link_target(source, target)
    if found is None or found.suffix.lower() not in (".md", ".markdown"):
        return None
    return found if found in items else None
