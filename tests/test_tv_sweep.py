"""Every page of the TV site as it opens at 1280x720 (tests/browser.SAFE_AREA_CHECK): no sideways scrolling; no
text, control or focus ring outside the 5% title-safe area (x 64-1216; nothing above y 36, and the focus within
y 36-684) on the first screen; a visible focus on every page; on the viewer, the state line never over the scan.

The sample city's pages are checked by the reachability walk as it opens each one (tests/test_reachability.py:
one browser, one built site, no second load of 1,650 pages); here every page of a generated site with the
longest names, ledger lines and amounts we could make, and its ledger at 720p."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build.pipeline import build
from tests import browser as B
from tests.browser import SAFE
from tests.browser import SAFE_AREA_CHECK as CHECK
from tests.test_reachability import big_village


def sweep(chromium, site: Path) -> tuple[dict[str, list[str]], int]:
    """Open every page of `site`; page -> its problems (only pages with any), and the number of pages."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    problems: dict[str, list[str]] = {}
    context = chromium.new_context(viewport=dict(B.VIEWPORT))
    page = context.new_page()
    errors = B.collect_errors(page)
    # the auto-scroll and the tile loader wait for time that never passes: each page is seen as it opens
    B.hold_clock(page)
    with B.serve(site, cache=True) as base:
        for rel in pages:
            page.goto(base + rel, wait_until="load")
            B.ready(page)
            found = page.evaluate(CHECK, SAFE)
            if found:
                problems[rel] = found
    context.close()
    assert errors.errors == [], errors.errors[:5]
    return problems, len(pages)


def summary(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{p}: {v}" for p, v in list(problems.items())[:15]) + f"\n({len(problems)} pages)"


def test_the_check_finds_what_it_looks_for(chromium, tmp_path):
    """A page that scrolls sideways, has text in the overscan and opens with nothing focused fails each check."""
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html><body style="margin:0"><p style="margin:10px 0 0 20px;'
        'white-space:nowrap">超过时限未答复（已等 40 天）' + "很长" * 40 + "</p>"
        '<a href="#" style="margin-left:600px">链接</a></body></html>',
        encoding="utf-8",
    )
    context = chromium.new_context(viewport=dict(B.VIEWPORT))
    page = context.new_page()
    with B.serve(tmp_path) as base:
        page.goto(base + "bad.html")
        found = " | ".join(page.evaluate(CHECK, SAFE))
    context.close()
    assert "scrolls sideways" in found and "text outside the safe area" in found and "nothing focused" in found


LONG_TOWN = "江阴市夏港街道办事处（原夏港镇人民政府驻地）"
LONG_VILLAGE = "长寿村股份经济合作社第一第二第三第四村民小组联合体"


@pytest.fixture(scope="module")
def long_site(tmp_path_factory) -> Path:
    """The longest we could make: 36 ledger lines (twelve a month, a ledger page a month) whose descriptions and
    counterparties run to 60 characters,
    amounts in the hundreds of millions, the longest town and village names, an unbroken 80-character code."""
    root = tmp_path_factory.mktemp("long")
    content = big_village(root, lines=36, months=3)
    village = content / "xg" / "cs"
    (village / "village.yaml").write_text(
        (village / "village.yaml").read_text(encoding="utf-8").replace("name: 长寿村", f"name: {LONG_VILLAGE}"),
        encoding="utf-8",
    )
    for path in content.rglob("*"):  # the town's name, wherever it is written (its departments review)
        if path.suffix in (".yaml", ".md", ".csv"):
            path.write_text(path.read_text(encoding="utf-8").replace("夏港街道", LONG_TOWN), encoding="utf-8")
    journal = village / "journal" / "2026.csv"
    text = journal.read_text(encoding="utf-8")
    text = text.replace("付保洁费", "支付" + "村庄环境长效管理保洁员工资及保洁工具购置费用" * 2 + "X" * 40)
    text = text.replace("收租金", "收到" + "村集体经营性资产（标准厂房、门面房）年度租金" * 2)
    text = text.replace("王五", "江阴市" + "某某环境卫生服务有限责任公司" * 3).replace("李四", "ABCDEFGHIJ" * 6)
    text = text.replace(",100.00,", ",987654321.00,")  # the first voucher: both its lines
    journal.write_text(text, encoding="utf-8")
    build(content, root / "out", themes=("tv",))
    return root / "out" / "tv"


def test_every_page_of_the_longest_site_fits_the_safe_area_and_opens_focused(chromium, long_site):
    problems, n = sweep(chromium, long_site)
    assert n > 100
    assert problems == {}, summary(problems)


def test_ledger_shows_five_lines_a_screen_and_jumps_by_month(chromium, long_site):
    """The longest ledger: at least five lines on the first screen inside the safe area, the first focused; a
    month link (a page per month) opens that month's page with its first line focused: one press from the row of
    months, as the jump within one page was."""
    ledger = long_site / "xg/cs/finance/ledger-2026.html"  # the latest month, 2026-03
    context = chromium.new_context(viewport=dict(B.VIEWPORT))
    page = context.new_page()
    with B.serve(long_site) as base:
        page.goto(base + ledger.relative_to(long_site).as_posix())
        B.ready(page)
        shown = page.evaluate("""() => Array.prototype.filter.call(document.querySelectorAll('table.ledger a.row'),
            function (a) { var r = a.getBoundingClientRect(); return r.top >= 36 && r.bottom <= 684; }).length""")
        assert shown >= 5
        assert "data-autofocus" in B.focused(page)["html"] and page.evaluate("scrollY") == 0
        B.press(page, "ArrowUp")  # from the first line up to the month links
        assert B.focused_href(page) == "#m-2026-03"  # this month's
        assert B.press_until(page, "ArrowLeft", lambda f: f.get("href") == "ledger-2026-01.html", limit=4) == 2
        assert B.press_until(page, "ArrowRight", lambda f: f.get("href") == "ledger-2026-02.html", limit=4) == 1
        B.navigate(page, "Enter")
        assert page.url.endswith("ledger-2026-02.html")
        f = B.focused(page)
        assert "data-autofocus" in f["html"]
        assert page.evaluate("document.activeElement.closest('tbody').id") == "m-2026-02"
        assert f["top"] >= 36 and f["bottom"] <= 684
    context.close()


class _Page:
    """A stand-in for a Playwright page: what evaluate answers (or raises), and whether the wait was used."""

    def __init__(self, answer):
        self.answer, self.waited = answer, False

    def evaluate(self, expression):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def wait_for_function(self, expression):
        self.waited = True


@pytest.mark.parametrize(
    "answer, waits",
    [
        (True, False),  # tv.js has started: one evaluate, no injected script in the page (~30-40 ms of CPU a page)
        (False, True),  # not yet: wait for it
        (Exception("Execution context was destroyed, most likely because of a navigation"), True),
    ],
)
def test_ready_asks_before_it_waits(answer, waits):
    page = _Page(answer)
    B.ready(page)
    assert page.waited is waits


def test_ready_does_not_hide_other_errors():
    with pytest.raises(RuntimeError):
        B.ready(_Page(RuntimeError("Target closed")))
