"""Page planning and link checking: relative URLs only, every link resolves."""

from __future__ import annotations

import csv
import gc
import html
import itertools
import posixpath
import random
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from sitegen.build.pipeline import build
from sitegen.content.errors import Report
from sitegen.content.model import Voucher
from sitegen.finance.ledger import build_ledgers
from sitegen.site.pages import FinancePage, ItemPage, ListPage, Page, ScanPage, Subject, VoucherPage
from sitegen.site.plan import (
    LEDGER_BYTES,
    LinkCheck,
    _found,
    _joined,
    check_links,
    ledger_parts,
    line_bytes,
    plan,
    plan_village,
    scan_viewers,
    subitem_slug,
)
from tests.built_sample import CONTENT, sample_output
from tests.checked import check


def test_relative_urls():
    page = Page("xg/cs/finance/vouchers/2026-09-001.html", "t", [])
    assert page.url("xg/cs/finance/ledger-2026.html#v-1") == "../ledger-2026.html#v-1"
    assert page.url("static/tv.css") == "../../../../static/tv.css"
    assert page.url("xg/cs/finance/vouchers/2026-09-001.html") == "2026-09-001.html"
    assert Page("index.html", "", []).url("xg/index.html") == "xg/index.html"


def test_check_links_finds_broken_targets_fragments_and_external_urls():
    files = {
        "index.html": b'<a href="a/b.html#x">ok</a><a href="a/b.html#nope">frag</a><img src="missing.jpg">'
        b'<a href="https://cdn.example.com/x.js">ext</a><a href="//example.com">ext2</a>'
        b'<a href="../outside.html">up</a><a href="tel:12345">tel</a>',
        "a/b.html": b'<p id="x">x</p><a href="../index.html">home</a>',
    }
    report = Report()
    check_links(files, report, "tv")
    broken = sorted(p.zh.split("“")[1].split("”")[0] for p in report.errors)
    assert broken == [
        "../outside.html",
        "//example.com",
        "a/b.html#nope",
        "https://cdn.example.com/x.js",
        "missing.jpg",
    ]


def test_a_link_is_resolved_from_its_own_page():
    """LinkCheck remembers how each href of a folder resolves (a village's pages share most of their links): the
    same href from another folder goes elsewhere, a bare #fragment or an empty href is each page's own, and a
    character reference in an href is read as the browser reads it."""
    files = {
        "t/v/a.html": b'<p id="top"></p><a href="../x.html">ok</a><a href="#top">ok</a><a href="">self</a>'
        b"<a href='../nothing.html'>single quotes: not read</a>",
        "t/v/b.html": b'<a href="../x.html">ok</a><a href="#top">no such id here</a><a href="a.html#top">ok</a>'
        b'<img src="p&#46;jpg" alt=""><img src="q&amp;r.jpg" alt="">',
        "t/w/c.html": b'<a href="../x.html">ok</a><a href="../../t/v/../x.html">ok</a>',
        "t/w/d/e.html": b'<a href="../x.html">not there</a><span data-back="../c.html"></span>',
        "t/x.html": b'<a href="v/a.html#top">ok</a><a href="w/c.html#top">no such id</a>',
    }
    present = {"t/v/p.jpg": "", "t/v/q&r.jpg": ""}
    for checked in ("whole", "page by page"):
        report = Report()
        if checked == "whole":
            check_links(files, report, "tv", present)
        else:
            check = LinkCheck(report, "tv", set(files), present, fetch=files.get)
            for path, data in files.items():
                check.page(path, data, "/".join(path.split("/")[:2]) if path.count("/") > 1 else None)
            check.finish()
        assert [(p.where.path, p.zh.split("“")[1].split("”")[0]) for p in report.errors] == [
            ("tv/t/v/b.html", "#top"),
            ("tv/t/w/d/e.html", "../x.html"),
            ("tv/t/x.html", "w/c.html#top"),
        ], checked


def test_fragments_on_the_same_page_and_into_carried_pages(tmp_path):
    """'#x' points into the page itself; a fragment into a page carried over from the last build is looked up
    in that page's file; a fragment into a file that is no page never resolves."""
    carried = tmp_path / "old.html"
    carried.write_bytes(b'<h2 id="y">y</h2>')
    files = {
        "index.html": b'<p id="x">x</p><a href="#x">top</a><a href="#nope">gone</a>'
        b'<a href="c/old.html#y">ok</a><a href="c/old.html#z">no id</a>'
        b'<a href="c/pic.jpg#y">no page</a>'
    }
    report = Report()
    check_links(files, report, "tv", {"c/old.html": carried, "c/pic.jpg": carried})
    broken = sorted(p.zh.split("“")[1].split("”")[0] for p in report.errors)
    assert broken == ["#nope", "c/old.html#z", "c/pic.jpg#y"]


def _hrefs(report: Report) -> list[str]:
    return [p.zh.split("“")[1].split("”")[0] for p in report.errors]


def test_link_check_page_by_page_keeps_only_one_villages_ids():
    """Pages checked as they are rendered (LinkCheck): the ids of a village's pages are dropped when the next
    village begins; a fragment link into a page not in hand waits for that page (rendered later) or, at the end,
    reads it again (fetch, once a page); broken links are reported in page order however late each was found."""
    fetched: list[str] = []
    pages = {
        "index.html": b'<a href="t/a/p.html#s-2">city to a</a><p id="top"></p>',
        "t/a/p.html": b'<p id="s-2"></p><a href="q.html#later">forward</a><a href="q.html#never">gone</a>',
        "t/a/q.html": b'<p id="later"></p><a href="../../index.html#top">back to the city</a>',
        "t/b/r.html": b'<a href="../a/p.html#s-2">ok</a><a href="../a/p.html#nope">no id</a>'
        b'<a href="../a/q.html#later">ok</a><a href="missing.html">no file</a>',
    }
    report = Report()

    def fetch(path: str) -> bytes | None:
        fetched.append(path)
        return pages.get(path)

    check = LinkCheck(report, "tv", set(pages), fetch=fetch)
    held: list[set[str]] = []
    for path, data in pages.items():
        scope = "/".join(path.split("/")[:2]) if path.count("/") == 2 else None
        check.page(path, data, scope)
        held.append({"/".join(p.split("/")[:2]) for p in check.ids if p.count("/") == 2})
    assert held == [set(), {"t/a"}, {"t/a"}, {"t/b"}]  # one village's ids at a time (the city's kept)
    assert "index.html" in check.ids and not report.errors  # nothing reported before finish
    check.finish()
    assert _hrefs(report) == ["q.html#never", "../a/p.html#nope", "missing.html"]  # in page order
    assert sorted(fetched) == ["t/a/p.html", "t/a/q.html"]  # each dropped page read again once, only when needed


def test_link_check_page_by_page_finds_what_check_links_finds(tmp_path):
    """The same verdict, page by page with villages' ids dropped and read again, as over all pages at once."""
    carried = tmp_path / "old.html"
    carried.write_bytes(b'<h2 id="y">y</h2>')
    files = {
        "x/a/1.html": b'<p id="i"></p><a href="2.html#j">f</a><a href="../b/1.html#k">f</a><a href="#zz">no</a>',
        "x/a/2.html": b'<p id="j"></p><a href="../../c/old.html#y">c</a><a href="../../c/old.html#q">no</a>',
        "x/b/1.html": b'<p id="k"></p><a href="../a/1.html#i">b</a><a href="../a/2.html#no">no</a>',
        "x/b/pic.jpg": b"",
        "x/c/1.html": b'<a href="../b/pic.jpg#k">no page</a><a href="../a/1.html#i">b</a><img src="../b/pic.jpg">',
    }
    whole, streamed = Report(), Report()
    check_links(files, whole, "tv", {"c/old.html": carried})
    check = LinkCheck(streamed, "tv", set(files), {"c/old.html": carried}, fetch=files.get)
    for path, data in files.items():
        check.page(path, data, "/".join(path.split("/")[:2]))
    check.finish()
    assert _hrefs(whole) == _hrefs(streamed) == ["#zz", "../../c/old.html#q", "../a/2.html#no", "../b/pic.jpg#k"]


def test_plan_gives_every_voucher_a_page_and_every_scan_a_viewer(mini):
    city, _ = check(mini)
    assert city is not None
    city = build_ledgers(city)
    site = plan(city)
    paths = {p.path for p in site.pages}
    for v in city.villages[0].vouchers:
        assert f"xg/cs/finance/vouchers/{v.key}.html" in paths
        for n in range(1, min(len(v.scans), 2) + 1):  # the 记账凭证 alone, the other scans in one viewer
            assert f"xg/cs/finance/vouchers/{v.key}-{n}.html" in paths
    assert len(paths) == len(site.pages)  # no page planned twice
    assert all(not p.startswith("/") and ".." not in p for p in paths | set(site.images))


def test_a_dropped_plan_is_freed_by_its_reference_count(mini):
    """A plan (the city's, one village's) leaves no cyclic garbage once dropped: the build plans and drops a village
    at a time, and a plan in a cycle (its lazy search indexes and ledger pages call back into the planner) waited for
    the collector's full passes, each walking the village being made."""
    city, _ = check(mini)
    assert city is not None
    city = build_ledgers(city)
    item_paths = dict(plan(city).item_paths)
    gc.collect()
    gc.disable()
    try:
        for make in (lambda: plan(city), lambda: plan_village(city, "xg/cs", item_paths)):
            site = make()
            assert any(callable(made) for made in site.generated.values())  # a lazy search index, calling back
            del site
            assert gc.collect() == 0
    finally:
        gc.enable()


# --- sub-item pages (小项) -------------------------------------------------------------------------------------------


def _add_item(mini, name: str, title: str, subitem: str | None, category: str = "组织建设") -> None:
    """A copy of the fixture's party item under another name, title and sub-item (none when None)."""
    text = (mini / "xg/cs/party/meeting.md").read_text(encoding="utf-8").replace("第三季度党员大会", title)
    text = text.replace("category: 组织建设", f"category: {category}")
    text = text.replace("subitem: 组织生活会\n", f"subitem: {subitem}\n" if subitem else "")
    (mini / f"xg/cs/party/{name}.md").write_text(text, encoding="utf-8")


def _planned(mini) -> dict[str, Page]:
    city, report = check(mini)
    assert city is not None
    assert not report.errors, report.errors
    city = build_ledgers(city)
    return {p.path: p for p in plan(city).pages}


CATEGORY = "xg/cs/party/organisation/index.html"


@pytest.mark.parametrize(
    "extra, expect",
    [
        # (name, title, sub-item, category) of the items added next to the fixture's one (组织建设 · 组织生活会)
        ([], []),  # one item, one sub-item
        ([("b", "另一次组织生活会", "组织生活会", "组织建设")], []),  # two items, one sub-item
        ([("b", "其他类别", "民主生活会", "作风建设")], []),  # another category's sub-item
        ([("b", "发展党员公示", "党员发展", "组织建设")], [("党员发展", 1), ("组织生活会", 1)]),  # site.yaml's order
        (
            [
                ("b", "发展党员公示", "党员发展", "组织建设"),
                ("c", "发展对象", "党员发展", "组织建设"),
                ("d", "没写小项", None, "组织建设"),
            ],
            [("党员发展", 2), ("组织生活会", 1), ("其他", 1)],
        ),  # none: 其他, last
        ([("d", "没写小项", None, "组织建设")], [("组织生活会", 1), ("其他", 1)]),
    ],
)
def test_a_category_of_several_sub_items_lists_them_with_counts_then_its_items(mini, extra, expect):
    for name, title, sub, category in extra:
        _add_item(mini, name, title, sub, category)
    pages = _planned(mini)
    page = pages[CATEGORY]
    assert isinstance(page, ListPage)
    tiles = page.subitems
    assert [(t.title, t.sub) for t in tiles] == [(name, f"{n} 条") for name, n in expect]
    assert [t.digit for t in tiles] == list(range(1, len(expect) + 1))  # a digit key opens one on TV
    assert len(page.rows) == 1 + sum(c == "组织建设" for *_, c in extra)  # every item still listed
    subpages = [p for path, p in pages.items() if "/sub-" in path]
    assert sorted(p.path for p in subpages) == sorted(t.path for t in tiles)
    for tile in tiles:
        sub = pages[tile.path]
        assert isinstance(sub, ListPage) and sub.title == tile.title
        assert sub.back == CATEGORY and sub.crumbs[-1] == ("组织建设", CATEGORY)  # Back returns to the category
        assert f"{len(sub.rows)} 条" == tile.sub
        assert sub.subitems == []


def test_sub_item_pages_on_finance_categories_and_stable_names(mini):
    """A finance category (its tables first, finance-page.html) gets the same sub-item pages; a sub-item's page
    name does not depend on the order site.yaml lists them in, and is ASCII."""
    report = (mini / "xg/cs/finance/report.md").read_text(encoding="utf-8")
    category = report.split("category: ", 1)[1].split("\n", 1)[0]
    assert "subitem:" not in report
    (mini / "xg/cs/finance/report2.md").write_text(
        report.replace(f"category: {category}", f"category: {category}\nsubitem: 年度预算"), encoding="utf-8"
    )
    pages = _planned(mini)
    cat = next(p for p in pages.values() if isinstance(p, FinancePage) and p.subitems)
    assert isinstance(cat, FinancePage)
    assert [(t.title, t.sub) for t in cat.subitems] == [("年度预算", "1 条"), ("其他", "1 条")]
    for t in cat.subitems:
        assert t.path.rsplit("/", 1)[1].isascii()
    first = {t.title: t.path for t in cat.subitems}
    site = (mini / "site.yaml").read_text(encoding="utf-8")
    (mini / "site.yaml").write_text(site + "subitems:\n  财务:\n    村务报表: [其他报表, 年度预算]\n", encoding="utf-8")
    again = _planned(mini)[cat.path]
    assert isinstance(again, FinancePage) and {t.title: t.path for t in again.subitems} == first


def test_a_sub_item_page_never_takes_an_items_page_name(mini):
    """A clerk's file named like a sub-item page (sub-<hash>.md) keeps its page; the sub-item page moves aside."""
    _add_item(mini, subitem_slug("党员发展"), "发展党员公示", "党员发展")
    pages = _planned(mini)
    category = pages[CATEGORY]
    assert isinstance(category, ListPage)
    tiles = category.subitems
    assert len({t.path for t in tiles}) == 2
    item = f"xg/cs/party/organisation/{subitem_slug('党员发展')}.html"
    assert isinstance(pages[item], ItemPage)
    assert item not in {t.path for t in tiles}


def test_only_the_feedback_address_may_leave_the_site():
    """`outside` (site.yaml's feedback_url up to its {code}) lets that one address through, as a link only: not as
    an image, not another address, not without it being configured."""
    files = {
        "index.html": b'<a href="https://ask.example/q?code=V-1">ok</a><img src="https://ask.example/q?code=V-2">'
        b'<a href="https://other.example/q?code=V-1">other</a><a href="https://ask.example/">up</a>'
    }
    report = Report()
    check_links(files, report, "mobile", outside="https://ask.example/q?code=")
    broken = sorted(p.zh.split("“")[1].split("”")[0] for p in report.errors)
    assert broken == ["https://ask.example/", "https://ask.example/q?code=V-2", "https://other.example/q?code=V-1"]
    report = Report()
    check_links(files, report, "mobile")
    assert len(report.errors) == 4


@pytest.mark.parametrize(
    "scans, expected",
    [
        (0, []),
        (1, [("v-1.html", [1])]),
        (2, [("v-1.html", [1]), ("v-2.html", [2])]),
        (7, [("v-1.html", [1]), ("v-2.html", [2, 3, 4, 5, 6, 7])]),
    ],
)
def test_a_voucher_has_at_most_two_scan_viewers(scans, expected):
    pics = [object() for _ in range(scans)]
    viewers = scan_viewers("v", pics)  # type: ignore[arg-type]
    assert [(path, [n for n, _ in shown]) for path, shown in viewers] == expected
    assert [pic for _, shown in viewers for _, pic in shown] == pics  # every scan, once, in order


def pages_per_voucher(out: Path, city) -> Counter:
    """Built pages per voucher, per theme: its page, its scan viewers and any other page named after it."""
    counts: Counter = Counter()
    for theme in ("tv", "mobile"):
        for v in city.villages:
            folder = out / theme / v.town_slug / v.slug / "finance" / "vouchers"
            keys = {x.key for x in v.vouchers}
            for page in folder.glob("*.html"):
                key = next(k for k in keys if re.fullmatch(re.escape(k) + r"(-\d+)?\.html", page.name))
                counts[(theme, v.slug, key)] += 1
            assert not list(folder.glob("ask-*.html"))  # 我有疑问 is a panel in the page, not a page
    return counts


def test_at_most_three_pages_per_voucher_in_the_sample_build(tmp_path_factory):
    out = sample_output(tmp_path_factory)
    city, _ = check(CONTENT)
    assert city is not None
    counts = pages_per_voucher(out, city)
    vouchers = [x for v in city.villages for x in v.vouchers]
    assert len(counts) == 2 * len(vouchers) and max(counts.values()) <= 3, counts.most_common(3)
    assert any(len(x.scans) > 2 for x in vouchers)  # the sample has vouchers of more scans than viewers


def big_month(root: Path, lines: int, scans: int = 0) -> Path:
    """The mini fixture with `lines` vouchers in one month (each one ledger line), long texts; each voucher scanned
    once, the first `scans` times."""
    content = root / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", content)
    village = content / "xg" / "cs"
    shutil.rmtree(village / "journal")
    scan = (village / "scans" / "2026-09" / "1" / "01.jpg").read_bytes()
    shutil.rmtree(village / "scans")
    (village / "journal").mkdir()
    with open(village / "journal" / "2026.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "往来单位", "附件张数"]
        )
        for i in range(lines):
            day, amount, what = (
                f"2026-09-{i % 28 + 1:02d}",
                f"{100 + i}.00",
                f"第{i + 1}笔 付村道两侧绿化养护及保洁费用" * 2,
            )
            out.writerow([day, f"记-{i + 1}", what, "513", "管理费用", amount, "", "某某绿化养护有限公司", "0"])
            out.writerow([day, f"记-{i + 1}", what, "102", "银行存款", "", amount, "某某绿化养护有限公司", "0"])
            folder = village / "scans" / "2026-09" / str(i + 1)  # one scan a voucher, the same bytes: made once
            folder.mkdir(parents=True)
            for n in range(scans if i == 0 else 1):
                (folder / f"{n + 1:02d}.jpg").write_bytes(scan)
    return content


def test_a_long_month_is_paged_within_60_kb_and_a_voucher_of_many_scans_within_three_pages(tmp_path):
    """A month of 250 payments: pages of the ledger each under 60 KB, every line on exactly one of them in order,
    each page's total the sum of its lines and the pages' totals the month's; the first voucher, scanned five
    times, still three pages."""
    content = big_month(tmp_path, 250, scans=5)
    build(content, tmp_path / "out")
    city, _ = check(content)
    assert city is not None
    vouchers = city.villages[0].vouchers
    counts = pages_per_voucher(tmp_path / "out", city)
    assert max(counts.values()) <= 3 and counts[("tv", "cs", vouchers[0].key)] == 3
    for theme in ("tv", "mobile"):
        folder = tmp_path / "out" / theme / "xg/cs/finance"
        pages = sorted(folder.glob("ledger-*.html"))
        assert len(pages) >= 4 and (folder / "ledger-2026.html").is_file()
        assert max(p.stat().st_size for p in pages) <= 60_000, [(p.name, p.stat().st_size) for p in pages]
        seen = []
        # the parts in order: the month's first page (the year's, as the latest month), then -2, -3 ...
        order = [folder / "ledger-2026.html"] + sorted(
            (p for p in pages if p.name != "ledger-2026.html"), key=lambda p: int(p.stem.rsplit("-", 1)[1])
        )
        for page in order:
            text = page.read_text(encoding="utf-8")
            seen += re.findall(r'<tr id="v-([^"]+)">', text)
            assert "本页合计" in text
        assert seen == [v.key for v in vouchers]  # every line once, in order
        # the viewer of the other four scans: one page, each scan at its #s-N, which the voucher page links to
        viewer = (folder / "vouchers" / f"{vouchers[0].key}-2.html").read_text(encoding="utf-8")
        assert all(f'id="s-{n}"' in viewer for n in range(2, 6))
        voucher = (folder / "vouchers" / f"{vouchers[0].key}.html").read_text(encoding="utf-8")
        assert f'{vouchers[0].key}-2.html#s-5"' in voucher


def test_ledger_parts_keep_each_page_within_its_budget(mini):
    """The split is by estimated bytes: lines with long texts make shorter parts; one line too big for a part
    still gets one of its own; nothing lost or reordered."""
    city, _ = check(mini)
    assert city is not None
    city = build_ledgers(city)
    (line,) = city.villages[0].ledgers[0].months[0].lines[:1]
    many = [line] * 200
    parts = ledger_parts(many)
    assert [x for p in parts for x in p] == many and len(parts) > 1
    assert all(sum(line_bytes(x) for x in p) <= LEDGER_BYTES for p in parts)
    assert ledger_parts([line] * 3, budget=1) == [[line]] * 3
    assert ledger_parts([]) == [[]]


def test_the_planner_records_each_pages_subject(mini):
    """Items, vouchers and scan viewers are planned with what they are about (feedback.py reads that, not template
    names); ledger pages list the vouchers of their lines."""
    city, _ = check(mini)
    assert city is not None
    city = build_ledgers(city)
    site = plan(city)
    by_path = {p.path: p for p in site.pages}
    v = city.villages[0].vouchers[0]
    assert by_path[f"xg/cs/finance/vouchers/{v.key}.html"].subject == Subject(v)
    assert by_path[f"xg/cs/finance/vouchers/{v.key}-1.html"].subject == Subject(v, (1,))
    items = [p for p in site.pages if isinstance(p, ItemPage)]
    assert items and all(p.subject and p.subject.thing is p.item for p in items)
    ledgers = [p for p in site.pages if p.listed]
    assert ledgers and all(isinstance(x, Voucher) for p in ledgers for x in p.listed)
    assert {type(p) for p in site.pages if p.subject} == {ItemPage, VoucherPage, ScanPage}


def test_every_ledger_page_of_the_sample_is_within_60_kb(tmp_path_factory):
    """Each month of the sample's ledgers its own page, none over 60 KB on either theme; every village's year opens
    at ledger-YYYY.html (its latest month), the others linked from its row of months."""
    out = sample_output(tmp_path_factory)
    city, _ = check(CONTENT)
    assert city is not None
    for theme in ("tv", "mobile"):
        pages = sorted((out / theme).glob("*/*/finance/ledger-*.html"))
        assert pages and max(p.stat().st_size for p in pages) <= 60_000
        for v in city.villages:
            for lg in v.ledgers:
                folder = out / theme / v.town_slug / v.slug / "finance"
                entry = (folder / f"ledger-{lg.year}.html").read_text(encoding="utf-8")
                months = re.findall(r'<a class="month[^"]*" href="([^"]+)"', entry)
                assert len(months) == len(lg.months) and months[-1] == f"#m-{lg.months[-1].month}"
                assert all((folder / m).is_file() for m in months[:-1])


def test_odd_links_are_checked_as_before_in_one_pass():
    """LinkCheck.page walks a page's links once (h35): every href/src/data-back still checked, in page order, a
    character reference resolved, the feedback address let through as an href (and, as before, as an image whose
    address is also a link of that page), a bare or empty href the page's own, answers shared by a folder's pages
    but not across folders."""
    outside = "https://ask.example/q?code="
    odd = (
        b'<a href="">self</a><a href="#">top</a><a href="#ask">panel</a><p id="ask"></p>'
        b'<a href="b.html?x=1&amp;y=2">query</a><a href="b&#46;html">ref</a><img src="data:,"><a href="tel:1">t</a>'
        b'<a href="https://ask.example/q?code=V-1">ok</a><img src="https://ask.example/q?code=V-1">'
        b'<img src="https://ask.example/q?code=V-2"><span data-back="../gone.html"></span><a href="b.html#none">f</a>'
    )
    files = {"a/p.html": odd, "a/b.html": b'<p id="x"></p>', "c/q.html": b'<a href="b.html">elsewhere</a>'}
    report = Report()
    check_links(files, report, "mobile", outside=outside)
    broken = [(p.where.path, p.zh.split("“")[1].split("”")[0]) for p in report.errors]
    assert broken == [
        ("mobile/a/p.html", "b.html?x=1&y=2"),
        ("mobile/a/p.html", "https://ask.example/q?code=V-2"),
        ("mobile/a/p.html", "../gone.html"),
        ("mobile/a/p.html", "b.html#none"),
        ("mobile/c/q.html", "b.html"),
    ]


def test_attributes_are_read_after_htmls_whitespace_with_their_values_as_written():
    """An href/src/data-back/id follows any of HTML's whitespace (tab, LF, FF, CR, space: what a browser takes
    between attributes), its value read exactly as written (a tab or a space inside it, non-ASCII, a character
    reference resolved); after other characters (U+3000, a no-break space, a vertical tab, a hyphen) it is no
    attribute of a browser's either."""
    page = (
        '<a\thref="t.html">t</a><a\nhref="n.html">n</a><a\rhref="r.html">r</a><a\x0chref="f.html">f</a>'
        '<img\n  src="村/图.png"><a href="a b.html">space</a><a href="x\ty.html">tab</a><a href="q&amp;.html">q</a>'
        '<a\u3000href="u.html">u</a><a\xa0href="nb.html">nb</a><a\x0bhref="v.html">v</a><img data-src="d.png">'
        '<p\n\tid="here"></p>'
    ).encode()
    assert _found(page) == [
        ("href", "t.html"),
        ("href", "n.html"),
        ("href", "r.html"),
        ("href", "f.html"),
        ("src", "村/图.png"),
        ("href", "a b.html"),
        ("href", "x\ty.html"),
        ("href", "q&.html"),
        ("id", "here"),
    ]
    report = Report()
    files = {"p/x.html": page, "p/村/图.png": b"", "p/t.html": b""}
    check_links(files, report, "tv")
    broken = [p.zh.split("“")[1].split("”")[0] for p in report.errors]
    assert broken == ["n.html", "r.html", "f.html", "a b.html", "x\ty.html", "q&.html"]


@pytest.mark.parametrize("seed", range(3))
def test_found_reads_what_a_whitespace_class_reads(seed):
    """_found (its whitespace made spaces for a literal-led pattern, h63) gives what a plain regex over the
    decoded page gives, on random pages of attributes, whitespace, odd values and other text."""
    plain = re.compile(r'[\t\n\f\r ](href|src|data-back|id)="([^"]*)"')
    parts = [' href="', ' src="', '\nid="', '\tdata-back="', '\rhref="', 'data-src="', '"', " ", "\t", "\n", "\x0c"]
    parts += ["a", "村", "&amp;", "&#46;", "\u3000", "\xa0", "=", "<a", ">", "#x", "../", "\x0b"]
    rng = random.Random(seed)
    for _ in range(400):
        text = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 40)))
        expected = [(k, html.unescape(v) if "&" in v else v) for k, v in plain.findall(text)]
        assert _found(text.encode()) == expected, text


def test_joined_is_normpath_of_join():
    """plan._joined answers what posixpath.normpath(posixpath.join(folder, path)) answers: every folder and
    path made of a few odd parts (.., ., empty, a name, names with dots), relative and absolute."""
    parts = ["..", ".", "", "a", "b.html", "..x", "x..", "%2e%2e", "?q=1"]
    texts = [""] + ["/".join(p) for n in (1, 2, 3) for p in itertools.product(parts, repeat=n)]
    texts += [f"/{t}" for t in texts[:200]]
    for folder in texts[::7]:
        for path in texts[::3]:
            assert _joined(folder, path) == posixpath.normpath(posixpath.join(folder, path)), (folder, path)
