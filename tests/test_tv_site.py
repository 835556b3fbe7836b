"""The built TV site in a real headless Chromium at 1280x720, driven by remote-control keys only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import browser
from tests.browser import assert_focus_visible, press_until
from tests.browser import focused_href as href
from tests.built_sample import sample_output


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return sample_output(tmp_path_factory) / "tv"


def open_with(page, key):
    browser.navigate(page, key, until="load")


def test_city_home_to_a_scan_and_back(site, page):
    with browser.serve(site) as base:
        page.goto(base + "index.html")
        assert_focus_visible(page)
        # down from the town tiles to the first village tile, then OK
        press_until(
            page, "ArrowDown", lambda f: bool(re.search(r"^[a-z0-9-]+/[a-z0-9-]+/index\.html$", f.get("href") or ""))
        )
        open_with(page, "Enter")
        village_url = page.url
        assert re.search(r"/[a-z0-9-]+/[a-z0-9-]+/index\.html$", village_url)

        # from the village home to the first scan of a voucher: at most 5 presses, arrows and OK counted
        presses = press_until(page, "ArrowDown", lambda f: "ledger-" in (f.get("href") or ""), limit=3)
        open_with(page, "Enter")
        presses += 1
        assert "/finance/ledger-" in page.url
        assert "vouchers/" in href(page)  # the first ledger line is focused
        assert_focus_visible(page)
        ledger_url, first_line = page.url, href(page)
        open_with(page, "Enter")
        presses += 1
        assert "/finance/vouchers/" in page.url
        f = browser.focused(page)
        assert "scan-thumb" in f["cls"]  # the voucher's scans are on screen, the first one focused
        assert page.evaluate("() => document.activeElement.querySelector('img').naturalWidth") > 0
        voucher_url = page.url
        open_with(page, "Enter")
        presses += 1
        assert presses <= 5, presses
        assert page.evaluate("() => document.querySelector('img.viewer-img').naturalWidth") > 0

        # Back returns step by step, each list remembering the row it was left on
        open_with(page, "Backspace")
        assert page.url == voucher_url and "scan-thumb" in browser.focused(page)["cls"]
        open_with(page, "Escape")
        assert page.url == ledger_url and href(page) == first_line
        open_with(page, "Backspace")
        assert page.url == village_url


@pytest.mark.parametrize("code", [461, 10009, 340, 8, 27])
def test_set_top_box_back_codes(site, page, code):
    with browser.serve(site) as base:
        page.goto(base + "index.html")
        first = page.url
        press_until(page, "ArrowRight", lambda f: (f.get("href") or "").endswith("index.html"), limit=1)
        open_with(page, "Enter")
        assert page.url != first
        with page.expect_navigation():
            browser.press(page, code)
        assert page.url == first


def test_works_from_file_url_with_digits(site, page):
    page.goto(site.joinpath("index.html").as_uri())
    open_with(page, "1")  # the first tile: a town
    assert page.url.startswith("file://") and re.search(r"/[a-z0-9-]+/index\.html$", page.url)
    open_with(page, "1")  # its first village
    assert page.evaluate("() => document.querySelectorAll('a.tile').length") >= 5
    for img_src in page.evaluate("() => Array.prototype.map.call(document.images, function (i) { return i.src; })"):
        assert img_src.startswith("file://")


def test_ask_panel_opens_with_ok_and_back_closes_it(site, page):
    """我有疑问 on a voucher page: OK opens the panel in the page (code, hotline, QR code, all on screen) with its
    close link focused; arrows stay in it; Back closes it, the focus back on the button, the page not left. The
    same on a scan viewer, where the panel also pauses the scan."""
    voucher = sorted(site.glob("*/*/finance/vouchers/*-001.html"))[0]
    with browser.serve(site) as base:
        page.goto(base + voucher.relative_to(site).as_posix())
        browser.ready(page)
        press_until(page, "ArrowUp", lambda f: f.get("href") == "#ask", limit=6)
        assert_focus_visible(page)
        assert not page.is_visible("#ask")
        browser.press(page, "Enter")
        assert page.is_visible("#ask") and page.url.endswith(voucher.name)
        f = browser.focused(page)
        assert f["href"] == "#ask-open" and f["top"] >= 36 and f["bottom"] <= 684
        assert_focus_visible(page)
        panel = page.evaluate("""() => { var r = document.getElementById('ask').getBoundingClientRect(),
            q = document.querySelector('#ask img').getBoundingClientRect();
            return {l: r.left, r: r.right, t: r.top, b: r.bottom, qb: q.bottom, qw: q.right - q.left,
                    text: document.getElementById('ask').innerText}; }""")
        assert panel["l"] >= 64 and panel["r"] <= 1216 and panel["t"] >= 36 and panel["b"] <= 684, panel
        assert panel["qw"] > 200 and panel["qb"] <= 684 and "12345" in panel["text"] and "查询码" in panel["text"]
        for key in ("ArrowDown", "ArrowLeft", "ArrowRight", "ArrowUp"):
            browser.press(page, key)
            assert browser.focused(page)["href"] == "#ask-open", key
        browser.watch_leaving(page)
        browser.press(page, "Backspace")
        assert not browser.has_left(page) and not page.is_visible("#ask")
        assert browser.focused(page)["href"] == "#ask" and page.url.endswith(voucher.name)
        assert_focus_visible(page)
        browser.press(page, "Enter")  # again, and OK on 关闭 closes it too
        assert page.is_visible("#ask")
        browser.press(page, "Enter")
        assert not page.is_visible("#ask") and browser.focused(page)["href"] == "#ask"
        # on the scan viewer: Up into the bar, to 我有疑问; the panel pauses the scan
        viewer = voucher.name.replace(".html", "-1.html")
        page.goto(base + voucher.relative_to(site).parent.as_posix() + "/" + viewer)
        browser.ready(page)
        browser.press(page, "ArrowUp")
        press_until(page, "ArrowRight", lambda f: f.get("href") == "#ask", limit=4)
        browser.press(page, "Enter")
        assert page.is_visible("#ask") and "scan-playing" not in page.evaluate("document.body.className")
        browser.press(page, "Backspace")
        assert not page.is_visible("#ask") and browser.focused(page)["href"] == "#ask"


def test_pages_read_without_javascript(site, chromium):
    context = chromium.new_context(java_script_enabled=False, viewport=dict(browser.VIEWPORT))
    page = context.new_page()
    voucher = sorted(site.rglob("finance/vouchers/*-001.html"))[0]
    page.goto(voucher.as_uri())
    text = page.inner_text("main")
    assert "元" in text and ("村里收到" in text or "村里付出" in text or "没有钱进出" in text or "换了个地方" in text)
    assert page.evaluate("() => document.images[0].complete && document.images[0].naturalWidth > 0")
    # 我有疑问 without the script: the link shows the panel (:target), its 关闭 hides it again
    assert not page.is_visible("#ask")
    page.click("a#ask-open")
    assert page.is_visible("#ask") and "12345" in page.inner_text("#ask")
    page.click("#ask a[data-ask-close]")
    assert not page.is_visible("#ask")
    page.click("a.scan-thumb")  # plain links still work
    assert "/finance/vouchers/" in page.url and page.evaluate("() => !!document.querySelector('img.viewer-img')")
    context.close()


def test_layout_fits_720p_safe_area(site, page):
    with browser.serve(site) as base:
        for rel in ["index.html", next(site.glob("*/*/index.html")).relative_to(site).as_posix()]:
            page.goto(base + rel)
            box = page.evaluate("""() => { var r = document.querySelector('.safe').getBoundingClientRect();
                return {l: r.left, r: r.right, w: document.documentElement.scrollWidth}; }""")
            assert box["l"] >= 0.05 * 1280 - 1 and box["r"] <= 1280 * 0.95 + 1 and box["w"] <= 1280
            size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
            assert size >= 28


def test_digits_on_a_voucher_and_zero_home_and_more_back_codes(site, page):
    """A voucher's scans are labelled 第1张, 第2张 …: the digit opens that scan. 0 goes to the village home (the
    city home outside a village); keypad 0 (96) too. Back 640 (some DVN boxes) goes back."""
    # a voucher of three scans or more: its second viewer holds scans 2, 3 … (links.scan_viewers)
    viewer = next(p for p in sorted(site.glob("*/*/finance/vouchers/*-2.html")) if 'id="s-3"' in p.read_text("utf-8"))
    rel = viewer.relative_to(site).as_posix().replace("-2.html", ".html")
    village = "/".join(rel.split("/")[:2]) + "/index.html"
    with browser.serve(site) as base:
        page.goto(base + rel)
        browser.ready(page)
        assert page.evaluate("document.querySelector('[data-digit=\"2\"]').textContent").startswith("第2张")
        open_with(page, "2")
        assert page.url == base + rel.replace(".html", "-2.html")
        open_with(page, "Backspace")
        assert page.url == base + rel
        # 3: the same viewer, opened at scan 3 (its box scrolled there, the page itself at its top)
        open_with(page, "3")
        assert page.url == base + rel.replace(".html", "-2.html#s-3")
        at = page.evaluate("""() => { var b = document.getElementById('scan-scroll'), t = document.getElementById('s-3');
            return {y: scrollY, top: t.getBoundingClientRect().top - b.getBoundingClientRect().top}; }""")
        assert at["y"] == 0 and abs(at["top"]) <= 2, at
        open_with(page, "Backspace")
        assert page.url == base + rel
        open_with(page, "0")
        assert page.url == base + village
        browser.watch_leaving(page)
        browser.press(page, 48)  # 0 on the village home itself: it is home already
        assert not browser.has_left(page)
        page.goto(base + rel)
        browser.ready(page)
        open_with(page, lambda: browser.press(page, 96))  # keypad 0
        assert page.url == base + village
        with page.expect_navigation():
            browser.press(page, 640)  # DVN Back
        assert page.url == base + rel
        page.goto(base + "index.html")
        browser.ready(page)
        browser.watch_leaving(page)
        browser.press(page, 48)  # the city home: 0 does nothing
        assert not browser.has_left(page)


def test_sub_item_pages_with_the_remote(site, page):
    """小项: a category whose items are under several sub-items opens with the sub-items focused first (each with its
    count, a digit each); OK opens one, its first item focused; Back returns to the category with the focus on the
    sub-item it was left on; the page passes the safe-area check as it opens."""
    category = next(
        p for p in sorted(site.glob("*/*/party/*/index.html")) if len(list(p.parent.glob("sub-*.html"))) >= 3
    )
    rel = category.relative_to(site).as_posix()
    with browser.serve(site) as base:
        page.goto(base + rel)
        browser.ready(page)
        assert page.evaluate(browser.SAFE_AREA_CHECK, browser.SAFE) == []
        assert re.search(r"^sub-[0-9a-f]{8}\.html$", href(page))
        assert_focus_visible(page)
        press_until(
            page,
            "ArrowRight",
            lambda f: f.get("href") != "" and "2" in (f.get("html") or "") and 'data-digit="2"' in f["html"],
            limit=2,
        )
        second = href(page)
        open_with(page, "Enter")
        assert page.url == base + posixpath_join(rel, second)
        assert page.evaluate(browser.SAFE_AREA_CHECK, browser.SAFE) == []
        assert_focus_visible(page)
        assert href(page).endswith(".html") and "sub-" not in href(page)  # its first item
        open_with(page, "Backspace")
        assert page.url == base + rel and href(page) == second  # focus memory
        open_with(page, "3")  # the digit on the third sub-item
        assert "/sub-" in page.url and page.url != base + posixpath_join(rel, second)
        open_with(page, "Escape")
        assert page.url == base + rel


def posixpath_join(page_rel: str, href_rel: str) -> str:
    return page_rel.rsplit("/", 1)[0] + "/" + href_rel
