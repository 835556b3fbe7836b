"""The phone theme as the web site and as a touch-screen kiosk (一栏一网三屏), in headless Chromium.

One small build (the finance fixture: every finance table, plus sub-items, a long unbroken string and a Markdown
table added) serves every test. The layout checks open a sample of every page kind (three pages of each: first,
middle, last in path order) at a phone's 390x844 (without JavaScript: the CSS alone must do it), 1366x768 and
1920x1080; the kiosk checks follow links and move the clock with Playwright's page.clock, never sleeping.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sitegen.build.pipeline import build
from sitegen.site.channels import TV_ONLY
from tests import browser
from tests.conftest import FIXTURES, REPO
from tests.test_tv_js import _parse, es5_violations

VIEWPORTS = [(390, 844), (1366, 768), (1920, 1080)]
LONG = "320281" + "9" * 80  # an unbroken string far wider than a phone
VILLAGE = "xg/cs/index.html"
CATEGORY = "xg/cs/party/organisation/index.html"

_ITEM = """---
title: {title}
date: 2026-09-{day}
category: 组织建设
{sub}basis:
  title: 村党委会议决议
review:
  department: 夏港街道组织办
  reviewer: 王建华
  date: 2026-09-16
  status: 已通过
---
{body}
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mobile")
    content = root / "content"
    shutil.copytree(FIXTURES / "finance", content)
    party = content / "xg" / "cs" / "party"
    table = (
        "| "
        + " | ".join(f"第{n}列标题" for n in range(12))
        + " |\n|"
        + "---|" * 12
        + "\n| "
        + " | ".join(LONG[:20] for _ in range(12))
        + " |\n"
    )
    for name, title, day, sub, body in [
        ("dev1", "发展党员公示", "10", "党员发展", f"编号 {LONG} 。\n\n{table}"),
        ("dev2", "发展对象公示", "11", "党员发展", "名单见附件。"),
        ("plain", "没有写小项的事项", "12", None, "正文。"),
    ]:
        (party / f"{name}.md").write_text(
            _ITEM.format(title=title, day=day, sub=f"subitem: {sub}\n" if sub else "", body=body), encoding="utf-8"
        )
    with open(content / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write('feedback_url: "https://12345.example.gov.cn/ask?code={code}"\n')
    build(content, root / "out")
    return root / "out"


def kinds(site: Path) -> dict[str, list[str]]:
    """Page kind (the page-KIND class on <body>) -> its pages, in path order."""
    found: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*.html")):
        kind = re.search(r'<body class="mobile page-([a-z0-9-]+)', path.read_text(encoding="utf-8")).group(1)
        found.setdefault(kind, []).append(path.relative_to(site).as_posix())
    return found


def sample(site: Path) -> list[str]:
    """Three pages of every kind (the first, the middle and the last), a sub-item page, and the item with the long
    unbroken string and the wide Markdown table."""
    found = kinds(site)
    picked = {p for pages in found.values() for p in (pages[0], pages[len(pages) // 2], pages[-1])}
    picked.add(next(p for p in found["list"] if "/sub-" in p))
    picked.add("xg/cs/party/organisation/dev1.html")
    return sorted(picked)


# Everything that sticks out of the screen sideways: the page's own width, and any line of text whose box passes the
# screen's edge, whether the page would scroll to it or a box of its own cuts it off (a table that scrolls inside
# itself hides its last columns on a phone just the same).
SIDEWAYS = """() => {
    var bad = [], w = innerWidth, de = document.documentElement;
    if (Math.max(de.scrollWidth, document.body.scrollWidth) > w) { bad.push('page is ' + de.scrollWidth + ' wide'); }
    var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, null), node, range = document.createRange();
    while ((node = walk.nextNode())) {
        if (!node.nodeValue.trim() || node.parentNode.closest('script, noscript')) { continue; }
        range.selectNodeContents(node);
        var rects = range.getClientRects();
        for (var i = 0; i < rects.length; i++) {
            var r = rects[i];
            if (r.width && (r.left < -0.5 || r.right > w + 0.5)) {
                bad.push('text out at ' + Math.round(r.left) + '..' + Math.round(r.right) + ': '
                         + node.nodeValue.trim().slice(0, 30));
                break;
            }
        }
        if (bad.length > 5) { break; }
    }
    return bad;
}"""


def _context(chromium, size, js=True):
    return chromium.new_context(viewport={"width": size[0], "height": size[1]}, java_script_enabled=js)


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_page_kind_scrolls_sideways(out, chromium, size):
    """At a phone's width without JavaScript (the CSS alone), and at two desktop sizes with it."""
    site = out / "mobile"
    pages = sample(site)
    assert {"village", "board", "list", "item", "ledger", "voucher", "scan", "finance-page", "search"} <= set(
        kinds(site)
    )
    context = _context(chromium, size, js=size[0] > 400)
    pg = context.new_page()
    problems = {}
    with browser.serve(site) as base:
        for path in pages:
            pg.goto(base + path)
            bad = pg.evaluate(SIDEWAYS)
            if bad:
                problems[path] = bad
    context.close()
    assert problems == {}


def test_phone_ledger_shows_every_column_of_a_line(out, chromium):
    """At 390 px the ledger is one record per line: date, what, 收入 or 支出, and 余额 all on screen, each named."""
    context = _context(chromium, (390, 844), js=False)
    pg = context.new_page()
    ledger = next(p for p in kinds(out / "mobile")["ledger"])
    with browser.serve(out / "mobile") as base:
        pg.goto(base + ledger)
        cells = pg.evaluate("""() => Array.prototype.map.call(
            document.querySelectorAll('table.ledger tr[id^="v-"]')[0].children, function (td) {
                var r = td.getBoundingClientRect();
                return {right: r.right, width: r.width, text: td.innerText, cls: td.className,
                        label: getComputedStyle(td, ':before').content};
            })""")
        assert pg.evaluate("getComputedStyle(document.querySelector('table.ledger thead')).display") == "none"
    context.close()
    shown = [c for c in cells if c["width"]]
    assert all(c["right"] <= 390 for c in shown), shown
    assert shown[-1]["label"] == '"余额："' and any(c["label"] in ('"收入："', '"支出："') for c in shown), shown


def test_wide_screens_tiles_side_by_side_tables_as_tables_text_at_reading_width(out, chromium):
    context = _context(chromium, (1920, 1080))
    pg = context.new_page()
    site = out / "mobile"
    with browser.serve(site) as base:
        pg.goto(base + VILLAGE)
        tops = pg.evaluate(
            "Array.prototype.map.call(document.querySelectorAll('a.tile'), "
            "function (a) { return Math.round(a.getBoundingClientRect().top); })"
        )
        assert tops.count(tops[0]) >= 3  # three or more tiles on the first line
        pg.goto(base + kinds(site)["ledger"][0])
        assert pg.evaluate("getComputedStyle(document.querySelector('table.ledger')).display") == "table"
        assert pg.evaluate("getComputedStyle(document.querySelector('table.ledger thead')).display") != "none"
        pg.goto(base + "xg/cs/party/organisation/dev1.html")
        width = pg.evaluate("document.querySelector('.item-body').getBoundingClientRect().width")
        assert 300 < width <= 40 * 18 + 1  # about 40em of 18px text
    context.close()


def test_no_phone_page_says_remote_control_words_and_no_tv_page_says_tap(out):
    """Each channel speaks its own words (channels.py): templates and the sentences computed in Python alike."""
    leaks = {}
    for path in sorted((out / "mobile").rglob("*.html")):
        text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
        found = [w for w in TV_ONLY if w in text]
        if found:
            leaks[path.relative_to(out).as_posix()] = found
    for path in sorted((out / "tv").rglob("*.html")):
        if "点击" in path.read_text(encoding="utf-8"):
            leaks[path.relative_to(out).as_posix()] = ["点击"]
    assert leaks == {}
    ledger = (out / "mobile" / kinds(out / "mobile")["ledger"][0]).read_text(encoding="utf-8")
    assert "点击一行" in ledger
    assert "选中一行按确定键" in (out / "tv" / kinds(out / "mobile")["ledger"][0]).read_text(encoding="utf-8")
    assets = (out / "mobile" / "xg/cs/finance/assets/index.html").read_text(encoding="utf-8")
    assert "点击原值" in assets and "选中原值" in (out / "tv/xg/cs/finance/assets/index.html").read_text("utf-8")


def test_mobile_js_is_es5():
    """The kiosk script runs on whatever browser a touch screen has: ES5, one IIFE."""
    tree = _parse((REPO / "themes/mobile/static/mobile.js").read_text(encoding="utf-8"))
    assert es5_violations(tree) == []
    assert [s["type"] for s in tree["body"] if s["type"] != "EmptyStatement"] == ["ExpressionStatement"]


# --- kiosk -----------------------------------------------------------------------------------------------------------

CONTROLS = """() => Array.prototype.filter.call(document.querySelectorAll('a[href], button, select, input'), function (el) {
        var r = el.getBoundingClientRect(), s = getComputedStyle(el);
        return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && (r.width < 47.5 || r.height < 47.5);
    }).map(function (el) { var r = el.getBoundingClientRect();
        return Math.round(r.width) + 'x' + Math.round(r.height) + ' ' + el.outerHTML.slice(0, 80); })"""


@pytest.fixture
def kiosk(chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    pg = context.new_page()
    pg.errors = browser.collect_errors(pg)
    yield pg
    context.close()
    assert pg.errors.errors == []


@pytest.mark.parametrize("size", [(390, 844), (1366, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_kiosk_every_control_is_48_px_and_nothing_leaves_the_site(out, chromium, size):
    site = out / "mobile"
    context = _context(chromium, size)
    pg = context.new_page()
    problems = {}
    with browser.serve(site) as base:
        for path in sample(site):
            pg.goto(base + path + "?kiosk")
            assert "kiosk" in pg.evaluate("document.documentElement.className").split()
            small = pg.evaluate(CONTROLS)
            leaving = pg.evaluate("""() => Array.prototype.map.call(document.querySelectorAll('a[href]'),
                function (a) { return a.getAttribute('href'); }).filter(function (h) {
                    return h.charAt(0) !== '#' && !/[?&]kiosk(=|&|#|$)/.test(h) || /^[a-z]+:|^\\/\\//i.test(h); })""")
            if small or leaving:
                problems[path] = small + leaving
    context.close()
    assert problems == {}


def test_kiosk_links_carry_the_mode_and_phone_numbers_are_text(out, kiosk):
    with browser.serve(out / "mobile") as base:
        kiosk.goto(base + VILLAGE + "?kiosk")
        assert kiosk.locator("a[href^='tel:']").count() == 0
        assert "12345" in kiosk.locator("footer .kiosk-text").inner_text()
        assert kiosk.evaluate("window.open('https://example.com/') === null")
        with kiosk.expect_navigation():
            kiosk.locator("a.tile").first.click()
        assert kiosk.url.endswith("?kiosk")
        assert kiosk.evaluate("document.documentElement.className") == "kiosk"
        # a link a script makes after the page loaded (as search results are) carries it when followed
        kiosk.evaluate("""() => { var a = document.createElement('a'); a.id = 'late'; a.textContent = '后来的链接';
            a.href = '../index.html'; document.querySelector('main').appendChild(a); }""")
        with kiosk.expect_navigation():
            kiosk.click("#late")
        assert kiosk.url == base + VILLAGE + "?kiosk"
        # one that leaves the site is not followed, even when made later
        kiosk.evaluate("""() => { var a = document.createElement('a'); a.id = 'out'; a.textContent = '外链';
            a.href = 'https://example.com/'; document.querySelector('main').appendChild(a); }""")
        browser.watch_leaving(kiosk)
        kiosk.click("#out")
        assert not browser.has_left(kiosk) and kiosk.url == base + VILLAGE + "?kiosk"
        # without ?kiosk the same pages are the ordinary phone site
        kiosk.goto(base + VILLAGE)
        assert kiosk.evaluate("document.documentElement.className") == ""
        assert kiosk.locator("a[href^='tel:']").count() == 1


@pytest.mark.parametrize("query, minutes", [("?kiosk", 3), ("?kiosk=1", 1)])
def test_kiosk_returns_to_the_village_home_when_idle(out, kiosk, query, minutes):
    kiosk.clock.install()
    with browser.serve(out / "mobile") as base:
        kiosk.goto(base + VILLAGE + query)
        with kiosk.expect_navigation():
            kiosk.locator("a.tile").first.click()  # 党务
        with kiosk.expect_navigation():
            kiosk.locator("a.tile").nth(2).click()  # 组织建设: its sub-items
        assert kiosk.url == base + CATEGORY + query
        kiosk.clock.run_for(minutes * 60_000 - 2_000)
        assert kiosk.url == base + CATEGORY + query
        kiosk.keyboard.press("Shift")  # the visitor is still there: the idle time starts over
        kiosk.clock.run_for(minutes * 60_000 - 2_000)
        assert kiosk.url == base + CATEGORY + query
        with kiosk.expect_navigation():
            kiosk.clock.run_for(3_000)
        assert kiosk.url == base + VILLAGE + query
        assert kiosk.evaluate("document.documentElement.className") == "kiosk"


def test_kiosk_from_file_url(out, kiosk):
    """From file:// the mode is carried the same way (the address, no server), and idle goes home."""
    kiosk.clock.install()
    home = (out / "mobile" / VILLAGE).as_uri()
    kiosk.goto(home + "?kiosk=2")
    with kiosk.expect_navigation():
        kiosk.locator("a.tile").first.click()
    assert kiosk.url.startswith("file://") and kiosk.url.endswith("/party/index.html?kiosk=2")
    assert kiosk.evaluate("document.documentElement.className") == "kiosk"
    with kiosk.expect_navigation():
        kiosk.clock.run_for(2 * 60_000 + 1_000)
    assert kiosk.url == home + "?kiosk=2"


# --- sub-items (小项) ----------------------------------------------------------------------------------------------


def test_sub_item_pages_on_the_phone(out, kiosk):
    with browser.serve(out / "mobile") as base:
        kiosk.goto(base + CATEGORY)
        tiles = kiosk.locator(".subitems a.tile")
        assert [t.split("\n") for t in tiles.all_inner_texts()] == [
            ["1", "党员发展", "2 条"],
            ["2", "组织生活会", "1 条"],
            ["3", "其他", "1 条"],
        ]
        assert kiosk.locator(".list a.row").count() == 4  # then every item of the category
        with kiosk.expect_navigation():
            tiles.first.click()
        assert kiosk.locator("h1").inner_text() == "党员发展"
        assert kiosk.locator(".list a.row .row-title").all_inner_texts() == ["发展对象公示", "发展党员公示"]
        with kiosk.expect_navigation():
            kiosk.locator(".crumbs a").last.click()
        assert kiosk.url == base + CATEGORY
