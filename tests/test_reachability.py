"""The TV site with a remote control only: arrow keys, OK and Back.

The walk covers every page and every focusable of the whole sample city (about 950 TV pages: a voucher has at most
three, 我有疑问 is a panel inside its page) and of a small generated site that has every kind of page (the mini fixture with a 我有疑问
address and a three-page PDF). From the city home it opens every page with OK, a real key press on the focused
link, and leaves it with Back, which must return to the page it came from with the focus back on that link. On
every page an in-page walk explores the focus graph: from every focusable reached so far (in the state the viewer
had it: focused, scrolled where the script put it) it presses each arrow key, as synthetic key events with the
remote's key codes, again while a press only scrolls (reading a long text), and records what takes the focus.
Every focusable of the page must be reached so, each with its focus visible (the `focused` class, a thick outline,
on screen), and no JavaScript error may occur anywhere. Each page, as it opens, must also pass the TV layout check
(tests/browser.SAFE_AREA_CHECK: no sideways scrolling, text, controls and the first focus inside the title-safe area).

How it fits in a few minutes (a page load costs Chromium 70-150 ms of CPU here, and the walk makes two per page; the
sample city, about 950 pages, takes 4-5 minutes on two cores):
- The pages form a tree: each page is opened from the page that links to it first going breadth first from the
  city home (link_tree, read from the HTML). So the walk is at most a few pages deep, and Back mostly returns to a
  page in Chromium's back/forward cache (kept on here, as a set-top box browser keeps its page cache; Playwright
  turns it off by default), which tv.js refocuses on pageshow; the pages the cache has dropped by then load again
  and take their focus from tv.js's own memory (sessionStorage). Either way the link must have the focus again.
- Up to two Chromium processes walk at once, a tab each (Playwright's async API, in a thread of its own): one per
  core this process has to itself (BROWSERS), so two when run alone on two cores, one under pytest-xdist with a
  worker per core (scripts/test.sh), where a second would only take CPU from the other worker (and cost more:
  its own start and the parent pages it loads to take over subtrees). A tab with nothing to do takes the biggest
  subtree no tab has started: it loads the subtree's parent page, then opens the subtree's root with OK from it
  like any other page.
- No polling for a page: a script in every page calls back to Python once tv.js has started on it, whether it was
  loaded (from DOMContentLoaded, not waiting for the images) or shown again from the back/forward cache (pageshow
  with persisted).
- The server on 127.0.0.1 lets the browser cache the style sheet and the script.
Without a browser, link_tree also shows every page of the sample is reached from the city home by links.

Also here: the navigation rules on real pages: focus memory per list, page up/down and the cost of a key press
on a ledger of 500 lines (a village generated for the test; a page per month), and the set-top boxes' key codes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import os
import posixpath
import shutil
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from sitegen.build.pipeline import build
from tests import browser as B
from tests.built_sample import sample_output
from tests.conftest import FIXTURES

# Chromium processes walking at once, a tab each: the cores per pytest-xdist worker, 1 or 2 (or as set)
BROWSERS = int(
    os.environ.get("SITEGEN_WALK_BROWSERS")
    or max(1, min(2, len(os.sched_getaffinity(0)) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)))
)

# In the page: explore the focus graph with synthetic key events carrying the remote's key codes.
WALK = """() => {
    var SEL = 'a[href], button, [tabindex]', ARROWS = [38, 40, 37, 39], MAX_PRESSES = 40;
    function press(code) {
        var e = new KeyboardEvent('keydown', {bubbles: true, cancelable: true});
        Object.defineProperty(e, 'keyCode', {get: function () { return code; }});
        Object.defineProperty(e, 'which', {get: function () { return code; }});
        document.dispatchEvent(e);
    }
    function shown(el) {
        var r = el.getBoundingClientRect();
        return r.right - r.left > 0 || r.bottom - r.top > 0;
    }
    var all = Array.prototype.filter.call(document.querySelectorAll(SEL), function (el) {
        return el.getAttribute('tabindex') !== '-1' && !el.disabled && shown(el);
    });
    var index = new Map(all.map(function (el, i) { return [el, i]; }));
    var state = new Map(), queue = [], bad = [];
    function describe(el) {
        return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' +
            (el.getAttribute('href') || '') + ' "' + el.textContent.trim().slice(0, 20) + '"';
    }
    function arrive(el) {
        if (!index.has(el) || state.has(el)) { return; }
        var cs = getComputedStyle(el), r = el.getBoundingClientRect(), vh = innerHeight;
        var visible = (' ' + el.className + ' ').indexOf(' focused ') >= 0 && parseFloat(cs.outlineWidth) >= 4
            && cs.outlineStyle !== 'none' && document.querySelectorAll('.focused').length === 1;
        var onScreen = r.bottom > 0 && r.top < vh && (r.bottom - r.top > vh || (r.top >= 0 && r.bottom <= vh));
        if (!visible || !onScreen) { bad.push(describe(el) + (visible ? ' off screen' : ' focus not visible')); }
        state.set(el, [scrollX, scrollY]);
        queue.push(el);
    }
    // The page as it opened: its first focus, or (a text page) read on with Down until a link takes it.
    if (index.has(document.activeElement)) {
        arrive(document.activeElement);
    } else {
        for (var k = 0; k < MAX_PRESSES && !index.has(document.activeElement); k++) { press(40); }
        arrive(document.activeElement);
    }
    while (queue.length) {
        var el = queue.shift(), viewer = el.hasAttribute('data-viewer');
        ARROWS.forEach(function (code) {
            // Left/Right on the scan open the previous/next scan: they navigate (tests/test_viewer.py).
            if (viewer && (code === 37 || code === 39)) { return; }
            var xy = state.get(el);
            window.scrollTo(xy[0], xy[1]);
            el.focus({preventScroll: true});
            for (var n = 0; n < MAX_PRESSES && document.activeElement === el; n++) {
                var y = scrollY;
                press(code);
                if (document.activeElement === el && scrollY === y) { break; }  // neither moved nor scrolled
            }
            arrive(document.activeElement);
        });
    }
    return {
        total: all.length,
        missing: all.filter(function (el) { return !state.has(el); }).map(describe),
        bad: bad,
        links: all.map(function (el, i) {
            return el.tagName === 'A' ? [i, el.href] : null;
        }).filter(function (x) { return x; })
    };
}"""

# The i-th focusable (as WALK counts them) takes the focus, as the arrows gave it; or: has it, visibly.
FOCUSABLES = """var all = Array.prototype.filter.call(document.querySelectorAll('a[href], button, [tabindex]'),
        function (el) {
            var r = el.getBoundingClientRect();
            return el.getAttribute('tabindex') !== '-1' && !el.disabled && (r.right - r.left > 0 || r.bottom - r.top > 0);
        });"""
FOCUS_LINK = (
    """([i]) => { %s
    all[i].focus();  // tv.js takes it as its own focus (the walk reached it with the arrows)
    return document.activeElement === all[i];
}"""
    % FOCUSABLES
)
HAS_FOCUS = (
    """([i]) => { %s
    var el = all[i];
    return !!el && document.activeElement === el && (' ' + el.className + ' ').indexOf(' focused ') >= 0
        && document.querySelectorAll('.focused').length === 1;
}"""
    % FOCUSABLES
)
# One round trip where there were two (a page's checks are most of the walk's calls into the browser):
# back on a page, whether the link left has the focus again, then the next link takes it.
BACK_AND_NEXT = "([back, next]) => [(" + HAS_FOCUS + ")([back]), (" + FOCUS_LINK + ")([next])]"
# A page as it opened: the TV layout check (before any key), then the focus walk.
OPENED = "(safe) => [(" + B.SAFE_AREA_CHECK + ")(safe), (" + WALK + ")()]"

# In every page, before its own scripts: tell the walk (the binding __walkReady) once tv.js has started, on a
# load (from DOMContentLoaded on, after tv.js's own listener) and on a return from the back/forward cache.
READY = """(function () {
    function send(kind) {
        if (document.documentElement.className.indexOf('js') < 0) {
            setTimeout(function () { send(kind); }, 2);
        } else if (window.__walkReady) {
            window.__walkReady(kind, location.href);
        }
    }
    window.addEventListener('DOMContentLoaded', function () { send('load'); });
    window.addEventListener('pageshow', function (e) { if (e.persisted) { send('bfcache'); } });
}());"""
TIMEOUT = 30  # seconds for a page to show


class Tab:
    """One browser tab of the walk: presses a key or loads a page and waits for the page it shows to be ready."""

    def __init__(self, page):
        self.page, self.waiting = page, None
        self.errors = B.collect_errors(page)
        self.frames: list[tuple[str, list]] = []  # the pages it is inside of, each with the children still to open

    def ready(self, kind: str, href: str) -> None:  # called from the page (READY)
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_result((kind, href))

    async def _shown(self, action, what: str) -> tuple[str, str]:
        self.waiting = asyncio.get_running_loop().create_future()
        await action
        try:
            return await asyncio.wait_for(self.waiting, TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"{what}: no page ready after {TIMEOUT} s (at {self.page.url})") from None

    async def press(self, key: str, what: str) -> tuple[str, str]:
        return await self._shown(self.page.keyboard.press(key), what)

    async def goto(self, url: str) -> tuple[str, str]:
        return await self._shown(self.page.goto(url, wait_until="commit"), url)


@dataclass
class Walk:
    root: str  # the site's base URL
    parents: dict[str, str]  # page -> the page it is opened from (link_tree)
    opened: set[str] = field(default_factory=set)  # pages shown and walked (relative paths)
    claimed: set[str] = field(default_factory=set)  # pages some tab has taken on
    files: set[str] = field(default_factory=set)  # links straight to a file (an image): no page to walk
    problems: list[str] = field(default_factory=list)
    focusables: int = 0
    backs: dict[str, int] = field(default_factory=lambda: {"bfcache": 0, "load": 0})
    handed_over: int = 0

    def __post_init__(self):
        self.size = {rel: 1 for rel in self.parents}  # pages in the subtree of each page
        for rel in sorted(self.parents, key=lambda r: -self.depth(r)):
            if self.parents[rel]:
                self.size[self.parents[rel]] += self.size[rel]
        self.tabs: list[Tab] = []
        self.busy = 0
        self.changed = asyncio.Event()

    def depth(self, rel: str) -> int:
        n = 0
        while self.parents[rel]:
            rel, n = self.parents[rel], n + 1
        return n

    def rel(self, url: str) -> str:
        return urldefrag(url)[0][len(self.root) :]

    async def visit(self, tab: Tab, rel: str) -> None:
        """The page `rel` is on screen and ready: walk its focus graph, then open each page it is the parent of."""
        self.opened.add(rel)
        # as it opened, before any key: the title-safe area, no sideways scrolling, a visible first focus
        layout, found = await tab.page.evaluate(OPENED, B.SAFE)
        self.problems += [f"{rel}: {p}" for p in layout]
        self.focusables += found["total"]
        self.problems += [f"{rel}: not reached: {m}" for m in found["missing"]]
        self.problems += [f"{rel}: {b}" for b in found["bad"]]
        children = []
        for i, href in found["links"]:
            if not href.startswith(self.root):
                continue
            target = self.rel(href)
            if not target.endswith(".html"):
                self.files.add(target)
            elif self.parents.get(target) == rel and target not in self.claimed:
                self.claimed.add(target)
                children.append((i, target))
        tab.frames.append((rel, children))
        self.changed.set()
        back = None  # the child just left with Back, its focus still to check (with the next child's link)
        try:
            while children:  # (an idle tab may take some of them meanwhile: steal)
                i, target = children.pop(0)
                back = await self.open(tab, rel, i, target, back)
        finally:
            tab.frames.pop()
        await self.check_back(tab, rel, back)

    async def open(self, tab: Tab, rel: str, i: int, target: str, back: tuple | None = None) -> tuple | None:
        """From page `rel` (on screen): OK on its i-th focusable, a link to `target`; walk that; Back. Returns what
        check_back is to check (the focus on that link again), unless it is done already: the caller checks it
        with its next call into the page (`back` here: the last child of `rel` left before this one)."""
        if back is None:
            takes = await tab.page.evaluate(FOCUS_LINK, [i])
        else:
            has, takes = await tab.page.evaluate(BACK_AND_NEXT, [back[0], i])
            self.check_focus(rel, back, has)
        if not takes:
            self.problems.append(f"{rel}: the link to {target} does not take the focus")
            return None
        _, at = await tab.press("Enter", f"OK on {rel} -> {target}")  # OK
        if self.rel(at) != target:
            self.problems.append(f"{rel}: OK on the link to {target} opened {at}")
            await tab.goto(self.root + rel)
            return None
        await self.visit(tab, target)
        kind, at = await tab.press("Backspace", f"Back on {target}")  # Back
        self.backs[kind] += 1
        if self.rel(at) != rel:
            self.problems.append(f"{target}: Back went to {at}, not {rel}")
            await tab.goto(self.root + rel)
            return None
        return i, target, kind

    async def check_back(self, tab: Tab, rel: str, back: tuple | None) -> None:
        """Back on page `rel` from the child `back` (open's answer): the link to it has the focus again."""
        if back is not None:
            self.check_focus(rel, back, await tab.page.evaluate(HAS_FOCUS, [back[0]]))

    def check_focus(self, rel: str, back: tuple, has: bool) -> None:
        if not has:
            self.problems.append(f"{back[1]}: Back to {rel} ({back[2]}) did not give the focus back to the link")

    def steal(self):
        """The biggest subtree no tab has started: (its parent page, link index, its root page), or None."""
        best = None
        for tab in self.tabs:
            for rel, children in tab.frames:
                for k, (i, target) in enumerate(children):
                    if best is None or self.size[target] > best[0]:
                        best = (self.size[target], children, k, rel, i, target)
        if best is None:
            return None
        del best[1][best[2]]
        return best[3:]

    async def work(self, tab: Tab, home: bool = False) -> None:
        """A tab's part: the city home (for the first tab), then subtrees other tabs have not started yet."""
        self.tabs.append(tab)
        job = ("index.html", None, None) if home else None
        while True:
            job = job or self.steal()
            if job is None:
                if not self.busy:
                    self.changed.set()  # all done: the others stop too
                    return
                self.changed.clear()
                await self.changed.wait()
                continue
            self.busy += 1
            try:
                rel, i, target = job
                await tab.goto(self.root + rel)
                if i is None:
                    self.claimed.add(rel)
                    await self.visit(tab, rel)
                else:
                    self.handed_over += 1
                    assert target is not None
                    await self.check_back(tab, rel, await self.open(tab, rel, i, target))
            finally:
                self.busy -= 1
                self.changed.set()
            job = None


async def _walk(site: Path, parents: dict[str, str], browsers: int) -> tuple[Walk, list[str]]:
    launched, tabs = [], []
    try:
        for _ in range(browsers):
            launched.append(await B.launch_async(bfcache=True))
        with B.serve(site, cache=True) as base:
            walk = Walk(base, parents)
            for browser in launched:
                context = await browser.new_context(viewport=dict(B.VIEWPORT))
                tab = Tab(await context.new_page())
                await context.expose_binding("__walkReady", lambda source, kind, href, tab=tab: tab.ready(kind, href))
                await context.add_init_script(READY)
                tabs.append(tab)
            workers = [asyncio.create_task(walk.work(tab, home=(n == 0))) for n, tab in enumerate(tabs)]
            await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
            for w in workers:
                w.cancel()
            for w in workers:
                failure = w.exception() if w.done() and not w.cancelled() else None
                if failure is not None:
                    raise failure
    finally:
        for browser in launched:
            await browser.close()
    return walk, [e for tab in tabs for e in tab.errors.errors]


def walk_site(site: Path, browsers: int = BROWSERS) -> Walk:
    """Walk the whole site; fails on any JavaScript error."""
    parents = link_tree(site)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # its own thread: no clash with the sync API's loop
        walk, errors = pool.submit(asyncio.run, _walk(site, parents, browsers)).result()
    assert not errors, errors[:10]
    return walk


def report(capsys, label: str, walk: Walk, pages: int, took: float) -> None:
    with capsys.disabled():
        print(
            f"\n[reachability] {label}: {len(walk.opened)} of {pages} pages opened with OK and left with Back "
            f"(to a page from the back/forward cache {walk.backs['bfcache']}, reloaded {walk.backs['load']}), "
            f"{walk.focusables} focusables reached with the arrows, {BROWSERS} tabs ({walk.handed_over} subtrees "
            f"handed over), in {took:.0f} s"
        )


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    """The mini fixture with every kind of page: a 我有疑问 address (QR codes in the panels) and a voucher scanned as a
    PDF of two pages (its second viewer holds them)."""
    from PIL import Image as PILImage

    root = tmp_path_factory.mktemp("small")
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    with open(content / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write('feedback_url: "https://12345.example.gov.cn/ask?code={code}"\n')
    pages = [PILImage.new("L", (827, 1169), 240), PILImage.new("L", (1169, 827), 240)]
    pages[0].save(
        content / "xg" / "cs" / "scans" / "2026-09" / "2" / "02.pdf",
        save_all=True,
        append_images=pages[1:],
        resolution=100,
    )
    # a second sub-item in the party item's category: the category lists its sub-items, each a page (links.py)
    meeting = (content / "xg" / "cs" / "party" / "meeting.md").read_text(encoding="utf-8")
    (content / "xg" / "cs" / "party" / "members.md").write_text(
        meeting.replace("subitem: 组织生活会", "subitem: 党员发展").replace("第三季度党员大会", "发展党员公示"),
        encoding="utf-8",
    )
    build(content, root / "out", themes=("tv",))
    return root / "out" / "tv"


def html_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def test_small_site_every_page_and_every_focusable(small_site, capsys):
    start = time.perf_counter()
    walk = walk_site(small_site)
    pages = html_pages(small_site)
    report(capsys, "small site", walk, len(pages), time.perf_counter() - start)
    assert walk.problems == []
    assert walk.opened == pages & set(link_tree(small_site))  # all: test_small_site_has_no_page_without_a_link
    # a page with a 我有疑问 panel (the QR code in it), and the viewer of a voucher's other scans (its PDF's pages)
    assert any('id="ask"' in (small_site / u).read_text(encoding="utf-8") for u in walk.opened)
    assert any('id="s-3"' in (small_site / u).read_text(encoding="utf-8") for u in walk.opened)
    assert sum("/sub-" in u for u in walk.opened) == 2


def test_small_site_has_no_page_without_a_link(small_site):
    assert html_pages(small_site) - set(link_tree(small_site)) == set()


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def link_tree(site: Path) -> dict[str, str]:
    """page -> the page it is first linked from, going breadth first from the city home (which maps to '')."""
    parents, todo = {"index.html": ""}, ["index.html"]
    while todo:
        rel = todo.pop(0)
        parser = Links()
        parser.feed((site / rel).read_text(encoding="utf-8"))
        for href in parser.hrefs:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), urldefrag(href)[0]))
            if target.endswith(".html") and target not in parents and (site / target).is_file():
                parents[target] = rel
                todo.append(target)
    return parents


def test_sample_city_every_page_and_every_focusable(tmp_path_factory, capsys):
    site = sample_output(tmp_path_factory) / "tv"
    pages = html_pages(site)
    start = time.perf_counter()
    walk = walk_site(site)
    report(capsys, "sample city", walk, len(pages), time.perf_counter() - start)
    assert walk.problems == []
    assert pages - walk.opened == set() and len(pages) > 900  # 我有疑问 is a panel in each page, not a page
    assert {"search.html", "xiagang/search.html", "xiagang/changshou/search.html"} <= walk.opened  # docs/search.md


def test_sample_city_every_page_is_linked_from_the_home(tmp_path_factory):
    """Without a browser, over all pages: following links from the city home reaches every page (the walk above
    shows that every link is reached with the arrows and opened with OK)."""
    site = sample_output(tmp_path_factory) / "tv"
    pages = html_pages(site)
    assert pages - set(link_tree(site)) == set() and len(pages) > 900


# ---- navigation on real pages -------------------------------------------------------------------------------


def big_village(root: Path, lines: int = 500, months: int = 12) -> Path:
    """The mini fixture with a journal of `lines` vouchers in one year (over its first `months` months), each moving
    money (one ledger line)."""
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    village = content / "xg" / "cs"
    shutil.rmtree(village / "journal")
    shutil.rmtree(village / "scans")
    (village / "journal").mkdir()
    scan = (FIXTURES / "mini" / "xg" / "cs" / "scans" / "2026-09" / "1" / "01.jpg").read_bytes()
    per_month = -(-lines // months)
    with open(village / "reviews.yaml", "w", encoding="utf-8") as fh:  # every month approved: published
        for month in range(1, 13):
            fh.write(
                f"2026-{month:02d}: {{department: 夏港街道农经站, reviewer: 张永刚, date: 2026-{month:02d}-28, "
                f"status: 已通过}}\n"
            )
    with open(village / "journal" / "2026.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "往来单位", "附件张数"]
        )
        for i in range(lines):
            month, number = i // per_month + 1, i % per_month + 1
            day = f"2026-{month:02d}-{number % 28 + 1:02d}"
            amount = f"{100 + i}.00"
            if i % 2:
                out.writerow([day, f"记-{number}", f"第{i + 1}笔 付保洁费", "513", "管理费用", amount, "", "王五", "0"])
                out.writerow([day, f"记-{number}", f"第{i + 1}笔 付保洁费", "102", "银行存款", "", amount, "王五", "0"])
            else:
                out.writerow([day, f"记-{number}", f"第{i + 1}笔 收租金", "102", "银行存款", amount, "", "李四", "0"])
                out.writerow([day, f"记-{number}", f"第{i + 1}笔 收租金", "501", "经营收入", "", amount, "李四", "0"])
            folder = village / "scans" / f"2026-{month:02d}" / str(number)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "01.jpg").write_bytes(scan)  # the same bytes: processed once
    return content


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("big")
    build(big_village(root), root / "out", themes=("tv",))
    return root / "out" / "tv"


focused, href = B.focused, B.focused_href


def test_ledger_of_500_lines_moves_focus_instantly(page, big, capsys):
    """Per-key cost of ArrowDown on a real ledger page (the year of 500 lines opens at its latest month's page), as
    the renderer counts it (B.key_costs): its CPU, and the style recalculations and layouts it caused."""
    ledger = big / "xg/cs/finance/ledger-2026.html"
    assert len(list(big.glob("xg/cs/finance/ledger-2026*.html"))) == 12  # a page per month
    with B.serve(big) as base:
        page.goto(base + ledger.relative_to(big).as_posix())
        assert page.evaluate("document.querySelectorAll('table.ledger a.row').length") >= 38
        rows = page.evaluate(
            "Array.prototype.map.call(document.querySelectorAll('table.ledger a.row'), "
            "function (a) { return a.getAttribute('href'); })"
        )

        def next_line(press):
            if href(page) == rows[-1]:  # a month's page is short: from its last line, start again at its first
                page.evaluate("scrollTo(0, 0); document.querySelector('table.ledger a.row').focus()")
            before = href(page)
            press()
            f = focused(page)
            assert f["href"] != before and "row" in f["cls"] and f["top"] >= 0 and f["bottom"] <= f["vh"]

        costs = B.key_costs(page, next_line)
        # Page down: about a screen of lines at a time, the focus kept on screen; page up comes back.
        page.evaluate("scrollTo(0, 0); document.querySelector('table.ledger a.row').focus()")
        at = rows.index(href(page))
        B.press(page, "PageDown")
        down = rows.index(href(page))
        B.press(page, 34)
        down2 = rows.index(href(page))
        assert down - at >= 3 and down2 - down >= 3 and focused(page)["y"] > 0
        B.press(page, 372)  # the vendor PageUp code
        assert rows.index(href(page)) < down2
    with capsys.disabled():
        B.assert_cheap(costs, "ArrowDown on a ledger month page")


def test_focus_memory_per_list_on_the_real_site(page, big):
    """Back to a list restores the row it was left on: ledger -> voucher -> scan, Back, Back; opened again from
    the village home, it starts at its first line."""
    ledger = big / "xg/cs/finance/ledger-2026.html"
    with B.serve(big) as base:
        page.goto(base + "xg/cs/index.html")
        B.press_until(page, "ArrowDown", lambda f: "ledger-" in (f.get("href") or ""), limit=6)
        B.navigate(page, "Enter")
        assert page.url.endswith(ledger.name)
        for _ in range(30):
            B.press(page, 40)
        line = href(page)
        assert line.startswith("vouchers/") and "ask-" not in line
        B.press(page, "ArrowRight")  # one line a row: its 我有疑问 is on the voucher page, nothing to the right
        assert href(page) == line
        B.navigate(page, "Enter")
        assert "scan-thumb" in focused(page)["cls"]
        B.navigate(page, "Enter")
        B.navigate(page, 10009)  # Samsung Back
        assert "scan-thumb" in focused(page)["cls"]
        B.navigate(page, 461)  # LG Back
        assert page.url.endswith(ledger.name) and href(page) == line
        f = focused(page)
        assert f["top"] >= 0 and f["bottom"] <= f["vh"]
        # a new visit (from the village home, not Back) starts at the top: memory is for Back within a visit
        B.navigate(page, "0")  # 0: the village home
        assert page.url.endswith("xg/cs/index.html")
        B.press_until(page, "ArrowDown", lambda f: "ledger-" in (f.get("href") or ""), limit=6)
        B.navigate(page, "Enter")
        assert href(page) != line and "data-autofocus" in focused(page)["html"] and page.evaluate("scrollY") == 0


@pytest.mark.parametrize("kind", ["keydown", "keypress", "irkeypress"])
def test_set_top_box_key_codes_on_the_real_site(page, tmp_path_factory, kind):
    """iPanel arrows 1-4 and Back 340, the same press arriving as keydown, keypress or iPanel's irkeypress; OK and
    Back as keydown, once the arrows' echo window is over (a press of another kind within it is taken for an echo:
    tests/test_tv_js.py)."""
    site = sample_output(tmp_path_factory) / "tv"
    with B.serve(site) as base:
        page.goto(base + "index.html")
        first = href(page)
        B.press(page, 4, kind)  # iPanel Right
        second = href(page)
        assert second != first
        B.press(page, 3, kind)  # iPanel Left
        assert href(page) == first
        for _ in range(12):  # iPanel Down to the first village
            if href(page).count("/") == 2:
                break
            B.press(page, 2, kind)
        village = href(page)
        B.echo_over(page)
        B.navigate(page, 13)
        assert page.url.endswith(village)
        B.navigate(page, 340)  # iPanel Back (the first press on this page: no echo window open)
        assert page.url == base + "index.html" and href(page) == village
