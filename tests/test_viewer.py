"""The scan viewer (scan.html + tv.js) in Chromium, remote-control keys only.

On the sample TV site: a scan scrolls by itself at a steady, readable speed, OK stops it and OK starts it again
(with the state on screen), Up/Down scroll by hand, Left/Right turn to the voucher's other scans and Back leaves,
the zoom step, 720p and 1080p. On a generated very tall scan: tiles load as they come near, at most three are
decoded at once, and without JavaScript every tile still shows.

Every test that opens the viewer holds the page's clock (B.hold_clock): the scan moves only when the test moves the
clock (B.tick), so a loaded machine cannot scroll it behind the test's back, and speeds are measured in page time.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PIL import Image as PILImage

from sitegen.build.pipeline import build
from tests import browser as B
from tests.built_sample import sample_output
from tests.conftest import FIXTURES

START, TICK = 1500, 40  # tv.js: the auto-scroll waits START ms, then moves every TICK ms
BLANK = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

# The scan scrolls inside its own box (#scan-scroll), inside the title-safe area; the page itself never scrolls.
STATE = """() => { var b = document.getElementById('scan-scroll');
    return {y: b.scrollTop, x: b.scrollLeft, body: document.body.className, max: b.scrollHeight - b.clientHeight,
    xmax: b.scrollWidth - b.clientWidth, h: b.clientHeight, page: scrollY + scrollX,
    says: (document.getElementById('viewer-state') || {}).textContent || '',
    focus: document.activeElement.id || document.activeElement.getAttribute('href') || '',
    zoom: (document.getElementById('viewer-zoom') || {}).textContent || ''}; }"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    site = sample_output(tmp_path_factory) / "tv"
    with B.serve(site) as base:
        yield site, base


def tall_scan_voucher(site: Path) -> str:
    """A voucher with at least three scans (its second viewer holds scans 2, 3 …), the first taller than the screen:
    its voucher page."""
    for path in sorted(site.glob("*/*/finance/vouchers/*-2.html")):
        if 'id="s-3"' in path.read_text(encoding="utf-8"):
            return path.relative_to(site).as_posix().replace("-2.html", ".html")
    raise AssertionError("the sample has no voucher with three scans")


def state(page) -> dict:
    return page.evaluate(STATE)


def go(page, key) -> None:
    B.navigate(page, key)


def open_first_scan(page, base: str, voucher: str) -> None:
    """The voucher page, then OK on its first scan: the viewer, its clock held (nothing moves until B.tick)."""
    B.hold_clock(page)
    page.goto(base + voucher)
    assert "scan-thumb" in page.evaluate("document.activeElement.className")
    go(page, "Enter")
    assert page.url.endswith(voucher.replace(".html", "-1.html"))


def test_scan_moves_by_itself_ok_stops_it_ok_starts_it(page, served):
    site, base = served
    open_first_scan(page, base, tall_scan_voucher(site))
    s = state(page)
    assert s["y"] == 0 and s["focus"] == "scan" and s["max"] > 300 and "自动滚动" in s["says"]
    B.tick(page, START - 100)
    assert state(page)["y"] == 0  # still for a moment, so the viewer can see what it is …
    B.tick(page, 100 + 2 * TICK)
    assert state(page)["y"] > 0  # … then it starts by itself
    # Steady and readable: sampled every 250 ms of page time, always forward, about 40 px a second at 720p.
    ys = []
    for _ in range(7):
        ys.append(state(page)["y"])
        B.tick(page, 250)
    steps = [b - a for a, b in zip(ys, ys[1:])]
    assert all(step > 0 for step in steps), ys
    speed = (ys[-1] - ys[0]) / 1.5
    assert 35 <= speed <= 45, f"{speed:.0f} px/s"
    assert max(steps) <= 2 * min(steps), steps
    B.press(page, "Enter")  # OK: stop
    s = state(page)
    assert "scan-paused" in s["body"] and "已暂停" in s["says"]
    B.tick(page, 700)
    assert state(page)["y"] == s["y"]
    B.press(page, 13)  # OK again (as a key code): it moves on from there
    assert "scan-playing" in state(page)["body"]
    B.tick(page, 250)
    assert state(page)["y"] > s["y"]
    assert "自动滚动" in state(page)["says"] and state(page)["focus"] == "scan"


def test_up_down_by_hand_then_to_the_end_and_from_the_top_again(page, served):
    site, base = served
    open_first_scan(page, base, tall_scan_voucher(site))
    B.press(page, "ArrowDown")  # by hand: pauses, scrolls under half a screen
    s = state(page)
    assert "scan-paused" in s["body"] and 0 < s["y"] <= 0.45 * s["h"] and s["page"] == 0
    B.press(page, "ArrowUp")
    assert state(page)["y"] == 0 and state(page)["focus"] == "scan"
    for _ in range(30):
        if state(page)["y"] >= state(page)["max"] - 1:
            break
        B.press(page, "PageDown")
    B.press(page, "Enter")  # at the end: OK starts again from the top
    page.wait_for_function("document.body.className.indexOf('scan-playing') >= 0")
    assert state(page)["y"] == 0


def test_left_right_turn_the_vouchers_scans_and_back_leaves(page, served):
    site, base = served
    voucher = tall_scan_voucher(site)
    open_first_scan(page, base, voucher)
    assert page.evaluate("document.querySelector('a[rel=\"prev\"]')") is None  # the first scan: nothing before it
    B.watch_leaving(page)
    B.press(page, "ArrowLeft")
    assert not B.has_left(page) and page.url.endswith("-1.html")
    go(page, "ArrowRight")
    assert page.url.endswith("-2.html") and state(page)["focus"] == "scan"
    # the second viewer holds every other scan, one after another: nothing after it
    assert page.evaluate("document.querySelectorAll('.viewer-fit .viewer-label').length") >= 2
    B.watch_leaving(page)
    B.press(page, 39)
    assert not B.has_left(page) and page.url.endswith("-2.html")
    go(page, "ArrowLeft")
    assert page.url.endswith("-1.html")
    go(page, 39)
    assert page.url.endswith("-2.html")
    go(page, "Backspace")  # Back leaves the viewer, however many scans were turned
    assert page.url == base + voucher
    assert "scan-thumb" in page.evaluate("document.activeElement.className")


def test_the_bar_and_the_zoom_step(page, served):
    site, base = served
    open_first_scan(page, base, tall_scan_voucher(site))
    B.press(page, "ArrowUp")  # at the top: into the bar
    assert state(page)["focus"] != "scan"
    for _ in range(5):
        if state(page)["focus"] == "viewer-zoom":
            break
        B.press(page, "ArrowRight")
    assert state(page)["focus"] == "viewer-zoom" and state(page)["zoom"] == "放大"
    tv = page.evaluate("document.querySelector('.viewer-fit img').naturalWidth")
    B.press(page, "Enter")
    s = state(page)
    m = page.evaluate("""() => ({zoomed: document.querySelector('.viewer-zoomed').getBoundingClientRect().width,
        box: document.getElementById('scan-scroll').getBoundingClientRect().width,
        fit: document.querySelector('.viewer-fit').getBoundingClientRect().width})""")
    assert "zoomed" in s["body"] and m["zoomed"] == 2 * m["box"] and m["fit"] == 0 and s["focus"] == "scan"
    assert s["x"] > 0 and "放大" in s["says"]  # it says it is zoomed, and starts at the middle
    # the state stays one line beside the title: above the bar, never over a button or the scan
    assert page.evaluate("""() => document.getElementById('viewer-state').getBoundingClientRect().bottom
        <= document.querySelector('.viewer-bar').getBoundingClientRect().top""")
    # the zoom tiles, loaded only now, have twice the TV tile's pixels across: real detail, not an upscale
    B.tick(page, 100)
    page.wait_for_function("""() => { var i = document.querySelector('.viewer-zoomed img');
        return i.getAttribute('src') && i.complete && i.naturalWidth > 0; }""")
    assert page.evaluate("document.querySelector('.viewer-zoomed img').naturalWidth") >= 2 * tv
    B.press(page, "ArrowRight")  # zoomed: Left/Right move across the scan
    assert state(page)["x"] > s["x"] and page.url.endswith("-1.html")
    for _ in range(6):  # to the left edge, and no further
        B.press(page, "ArrowLeft")
    assert state(page)["x"] == 0 and page.url.endswith("-1.html")
    for _ in range(6):  # to the right edge
        B.press(page, "ArrowRight")
    assert state(page)["x"] == state(page)["xmax"] > 0
    for _ in range(30):
        B.press(page, "ArrowUp")
        if state(page)["focus"] != "scan":
            break
    for _ in range(5):
        if state(page)["focus"] == "viewer-zoom":
            break
        B.press(page, "ArrowRight")
    assert state(page)["zoom"] == "还原"
    B.press(page, "Enter")
    assert "zoomed" not in state(page)["body"] and state(page)["x"] == 0


def test_a_scan_that_fits_the_screen_is_shown_whole_and_still(page, served):
    """A page scanned sideways is less than a screen high at full width: the viewer of that one scan shows all of
    it, focus frame included, and has nothing to scroll (a viewer of several scans scrolls through them all)."""
    site, base = served
    for path in sorted(site.glob("*/*/finance/vouchers/*-*-*-[0-9].html")):
        text = path.read_text(encoding="utf-8")
        m = re.search(r'class="viewer-img"[^>]* width="(\d+)" height="(\d+)"', text)
        if m and int(m.group(2)) < int(m.group(1)) and "viewer-label" not in text:
            break
    else:
        pytest.skip("the sample has no scan wider than high")
    B.hold_clock(page)
    page.goto(base + path.relative_to(site).as_posix())
    B.ready(page)
    fig = page.evaluate(
        "(() => { var r = document.getElementById('scan').getBoundingClientRect(); return [r.top, r.bottom]; })()"
    )
    s = state(page)
    assert s["focus"] == "scan" and fig[0] >= 36 and fig[1] <= 684 and s["max"] == 0, fig
    assert "scan-still" in s["body"] and "整张已显示" in s["says"]
    B.tick(page, START + 1000)  # well past the moment a taller scan starts to move
    assert state(page)["y"] == s["y"]
    B.press(page, "ArrowUp")  # up to the bar, then Down: all of it
    assert state(page)["focus"] != "scan"
    B.press(page, "ArrowDown")
    fig = page.evaluate(
        "(() => { var r = document.getElementById('scan').getBoundingClientRect(); return [r.top, r.bottom]; })()"
    )
    assert state(page)["focus"] == "scan" and fig[0] >= 36 and fig[1] <= 684, fig


def test_viewer_at_1080p(chromium, served):
    site, base = served
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors = B.collect_errors(page)
    B.hold_clock(page)
    page.goto(base + tall_scan_voucher(site).replace(".html", "-1.html"))
    B.ready(page)
    B.tick(page, START + 2 * TICK)
    assert state(page)["y"] > 0
    m = page.evaluate("""() => { var f = document.getElementById('scan').getBoundingClientRect(),
        s = document.getElementById('viewer-state').getBoundingClientRect();
        return {w: f.width, left: f.left, sl: s.left, sr: s.right, sb: s.bottom,
                font: parseFloat(getComputedStyle(document.getElementById('viewer-state')).fontSize)}; }""")
    y0 = state(page)["y"]
    B.tick(page, 1000)
    speed = state(page)["y"] - y0
    context.close()
    assert m["w"] == 1920 - 2 * 72 * 1.5 and m["left"] == 72 * 1.5  # the 720p layout, scaled: in the safe area
    assert m["sl"] >= 0.05 * 1920 and m["sr"] <= 0.95 * 1920 and m["sb"] <= 1080 and m["font"] >= 42
    assert 55 <= speed <= 65  # 40 px a second at 720 lines: the same share of the screen a second
    assert not errors.errors


# ---- memory: a very tall scan ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tall_site(tmp_path_factory):
    """The mini fixture with a till-roll scan: 800 x 9000, so six TV tiles of 1280 x 2400."""
    root = tmp_path_factory.mktemp("tall")
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    roll = PILImage.new("L", (800, 9000), 235)
    for y in range(0, 9000, 60):
        roll.paste(40, (60, y, 60 + (y * 7) % 680, y + 14))  # lines of "text"
    roll.save(content / "xg" / "cs" / "scans" / "2026-09" / "1" / "02.jpg", quality=70)
    build(content, root / "out", themes=("tv",))
    site = root / "out" / "tv"
    with B.serve(site) as base:
        yield site, base


def test_tall_scan_at_most_three_tiles_decoded(page, tall_site):
    site, base = tall_site
    (scan,) = [p for p in site.rglob("2026-09-001-2.html")]
    B.hold_clock(page)  # the scan stays where the keys put it; the tile loader runs when the clock is moved
    page.goto(base + scan.relative_to(site).as_posix())
    B.ready(page)
    tiles = page.evaluate("document.querySelectorAll('.viewer-fit img[data-src]').length")
    assert tiles == 6
    loaded = set()
    for _ in range(60):
        B.tick(page, 100)  # the loader runs 60 ms after a scroll
        live = page.evaluate(f"""() => Array.prototype.filter.call(document.querySelectorAll('img[data-src]'),
            function (i) {{ var s = i.getAttribute('src'); return s && s !== '{BLANK}'; }})
            .map(function (i) {{ return i.getAttribute('data-src'); }})""")
        assert 1 <= len(live) <= 3, live
        loaded.update(live)
        s = state(page)
        if s["y"] >= s["max"] - 1:
            break
        B.press(page, "PageDown")
    assert len(loaded) == 6 and state(page)["y"] >= state(page)["max"] - 1
    # every tile decodes, and no image the box decodes is over 1280 x 2400
    sizes = page.evaluate("""() => Promise.all(Array.prototype.map.call(document.querySelectorAll('.viewer-fit img'),
        function (i) { return new Promise(function (done) {
            var probe = new Image(); probe.onload = function () { done([probe.naturalWidth, probe.naturalHeight]); };
            probe.src = i.getAttribute('data-src'); }); }))""")
    assert all(w == 1280 and h <= 2400 for w, h in sizes) and sum(h for _, h in sizes) == 14400


def test_tall_scan_without_javascript_shows_every_tile(chromium, tall_site):
    site, base = tall_site
    context = chromium.new_context(java_script_enabled=False, viewport=dict(B.VIEWPORT))
    page = context.new_page()
    (scan,) = [p for p in site.rglob("2026-09-001-2.html")]
    page.goto(base + scan.relative_to(site).as_posix(), wait_until="load")
    shown = page.evaluate("""() => Array.prototype.filter.call(document.images, function (i) {
        return i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().height > 0; }).length""")
    assert shown == 6
    heights = page.evaluate("""() => Array.prototype.map.call(document.querySelectorAll('.viewer-fit .pic-tile'),
        function (t) { var r = t.getBoundingClientRect(); return r.height * 1280 / r.width; })""")
    assert len(heights) == 6 and all(abs(h - 2400) < 1 for h in heights)  # each tile in its place, at the scan's width
    text = page.inner_text("main")
    assert re.search(r"查询码 V-[0-9A-Z]{4}-[0-9A-Z]{4}-2", text) and "我有疑问" in text
    context.close()
