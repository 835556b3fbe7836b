"""Page planning and link checking: relative URLs only, every link resolves."""
from __future__ import annotations

import pytest

from sitegen.content.errors import Report
from sitegen.finance.ledger import build_ledgers
from sitegen.site.plan import RENDER_NAMES, Page, _Planner, check_links, plan, subitem_slug
from sitegen.build.pipeline import check


def test_relative_urls():
    page = Page("xg/cs/finance/vouchers/2026-09-001.html", "voucher.html", "t", [], "index.html")
    assert page.url("xg/cs/finance/ledger-2026.html#v-1") == "../ledger-2026.html#v-1"
    assert page.url("static/tv.css") == "../../../../static/tv.css"
    assert page.url("xg/cs/finance/vouchers/2026-09-001.html") == "2026-09-001.html"
    assert Page("index.html", "", "", [], "").url("xg/index.html") == "xg/index.html"


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
    assert broken == ["../outside.html", "//example.com", "a/b.html#nope", "https://cdn.example.com/x.js",
                      "missing.jpg"]


def test_fragments_on_the_same_page_and_into_carried_pages(tmp_path):
    """'#x' points into the page itself; a fragment into a page carried over from the last build is looked up
    in that page's file; a fragment into a file that is no page never resolves."""
    carried = tmp_path / "old.html"
    carried.write_bytes(b'<h2 id="y">y</h2>')
    files = {"index.html": b'<p id="x">x</p><a href="#x">top</a><a href="#nope">gone</a>'
                           b'<a href="c/old.html#y">ok</a><a href="c/old.html#z">no id</a>'
                           b'<a href="c/pic.jpg#y">no page</a>'}
    report = Report()
    check_links(files, report, "tv", {"c/old.html": carried, "c/pic.jpg": carried})
    broken = sorted(p.zh.split("“")[1].split("”")[0] for p in report.errors)
    assert broken == ["#nope", "c/old.html#z", "c/pic.jpg#y"]


def test_plan_gives_every_voucher_a_page_and_every_scan_a_viewer(mini):
    city, _ = check(mini)
    assert city is not None
    build_ledgers(city)
    site = plan(city)
    paths = {p.path for p in site.pages}
    for v in city.villages[0].vouchers:
        assert f"xg/cs/finance/vouchers/{v.key}.html" in paths
        for n in range(1, len(v.scans) + 1):
            assert f"xg/cs/finance/vouchers/{v.key}-{n}.html" in paths
    assert len(paths) == len(site.pages)  # no page planned twice
    assert all(not p.startswith("/") and ".." not in p for p in paths | set(site.images))


def test_a_page_variable_named_like_a_render_variable_is_refused_when_planned(mini):
    """A page's data sits beside page/city/url/body in one template call: a clash is refused at planning time
    (a ValueError naming the page), not a TypeError in the middle of rendering."""
    city, _ = check(mini)
    assert city is not None
    planner = _Planner(city)
    planner.add("a.html", "list.html", "标题", [], title="a variable may share a parameter's name", path="too")
    for name in sorted(RENDER_NAMES):
        with pytest.raises(ValueError, match=name):
            planner.add("b.html", "list.html", "标题", [], **{name: 1})


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
    build_ledgers(city)
    return {p.path: p for p in plan(city).pages}


CATEGORY = "xg/cs/party/organisation/index.html"


@pytest.mark.parametrize("extra, expect", [
    # (name, title, sub-item, category) of the items added next to the fixture's one (组织建设 · 组织生活会)
    ([], []),                                                                     # one item, one sub-item
    ([("b", "另一次组织生活会", "组织生活会", "组织建设")], []),                          # two items, one sub-item
    ([("b", "其他类别", "民主生活会", "作风建设")], []),                                 # another category's sub-item
    ([("b", "发展党员公示", "党员发展", "组织建设")], [("党员发展", 1), ("组织生活会", 1)]),  # site.yaml's order
    ([("b", "发展党员公示", "党员发展", "组织建设"), ("c", "发展对象", "党员发展", "组织建设"),
      ("d", "没写小项", None, "组织建设")], [("党员发展", 2), ("组织生活会", 1), ("其他", 1)]),  # none: 其他, last
    ([("d", "没写小项", None, "组织建设")], [("组织生活会", 1), ("其他", 1)]),
])
def test_a_category_of_several_sub_items_lists_them_with_counts_then_its_items(mini, extra, expect):
    for name, title, sub, category in extra:
        _add_item(mini, name, title, sub, category)
    pages = _planned(mini)
    page = pages[CATEGORY]
    tiles = page.data["subitems"]
    assert [(t.title, t.sub) for t in tiles] == [(name, f"{n} 条") for name, n in expect]
    assert [t.digit for t in tiles] == list(range(1, len(expect) + 1))  # a digit key opens one on TV
    assert len(page.data["rows"]) == 1 + sum(c == "组织建设" for *_, c in extra)  # every item still listed
    subpages = [p for path, p in pages.items() if "/sub-" in path]
    assert sorted(p.path for p in subpages) == sorted(t.path for t in tiles)
    for tile in tiles:
        sub = pages[tile.path]
        assert sub.template == "list.html" and sub.title == tile.title
        assert sub.back == CATEGORY and sub.crumbs[-1] == ("组织建设", CATEGORY)  # Back returns to the category
        assert f"{len(sub.data['rows'])} 条" == tile.sub
        assert sub.data["subitems"] == []


def test_sub_item_pages_on_finance_categories_and_stable_names(mini):
    """A finance category (its tables first, finance-page.html) gets the same sub-item pages; a sub-item's page
    name does not depend on the order site.yaml lists them in, and is ASCII."""
    report = (mini / "xg/cs/finance/report.md").read_text(encoding="utf-8")
    category = report.split("category: ", 1)[1].split("\n", 1)[0]
    assert "subitem:" not in report
    (mini / "xg/cs/finance/report2.md").write_text(
        report.replace(f"category: {category}", f"category: {category}\nsubitem: 年度预算"), encoding="utf-8")
    pages = _planned(mini)
    cat = next(p for p in pages.values() if p.template == "finance-page.html" and p.data.get("subitems"))
    assert [(t.title, t.sub) for t in cat.data["subitems"]] == [("年度预算", "1 条"), ("其他", "1 条")]
    for t in cat.data["subitems"]:
        assert t.path.rsplit("/", 1)[1].isascii()
    first = {t.title: t.path for t in cat.data["subitems"]}
    site = (mini / "site.yaml").read_text(encoding="utf-8")
    (mini / "site.yaml").write_text(site + "subitems:\n  财务:\n    村务报表: [其他报表, 年度预算]\n", encoding="utf-8")
    cat = _planned(mini)[cat.path]
    assert {t.title: t.path for t in cat.data["subitems"]} == first


def test_a_sub_item_page_never_takes_an_items_page_name(mini):
    """A clerk's file named like a sub-item page (sub-<hash>.md) keeps its page; the sub-item page moves aside."""
    _add_item(mini, subitem_slug("党员发展"), "发展党员公示", "党员发展")
    pages = _planned(mini)
    tiles = pages[CATEGORY].data["subitems"]
    assert len({t.path for t in tiles}) == 2
    item = f"xg/cs/party/organisation/{subitem_slug('党员发展')}.html"
    assert pages[item].template == "item.html"
    assert item not in {t.path for t in tiles}
