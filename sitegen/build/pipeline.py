"""The build, top to bottom: load -> validate -> model -> link -> (reuse) -> render -> assets -> write.

Nothing is written until every stage has succeeded for every theme; then each theme is swapped in whole.

`check` is validation, and it finds every problem the build would stop on: every published image is decoded
(small, and once per change: assets.check_images). What can still fail after it (a page that does not render,
a broken link, personal data left unmasked, an image that fails when made big) is held to the village whose
pages it is in: with `hold_back` that village keeps its last good pages and every other village is built; a
failure in the city's or a town's pages stops the build. One build per output folder and image cache at a
time (lock.py).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import time
from array import array
from bisect import bisect_left
from collections import ChainMap
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

from sitegen.build import lock
from sitegen.build.state import content_state, default_cache
from sitegen.build.state import records as _records
from sitegen.content import progress
from sitegen.content.errors import ContentError, Location, OutputError, Problem, Report, make_problem
from sitegen.content.load import RawContent, load, natural_key
from sitegen.content.model import City, Image, Question, Town, Village, VillageListing, pack_pages
from sitegen.content.privacy import find_unmasked_in, mask
from sitegen.finance.ledger import village_ledgers
from sitegen.images import drawn
from sitegen.images import renditions as assets
from sitegen.images.digests import Checked, Digests, Probes, facts_file, tree_facts
from sitegen.oversight import questions, refcode
from sitegen.oversight.attach import attached, village_key
from sitegen.oversight.review import (
    QueueRow,
    as_of,
    draft_months,
    item_is_draft,
    latest_day,
    publish,
    queue,
    queued,
)
from sitegen.oversight.supervise import Oversight
from sitegen.site import feedback, output, render, reuse
from sitegen.site import plan as links
from sitegen.site.pages import CityPage, TownPage
from sitegen.validate.city import Validation
from sitegen.validate.memo import VillageMemo, holding, settle
from sitegen.validate.store import VillageStore

STEPS = ("check", "plan", "reuse", "images", "render", "write")


class Steps:
    """步骤 The build's named steps, in order: check (load, validate, oversight, the image decode check), plan (drafts
    out, ledgers, pages and renditions planned, reference codes), reuse (fingerprints: which villages are unchanged;
    a village made again without a record hashed in its turn), images (the scans' digests, renditions, charts, QR
    codes and search indexes made or found in the cache, and each village's linked into staging), render (pages
    rendered, links checked, personal-data scan, pages staged), write (the city's and towns' renditions and the
    carried files linked in, each theme swapped in, the cache pruned). Each step's wall and CPU seconds (CPU: this
    process and its worker processes) are added up over the rounds a build makes; `sitegen build --timings` prints
    them.
    `progress` (a callable, or None) is told each step as it starts (the terminal's progress line, cli.py)."""

    def __init__(self, progress: Callable[[str], None] | None = None):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.progress = progress

    @staticmethod
    def _cpu() -> float:  # this process, the children it waited for, and the image pools' workers (worker_cpu)
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system + assets.worker_cpu()

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name)
        wall, cpu = time.perf_counter(), self._cpu()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + self._cpu() - cpu

    def lines(self) -> list[str]:
        """One line a step (wall and CPU seconds), then the total."""
        names = [n for n in STEPS if n in self.wall] + sorted(set(self.wall) - set(STEPS))
        rows = [f"{n:8} {self.wall[n]:8.2f} s wall {self.cpu[n]:8.2f} s CPU" for n in names]
        return rows + [f"{'total':8} {sum(self.wall.values()):8.2f} s wall {sum(self.cpu.values()):8.2f} s CPU"]


@dataclass
class BuildResult:
    report: Report
    pages: dict[str, int] = field(default_factory=dict)  # theme -> number of pages
    images: int = 0
    held: dict[str, list[Problem]] = field(default_factory=dict)  # "town/village" -> its errors (hold_back)
    villages: list[str] = field(default_factory=list)  # "town/village" of every village in the site
    reused: list[str] = field(default_factory=list)  # "town/village" carried over unchanged from the last build
    steps: Steps = field(default_factory=Steps)  # each step's time
    unchanged: bool = False  # nothing the build reads had changed: the output was left as it was (_memo)


def _problem_doc(p: Problem) -> dict:
    return {
        "code": p.code,
        "severity": p.severity,
        "zh": p.zh,
        "en": p.en,
        "where": [p.where.path, p.where.line, p.where.column, p.where.sheet],
    }


def _problem(doc: dict) -> Problem:
    return Problem(str(doc["code"]), Location(*doc["where"]), str(doc["severity"]), str(doc["zh"]), str(doc["en"]))


def _memo_doc(state: str, records: list[str], result: BuildResult) -> dict:
    """A build's memo: the state it was made from, the hashes of the build records it wrote (so that it speaks
    of exactly the output beside it) and what it told (problems, held villages by their problems' places in the
    list, pages, images, villages)."""
    problems = result.report.problems
    index = {id(p): n for n, p in enumerate(problems)}
    return {
        "state": state,
        "records": records,
        "problems": [_problem_doc(p) for p in problems],
        "held": {k: [index[id(p)] for p in ps if id(p) in index] for k, ps in result.held.items()},
        "pages": result.pages,
        "images": result.images,
        "villages": result.villages,
    }


def _memo_file(cache: Path) -> Path:
    return cache / ".index" / "memo.json"


def _memo(out: Path, cache: Path, themes: tuple[str, ...], state: str) -> BuildResult | None:
    """The result of the last build of `out` when it was made from this very state and the output is still
    the one it wrote (its build records): nothing the build reads has changed, so building again would write the
    same bytes. None otherwise (any doubt: build)."""
    try:
        m = json.loads(_memo_file(cache).read_text(encoding="utf-8")).get(os.path.realpath(out))
        if (
            not isinstance(m, dict)
            or m.get("state") != state
            or m.get("records") != _records(out, themes)
            or "" in m["records"]
        ):
            return None
        if not all((out / theme / str(key) / "index.html").is_file() for theme in themes for key in m["villages"]):
            return None  # a village's pages gone by hand: built again (reuse.unchanged judges it so too)
        problems = [_problem(d) for d in m["problems"]]
        held = {str(k): [problems[i] for i in v] for k, v in m["held"].items()}
        villages = [str(v) for v in m["villages"]]
        pages = {t: int(m["pages"][t]) for t in themes}
        return BuildResult(
            Report(problems),
            pages,
            int(m["images"]),
            held,
            villages,
            [v for v in villages if v not in held],
            unchanged=True,
        )
    except (OSError, ValueError, AttributeError, KeyError, TypeError, IndexError):
        return None


def _remember(out: Path, cache: Path, themes: tuple[str, ...], state: str, result: BuildResult) -> None:
    """Keep this build's memo (one per output folder the cache serves), written atomically; only a shortcut."""
    path = _memo_file(cache)
    try:
        try:
            memos = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            memos = {}
        memos = memos if isinstance(memos, dict) else {}
        memos[os.path.realpath(out)] = _memo_doc(state, _records(out, themes), result)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(memos, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


P = ParamSpec("P")
R = TypeVar("R")


def _held(run: Callable[P, R]) -> Callable[P, R]:
    """`run` (a build or check) inside memo.holding: the villages it restores, and its city once checked, are
    kept out of the garbage collector's full passes until it ends (memo.holding says why)."""

    @functools.wraps(run)
    def held(*args: P.args, **kwargs: P.kwargs) -> R:
        with holding():
            return run(*args, **kwargs)

    return held


@dataclass
class CheckedCity:
    """检查结果 The city as the check leaves it (check_stored), a city of listings: `city` holds the settings, the
    city's and towns' items and the hotline questions about them, and its towns no village; each village is
    listed (`listed`: as validated, drafts in, as `--preview` publishes it; `published`: drafts out), in the
    city's order, and kept in the run's `store`, from which the build restores it in its turn (`village`). So the
    check holds one village at a time, and the build after it (issue 14: memory at any size). `collisions`: what
    the reference codes of any village are made from (refcode.village_codes). `day`: review.as_of of the whole
    city (the reports' and posters' day, which every village's dates decide). `close` removes the store."""

    city: City
    listed: list[VillageListing]
    published: list[VillageListing]
    store: VillageStore
    collisions: refcode.Collisions
    day: date

    def listings(self, preview: bool) -> list[VillageListing]:
        """Every village as the build publishes it (`preview`: drafts in, marked)."""
        return self.listed if preview else self.published

    def village(self, key: str) -> Village:
        """The village `key` ("town/village") as checked (oversight's warnings and the hotline's questions on it),
        restored: new objects, the caller's for its turn."""
        return self.store.restore(key)

    def publish(self, key: str, preview: bool) -> Village:
        """The village `key` as published (review.publish: drafts out, or marked with `preview`), from that village
        alone: whether a record is a draft is decided from its village (and the site's settings) only."""
        v = self.village(key)
        alone = replace(self.city, items=[], questions=list(v.questions), towns=[Town(v.town_slug, "", [v])])
        return publish(alone, preview).villages[0]

    def codes(self, city: City) -> dict[int, str]:
        """The reference codes of every item and voucher `city` holds (one of this check's cities: the city's and
        towns' items, and any village put in it), as refcode.assign gives them for the whole city."""
        return {
            id(obj): self.collisions.code(identity, code, kind)
            for part in refcode.entries(city)
            for identity, obj, code, kind in part
        }

    def each(self, take: Callable[[Town, Village], R]) -> Iterator[R]:
        """What `take` makes of each village (with its town, which holds no village), in the city's order, given as
        it is made: each village restored as checked in its turn and dropped before the next, so that a reader of
        every village (the reports, the notice board) holds one at a time (issue 14: memory at any size) as long as
        what `take` gives back holds nothing of it (plain rows and totals), and need not hold what it gave either
        (a report writes each village's rows on). A stand-in for one `vanished` put back is a bare village. Each
        village's cyclic garbage (its vouchers and warnings name each other) is collected as its turn ends, and
        what is left frozen (memo.settle: one village's objects walked a turn, not the process's), rather than
        waiting for a full collection of the process (~1 MiB a seed-scale village)."""
        towns = {t.slug: t for t in self.city.towns}
        with holding():
            for listing in self.listed:
                made = take(towns[listing.town], self._restored(listing))
                settle(collect=True)
                yield made

    def _restored(self, listing: VillageListing) -> Village:
        if listing.key in self.store:
            return self.village(listing.key)
        return Village(listing.slug, listing.name, listing.town, "", Decimal(0), where=listing.where)

    def queue(self) -> Iterator[QueueRow]:
        """review.queue's rows of the whole city as validated, in its order, but those of a village approved (已通过):
        the city's and towns' items', then each village's from its listing (`queued`), no village restored
        (scope.unpublished lists them so; a warm check restored every village again for this)."""
        yield from queue(self.city)
        for listing in self.listed:
            yield from listing.queued

    def close(self) -> None:
        self.store.close()


@_held
def check_stored(
    content: Path,
    checked: Checked | None = None,
    previous: Path | None = None,
    themes: tuple[str, ...] = render.THEMES,
    probes: Probes | None = None,
    cache: Path | None = None,
    facts: dict[str, str] | None = None,
) -> tuple[CheckedCity | None, Report]:
    """Load and validate only: every problem, nothing written; the city checked a village at a time and kept as
    a city of listings (CheckedCity; the caller closes it). `checked`: the images that decoded cleanly in an
    earlier build (digests.Checked; the build's, so `sitegen check` after a build decodes only what changed);
    `probes`: the image headers read before (digests.Probes, likewise); `previous`: the output the build would
    replace (a village published there must still be readable); `cache`: the image cache whose `.index/villages/`
    remembers each village validated (validate/memo.py: an unchanged village is neither read nor validated
    again), kept up to date only where the cache's `.index/` exists (the build makes it; `sitegen check` makes
    no folder of its own; the run's store is made there too, else in a temporary folder); `facts`: the village
    folders' stat facts when the caller has just taken them (content_state's `parts`, before anything was read),
    else the memo takes them itself.

    Each village in turn (_Stream.village): validated (or restored from the memo), gone through by oversight (its
    payment warnings put on it), its images decode-checked, its reference codes' identities noted, listed, stored
    and dropped. Then what crosses villages, with the problems in the order a whole run reports them: the checks
    across villages (validation's finish), oversight's problems, the hotline records (matched against the codes
    they name: the villages they name restored and stored again with their questions), the decode check's
    problems, the longest QR code."""
    report = Report()
    memo = village_memo(cache, facts) if cache is not None else None
    raw = load(content, report, memo)
    run = Validation(raw, report, probes, memo)
    if run.city is None:
        return None, report
    store = VillageStore(cache / ".index" if cache is not None else None)
    try:
        stream = _Stream(content, raw, run.city, report, memo, checked or Checked(None, assets.CHECK), store)
        for town, village in run.villages():
            stream.village(town, village, run.facts())
            del village  # (its garbage collected before the next is validated: run.villages)
        stored = stream.finish(run.finish())
    except BaseException:
        store.close()
        raise
    if memo is not None:
        memo.finish()  # the entries of villages no longer there
        if previous is not None:
            stored = vanished(content, stored, previous, themes, report)
    return stored, report


class _Stream:
    """What the check keeps across villages while it goes through them one at a time (check_stored): oversight's
    run, the decode check, the reference codes' collisions and the codes the hotline records name, the latest day
    written, each village's listings; the villages themselves go to the store."""

    def __init__(
        self,
        content: Path,
        raw: RawContent,
        city: City,
        report: Report,
        memo: VillageMemo | None,
        checked: Checked,
        store: VillageStore,
    ):
        self.root = content.resolve()
        self.raw, self.report, self.memo, self.store = raw, report, memo, store
        self.oversight = Oversight(raw, city, report, memo)
        self.decoding = _Decoding(checked, memo)
        self.collisions = refcode.Collisions()
        self.feedback = bool(raw.feedback) or bool(city.feedback_url)
        # the codes the hotline records name (canonical; None: any code, every village is asked of)
        self.asked: set[str] | None = questions.asked_codes(raw.feedback) if raw.feedback else set()
        self.named: list[str] = []  # "town/village" of the villages a hotline record's code may name
        self.latest: date | None = None  # the latest day written in the villages (review.as_of)
        self.listed: list[VillageListing] = []
        self.published: list[VillageListing] = []
        self.towns: dict[str, str] = {}  # town slug -> its name (a village's rows of review.queue name it)
        # the site's settings alone, for a city of one village (attach and publish go through a village alone)
        self.settings = City(city.name, city.title, city.hotline, city.large_amount, oversight=self.oversight.config)

    def village(self, town: Town, village: Village, facts: Mapping[Path, list[int]] | None = None) -> None:
        """One village in its turn: overseen, decode-checked, listed and stored, then dropped. `facts`: the stat
        facts validation took of its files (Validation.facts)."""
        key = f"{town.slug}/{village.slug}"
        found = self.oversight.village(village, town)
        supervised = attached(self.alone(village), lambda thing: thing.draft, {key: found.warnings}, {}, [])
        supervised_village = supervised.villages[0]
        if (
            self.memo is not None
            and key in self.oversight.made
            and not any(p.severity == "error" for p in [*found.acknowledged, *found.basis, *found.reviews])
        ):
            self.memo.keep_findings(village, self.oversight.key, found, supervised_village)
        kept = None
        if self.memo is not None:  # its entry (restored unchanged, or just kept) stands for it in the store
            kept = self.memo.kept_as(supervised_village)
            self.memo.release(village)
        images = published_images(supervised_village)  # (one walk: its decode check and its listing)
        self.decoding.village(key, images, facts)
        self.towns[town.slug] = town.name
        entries = refcode.village_entries(town.slug, supervised_village)
        self.collisions.add(entries)
        if self.asked is None or any(
            questions.own(code) in self.asked or questions.own(refcode.long_code(kind, identity)) in self.asked
            for identity, _, code, kind in entries
        ):
            self.named.append(key)
        day = latest_day(supervised_village)
        if day is not None and (self.latest is None or day > self.latest):
            self.latest = day
        listed, published = self.listings(supervised_village, images)
        self.listed.append(listed)
        self.published.append(published)
        self.store.keep(key, supervised_village, kept)

    def alone(self, village: Village) -> City:
        """A city of `village` alone, with the site's settings (its town a bare one)."""
        return replace(self.settings, towns=[Town(village.town_slug, "", [village])])

    def listings(self, village: Village, images: list[Image] | None = None) -> tuple[VillageListing, VillageListing]:
        """A village's listings as validated (drafts in) and as published (drafts out: review.publish, of the
        village alone). `images`: the village's published_images, when the caller has them."""
        required = self.settings.oversight.review_required
        if not draft_months(village, required) and not any(item_is_draft(i, required) for i in village.items):
            listed = self.listing(village, images)
            if queued(village, required, drafts=False):
                listed = replace(listed, queued=self.queued(village))
            return listed, listed
        listed = replace(self.listing(village, images), queued=self.queued(village))
        # what it publishes is some of what it holds (publish copies records, never an image): nothing from outside
        # its folder as validated, nothing as published, without walking it again
        return listed, self.listing(publish(self.alone(village), False).villages[0], None if listed.outside else [])

    def queued(self, village: Village) -> tuple[QueueRow, ...]:
        """review.queue's rows of `village` (in its town) that are not approved (scope.unpublished lists them)."""
        town = Town(village.town_slug, self.towns.get(village.town_slug, ""), [village])
        return tuple(row for row in queue(replace(self.settings, towns=[town])) if row.status != "已通过")

    def finish(self, city: City) -> CheckedCity:
        """What crosses villages, once every village was gone through (`city`: validation's finish): oversight's
        problems, the reference codes settled, the hotline records read (the villages they name restored, given
        their questions and stored again), the decode check's problems, the longest QR code."""
        report = self.report
        self.oversight.finish(city, [v.key for v in self.listed])
        city = replace(city, oversight=self.oversight.config)
        own = list(refcode.entries(city))  # the city's and towns' items (it holds no village)
        for part in own:
            self.collisions.add(part)
        self.collisions.settled(functools.partial(self.again, own))
        if self.collisions.longer:  # a code made longer by a village gone through later: its village listed again
            hit = {"/".join(identity.split("/")[:2]) for identity in self.collisions.longer}
            for n, listing in enumerate(self.listed):
                if listing.key in hit:
                    self.listed[n], self.published[n] = self.listings(self.store.restore(listing.key))
        stored = CheckedCity(city, self.listed, self.published, self.store, self.collisions, date(2000, 1, 1))
        asked = None  # every hotline question, those about a village's records too (as_of reads their dates)
        if self.raw.feedback:
            city, asked = self.questions(stored)
        stored = replace(stored, city=city, day=as_of(city, asked, self.latest))
        self.decoding.village("", published_images(city))  # the city's and towns' (what their questions name too)
        self.decoding.finish(report)
        if city.feedback_url:
            _qr_fits(self.root, city, report, self.collisions.longest())
        return stored

    def again(self, own: list[list[tuple[str, object, str, str]]], part: int) -> list[tuple[str, object, str, str]]:
        """The reference codes' entries of Collisions' part `part` again: the village added `part`-th (each added
        in its turn, as listed), restored from the store, or one of `own` (the city's and towns', added last)."""
        if part >= len(self.listed):
            return own[part - len(self.listed)]
        listing = self.listed[part]
        return refcode.village_entries(listing.town, self.store.restore(listing.key))

    def questions(self, stored: CheckedCity) -> tuple[City, list[Question]]:
        """The hotline records read (questions.read), matched against the city's and towns' items and the villages
        they may name (restored); each such village given its questions and stored again; the city with those
        about its and its towns' items (the others are their villages'), and every question read."""
        city = stored.city
        named = {key: self.store.restore(key) for key in self.named}
        asked = replace(
            city, towns=[replace(t, villages=[v for v in named.values() if v.town_slug == t.slug]) for t in city.towns]
        )
        found = questions.read(self.raw.feedback, asked, self.report, stored.codes(asked), self.latest)
        mine: dict[str, list[Question]] = {}
        for q in found:
            if q.village:
                mine.setdefault(village_key(q.town, q.village), []).append(q)
        for key, village in named.items():
            if key not in mine:
                continue
            # each question's target by its place in the village: given them again as it is restored (store.change)
            places = {id(x): (False, n) for n, x in enumerate(village.items)}
            places.update({id(x): (True, n) for n, x in enumerate(village.vouchers)})
            about = [(q, places.get(id(q.target))) for q in mine[key]]
            if all(place is not None for _, place in about):
                self.store.change(key, functools.partial(_asking, self.settings, key, about))
            else:  # (a question about something else of it: the village as given them, pickled again)
                asking = attached(
                    self.alone(village), lambda thing: thing.draft, {key: village.warnings}, mine, mine[key]
                )
                self.store.keep(key, asking.villages[0])
        return attached(city, lambda thing: thing.draft, {}, {}, [q for q in found if not q.village]), found

    def listing(self, village: Village, images: list[Image] | None = None) -> VillageListing:
        """A village's listing, its reference codes as known so far (finish makes them again for a village whose
        code a later village made longer, rare). `images`: its published_images, when the caller has them."""
        codes = refcode.village_codes(self.collisions, village.town_slug, village)
        mine = [codes.get(id(x), "") for x in village.items] + [codes.get(id(x), "") for x in village.vouchers]
        # below its folder: the path's text under the folder's (what Path.is_relative_to tells, without its parsing)
        folder = f"{self.root / village.town_slug / village.slug}/"
        images = published_images(village) if images is None else images
        return VillageListing(
            village.town_slug,
            village.slug,
            village.name,
            village.where,
            len(village.items),
            len(village.vouchers),
            pack_pages(links.item_pages(village)),
            hashlib.sha256("|".join(mine).encode()).hexdigest(),
            tuple(sorted({s for s in map(str, (i.source for i in images)) if not s.startswith(folder)})),
        )


def _asking(
    settings: City, key: str, asked: list[tuple[Question, tuple[bool, int] | None]], village: Village
) -> Village:
    """`village` ("town/village" `key`, just restored) given the hotline questions `asked` about it, each with
    the place of what it is about (a voucher or not, its index), so that it is about this village's very object
    (`settings`: the site's settings, for a city of that village alone)."""
    mine = [
        replace(q, target=(village.vouchers if place[0] else village.items)[place[1]]) if place else q
        for q, place in asked
    ]
    alone = replace(settings, towns=[Town(village.town_slug, "", [village])])
    return attached(alone, lambda thing: thing.draft, {key: village.warnings}, {key: mine}, mine).villages[0]


def village_memo(cache: Path, facts: dict[str, str] | None = None) -> VillageMemo | None:
    """The memo of validated villages in the image cache `cache` (check), keyed by sitegen's code
    (reuse.renderer()) and `facts` (VillageMemo); None where no build has made the cache's `.index/` yet."""
    index = cache / ".index"
    return VillageMemo(index / "villages", reuse.renderer(), facts) if index.is_dir() else None


def _qr_fits(content: Path, city: City, report: Report, longest: str) -> None:
    """The 我有疑问 QR codes hold feedback_url with a reference code in it: the longest must fit in a QR code, or
    every page that shows one would fail when the codes are drawn (the build's work, not validation's).
    `longest`: the city's longest reference code (refcode.Collisions.longest)."""
    if not city.feedback_url:
        return
    try:
        feedback.qr_png(feedback.feedback_address(city.feedback_url, longest + "-999"))  # a scan's code is longer
    except Exception as exc:
        report.error(
            "bad-value",
            Location(f"{content.resolve().name}/site.yaml"),
            key="feedback_url",
            detail=f"网址太长，放不进二维码（{type(exc).__name__}）",
            detail_en=f"the address is too long for a QR code ({type(exc).__name__})",
        )


class _Decoding:
    """The decode check (assets.check_images) of every image the city publishes, a village at a time (`village`,
    in the check's turn; then the city's and towns' own), but those only villages restored from the memo publish
    that passed it with the very files they have now (VillageMemo.images_passed). Its problems are reported at
    `finish` as one check of the whole city reports them: the files that cannot be read, then those that do not
    decode, each in the order of their paths, each once, at the lesser `where` of the records naming it (whichever
    villages named it). Each village checked in full with no failure is remembered (a failed check never is)."""

    def __init__(self, checked: Checked, memo: VillageMemo | None):
        self.checked, self.memo = checked, memo
        self.known = memo.images_passed() if memo is not None else set()
        self.unread: dict[Path, Problem] = {}  # source -> its problem: the file cannot be read (stat)
        self.bad: dict[Path, Problem] = {}  # source -> its problem: it does not decode
        self.passed: list[str] = []  # "town/village" of the villages checked in full with no failure

    def village(self, key: str, images: list[Image], facts: Mapping[Path, list[int]] | None = None) -> None:
        """The images of the village `key` ("": the city's and towns') checked now (not kept); none when the
        memo says they passed with these very files. `facts`: their stat facts as validation took them."""
        if key in self.known:
            return
        todo: dict[Path, Image] = {}
        for img in images:
            if img.source not in todo or img.where < todo[img.source].where:
                todo[img.source] = img
        mine = Report()
        failed = assets.check_images([todo[k] for k in sorted(todo)], mine, self.checked, facts=facts)
        unread = set()
        for source in failed:  # only a file that failed is asked whether it can be read at all (a stat each)
            try:
                os.stat(source)
            except OSError:
                unread.add(source)
        sources = {todo[source].where: source for source in failed}
        for problem in mine.problems:
            failing = sources.get(problem.where.path)
            if failing is None:
                continue
            into = self.unread if failing in unread else self.bad
            if failing not in into or problem.where.path < into[failing].where.path:
                into[failing] = problem
        if key and not failed:
            self.passed.append(key)

    def finish(self, report: Report) -> None:
        """The problems found, in order (the class's docstring); the villages that passed remembered."""
        report.problems.extend(self.unread[k] for k in sorted(self.unread))
        report.problems.extend(self.bad[k] for k in sorted(self.bad) if k not in self.unread)
        if self.memo is not None:
            self.memo.images_checked(self.passed)


def published_images(city: City | Village, skip: Iterable[object] = ()) -> list[Image]:
    """Every image the model (or one village of it: its decode check, its listing's outside files) holds (scans,
    item photos, basis and document scans, finance tables' scans), found by walking the model's dataclasses, lists
    and dicts, so an image in a new kind of record is never missed; the objects in `skip` are not walked into.
    (What an object is, a leaf, an image, a dataclass and its field names, a dict or a collection, depends on its
    class alone: found once per class, `_walked`. The walk visits every object of each village, two or three
    times a check.)"""
    found: dict[Path, Image] = {}
    seen: set[int] = {id(obj) for obj in skip}
    todo: list[object] = [city]
    while todo:
        obj: Any = todo.pop()  # (told apart by _WALK below)
        kind = type(obj)
        how = _WALK.get(kind)
        if how is None:
            how = _walked(obj)
            if not isinstance(obj, type):  # (a class itself is told by what it is, not by its class)
                _WALK[kind] = how
        if how is _LEAF:
            continue
        if how is _IMAGE:
            found.setdefault(obj.source, obj)
        elif id(obj) in seen:
            continue
        elif how is _DICT:
            seen.add(id(obj))
            todo.extend(obj.values())
        elif how is _MANY:
            seen.add(id(obj))
            todo.extend(obj)
        elif how:  # a dataclass: its field names
            seen.add(id(obj))
            todo.extend(getattr(obj, name) for name in how)
    return [found[k] for k in sorted(found)]


_LEAF, _IMAGE, _DICT, _MANY = ("leaf",), ("image",), ("dict",), ("many",)  # what published_images does with one
_WALK: dict[type, tuple[str, ...]] = {}  # a class -> one of those, or a dataclass's field names


def _walked(obj: object) -> tuple[str, ...]:
    """What published_images does with `obj`, from the tests it made of each object (in their order)."""
    if obj is None or isinstance(obj, _LEAVES):
        return _LEAF
    if isinstance(obj, Image):
        return _IMAGE
    if dataclasses.is_dataclass(obj):
        return tuple(f.name for f in dataclasses.fields(obj)) or _LEAF
    if isinstance(obj, dict):
        return _DICT
    if isinstance(obj, (list, tuple, set, frozenset)):
        return _MANY
    return _LEAF


_LEAVES = (str, bytes, int, float, Decimal, date, Path)  # what holds no image


def village_errors(report: Report, listed: Sequence[VillageListing], content: Path) -> dict[str, list[Problem]]:
    """Errors found in a village's own folder (a location `<content>/<town>/<village>/…`), by "town/village", of
    the villages `listed` (the city's listings); a town that cannot be read (a stand-in: no town.yaml, `vanished`)
    gives its error to each of its villages."""
    root = content.resolve()  # locations name files from the content folder's name down
    villages = {v.key for v in listed}
    stand_in: dict[str, list[str]] = {}
    for v in listed:
        if v.town in stand_in or not (root / v.town / "town.yaml").is_file():
            stand_in.setdefault(v.town, []).append(v.key)
    found: dict[str, list[Problem]] = {}
    for problem in report.errors:
        parts = problem.where.path.split("/")
        if len(parts) >= 3 and parts[0] == root.name and f"{parts[1]}/{parts[2]}" in villages:
            found.setdefault(f"{parts[1]}/{parts[2]}", []).append(problem)
        elif parts[:1] == [root.name] and len(parts) == 3 and parts[2] == "town.yaml" and parts[1] in stand_in:
            for key in stand_in[parts[1]]:  # a town that cannot be read: each of its villages is held
                found.setdefault(key, []).append(problem)
    return found


def held_towns(content: Path, city: City) -> set[str]:
    """The towns in the city that could not be read (stand-ins put back by `vanished`: no town.yaml)."""
    root = content.resolve()
    return {t.slug for t in city.towns if not (root / t.slug / "town.yaml").is_file()}


def _stops(report: Report, held: dict[str, list[Problem]], listed: Sequence[VillageListing]) -> bool:
    """Whether the build stops on these errors: one that is no held village's, or every village (`listed`) held."""
    mine = {id(p) for problems in held.values() for p in problems}
    everyone = {v.key for v in listed}
    return any(id(p) not in mine for p in report.errors) or bool(held) and set(held) >= everyone


def published_before(previous: Path, themes: tuple[str, ...]) -> set[str]:
    """ "town/village" of every village the previous output holds (its build record, reuse.RECORD)."""
    return {key for theme in themes for key in reuse.read_record(previous / theme)}


def vanished(
    content: Path, stored: CheckedCity, previous: Path, themes: tuple[str, ...], report: Report
) -> CheckedCity:
    """A published village (or town) whose folder is still there but which could not be read (its village.yaml
    or town.yaml deleted, renamed or unreadable) is an error, not a silent removal. Such a village is put back
    into the city as a stand-in listed as it was (the build record's listing): with the error in its folder
    it is held back like any village with errors, its last pages kept and still listed. A town likewise: a stand-in
    with its recorded name and its villages' stand-ins, all held, its own pages kept (held_towns). Without a
    recorded listing the error is nobody's: the build stops and the whole site stays as it was. To take a
    village or town down, its whole folder is deleted. Returns the checked city with its stand-ins (a new one when
    there are any; `stored` is left as it was). A stand-in is a listing alone: nothing of it is in the store."""
    city = stored.city
    root = content.resolve()
    records = [reuse.read_record(previous / theme) for theme in themes]
    town_names = next((t for t in (reuse.read_towns(previous / theme) for theme in themes) if t), {})
    towns = {t.slug: t for t in city.towns}
    back: list[VillageListing] = []  # stand-ins of villages that cannot be read
    unread: dict[str, Town | None] = {}  # towns that cannot be read: their stand-in, None when it cannot be made
    villages = {v.key for v in stored.listed}
    for key in sorted(published_before(previous, themes) - villages):
        town, village = key.split("/", 1)
        listing = next((r[key]["listing"] for r in records if isinstance(r.get(key, {}).get("listing"), dict)), None)
        if town not in towns and (root / town).is_dir():
            if town not in unread:
                name = f"{root.name}/{town}/town.yaml"
                report.error("town-unreadable", Location(name), town=town, name=name)
                title = town_names.get(town, {}).get("title")
                unread[town] = Town(town, str(title)) if title else None
            if unread[town] is not None and (root / town / village).is_dir():
                title = str((listing or {}).get("title", village))
                back.append(VillageListing(town, village, title, f"{root.name}/{key}/village.yaml", 0, 0))
                if listing is None:
                    unread[town] = None  # not listed as it was: the town cannot be held, the build stops
        elif town in towns and (root / town / village).is_dir():
            name = f"{root.name}/{key}/village.yaml"
            report.error("village-unreadable", Location(name), village=key, name=name)
            if listing is not None:
                back.append(VillageListing(town, village, str(listing.get("title", village)), name, 0, 0))
    back = [v for v in back if v.town in towns or unread.get(v.town) is not None]
    if not back:
        return stored
    stand_ins = [t for t in unread.values() if t is not None and any(v.town == t.slug for v in back)]
    kept = sorted([*city.towns, *stand_ins], key=lambda t: natural_key(t.slug))

    def listed(found: list[VillageListing]) -> list[VillageListing]:
        by_town: dict[str, list[VillageListing]] = {}
        for v in found:
            by_town.setdefault(v.town, []).append(v)
        for v in back:  # a town given a stand-in: its villages in their folders' order
            by_town[v.town] = sorted([*by_town.get(v.town, []), v], key=lambda v: natural_key(v.slug))
        return [v for t in kept for v in by_town.get(t.slug, [])]

    return replace(
        stored, city=replace(city, towns=kept), listed=listed(stored.listed), published=listed(stored.published)
    )


def _drop_never_built(
    listed: list[VillageListing], held: dict[str, list[Problem]], previous: Path, themes: tuple[str, ...]
) -> list[VillageListing]:
    """A held village that was never built has no pages to keep: it is left out of the city altogether (of its
    listings: a new list, `listed` is left as it was)."""
    never = {key for key in held if not all((previous / theme / key / "index.html").is_file() for theme in themes)}
    if not never:
        return listed
    return [v for v in listed if v.key not in never]


class _Carried(Mapping[str, str]):
    """The files of the villages (and held towns) carried over unchanged from the previous output, one theme's:
    path -> where the file is now. Asked of the folders themselves rather than listed in memory (a city's carried
    files are millions): a path is carried when its first one or two parts name a carried folder and the file is
    there; iterating walks those folders in sorted order."""

    def __init__(self, root: str, keys: set[str]):
        self.root, self.folders = root, keys

    def _where(self, path: str) -> str | None:
        parts = path.split("/", 2)
        if parts[0] in self.folders or ("/".join(parts[:2]) in self.folders and len(parts) == 3):
            where = os.path.join(self.root, path)
            return where if os.path.isfile(where) else None
        return None

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self._where(path) is not None

    def __getitem__(self, path: str) -> str:
        where = self._where(path)
        if where is None:
            raise KeyError(path)
        return where

    def __iter__(self) -> Iterator[str]:
        for key in sorted(self.folders):
            if key.split("/")[0] != key and key.split("/")[0] in self.folders:
                continue  # a village of a held town: walked with its town
            for top, _, names in os.walk(os.path.join(self.root, key)):
                rel = os.path.relpath(top, self.root).replace(os.sep, "/")
                yield from (f"{rel}/{name}" for name in names)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _carry(keys: set[str], previous: Path, themes: tuple[str, ...]) -> dict[str, _Carried]:
    """These villages' files in the previous output, per theme (path -> file), to be kept or written unchanged."""
    return {theme: _Carried(os.path.join(previous, theme), keys) for theme in themes}


def lock_files(out: Path, cache: Path, previous: Path | None = None) -> list[Path]:
    """The locks a build holds, always taken in this order: its output folder's, the folder it carries pages
    from (a dry run's; when it exists), its image cache's, each file once. Inside `.cache/` and `.index/`: never
    published, never pruned."""
    files = [out / ".cache" / "build.lock"]
    if previous is not None and previous.is_dir():
        files.append(previous / ".cache" / "build.lock")
    files.append(cache / ".index" / "build.lock")
    return list({os.path.realpath(f): f for f in files}.values())


def _listings(site: links.Site) -> dict[str, dict[str, str]]:
    """ "town/village" -> how its town page lists it ({"title", "sub"}), kept in the build record so that a held
    village is listed as its kept pages show it, not from content that failed."""
    found = {}
    for page in site.pages:
        if isinstance(page, TownPage):
            for tile in page.tiles:
                if tile.path.endswith("/index.html") and tile.path.count("/") == 2:
                    found[tile.path[: -len("/index.html")]] = {"title": mask(tile.title), "sub": mask(tile.sub)}
    return found


def _relist(site: links.Site, listed: dict[str, dict[str, str]]) -> None:
    """List these (held) villages on the town and city pages as recorded with their kept pages."""

    def tile(t: links.Tile) -> links.Tile:
        key = t.path[: -len("/index.html")] if t.path.endswith("/index.html") else ""
        if key not in listed:
            return t
        return links.Tile(
            str(listed[key].get("title", t.title)), str(listed[key].get("sub", t.sub)) if t.sub else "", t.path, t.digit
        )

    for page in site.pages:
        if isinstance(page, TownPage):
            page.tiles = [tile(t) for t in page.tiles]
        elif isinstance(page, CityPage):
            page.villages = [(town, [tile(t) for t in tiles]) for town, tiles in page.villages]


class _Late(Exception):
    """Failures after validation, by the village whose pages they are in (None: the city's or a town's pages)."""

    def __init__(self, failures: dict[str | None, list[Problem]]):
        super().__init__(f"{sum(map(len, failures.values()))} failure(s)")
        self.failures = failures


@dataclass
class _Made:
    """A round's site, made and checked: each theme's new files staged on disk (output.Stage; none in a rehearsal),
    the number of pages rendered per theme, the rest to be put in place beside them."""

    staged: dict[str, output.Stage | None]
    pages: dict[str, int]
    carried: dict[str, _Carried]
    copies: dict[str, Path]  # the city's and towns' renditions (a village's are linked into staging as it is made)
    images: dict
    unchanged: dict[str, dict]
    uses: dict[str, str]  # "town/village" (made again; "": the city's and towns') -> its entries' list (uses_key)
    shared: list[str]  # the rendition cache entries of the city's and towns' pages (sorted)
    count: int  # renditions made (every village made again's, and the city's and towns')


@_held
def build(
    content: Path,
    out: Path,
    themes: tuple[str, ...] = render.THEMES,
    cache: Path | None = None,
    hold_back: bool = False,
    previous: Path | None = None,
    preview: bool = False,
    wait: bool = False,
    steps: Steps | None = None,
) -> BuildResult:
    """Build `content` into `out`/<theme>.

    With `hold_back` (sitegen build and publish), a failure that belongs to one village (an error in its folder,
    or, after validation, a page of it that does not render, a broken link in it, personal data left unmasked in
    it, an image of it that cannot be made) does not stop the build: that village keeps its pages from the
    previous output (`previous`, default `out`) byte for byte, and the city and town pages still list it (one
    never built is left out); `BuildResult.held` names each with its errors. A failure anywhere else (site.yaml,
    a town, the city's or towns' pages), or in every village, stops everything: ContentError, nothing written.
    Without `hold_back`, any error stops everything.

    Only what changed is rendered: a village whose pages would be made from the same files, code and shared
    content as those in the previous output is carried over from it (reuse.py). When nothing the build reads has
    changed since the last build of `out` (the stat facts of every content file, sitegen's code, today's date, the
    options: content_state) and `out` is still as that build left it, nothing is read or written: its result is
    told again (`BuildResult.unchanged`; the memo is in the cache's `.index/`). The output folder and the image
    cache (`cache`, default `<out>.cache/` beside it: default_cache) are locked for the whole run, the check
    included (lock.py): another run raises lock.Busy, or is waited for with `wait`. `steps` collects each step's
    time (Steps)."""
    cache = cache or default_cache(out)
    previous = previous or out
    steps = steps or Steps()
    # Locked from before the check: the check writes to the cache (the villages' memo entries, the decode checks'
    # and headers' tables) and the build then reads what it wrote there (a village restored from its memo entry).
    # Two runs checking side by side would each rewrite, or remove, what the other is about to read.
    with _locked(out, cache, previous, wait):
        state = None
        facts: dict[str, str] = {}  # each village folder's stat facts, taken with the state (the validation memo)
        if os.path.realpath(previous) == os.path.realpath(out):  # (a dry run builds elsewhere: always whole)
            with steps.step("check"):
                state = content_state(content, {out, cache}, themes, preview, hold_back, parts=facts)
                memo = _memo(out, cache, themes, state)
            if memo is not None:
                memo.steps = steps
                return memo
        checked = Checked(facts_file(cache), assets.CHECK, True)
        probes = Probes(facts_file(cache), assets.PROBE, True)
        with steps.step("check"):  # (the cache's .index/, where the build keeps what it validates: its lock made it)
            stored, report = check_stored(content, checked, previous, themes, probes, cache, facts)
        if stored is None:
            raise ContentError(report)
        try:
            settle(collect=True)  # the checked city is held to the end of the build: no full collection walks it
            probes.save()  # only headers that were sound, whatever follows (under the lock: one writer)
            result = _build(
                content, out, themes, cache, hold_back, previous, preview, stored, report, checked, steps, facts
            )
            if state is not None:
                _remember(out, cache, themes, state, result)
            return result
        finally:
            stored.close()


@contextmanager
def _locked(out: Path, cache: Path, previous: Path, wait: bool) -> Iterator[None]:
    """Hold the build's locks (lock_files); lock.Busy when another run holds one and not `wait`."""
    with ExitStack() as stack:
        for path in lock_files(out, cache, previous):
            try:
                stack.enter_context(lock.hold(path, wait))
            except OSError as exc:
                raise OutputError(f"{exc.filename or path}: {exc.strerror}") from exc
        yield


def _build(
    content: Path,
    out: Path,
    themes: tuple[str, ...],
    cache: Path,
    hold_back: bool,
    previous: Path,
    preview: bool,
    stored: CheckedCity,
    report: Report,
    checked: Checked,
    steps: Steps,
    facts: Mapping[str, str] | None = None,
) -> BuildResult:
    checked.save()  # the images validation found sound, whatever follows (under the lock: one writer)
    listed = stored.listings(preview)
    held = village_errors(report, listed, content) if hold_back else {}
    if _stops(report, held, listed):
        raise ContentError(report)
    digests = Digests(facts_file(cache), create=True)
    if not facts:  # a dry run takes no state (build): the village folders' stat facts all the same, for the record
        facts = {}
        tree_facts(content.resolve(), {os.path.realpath(p) for p in (out, cache, previous)}, True, facts)
    try:
        city, listed, made = _settle(
            content, out, themes, cache, previous, preview, stored, report, held, hold_back, digests, steps, True, facts
        )
    finally:
        digests.save()
    try:  # whatever fails, nothing staged is left behind
        result = BuildResult(
            report,
            images=made.count + sum(int(e["images"]) for e in made.unchanged.values()),
            held=held,
            villages=[v.key for v in listed],
            reused=sorted(made.unchanged),
            steps=steps,
        )
        # the pages of a carried village as recorded; a held village's or town's (rare) counted where they are
        walked = _carry(set(held) | held_towns(content, city), previous, themes)
        for theme, pages in made.pages.items():
            result.pages[theme] = (
                pages
                + sum(int(e["pages"][theme]) for e in made.unchanged.values())
                + sum(1 for p in walked[theme] if p.endswith(".html"))
            )
        in_place = os.path.realpath(previous) == os.path.realpath(out)
        kept = set(made.unchanged) | set(held) | held_towns(content, city)  # their folders are left as they are
        rendered_villages = set(result.villages) - kept
        with steps.step(
            "write"
        ):  # pages and villages' renditions staged already (_Round): the rest linked in, each swapped in
            for theme, stage in made.staged.items():
                assert stage is not None  # a build (not a rehearsal) stages every theme
                shipped = assets.for_theme(made.copies, made.images, theme)
                if in_place:  # only the villages made again, each swapped in whole; the city's pages last
                    output.write_theme(
                        out,
                        theme,
                        {},
                        {p: f for p, f in shipped.items() if not p.startswith(tuple(f"{k}/" for k in kept))},
                        rendered_villages,
                        kept,
                        reuse.RECORD,
                        staged=stage,
                    )
                else:
                    carried = made.carried[theme]  # linked in as its folders are walked, never listed whole
                    for path, source in carried.items():
                        stage.link(path, source)
                    output.write_theme(
                        out, theme, {}, {p: f for p, f in shipped.items() if p not in carried}, staged=stage
                    )
            _prune(cache, previous, themes, made, held)
    finally:
        _discard(made.staged)
    return result


def _prune(cache: Path, previous: Path, themes: tuple[str, ...], made: _Made, held: Mapping[str, object]) -> None:
    """Keep the rendition cache entries of the villages made again (their lists in `.index/uses/`, for when they
    are carried over) and drop those no page uses any longer. When every village was made, every entry not used
    is dropped (assets.prune). Otherwise only the entries the villages made again (and the city's and towns'
    pages) used before and use no longer are candidates, each dropped unless a carried or held village's list
    holds it: a build after one change reads no carried village's list unless an entry fell out of use. A list
    missing or not what its name says: nothing is dropped (the next full prune does)."""
    index = cache / ".index"
    try:  # (each village's was saved as it was made: _uses)
        reuse.save_uses(index, made.shared)
    except OSError:
        pass  # missing, the next build prunes nothing that may be used (read_uses)
    listed = set(made.uses.values())
    keep = _Names()
    keep.add(made.shared)
    for key in sorted(listed - {made.uses[""]}):
        names = reuse.read_uses(index, key)
        if names is None:
            return  # a list not on disk: nothing is dropped (the next full prune does)
        keep.add(names)
    keep.sort()
    before = reuse.read_record(previous / themes[0]) if themes else {}
    carried = {key: entry for key, entry in before.items() if key in made.unchanged or key in held}
    if not carried:
        assets.prune(cache, keep)
        reuse.prune_uses(index, listed)
        return
    candidates: set[str] = set()
    for key, entry in before.items():
        if key not in carried and isinstance(entry.get("renditions"), str):
            candidates |= {n for n in reuse.read_uses(index, entry["renditions"]) or () if n not in keep}
    shared_before = reuse.read_uses(index, reuse.read_shared(previous / themes[0]))
    candidates |= {n for n in shared_before or () if n not in keep}
    if candidates:
        for entry in carried.values():
            uses = reuse.read_uses(index, str(entry.get("renditions")))
            if uses is None:
                return
            candidates -= uses
        assets.prune(cache, keep, candidates)
    reuse.prune_uses(index, listed | {str(e.get("renditions")) for e in carried.values()})


def _uses(cache: Path, copies: Mapping[str, Path], images: bool) -> tuple[str, int]:
    """A village's rendition cache entries (`copies`: output path -> cache file), saved at once in the cache's
    `.index/uses/` (reuse.save_uses; not in a rehearsal) and told by their list's name (uses_key) and the number of
    files shipped: the round keeps those two, not the names, of each village made (issue 14: thousands a village,
    held to the end of the build they grew its memory with the city). A list that cannot be saved is missing for
    the prune, which then drops nothing (_prune)."""
    names = sorted({f.name for f in copies.values()})
    if images:
        try:
            reuse.save_uses(cache / ".index", names)
        except OSError:
            pass
    return reuse.uses_key(names), len(copies)


class _Names(Container[str]):
    """The rendition cache entries a build uses, by name, for the prune (assets.prune's `keep`): of each name only
    its hash, in sorted arrays (8 bytes a name, BUCKETS of them by the hash's low bits, each sorted alone so that
    sorting holds one bucket's numbers at a time). A set of a city's ~312,000 names, with the cache folder listed
    whole beside it, was the build's peak: ~60 MiB for a second at the write step's end (issue 14: memory at any
    size). A name whose hash is held is kept, so an entry in use is never dropped; one not in use whose hash is an
    entry in use's (~1 build in 10^8 at a city's size; the hash differs in the next process) stays until a later
    build's prune. `add` the names, then `sort` before asking."""

    BUCKETS = 1024

    def __init__(self) -> None:
        self.buckets = [array("q") for _ in range(self.BUCKETS)]

    def add(self, names: Iterable[str]) -> None:
        buckets, mask = self.buckets, self.BUCKETS - 1
        for name in names:
            h = hash(name)
            buckets[h & mask].append(h)

    def sort(self) -> None:
        self.buckets = [array("q", sorted(bucket)) for bucket in self.buckets]

    def __contains__(self, name: object) -> bool:
        h = hash(name)
        bucket = self.buckets[h & (self.BUCKETS - 1)]
        at = bisect_left(bucket, h)
        return at < len(bucket) and bucket[at] == h


def _discard(staged: dict[str, output.Stage | None]) -> None:
    """Throw away what is staged and not put in place (a failure: the live output stays as it was)."""
    for stage in staged.values():
        if stage is not None:
            stage.discard()


def _settle(
    content: Path,
    out: Path,
    themes: tuple[str, ...],
    cache: Path,
    previous: Path,
    preview: bool,
    stored: CheckedCity,
    report: Report,
    held: dict[str, list[Problem]],
    hold_back: bool,
    digests: Digests,
    steps: Steps,
    images: bool = True,
    facts: Mapping[str, str] | None = None,
) -> tuple[City, list[VillageListing], _Made]:
    """Make the site (_make) in one round: a village that fails late (its images or charts, a page of it that
    does not render, a broken link or personal data in its pages) is held back within the round (added to `held`,
    its problems to `report`, in the city's order) while the round goes on with the next village. ContentError
    when a failure is not a village's (the city's or towns' pages), or every village has failed, or any failed
    without `hold_back`; whatever was staged is then thrown away. Returns the city the site was made from (drafts
    out or marked: the city's and towns' items; each village's in its turn of the round) with the villages'
    listings (never-built held villages out) and the site."""
    listed = stored.listings(preview)
    everyone = {v.key for v in listed}
    with steps.step("plan"):
        # drafts (unapproved records) out, or kept and marked with `preview` (review.py): the city's and towns' here,
        # a village's in its turn (CheckedCity.publish), when its ledgers are made too, of the villages made again
        city = publish(stored.city, preview)
    listed = _drop_never_built(listed, held, previous, themes)
    try:
        city, listed, made, late = _make(
            content, out, themes, cache, previous, preview, stored, city, listed, held, digests, steps, images, facts
        )
    except _Late as stop:  # a failure in the city's or towns' pages (with the villages' found before it)
        for problems in stop.failures.values():
            report.problems.extend(p for p in problems if p not in report.problems)
        raise ContentError(report) from None
    for key, problems in late.items():
        report.problems.extend(p for p in problems if p not in report.problems)
        held.setdefault(key, []).extend(problems)
    if late and (not hold_back or set(held) >= everyone):
        _discard(made.staged)
        raise ContentError(report)
    return city, listed, made


@_held
def rehearse(
    content: Path,
    output: Path,
    checked: Checked | None = None,
    themes: tuple[str, ...] = render.THEMES,
    validated: Callable[[CheckedCity, Report], None] | None = None,
    probes: Probes | None = None,
    cache: Path | None = None,
    steps: Steps | None = None,
) -> tuple[CheckedCity | None, Report]:
    """`sitegen check`: validation (check), then the build's page work in memory (plan, render, link check,
    personal-data scan; nothing is written), so that check fails exactly when the build would stop or hold a
    village back. Villages unchanged since `output` was built are not rendered again, as in the build. Left to the
    build, as the expensive part: making the renditions (validation decoded every image), drawing the charts and
    QR codes. `validated` is shown the city as checked, drafts still in its villages, before the build's steps
    take them out (`sitegen check` lists what will not be published). Returns the city as the build would
    publish it (its `published` listings: never-built held villages out), its store closed: listings only."""
    steps = steps or Steps()
    cache = cache or default_cache(output)
    with steps.step("check"):
        stored, report = check_stored(content, checked, output, themes, probes, cache)
    if stored is None:
        return stored, report
    try:
        settle(collect=True)  # the checked city is held to the end of the rehearsal (as in the build)
        if validated is not None:
            validated(stored, report)
        listed = stored.listings(False)
        held = village_errors(report, listed, content)
        if _stops(report, held, listed):
            return stored, report  # the build stops here, on these errors
        digests = Digests(facts_file(cache))  # added to when the build made it, never made here
        try:
            _, listed, _ = _settle(
                content, output, themes, cache, output, False, stored, report, held, True, digests, steps, images=False
            )
        except ContentError:
            pass  # its problems are in the report
        return replace(stored, published=listed), report
    finally:
        stored.close()


def _make(
    content: Path,
    out: Path,
    themes: tuple[str, ...],
    cache: Path,
    previous: Path,
    preview: bool,
    stored: CheckedCity,
    city: City,
    listed: list[VillageListing],
    held: dict[str, list[Problem]],
    digests: Digests,
    steps: Steps,
    images: bool = True,
    facts: Mapping[str, str] | None = None,
) -> tuple[City, list[VillageListing], _Made, dict[str, list[Problem]]]:
    """Plan, render and check every theme, villages in `held` carried from `previous`: `city` the city's and
    towns' part as published, `listed` its villages' listings, each village restored from `stored` in its turn.
    A village that fails late is held back within the round (_Round.hold); returns the city made and its villages'
    listings (never-built villages held late left out), the site and the villages held late with their failures,
    in the city's order. Raises _Late when the city's or
    towns' pages fail (their failures, after the villages'). Without `images`, renditions, charts and QR codes are
    taken as made (a rehearsal: nothing is written).

    Which villages are unchanged is known before anything is planned (reuse.fingerprints: `facts`, the village
    folders' stat facts taken before the content was read, spare the content hashes of a village whose facts are
    the recorded ones); only the city's and towns' pages and those of the villages made again are planned, their
    images made, rendered and checked. What the build needs of a carried village (its page count, its images,
    the rendition cache entries its pages use) is in its build record entry. The city's and towns' pages are
    planned first and rendered last; the villages made again one at a time, in turn (_Round: each planned, its
    images made, rendered, checked and staged, then dropped), so a village's plan is never held beside
    another's."""
    try:
        if images:
            cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{exc.filename}: {exc.strerror}") from exc
    with steps.step("plan"):
        codes = stored.codes(city)  # the city's and towns' items' (a village's are added in its turn)
    with steps.step("reuse"):  # before planning: a village carried over is never planned
        recorded = [reuse.read_record(previous / theme) for theme in themes]
        skip = frozenset({out.resolve(), previous.resolve(), cache.resolve()})
        entries = recorded[0] if recorded else {}
        prints = reuse.fingerprints(content, listed, digests, f"preview={preview}", skip, facts, entries)
        unchanged = {k: e for k, e in reuse.unchanged(previous, themes, prints).items() if k not in held}
        # a village made again whose own hash was recalled: hashed from its files when asked (a record that lied
        # is not copied into the new one)
        prints.forget(prints.recalled - set(unchanged), {v.key: v for v in listed}, facts or {})
    towns_held = held_towns(content, city)  # their own pages too are the old ones
    villages = {v.key for v in listed}
    kept = {key for key in villages if key in held or key in unchanged or key.split("/")[0] in towns_held}

    def shared_plan(
        listed: list[VillageListing], held: Collection[str]
    ) -> tuple[links.Site, dict[str, dict[str, str]]]:
        """The city's and towns' pages (every item's path known), the `held` villages listed as recorded with
        their kept pages (a never-built one is not in `listed`), a held town's own pages left out (kept too); and
        how the content lists each village (_listings, before the held ones are listed as recorded)."""
        site = links.plan(city, (), codes, listed)
        feedback.plan(site, city, codes)  # 我有疑问 panels: reference code, hotline, QR code
        shown = _listings(site)
        _relist(
            site,
            {
                key: recorded[0][key]["listing"]
                for key in held
                if isinstance(recorded and recorded[0].get(key, {}).get("listing"), dict)
            },
        )
        if towns_held:  # a held town's own pages are the old ones too
            prefixes = tuple(f"{slug}/" for slug in towns_held)
            site.pages = [p for p in site.pages if not p.path.startswith(prefixes)]
            site.generated = {p: data for p, data in site.generated.items() if not p.startswith(prefixes)}
            site.images = {p: img for p, img in site.images.items() if not p.startswith(prefixes)}
        return site, shown

    with steps.step("plan"):  # the city's and towns' pages first; the villages' in turn
        site, shown = shared_plan(listed, held)
    failures: dict[str | None, list[Problem]] = {}

    def fail(path: str, problem: Problem) -> None:
        key = "/".join(path.split("/")[:2])
        failures.setdefault(key if key in villages else None, []).append(problem)

    staged: dict[str, output.Stage | None] = dict.fromkeys(themes)
    try:
        if images:  # new files go to disk as they are made, staged beside the live output until every check passed
            output.clean_leftovers(out)
            in_place = os.path.realpath(previous) == os.path.realpath(out)
            staged = {
                t: output.Stage(out, t, villages - set(held) - set(unchanged) if in_place else None) for t in themes
            }
        with steps.step("images"):  # the city's and towns' charts, QR codes and renditions
            generated, copies = _images(site, cache, digests, staged, images, fail)
        todo = [v.key for v in listed if v.key not in kept]
        if images:  # (a check makes no folder of its own)
            render.keep_compiled(cache)
        round_ = _Round(
            content,
            themes,
            stored,
            preview,
            city,
            listed,
            codes,
            site,
            _carry(set(held) | set(unchanged) | towns_held, previous, themes),
            staged,
            failures,
            fail,
            todo,
            previous,
            lambda listed, late: shared_plan(listed, [*held, *late])[0],
            prints,
        )
        round_.villages(cache, digests, images, steps)
        with steps.step("render"):
            round_.shared(generated, copies, cache, digests, images)
        late = round_.late
        made = _record(round_, themes, previous, city, {**held, **late}, unchanged, towns_held, shown, recorded, prints)
        return city, round_.listed, made, late
    except BaseException:
        _discard(staged)  # nothing visible changed: the live output is as it was
        raise


def _broke(path: str, exc: Exception) -> Problem:
    """A page (or chart) that could not be made: its village's failure."""
    return make_problem("render-failed", Location(path), page=path, detail=f"{type(exc).__name__}: {exc}"[:200])


def _images(
    site: links.Site,
    cache: Path,
    digests: Digests,
    staged: Mapping[str, output.Stage | None],
    images: bool,
    fail: Callable[[str, Problem], None],
    noted: dict[str, str] | None = None,
) -> tuple[set[str], dict[str, Path]]:
    """The images step for `site` (the city's and towns' pages, or one village's): its renditions made in the cache,
    its charts and QR codes (drawn.Drawing) taken from the cache or drawn into it (drawn.drawn), its other generated
    files (search indexes) made and staged; `noted` receives its sources' hashes (assets.renditions). Returns the
    generated paths staged, and the renditions and drawings (output path -> cache file: linked in and kept in the
    cache like renditions); a chart or image that cannot be made is `fail`ed at each page that shows it. A rehearsal
    draws nothing: it takes them as drawn."""
    generated: set[str] = set()
    drawings = {p: d for p, d in site.generated.items() if isinstance(d, drawn.Drawing)}
    for path, draw in site.generated.items():
        if path in drawings:
            continue
        try:  # a rehearsal does not make generated files: it takes them as made
            data = (draw() if images else b"") if callable(draw) else draw
        except Exception as exc:  # a search index that cannot be made: its village's failure
            fail(path, _broke(path, exc))
            continue
        generated.add(path)
        for stage in staged.values():
            if stage is not None:
                stage.put(path, data)
    made = Report()
    copies = (
        assets.renditions(site.images, cache, made, known=digests, noted=noted)
        if images
        else {p: Path() for p in site.images}
    )
    pictures, failed = drawn.drawn(drawings, cache) if images else (dict.fromkeys(drawings, Path()), {})
    for path, error in failed.items():  # a chart that cannot be drawn: its village's failure
        fail(path, make_problem("render-failed", Location(path), page=path, detail=error))
    for problem in made.problems:  # reported at the source file: held to every village whose pages show it
        users = {
            path
            for path, r in site.images.items()
            if path not in copies and (r.image if isinstance(r, assets.Rendition) else r).where == problem.where.path
        }
        for path in sorted(users) or [""]:
            fail(path, problem)
    return generated, {**copies, **pictures}


class _Targets(Collection[str]):
    """The files a theme will hold that a link may name (links.LinkCheck `targets`), asked as the villages are made
    one at a time: `fixed` (the city's and towns' pages, every item's page, every village's home page, the
    static files, the city's and towns' charts and QR codes), the village in hand's (`current`: its pages,
    charts, QR codes and renditions), and those of a village made before it in this round (`done`), asked of its
    plan made again (`known`, the last one remembered: a link into another village is rare)."""

    def __init__(self, fixed: set[str], known: Callable[[str], frozenset[str]]):
        self.fixed, self.known = fixed, known
        self.current: set[str] = set()
        self.done: set[str] = set()

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        if path in self.fixed or path in self.current:
            return True
        key = "/".join(path.split("/")[:2])
        return key in self.done and path in self.known(key)

    def __iter__(self) -> Iterator[str]:  # what is in hand only
        return iter(self.fixed | self.current)

    def __len__(self) -> int:
        return len(self.fixed | self.current)


class _Present(ChainMap[str, Path | str]):
    """The files a theme holds besides its targets (the village in hand's renditions, then the carried files), for
    links.LinkCheck: never taken for none when the village in hand has no renditions, and never asked its length
    (that would walk every carried folder)."""

    def __bool__(self) -> bool:
        return True


class _Round:
    """One round of the render step (_make), one village at a time: each village made again is planned
    (plan.plan_village), its charts, QR codes and renditions made (_images) and linked into staging (`place`),
    its pages rendered, link-checked (links.LinkCheck, one a theme for each village), scanned for personal data
    and staged, then its plan dropped; the city's and towns' pages last (`shared`). Only the page in hand and one
    village's plan are held whatever the city's size; of each village what the build record and the cache's prune
    need is kept (`counts`, `uses`, `images`).

    Each village is settled in its turn (`hold`): one whose images or charts fail is held without its pages being
    made; else one with pages that fail to render is held for those alone (a page that failed would show as
    broken links to it); else for its broken links, then its personal data, theme by theme. A held village's
    staged folders are dropped in every theme and its old pages stand in for it (carried from `previous`; one
    never built is left out of the city), and the round goes on with the next village; the city's and towns'
    pages are planned again (`replan`) only when the set of held villages changed. A village made before whose
    Markdown links point into a village held after it is made again (rare): its links and pages are as if that
    village had been held from the start. So the same content makes the same pages and the same problems
    whatever the order in which villages fail (`late`, in the city's order)."""

    def __init__(
        self,
        content: Path,
        themes: tuple[str, ...],
        stored: CheckedCity,
        preview: bool,
        city: City,
        listed: list[VillageListing],
        codes: dict[int, str],
        site: links.Site,
        carried: dict[str, _Carried],
        staged: dict[str, output.Stage | None],
        failures: dict[str | None, list[Problem]],
        fail: Callable[[str, Problem], None],
        todo: list[str],
        previous: Path,
        replan: Callable[[list[VillageListing], Collection[str]], links.Site],
        prints: reuse.Fingerprints,
    ):
        self.content, self.themes, self.city, self.codes, self.site = content, themes, city, codes, site
        self.stored, self.preview = stored, preview  # each village restored and published in its turn
        self.listed = listed  # the villages' listings (a never-built village held in the round left out)
        self.carried, self.staged, self.failures, self.fail = carried, staged, failures, fail
        self.todo = todo  # "town/village" of the villages made again, in the city's order
        self.previous, self.replan = previous, replan
        self.prints = prints  # a village's own hash taken in its turn, from its images' hashes (reuse.py)
        self.keys = {v.key for v in listed}
        self.order = {v.key: n for n, v in enumerate(listed)}
        self.late: dict[str, list[Problem]] = {}  # "town/village" held back in this round -> its failures
        self.into: dict[str, set[str]] = {}  # "town/village" -> the villages made whose Markdown links point in
        self.again: list[str] = []  # villages made before that are to be made again (hold)
        self.linked: dict[str, set[tuple[str, Path]]] = {t: set() for t in themes}
        self.pages: dict[str, int] = dict.fromkeys(themes, 0)
        self.counts: dict[str, dict[str, int]] = {t: {} for t in themes}  # theme -> "town/village" -> its pages
        self.uses: dict[str, tuple[str, int]] = {}  # "town/village" -> its entries' list's uses_key, files shipped
        self.images = 0  # renditions of the villages made
        self.copies: dict[str, Path] = {}  # the city's and towns' renditions (shared)
        self.statics = {t: render.static_files(t) for t in themes}
        self._last: tuple[str, links.Site | None] = ("", None)  # the village planned again last (_plan)
        fixed = self._fixed(set(todo))
        self.targets = {t: _Targets(fixed | self.statics[t].keys(), functools.partial(self._known, t)) for t in themes}
        self.shipped: dict[str, dict[str, Path | str]] = {t: {} for t in themes}  # the village in hand's renditions
        self.present = {t: _Present(self.shipped[t], *cast(list[dict[str, Path | str]], [carried[t]])) for t in themes}

    def _fixed(self, made: set[str]) -> set[str]:
        """The pages of the city's and towns', every item's page of the city, its towns and the villages `made`
        (a carried or held village's are asked of its folder, `carried`: a page its content would have but its
        kept pages lack is no target) and the homes of the villages made."""
        items = {p for p in self.site.item_paths.values() if p.count("/") < 3 or "/".join(p.split("/")[:2]) in made}
        return {p.path for p in self.site.pages} | items | {f"{key}/index.html" for key in made}

    def _check(self, theme: str, report: Report) -> links.LinkCheck:
        """A link check for `theme` (one a village, and one for the city's and towns' pages)."""
        return links.LinkCheck(
            report,
            theme,
            self.targets[theme],
            self.present[theme],
            outside=self.city.feedback_url.split("{code}", 1)[0],
            fetch=_again(theme, self.site, self.city, self._plan),
        )

    def _plan(self, key: str) -> links.Site | None:
        """The plan of a village made before in this round, made again (the last one remembered)."""
        if key not in self.keys:
            return None
        if self._last[0] != key:
            self._last = ("", None)  # (the one remembered dropped first)
            site = self.plan_village(key)
            self._last = (key, site)
        return self._last[1]

    def _known(self, theme: str, key: str) -> frozenset[str]:
        """Every file of a village made before in this round, for `theme`."""
        site = self._plan(key)
        if site is None:
            return frozenset()
        ships = assets.for_theme(dict.fromkeys(site.images, Path()), site.images, theme)
        return frozenset({p.path for p in site.pages} | site.generated.keys() | ships.keys())

    def plan_village(self, key: str) -> links.Site:
        """The plan of the village `key` (plan.plan_village, its 我有疑问 panels: feedback.plan), made from the
        village restored from the check's store and published (CheckedCity.publish), with its ledgers (流水账,
        ledger.village_ledgers) and its reference codes, all of which go with its plan: a village's model, ledgers
        and codes are held in its turn alone, never for every village at once (issue 14: memory), and a build
        after one change makes one village's, not the city's. (The codes are the round's for this turn only: an
        object's id is reused once it is dropped.)"""
        village = self.stored.publish(key, self.preview)
        village = replace(village, ledgers=village_ledgers(village))
        city = replace(
            self.city,
            towns=[replace(t, villages=[village]) if t.slug == village.town_slug else t for t in self.city.towns],
        )
        codes = {**self.codes, **refcode.village_codes(self.stored.collisions, village.town_slug, village)}
        site = links.plan_village(city, key, self.site.item_paths, codes)
        feedback.plan(site, city, codes)
        return site

    def villages(self, cache: Path, digests: Digests, images: bool, steps: Steps) -> None:
        """Make each village of `todo` in turn (the terminal's progress line counts them, progress.py), and again
        each one made before whose links point into a village held since (`again`)."""
        for made, key in enumerate(self.todo):
            progress.tell("villages", made, len(self.todo))
            self.village(key, cache, digests, images, steps)
            while self.again:
                self.village(self.again.pop(0), cache, digests, images, steps)
        progress.tell("villages", len(self.todo), len(self.todo))

    def village(self, key: str, cache: Path, digests: Digests, images: bool, steps: Steps) -> None:
        """Make one village: plan, images, render, check, stage, drop; held back (`hold`) if it fails."""
        with steps.step("plan"):
            site = self.plan_village(key)
        noted: dict[str, str] = {}  # its scans' hashes as the images step took them (the image cache's keys)
        with steps.step("images"):
            generated, copies = _images(site, cache, digests, self.staged, images, self.fail, noted)
            self.uses[key] = _uses(cache, copies, images)
            self.images += len(copies)
            failed = self.failures.pop(key, [])  # its images' or charts': its pages are not made
            shipped = {t: assets.for_theme(copies, site.images, t) for t in self.themes}  # TV tiles on TV only
            if not failed:
                self.place(shipped)
        if not failed:
            with steps.step("reuse"):  # for the build record; each scan hashed once, by the images step
                self.prints.own_of(key, noted)
            with steps.step("render"):
                failed = self.pages_of(key, site, generated, shipped)
        del site, copies, generated, shipped, noted  # dropped: the next village's plan is made without this one's
        if failed:
            self.hold(key, failed)

    def place(self, shipped: dict[str, dict[str, Path]]) -> None:
        """Link a village's renditions, charts and QR codes (`shipped`: each theme's) into staging from the cache,
        before its pages are rendered: image work, timed in the images step (tens of thousands of links a
        village, the kernel's work), not in render. A village held afterwards drops them with its folder."""
        for theme, files in shipped.items():
            stage = self.staged[theme]
            if stage is not None:
                for path, source in sorted(files.items()):
                    stage.link(path, source)

    def pages_of(
        self, key: str, site: links.Site, generated: set[str], shipped: dict[str, dict[str, Path]]
    ) -> list[Problem]:
        """Render, check and stage a village's pages in every theme (`shipped`: each theme's renditions, charts
        and QR codes, staged already: `place`); its failures (pages that did not render, alone; else each theme's
        broken links, then its personal data)."""
        unrendered: list[Problem] = []
        checked: list[Problem] = []
        linked: set[tuple[str, Path]] = set()
        for theme in self.themes:
            targets = self.targets[theme]
            targets.current = {p.path for p in site.pages} | generated | shipped[theme].keys()
            self.shipped[theme].clear()
            self.shipped[theme].update(shipped[theme])
            broken, leaks = Report(), list[Problem]()
            check = self._check(theme, broken)
            self.render(theme, site, check, leaks, unrendered, linked)
            check.finish()
            checked += broken.problems + leaks
            targets.current = set()
            targets.done.add(key)
            self.shipped[theme].clear()
            self.linked[theme] |= linked
        for other in reuse.linked_villages(self.content, self.listed, linked).get(key, []) if linked else []:
            self.into.setdefault(other, set()).add(key)
        return unrendered or checked

    def render(
        self,
        theme: str,
        site: links.Site,
        check: links.LinkCheck,
        leaks: list[Problem],
        unrendered: list[Problem],
        linked: set[tuple[str, Path]],
    ) -> None:
        """Render `site`'s pages for `theme`, each checked, scanned and staged, then dropped."""
        stage, counts = self.staged[theme], self.counts[theme]

        def failed(page: links.Page, exc: Exception) -> None:
            unrendered.append(_broke(f"{theme}/{page.path}", exc))

        for path, data in render.render_theme(theme, site, self.city, linked, failed=failed):
            key = "/".join(path.split("/")[:2])
            check.page(path, data, key if key in self.keys else None)
            found = find_unmasked_in(data) if path.endswith(".html") else []
            if found:  # the last line of defence (privacy.py): that page's village is not published
                leaks.append(
                    make_problem(
                        "personal-data-unmasked",
                        Location(f"{theme}/{path}"),
                        page=f"{theme}/{path}",
                        sample=found[0][:4],
                    )
                )
            if stage is not None:
                stage.put(path, data)
            if path.endswith(".html"):
                self.pages[theme] += 1
                counts[key] = counts.get(key, 0) + 1

    def forget(self, key: str) -> None:
        """Drop what the round made of a village: its staged folders in every theme, its counts, its renditions'
        entries; its pages are no longer targets of the link check."""
        for stage in self.staged.values():
            if stage is not None:
                stage.drop(key)
        for theme in self.themes:
            self.pages[theme] -= self.counts[theme].pop(key, 0)
            self.targets[theme].done.discard(key)
        self.images -= self.uses.pop(key, ("", 0))[1]
        for linking in self.into.values():
            linking.discard(key)  # (found again if it is made again)
        if self._last[0] == key:
            self._last = ("", None)

    def hold(self, key: str, problems: list[Problem]) -> None:
        """Hold a village back within the round: what was made of it dropped (forget), its old pages stand in
        (carried from `previous`, the targets of links into it), or, never built, it is left out of the city (its
        items' pages too: a Markdown link to one is plain text); a village made before that links into it is to
        be made again (`again`)."""
        self.late[key] = problems
        self.forget(key)
        mine = {p for p in self.site.item_paths.values() if p.startswith(f"{key}/")} | {f"{key}/index.html"}
        for theme in self.themes:
            self.targets[theme].fixed -= mine
        if all((self.previous / theme / key / "index.html").is_file() for theme in self.themes):
            for carried in self.carried.values():
                carried.folders.add(key)
        else:
            paths = self.site.item_paths
            for source in [s for s, p in paths.items() if p.startswith(f"{key}/")]:
                del paths[source]
            self.listed = _drop_never_built(self.listed, {key: problems}, self.previous, self.themes)
        for other in sorted(self.into.pop(key, set()) - set(self.late), key=self.order.__getitem__):
            self.forget(other)
            if other not in self.again:
                self.again.append(other)

    def shared(self, generated: set[str], copies: dict[str, Path], cache: Path, digests: Digests, images: bool) -> None:
        """The city's and towns' pages, last (planned again when villages were held in this round, with their
        charts, QR codes and renditions), then each theme's static files. _Late when they fail (their failures
        after the villages held in this round)."""
        if None not in self.failures and self.late:
            before = self.site
            self.site = self.replan(self.listed, self.late)
            for stage in self.staged.values():
                if stage is not None:
                    for path in sorted(before.generated.keys() - self.site.generated.keys()):
                        stage.drop(path)
            generated, copies = _images(self.site, cache, digests, self.staged, images, self.fail)
            made = {key for key in self.todo if key not in self.late}
            for theme in self.themes:
                self.targets[theme].fixed = self._fixed(made) | self.statics[theme].keys()
        self.copies = copies
        if None in self.failures:  # the images of the city's or towns' pages failed: those pages are not made
            raise _Late(self.stop(self.failures[None]))
        unrendered: list[Problem] = []
        checked: list[Problem] = []  # broken links, then personal data, theme by theme
        for theme in self.themes:
            shipped = assets.for_theme(copies, self.site.images, theme)
            self.targets[theme].current = generated | shipped.keys()
            self.shipped[theme].update(shipped)
            broken, leaks = Report(), list[Problem]()
            check = self._check(theme, broken)
            self.render(theme, self.site, check, leaks, unrendered, self.linked[theme])
            check.finish()
            checked += broken.problems + leaks
            stage = self.staged[theme]
            if stage is not None:
                for path, data in self.statics[theme].items():
                    stage.put(path, data)
        if unrendered or checked:  # a page that failed would show as broken links to it
            raise _Late(self.stop(unrendered or checked))
        self.late = self.failures_by_village()

    def stop(self, shared: list[Problem]) -> dict[str | None, list[Problem]]:
        """The failures the round stops on: the villages held back in it, then the city's and towns' pages'."""
        found: dict[str | None, list[Problem]] = {}
        found.update(self.failures_by_village())
        found[None] = shared
        return found

    def failures_by_village(self) -> dict[str, list[Problem]]:
        """The villages held back in this round with their failures, in the city's order."""
        return {key: self.late[key] for key in sorted(self.late, key=self.order.__getitem__)}


def _record(
    round_: _Round,
    themes: tuple[str, ...],
    previous: Path,
    city: City,
    held: dict[str, list[Problem]],
    unchanged: dict[str, dict],
    towns_held: set[str],
    listed: dict[str, dict[str, str]],
    recorded: list[dict[str, dict]],
    prints: reuse.Fingerprints,
) -> _Made:
    """Each theme's build record staged (reuse.RECORD: the villages made, carried and held), once the round
    passed every check."""
    copies = round_.copies
    others = reuse.linked_villages(round_.content, round_.listed, set().union(*round_.linked.values()))
    made = {key for key in prints.keys if key not in held and key not in unchanged}
    uses = {key: used for key, used in round_.uses.items() if key in made}
    shared_names = sorted({f.name for f in copies.values()})  # the city's and towns' pages'
    shared = reuse.uses_key(shared_names)
    entries: dict[str, dict[str, Any]] = {
        key: {
            "fingerprint": prints.village(key, others.get(key, [])),
            "linked": others.get(key, []),
            "facts": prints.stamps[key],
            "own": prints.own_of(key),
            "outside": prints.outside[key],
            "pages": {theme: round_.counts[theme].get(key, 0) for theme in themes},
            "images": uses.get(key, ("", 0))[1],
            "renditions": uses.get(key, (reuse.uses_key([]), 0))[0],
        }
        for key in made
    }
    entries.update({key: {**entry, "facts": prints.stamps[key]} for key, entry in unchanged.items()})  # as now
    for key, entry in entries.items():
        entries[key] = {**entry, "listing": listed.get(key, entry.get("listing"))}
    for theme, before in zip(themes, recorded):
        stage = round_.staged[theme]
        theirs = dict(entries)
        theirs.update({key: before[key] for key in held if key in before})  # its pages are the old ones
        towns = {
            t.slug: {"title": mask(t.name)} for t in city.towns if t.slug not in towns_held
        }  # kept masked, as shown
        towns.update({slug: entry for slug, entry in reuse.read_towns(previous / theme).items() if slug in towns_held})
        if stage is not None:
            stage.put(reuse.RECORD, reuse.record(dict(sorted(theirs.items())), towns, shared))
    return _Made(
        round_.staged,
        round_.pages,
        round_.carried,
        copies,
        round_.site.images,
        unchanged,
        {**{key: used for key, (used, _) in uses.items()}, "": shared},
        shared_names,
        len(copies) + round_.images,
    )


def _again(
    theme: str, site: links.Site, city: City, village: Callable[[str], links.Site | None] | None = None
) -> Callable[[str], bytes | None]:
    """A page rendered again (None: no such page, or it fails), for a link check that needs the ids of a page it
    has dropped (links.LinkCheck: a fragment link into another village's page, rare): a page of `site`, else one
    of the plan `village` makes again of its village ("town/village")."""
    index: dict[str, links.Page] = {}

    def again(path: str) -> bytes | None:
        if not index:
            index.update((page.path, page) for page in site.pages)
        plan, page = site, index.get(path)
        if page is None and village is not None:
            plan = village("/".join(path.split("/")[:2])) or site
            page = next((p for p in plan.pages if p.path == path), None)
        if page is None:
            return None
        try:
            return dict(render.render_theme(theme, dataclasses.replace(plan, pages=[page]), city)).get(path)
        except Exception:  # it failed when first rendered too: its village is held for that
            return None

    return again
