"""Page planning and link checking: relative URLs only, every link resolves."""
from __future__ import annotations

import pytest

from sitegen.content.errors import Report
from sitegen.finance.ledger import build_ledgers
from sitegen.site.plan import RENDER_NAMES, Page, _Planner, check_links, plan
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
