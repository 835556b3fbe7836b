"""The TV site with a remote control only: arrow keys, OK and Back.

A depth-first walk starts at the city home, opens pages with OK (a real key press on the focused link) and
leaves each with Back, which must return to the page it came from. On every page an in-page walk explores
the focus graph: from every focusable reached so far (in the state the viewer had it: focused, scrolled where
the script put it) it presses each arrow key, again while a press only scrolls (reading a long text), and
records what takes the focus. Every focusable of the page must be reached so, each with its focus visible
(the `focused` class, a thick outline, on screen), and no JavaScript error may occur anywhere.

Why not every page of the sample city in a browser: it has about 1600 TV pages (every scan and every 我有疑问
page is one), and a page load costs Chromium 70-150 ms here, twice per page with Back: five minutes or more.
So the walk covers (1) every page and every focusable of a generated smaller site that has every kind of page
(the mini fixture with a 我有疑问 address and a three-page PDF), (2) on the sample city, a fixed sample: every
page that is not one of many alike (homes, boards, categories, ledgers, finance pages) and, of the pages that
come by the hundred (items, vouchers, scans, 我有疑问), every Nth with the pages under it; and (3) without a
browser, the link graph of all sample pages: every page is reached from the city home by links, and every
link is an element the walk focuses (a[href]).

Also here: the navigation rules on real pages: focus memory per list, page up/down and the cost of a key press
on a ledger of 500 lines (a village generated for the test), and the set-top boxes' key codes.
"""
from __future__ import annotations

import csv
import hashlib
import posixpath
import shutil
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from sitegen.pipeline import build
from tests import browser as B
from tests.built_sample import sample_output
from tests.conftest import FIXTURES

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

FOCUS_LINK = """([i]) => {
    var SEL = 'a[href], button, [tabindex]';
    var all = Array.prototype.filter.call(document.querySelectorAll(SEL), function (el) {
        var r = el.getBoundingClientRect();
        return el.getAttribute('tabindex') !== '-1' && !el.disabled && (r.right - r.left > 0 || r.bottom - r.top > 0);
    });
    all[i].focus();  // tv.js takes it as its own focus (the walk reached it with the arrows)
    return document.activeElement === all[i];
}"""


class Walker:
    def __init__(self, page, root: str, allowed=None):
        self.page, self.root = page, root
        self.allowed = allowed or (lambda rel: True)  # which pages (relative paths) to open
        self.visited: set[str] = set()
        self.focusables = 0
        self.files: set[str] = set()
        self.problems: list[str] = []

    def ready(self) -> None:
        self.page.wait_for_function("document.documentElement.className.indexOf('js') >= 0")

    def visit(self, url: str) -> None:
        self.visited.add(url)
        self.ready()
        found = self.page.evaluate(WALK)
        self.focusables += found["total"]
        where = url[len(self.root):]
        self.problems += [f"{where}: not reached: {m}" for m in found["missing"]]
        self.problems += [f"{where}: {b}" for b in found["bad"]]
        for i, href in found["links"]:
            target = urldefrag(href)[0]
            if target in self.visited or not target.startswith(self.root):
                continue
            if not target.endswith(".html"):  # a page linking straight to an image file: no page to walk
                self.files.add(target)
                continue
            if not self.allowed(target[len(self.root):]):
                continue
            assert self.page.evaluate(FOCUS_LINK, [i]), (where, href)
            with self.page.expect_navigation(wait_until="domcontentloaded"):
                self.page.keyboard.press("Enter")  # OK
            assert urldefrag(self.page.url)[0] == target, (where, href, self.page.url)
            self.visit(target)
            with self.page.expect_navigation(wait_until="domcontentloaded"):
                self.page.keyboard.press("Backspace")  # Back
            back = urldefrag(self.page.url)[0]
            if back != url:
                self.problems.append(f"{target[len(self.root):]}: Back went to {back}, not {where}")
                self.page.goto(url, wait_until="domcontentloaded")
            self.ready()


@pytest.fixture(scope="module")
def chromium():
    b = B.launch()
    yield b
    b.close()


def walk_site(chromium, site: Path, allowed=None) -> Walker:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    context = chromium.new_context(viewport=dict(B.VIEWPORT))
    page = context.new_page()
    errors = B.collect_errors(page)
    with B.serve(site) as base:
        walker = Walker(page, base, allowed)
        page.goto(base + "index.html", wait_until="domcontentloaded")
        walker.visit(base + "index.html")
    context.close()
    assert not errors.errors, errors.errors[:10]
    return walker


def report(capsys, label: str, walker: Walker, pages: int, took: float) -> None:
    with capsys.disabled():
        print(f"\n[reachability] {label}: {len(walker.visited)} of {pages} pages opened with OK and left with Back, "
              f"{walker.focusables} focusables reached with the arrows, in {took:.0f} s")


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    """The mini fixture with every kind of page: a 我有疑问 address (QR pages) and a voucher scanned as a PDF."""
    from PIL import Image as PILImage
    root = tmp_path_factory.mktemp("small")
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    with open(content / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write('feedback_url: "https://12345.example.gov.cn/ask?code={code}"\n')
    pages = [PILImage.new("L", (827, 1169), 240), PILImage.new("L", (1169, 827), 240)]
    pages[0].save(content / "xg" / "cs" / "scans" / "2026-09" / "2" / "02.pdf", save_all=True,
                  append_images=pages[1:], resolution=100)
    build(content, root / "out", themes=("tv",))
    return root / "out" / "tv"


def test_small_site_every_page_and_every_focusable(chromium, small_site, capsys):
    start = time.perf_counter()
    walker = walk_site(chromium, small_site)
    pages = {p.relative_to(small_site).as_posix() for p in small_site.rglob("*.html")}
    report(capsys, "small site, all pages", walker, len(pages), time.perf_counter() - start)
    assert walker.problems == []
    linked = set(link_tree(small_site))  # pages no page links to: test_small_site_has_no_page_without_a_link
    assert (pages & linked) - {u.split("/", 3)[3] for u in walker.visited} == set()
    assert any("ask-" in u for u in walker.visited) and any(u.endswith("-3.html") for u in walker.visited)


def test_small_site_has_no_page_without_a_link(small_site):
    pages = {p.relative_to(small_site).as_posix() for p in small_site.rglob("*.html")}
    assert pages - set(link_tree(small_site)) == set()


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def sample_of(site: Path, every: int = 12) -> set[str]:
    """The sample city's pages the browser walk opens (fixed, about one in ten): every page down to the boards
    and ledgers; of the rest, every 4th category, finance or list page and every `every`th item and voucher,
    each voucher with its first scan; and the 我有疑问 pages those link to."""
    def nth(rel: str, n: int) -> bool:
        return int(hashlib.sha256(rel.encode()).hexdigest(), 16) % n == 0

    keep: set[str] = set()
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if path.name.startswith("ask-"):
            continue
        if "/vouchers/" in rel:
            stem = path.name[:-5]
            voucher = stem if stem.count("-") == 2 else stem.rsplit("-", 1)[0]
            if nth(voucher, every) and (stem == voucher or stem.endswith("-1")):
                keep.add(rel)
        elif '<article class="item">' in path.read_text(encoding="utf-8"):
            if nth(rel, every):
                keep.add(rel)
        elif rel.count("/") <= 3 or nth(rel, 4):
            keep.add(rel)
    asks = set()
    for rel in keep:
        if "ledger-" not in rel:  # a ledger links every line's 我有疑问: the sampled vouchers' are enough
            parser = Links()
            parser.feed((site / rel).read_text(encoding="utf-8"))
            asks |= {posixpath.normpath(posixpath.join(posixpath.dirname(rel), h)) for h in parser.hrefs
                     if h.rsplit("/", 1)[-1].startswith("ask-")}
    # and the pages on the way to each: the walk opens pages with OK from a page it has opened
    parents = link_tree(site)
    chosen = set()
    for rel in keep | asks:
        while rel in parents and rel not in chosen:
            chosen.add(rel)
            rel = parents[rel]
    return chosen


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


def test_sample_city_representative_pages(chromium, tmp_path_factory, capsys):
    site = sample_output(tmp_path_factory) / "tv"
    sample = sample_of(site)
    start = time.perf_counter()
    walker = walk_site(chromium, site, sample.__contains__)
    opened = {u.split("/", 3)[3] for u in walker.visited}
    report(capsys, "sample city, a fixed sample", walker, sum(1 for _ in site.rglob("*.html")),
           time.perf_counter() - start)
    assert walker.problems == []
    assert sample - opened == set()
    assert {p for p in opened if "/ledger-" in p} == {p.relative_to(site).as_posix() for p in site.rglob("ledger-*")}
    for kind, mark in {"ask": "/ask-", "scan": "-1.html", "voucher": "/vouchers/"}.items():
        assert sum(mark in u for u in opened) >= 8, kind


def test_sample_city_every_page_is_linked_from_the_home(tmp_path_factory):
    """Without a browser, over all pages: following links from the city home reaches every page (the walk
    above shows, page kind by page kind, that every link is reached with the arrows and opened with OK)."""
    site = sample_output(tmp_path_factory) / "tv"
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert pages - set(link_tree(site)) == set() and len(pages) > 1000


# ---- navigation on real pages -------------------------------------------------------------------------------

def big_village(root: Path, lines: int = 500) -> Path:
    """The mini fixture with a journal of `lines` vouchers in one year, each moving money (one ledger line)."""
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    village = content / "xg" / "cs"
    shutil.rmtree(village / "journal")
    shutil.rmtree(village / "scans")
    (village / "journal").mkdir()
    scan = (FIXTURES / "mini" / "xg" / "cs" / "scans" / "2026-09" / "1" / "01.jpg").read_bytes()
    per_month = -(-lines // 12)
    with open(village / "journal" / "2026.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "往来单位", "附件张数"])
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


def focused(page) -> dict:
    return page.evaluate("""() => { var el = document.activeElement, r = el.getBoundingClientRect();
        return {href: el.getAttribute('href') || '', cls: el.className, top: r.top, bottom: r.bottom,
                y: scrollY, vh: innerHeight}; }""")


def open_key(page, key) -> None:
    with page.expect_navigation(wait_until="domcontentloaded"):
        B.press(page, key)
    page.wait_for_function("document.documentElement.className.indexOf('js') >= 0")


def test_ledger_of_500_lines_moves_focus_instantly(chromium, big, capsys):
    """Per-key cost of ArrowDown on a real ledger page of 500 lines (1000 focusables with the 我有疑问 buttons):
    from a capturing listener (before tv.js) to a bubbling one (after it), plus the layout the press left."""
    (ledger,) = big.glob("xg/cs/finance/ledger-*.html")
    page = chromium.new_page()
    errors = B.collect_errors(page)
    with B.serve(big) as base:
        page.goto(base + ledger.relative_to(big).as_posix())
        assert page.evaluate("document.querySelectorAll('table.ledger a.row').length") == 500
        page.evaluate("""() => {
            window.__times = [];
            window.addEventListener('keydown', function () { window.__t0 = performance.now(); }, true);
            window.addEventListener('keydown', function () {
                document.body.offsetHeight;
                window.__times.push(performance.now() - window.__t0);
            }, false);
        }""")

        def run(rate: int) -> list[float]:
            cdp = page.context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
            try:
                page.evaluate("window.__times = []")
                for _ in range(20):
                    before = focused(page)["href"]
                    B.press(page, "ArrowDown")
                    f = focused(page)
                    assert f["href"] != before and "row" in f["cls"] and 0 <= f["top"] and f["bottom"] <= f["vh"]
                return page.evaluate("window.__times")
            finally:
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
                cdp.detach()

        runs = [run(1)]
        while max(runs[-1]) >= 50 and len(runs) < 3:  # a loaded machine can stall once
            runs.append(run(1))
        slow = run(6)
        # Page down: about a screen of lines at a time, the focus kept on screen; page up comes back.
        rows = page.evaluate("Array.prototype.map.call(document.querySelectorAll('table.ledger a.row'), "
                             "function (a) { return a.getAttribute('href'); })")
        at = rows.index(focused(page)["href"])
        B.press(page, "PageDown")
        down = rows.index(focused(page)["href"])
        B.press(page, 34)
        down2 = rows.index(focused(page)["href"])
        assert down - at >= 3 and down2 - down >= 3 and focused(page)["y"] > 0
        B.press(page, 372)  # the vendor PageUp code
        assert rows.index(focused(page)["href"]) < down2
    page.close()
    with capsys.disabled():
        for label, times in [("unthrottled", runs[-1]), ("CPU slowed 6x", slow)]:
            print(f"\n[tv.js] 20 ArrowDown on a 500-line ledger, {label}: mean {sum(times) / len(times):.2f} ms, "
                  f"max {max(times):.2f} ms per key")
    assert not errors.errors
    assert max(runs[-1]) < 50, f"slowest key press {max(runs[-1]):.1f} ms"


def test_focus_memory_per_list_on_the_real_site(chromium, big):
    """Back to a list restores the row it was left on: ledger -> voucher -> scan, Back, Back."""
    (ledger,) = big.glob("xg/cs/finance/ledger-*.html")
    page = chromium.new_context(viewport=dict(B.VIEWPORT)).new_page()
    with B.serve(big) as base:
        page.goto(base + "xg/cs/index.html")
        for _ in range(6):
            if "ledger-" in focused(page)["href"]:
                break
            B.press(page, "ArrowDown")
        open_key(page, "Enter")
        assert page.url.endswith(ledger.name)
        for _ in range(37):
            B.press(page, 40)
        line = focused(page)["href"]
        assert line.startswith("vouchers/") and "ask-" not in line
        B.press(page, "ArrowRight")  # the line's 我有疑问, then back to the line
        assert "ask-" in focused(page)["href"]
        B.press(page, "ArrowLeft")
        assert focused(page)["href"] == line
        open_key(page, "Enter")
        assert "scan-thumb" in focused(page)["cls"]
        open_key(page, "Enter")
        open_key(page, 10009)  # Samsung Back
        assert "scan-thumb" in focused(page)["cls"]
        open_key(page, 461)  # LG Back
        assert page.url.endswith(ledger.name) and focused(page)["href"] == line
        f = focused(page)
        assert 0 <= f["top"] and f["bottom"] <= f["vh"]
    page.context.close()


@pytest.mark.parametrize("kind", ["keydown", "keypress", "irkeypress"])
def test_set_top_box_key_codes_on_the_real_site(chromium, tmp_path_factory, kind):
    """iPanel arrows 1-4 and Back 340, the same press arriving as keydown, keypress or iPanel's irkeypress."""
    site = sample_output(tmp_path_factory) / "tv"
    page = chromium.new_context(viewport=dict(B.VIEWPORT)).new_page()
    errors = B.collect_errors(page)
    with B.serve(site) as base:
        page.goto(base + "index.html")
        first = focused(page)["href"]
        B.press(page, 4, kind)  # iPanel Right
        second = focused(page)["href"]
        assert second != first
        page.wait_for_timeout(200)
        B.press(page, 3, kind)  # iPanel Left
        assert focused(page)["href"] == first
        page.wait_for_timeout(200)
        for _ in range(12):  # iPanel Down to the first village
            if focused(page)["href"].count("/") == 2:
                break
            B.press(page, 2, kind)
            page.wait_for_timeout(160)
        village = focused(page)["href"]
        open_key(page, 13)
        assert page.url.endswith(village)
        page.wait_for_timeout(200)
        open_key(page, 340)  # iPanel Back
        assert page.url == base + "index.html" and focused(page)["href"] == village
    page.context.close()
    assert not errors.errors
