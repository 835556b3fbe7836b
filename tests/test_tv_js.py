"""Tests for the TV theme's remote-control script and style sheet.

(a) tv.js must stay ES5: it is parsed with pyjsparser (an ES5.1 parser) plus
    an AST walk for the ES6 forms pyjsparser lets through, and scanned for
    modern APIs the old set-top-box browsers lack.
(b) The behaviour is checked in Chromium over test pages whose bodies are in
    tests/fixtures/tvpages/, rendered through the real TV base.html
    (tests/tvpages.py) and served on 127.0.0.1 together with
    themes/tv/static/. Browser tests skip when Chromium/Playwright are missing,
    or fail if REQUIRE_BROWSER=1 (see tests/browser.py).
"""

import os
import re
import shutil

import pytest

from tests import browser as B
from tests import tvpages

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TV_STATIC = os.path.join(ROOT, "themes", "tv", "static")
TV_JS = os.path.join(TV_STATIC, "tv.js")
MOBILE_CSS = os.path.join(ROOT, "themes", "mobile", "static", "mobile.css")

# Modern APIs / syntax that old box browsers do not have.
FORBIDDEN = [
    ".includes(",
    "Object.assign",
    "Promise",
    "fetch(",
    "classList",
    "=>",
    "`",
    ".startsWith(",
    ".endsWith(",
    "Array.from",
    ".find(",
    ".findIndex(",
    "new Map",
    "new Set",
    "Symbol",
    ".closest(",
    ".matches(",
    ".dataset",
    "requestAnimationFrame",
    "Object.entries",
    "Object.values",
]


# --- (a) ES5 -----------------------------------------------------------------


def _parse(src):
    try:
        import pyjsparser
    except ImportError:
        B.unavailable("Python package pyjsparser is not installed (needed for the ES5 check)")
    return pyjsparser.parse(src)


def es5_violations(tree):
    """ES6 forms pyjsparser parses without complaint (let/const, defaults,
    shorthand and method properties, generators)."""
    found = []

    def walk(node):
        if isinstance(node, list):
            for n in node:
                walk(n)
            return
        if not isinstance(node, dict):
            return
        t = node.get("type")
        if t == "VariableDeclaration" and node.get("kind") != "var":
            found.append(node["kind"])
        if node.get("defaults"):
            found.append("default parameter")
        if t == "Property" and (node.get("shorthand") or node.get("method") or node.get("computed")):
            found.append("ES6 object property")
        if node.get("generator"):
            found.append("generator")
        for v in node.values():
            walk(v)

    walk(tree)
    return found


def es5_ok(src):
    try:
        tree = _parse(src)
    except Exception:
        return False
    return not es5_violations(tree)


def test_tv_js_is_es5():
    src = open(TV_JS, encoding="utf-8").read()
    tree = _parse(src)  # raises on any syntax outside ES5.1
    assert es5_violations(tree) == []
    # One IIFE and nothing else at the top level.
    body = [s for s in tree["body"] if s["type"] != "EmptyStatement"]
    assert len(body) == 1 and body[0]["type"] == "ExpressionStatement"
    call = body[0]["expression"]
    assert call["type"] == "CallExpression" and call["callee"]["type"] == "FunctionExpression"


@pytest.mark.parametrize(
    "snippet",
    [
        "let x = () => 1;",
        "const y = 1;",
        "let z = 1;",
        "var s = `t`;",
        "class A {}",
        "for (var a of b) {}",
        "function f(a = 1) {}",
        "var o = {a, b};",
        "var o = {f() {}};",
        "var a = [...b];",
    ],
)
def test_es5_check_rejects_es6(snippet):
    assert not es5_ok(snippet)


def test_es5_check_accepts_es5():
    assert es5_ok('(function (w) { "use strict"; var o = {a: 1}; w.f = function () { return o.a; }; }(window));')


def test_tv_js_uses_no_modern_apis():
    src = open(TV_JS, encoding="utf-8").read()
    used = [f for f in FORBIDDEN if f in src]
    assert used == [], "tv.js uses %s, which old set-top boxes lack" % used


# --- (b) in the browser --------------------------------------------------------


def test_every_page_body_is_rendered_through_the_theme(tmp_path):
    """Each body in tests/fixtures/tvpages/ becomes a page in the real TV frame (none left unrendered)."""
    assert sorted(os.listdir(tvpages.BODIES)) == sorted(tvpages.render(tmp_path))
    for name in tvpages.PAGES:
        body = (tvpages.BODIES / name).read_text(encoding="utf-8")
        assert '{% extends "base.html" %}' in body and "<body" not in body and "<footer" not in body, name
        html = (tmp_path / name).read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and '<script src="static/tv.js"></script>' in html, name
        assert "{%" not in html and "{{" not in html, name


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("tvsite")
    tvpages.render(root)
    shutil.copytree(TV_STATIC, str(root / "static"))
    with B.serve(root) as url:
        yield url


def open_page(page, site, name, focus=True):
    page.goto(site + name)
    if focus:
        page.wait_for_function("document.querySelector('.focused') !== null")


def navigate(page, action):
    """Run action (a key press) and wait for the page it leads to, images and all."""
    B.navigate(page, action, until="load")


def state(page):
    return page.evaluate("""() => {
        var el = document.activeElement, cs = el && getComputedStyle(el), r = el && el.getBoundingClientRect();
        return {id: el ? el.id : null, path: location.pathname + location.search + location.hash,
                marked: document.querySelectorAll('.focused').length,
                markedIsActive: !!el && (' ' + el.className + ' ').indexOf(' focused ') >= 0,
                outline: cs ? parseFloat(cs.outlineWidth) : 0, outlineStyle: cs ? cs.outlineStyle : '',
                top: r ? r.top : 0, bottom: r ? r.bottom : 0,
                scrollY: window.pageYOffset, vh: window.innerHeight,
                max: document.documentElement.scrollHeight - window.innerHeight};
    }""")


def assert_focus(page, expected_id):
    s = state(page)
    assert s["id"] == expected_id, "focus on %r, expected %r (%s)" % (s["id"], expected_id, s["path"])
    # Focus always visible: one element carries the class, it has a thick
    # outline and it is on screen.
    assert s["marked"] == 1 and s["markedIsActive"]
    assert s["outline"] >= 6 and s["outlineStyle"] != "none"
    assert s["top"] >= 0 and s["bottom"] <= s["vh"], "focused element off screen: %s" % s
    return s


def test_arrows_move_focus_in_tile_grid(page, site):
    open_page(page, site, "index.html")
    assert_focus(page, "t1")  # no remembered focus: the first focusable
    # Three tiles a row: 1 2 3 / 4 5 6 / 7 8
    for key, expected in [
        ("ArrowRight", "t2"),
        ("ArrowDown", "t5"),
        ("ArrowLeft", "t4"),
        ("ArrowUp", "t1"),
        ("ArrowLeft", "t1"),
        ("ArrowUp", "t1"),
        ("ArrowRight", "t2"),
        ("ArrowRight", "t3"),
        ("ArrowRight", "t3"),
        ("ArrowDown", "t6"),
        ("ArrowDown", "t8"),
        ("ArrowLeft", "t7"),
        ("ArrowUp", "t4"),
    ]:
        B.press(page, key)
        assert_focus(page, expected)
    # Sanity of the fixture layout the expectations rely on.
    tops = page.evaluate(
        "[1,3,4].map(function (i) { return document.getElementById('t' + i).getBoundingClientRect().top; })"
    )
    assert tops[0] == tops[1] < tops[2]


def test_ipanel_arrow_codes(page, site):
    B.hold_clock(page)  # page time moves only by B.tick: the key-echo window below is measured in it
    open_page(page, site, "index.html")
    for code, expected in [(4, "t2"), (2, "t5"), (3, "t4"), (1, "t1")]:
        assert B.press(page, code) is True  # default prevented
        assert_focus(page, expected)
    for code, expected in [(4, "t2"), (2, "t5")]:
        B.tick(page, 200)  # past the 150 ms in which another kind of event is taken for the same press
        B.press(page, code, "irkeypress")
        assert_focus(page, expected)


def test_one_press_is_handled_once(page, site):
    # The clock held: a keydown and its echo are one press however long the machine takes between them.
    B.hold_clock(page)
    open_page(page, site, "index.html")
    # A box sending keydown and then keypress for the same press.
    B.press(page, 39)
    B.press(page, 39, "keypress")
    assert_focus(page, "t2")
    # ... or keydown and iPanel's irkeypress.
    B.press(page, 40)
    B.press(page, 2, "irkeypress")
    assert_focus(page, "t5")
    # A box that only sends keypress (200 ms of page time later: past the echo window).
    B.tick(page, 200)
    B.press(page, 37, "keypress")
    assert_focus(page, "t4")
    B.press(page, 39, "keypress")
    assert_focus(page, "t5")
    # Keys that are not ours keep their default.
    assert B.press(page, 70) is False


def test_ok_follows_link_and_back_keys_return(page, site):
    open_page(page, site, "index.html")
    B.press(page, "ArrowRight")
    assert_focus(page, "t2")
    for back in ["Backspace", "Escape", 10009, 461, 340, 8, 27]:
        navigate(page, lambda: B.press(page, "Enter"))
        assert page.url == site + "text.html"
        navigate(page, lambda: B.press(page, back))  # noqa: B023 (called at once)
        assert page.url == site + "index.html", "back key %r" % (back,)
        page.wait_for_function("document.querySelector('.focused') !== null")
        assert_focus(page, "t2")  # focus memory brings us back to the tile


def test_back_without_history_uses_data_back(page, site):
    # A box that opened the page directly has a one-entry history. (A
    # Playwright tab always has two, counting its initial blank page.)
    page.add_init_script("Object.defineProperty(History.prototype, 'length', {get: function () { return 1; }})")
    open_page(page, site, "item.html")
    assert page.evaluate("history.length") == 1
    assert_focus(page, "s1")  # data-autofocus
    navigate(page, lambda: B.press(page, 10009))
    assert page.url == site + "list.html"
    # The home page has neither history nor data-back: Back does nothing.
    open_page(page, site, "index.html")
    B.watch_leaving(page)
    B.press(page, "Backspace")
    assert not B.has_left(page) and page.url == site + "index.html"
    assert_focus(page, "t1")


def test_digits_activate_tiles(page, site):
    open_page(page, site, "index.html")
    navigate(page, lambda: B.press(page, "3"))
    assert page.url == site + "item.html"
    navigate(page, lambda: B.press(page, "Backspace"))
    page.wait_for_function("document.querySelector('.focused') !== null")
    assert_focus(page, "t3")  # the tile opened by digit is remembered
    navigate(page, lambda: B.press(page, 101))  # keypad 5
    assert page.url == site + "item.html#t5"
    navigate(page, lambda: B.press(page, "Backspace"))
    page.wait_for_function("document.querySelector('.focused') !== null")
    navigate(page, lambda: B.press(page, 55))  # '7' as a raw keyCode
    assert page.url == site + "item.html#t7"
    # A digit with no tile is not ours.
    assert B.press(page, 57) is False


def row_number(s):
    assert s["id"].startswith("r"), s
    return int(s["id"][1:])


def test_page_down_on_long_list(page, site):
    open_page(page, site, "list.html")
    assert_focus(page, "r1")
    B.press(page, "PageDown")
    first = row_number(assert_focus(page, state(page)["id"]))
    assert first >= 8, "PageDown moved only to row %d" % first
    B.press(page, "PageDown")
    s = assert_focus(page, state(page)["id"])
    second = row_number(s)
    assert second - first >= 8 and s["scrollY"] > 0
    B.press(page, 373)  # the vendor PageDown code
    third = row_number(assert_focus(page, state(page)["id"]))
    assert third - second >= 8
    B.press(page, "PageUp")
    assert row_number(assert_focus(page, state(page)["id"])) < third
    for _ in range(3):
        B.press(page, 372)
    assert_focus(page, "r1")
    # Down from the last row: nothing more to focus, already at the bottom.
    page.evaluate("document.getElementById('r500').focus()")
    B.press(page, "ArrowDown")
    assert_focus(page, "r500")
    s = state(page)
    assert s["scrollY"] >= s["max"] - 1


def test_text_page_scrolls_to_the_end(page, site):
    open_page(page, site, "text.html", focus=False)
    # Its only link is at the end: focusing it would skip the text. The title is the reading focus: visible,
    # so the viewer sees where they are, and Down reads on.
    s = state(page)
    assert page.evaluate("document.activeElement.tagName") == "H1" and s["marked"] == 1 and s["markedIsActive"]
    assert s["outline"] >= 6 and s["outlineStyle"] != "none" and s["top"] >= 36
    assert s["scrollY"] == 0 and s["max"] > 2 * s["vh"], "fixture text page should be long"
    last, steps, focus = 0, 0, None
    while True:
        B.press(page, "ArrowDown")
        steps += 1
        now, was = state(page)["scrollY"], focus
        focus = state(page)["id"]
        if now == last:
            if focus == was:
                break
            continue  # this press moved the focus instead
        # Reading speed: forward, never more than ~60% of a screen at once.
        assert last < now <= last + 0.65 * s["vh"] + 1, (last, now)
        last = now
        assert steps < 40
    s = state(page)
    assert s["scrollY"] >= s["max"] - 1, "did not reach the end: %s" % s
    # On the way the link at the end came into view and took the focus.
    assert_focus(page, "end-link")
    B.press(page, "ArrowDown")  # at the very bottom: nothing happens
    assert state(page)["scrollY"] == s["scrollY"]
    assert_focus(page, "end-link")
    for _ in range(40):
        before = state(page)["scrollY"]
        B.press(page, "ArrowUp")
        now = state(page)["scrollY"]
        assert before - 0.65 * s["vh"] - 1 <= now <= before
        if now == 0:
            break
    assert state(page)["scrollY"] == 0
    B.press(page, "ArrowUp")  # at the very top: nothing happens
    assert state(page)["scrollY"] == 0


def ok_then_back(page, site, opened, origin):
    """OK on the focused link opens `opened`; Back returns to `origin` and a focus is set again."""
    navigate(page, lambda: B.press(page, "Enter"))
    assert page.url == site + opened
    navigate(page, lambda: B.press(page, "Backspace"))
    assert page.url == site + origin
    page.wait_for_function("document.querySelector('.focused') !== null")


def test_focus_is_restored_after_back(page, site):
    open_page(page, site, "list.html")
    for _ in range(36):
        B.press(page, "ArrowDown")
    assert_focus(page, "r37")
    ok_then_back(page, site, "item.html?n=37", "list.html")
    assert_focus(page, "r37")
    B.press(page, "ArrowDown")
    assert_focus(page, "r38")


def test_back_to_a_page_that_names_its_first_focus(page, site):
    """item.html names its first focus (data-autofocus, as a voucher its first scan); Back to it returns to the
    link it was left by, not to that first focus (here without the back/forward cache: from tv.js's memory)."""
    open_page(page, site, "item.html")
    assert_focus(page, "s1")
    B.press(page, "ArrowRight")
    assert_focus(page, "s2")
    ok_then_back(page, site, "scan.html#2", "item.html")
    assert_focus(page, "s2")
    page.goto(site + "item.html")  # opened anew (not Back): its own first focus
    page.wait_for_function("document.querySelector('.focused') !== null")
    assert_focus(page, "s1")


def test_scan_viewer(page, site):
    """The viewer's keys (scan.html; the automatic scrolling itself: tests/test_viewer.py on the real site)."""
    B.hold_clock(page)  # the scan stays where the keys put it
    open_page(page, site, "scan.html")
    s = state(page)
    assert s["id"] == "scan" and s["marked"] == 1 and s["markedIsActive"]  # data-autofocus: the scan
    m = page.evaluate("""() => { var b = document.getElementById('scan-scroll').getBoundingClientRect(),
        st = document.getElementById('viewer-state').getBoundingClientRect();
        return {img: document.querySelector('.viewer-img').getBoundingClientRect().width, box: [b.left, b.top, b.right,
                b.bottom], state: [st.left, st.top, st.right, st.bottom], max: document.documentElement.scrollHeight}; }""")
    # the scan as wide as the title-safe area and inside it, its state shown above it (covering nothing)
    assert m["img"] == m["box"][2] - m["box"][0] and m["box"][0] >= 64 and m["box"][2] <= 1216
    assert m["box"][3] <= 684 and m["max"] <= 720  # the page itself does not scroll: the scan scrolls in its box
    assert m["state"][3] > m["state"][1] and m["state"][3] <= m["box"][1] and m["state"][2] <= 1216
    # Down reads the tall scan by hand (it also pauses the automatic scrolling); the focus stays on it.
    box = "(() => { var b = document.getElementById('scan-scroll'); return [b.scrollTop, b.scrollHeight - b.clientHeight, b.clientHeight]; })()"
    for _ in range(20):
        before = page.evaluate(box)[0]
        B.press(page, "ArrowDown")
        if page.evaluate(box)[0] == before:
            break
        assert state(page)["id"] == "scan"
        assert page.evaluate(box)[0] - before <= 0.45 * page.evaluate(box)[2]
    top, most, _ = page.evaluate(box)
    assert top >= most - 1 and most > 720
    assert "scan-paused" in page.evaluate("document.body.className")
    # Up back to the top, then into the bar at its first button; Left/Right there; Down back to the scan.
    for _ in range(20):
        B.press(page, "ArrowUp")
        if state(page)["id"] != "scan":
            break
    assert page.evaluate(box)[0] == 0
    assert_focus(page, "prev")
    for key, expected in [
        ("ArrowRight", "viewer-zoom"),
        ("ArrowRight", "back"),
        ("ArrowRight", "next"),
        ("ArrowLeft", "back"),
    ]:
        B.press(page, key)
        assert_focus(page, expected)
    B.press(page, "ArrowDown")
    assert state(page)["id"] == "scan"
    # Left/Right on the scan open the previous/next scan of the voucher (here the fixture's own #fragments).
    B.press(page, "ArrowRight")
    page.wait_for_function("location.hash === '#3'")
    B.press(page, "ArrowLeft")
    page.wait_for_function("location.hash === '#1'")


def test_focus_visible_on_every_page(page, site):
    for name, moves in [
        ("index.html", ["ArrowDown", "ArrowRight"]),
        (
            "item.html",
            ["ArrowRight", "ArrowRight", "ArrowDown", "ArrowRight", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowUp"],
        ),
        ("list.html", ["ArrowDown"] * 12),
        ("scan.html", ["ArrowRight", "ArrowRight", "ArrowLeft"]),
    ]:
        open_page(page, site, name)
        if name == "scan.html":  # the scan holds the focus (taller than the screen): Up reaches the bar
            for _ in range(10):
                B.press(page, "ArrowUp")
                if state(page)["id"] != "scan":
                    break
        assert_focus(page, state(page)["id"])
        for key in moves:
            B.press(page, key)
            assert_focus(page, state(page)["id"])
        # Background changes too, not only the outline.
        bg = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
        assert parse_color(bg)[:3] == (0x1E, 0x42, 0x66), bg


def one_row_down(page):
    """key_costs' check on the list: each press moves the focus one row down."""

    def check(press):
        start = row_number(state(page))
        press()
        assert row_number(assert_focus(page, state(page)["id"])) == start + 1

    return check


def test_keypress_handler_is_cheap_on_500_rows(page, site, capsys):
    """Per-key work of ArrowDown on the 500-row list, as the renderer counts it (B.key_costs): CPU, not wall time."""
    open_page(page, site, "list.html")
    costs = B.key_costs(page, one_row_down(page))
    with capsys.disabled():
        B.assert_cheap(costs, "ArrowDown on 500 rows")


# Handlers that make each key press dear, put before tv.js's: one laying the page out again for every row (the
# mistake a focus mover measuring each row after changing it makes: ~1,000 passes, ~200 ms), one that only computes
# (~40 ms of CPU here, 4 passes).
SLOW_HANDLERS = {
    "laid out": """() => window.addEventListener('keydown', function () {
        var rows = document.querySelectorAll('a.row'), i;
        for (i = 0; i < rows.length; i++) { rows[i].style.paddingLeft = (i % 2) + 'px'; rows[i].offsetHeight; }
        for (i = 0; i < rows.length; i++) { rows[i].style.paddingLeft = ''; }
    }, true)""",
    "of CPU": """() => window.addEventListener('keydown', function () {
        var words = Array.prototype.map.call(document.querySelectorAll('a.row'), function (a) { return a.id; });
        for (var n = 0; n < 2000; n++) { words = words.map(function (w) { return w + n; }).sort().map(function (w) {
            return w.slice(0, 8); }); }
    }, true)""",
}


@pytest.mark.parametrize("slow", sorted(SLOW_HANDLERS))
def test_the_key_cost_bound_fails_a_slow_handler(page, site, slow):
    """The bounds the key-cost tests assert can fail: a press doing more work than tv.js does breaks the one its work
    exceeds (the handler's key in SLOW_HANDLERS: what the failure says)."""
    open_page(page, site, "list.html")
    page.evaluate(SLOW_HANDLERS[slow])
    costs = B.key_costs(page, one_row_down(page), presses=1)
    with pytest.raises(AssertionError, match=slow):
        B.assert_cheap(costs, "ArrowDown on 500 rows, a slow handler")


# --- colours and sizes ---------------------------------------------------------


def parse_color(text):
    m = re.match(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", text)
    assert m, "unexpected colour %r" % text
    r, g, b = (int(float(m.group(i))) for i in (1, 2, 3))
    return r, g, b, float(m.group(4)) if m.group(4) is not None else 1.0


def luminance(rgb):
    def channel(c):
        c = c / 255.0
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg):
    a, b = luminance(fg), luminance(bg)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


# Every element with its own text: its colour, the first opaque background
# behind it, and its font size.
TEXT_COLOURS = """() => {
    function bg(el) {
        for (; el; el = el.parentElement) {
            var c = getComputedStyle(el).backgroundColor;
            if (c && c !== 'transparent' && !/, 0\\)$/.test(c)) return c;
        }
        return getComputedStyle(document.documentElement).backgroundColor;
    }
    var out = [], all = document.body.getElementsByTagName('*');
    for (var i = 0; i < all.length; i++) {
        var el = all[i], own = '';
        for (var n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 3) own += n.nodeValue;
        if (!own.trim() || el.tagName === 'SCRIPT') continue;
        var cs = getComputedStyle(el);
        if (cs.display === 'none' || cs.visibility === 'hidden') continue;
        out.push({what: el.tagName.toLowerCase() + (el.className ? '.' + el.className.split(' ').join('.') : '')
                        + ' "' + own.trim().slice(0, 12) + '"',
                  color: cs.color, bg: bg(el), size: parseFloat(cs.fontSize)});
    }
    return out;
}"""


def check_text(page, where):
    bad = []
    for t in page.evaluate(TEXT_COLOURS):
        fg, bg = parse_color(t["color"]), parse_color(t["bg"])
        assert fg[3] == 1 and bg[3] == 1, t
        ratio = contrast(fg, bg)
        if ratio < 7:
            bad.append("%s: %.2f:1 (%s on %s)" % (t["what"], ratio, t["color"], t["bg"]))
        if t["size"] < 28:
            bad.append("%s: %.1fpx text" % (t["what"], t["size"]))
    assert bad == [], "%s: %s" % (where, bad)


def test_body_text_contrast_at_least_7(page, site):
    open_page(page, site, "text.html", focus=False)
    colours = page.evaluate("""() => ({
        text: getComputedStyle(document.querySelector('.item-body p')).color,
        body: getComputedStyle(document.body).color,
        bg: getComputedStyle(document.body).backgroundColor})""")
    body_ratio = contrast(parse_color(colours["body"]), parse_color(colours["bg"]))
    text_ratio = contrast(parse_color(colours["text"]), parse_color(colours["bg"]))
    assert min(body_ratio, text_ratio) >= 7, (colours, body_ratio, text_ratio)


@pytest.mark.parametrize("name", ["index.html", "list.html", "text.html", "item.html", "scan.html"])
def test_all_text_contrast_and_size(page, site, name):
    open_page(page, site, name, focus=name != "text.html")
    check_text(page, name)
    # Again with each kind of focusable focused (focus changes the background).
    ids = page.evaluate("""() => {
        var seen = {}, ids = [], els = document.querySelectorAll('a[href], button, [tabindex]');
        for (var i = 0; i < els.length; i++) {
            var k = els[i].className || els[i].tagName;
            if (!seen[k] && els[i].id) { seen[k] = 1; ids.push(els[i].id); }
        }
        return ids;
    }""")
    for el_id in ids:
        page.evaluate("id => document.getElementById(id).focus()", el_id)
        check_text(page, "%s with #%s focused" % (name, el_id))


def test_layout_scales_to_1080p(chromium, site):
    """The 1280x720 design, 5% safe area included, scales to 1920x1080."""
    for (w, h), factor in [((1280, 720), 1.0), ((1920, 1080), 1.5)]:
        context = chromium.new_context(viewport={"width": w, "height": h})
        pg = context.new_page()
        pg.goto(site + "index.html")
        m = pg.evaluate("""() => {
            var s = document.querySelector('.safe').getBoundingClientRect();
            return {font: parseFloat(getComputedStyle(document.body).fontSize),
                    top: s.top + window.pageYOffset, left: s.left, right: s.right,
                    tileRight: document.getElementById('t3').getBoundingClientRect().right,
                    wide: document.documentElement.scrollWidth};
        }""")
        context.close()
        assert m["font"] == pytest.approx(28 * factor)
        # the safe area, and 8 px more (a 6 px focus ring 2 px out) so a ring round an edge stays in it
        assert m["top"] == pytest.approx(44 * factor) and m["left"] == pytest.approx(72 * factor)
        assert m["right"] == pytest.approx(w - 72 * factor)
        # A row of tiles fits inside the safe area; nothing scrolls sideways.
        assert m["tileRight"] <= m["right"] + 0.5 and m["wide"] <= w


# --- the phone style sheet on the same markup -----------------------------------


@pytest.mark.parametrize("name", ["index.html", "list.html", "text.html", "item.html", "scan.html"])
def test_mobile_css_on_same_markup(chromium, site, name):
    # Not is_mobile: the fixtures' TV viewport meta (width=1280) must not apply.
    context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    pg = context.new_page()
    log = B.collect_errors(pg)
    pg.route("**/static/tv.css", lambda route: route.fulfill(path=MOBILE_CSS, content_type="text/css"))
    pg.goto(site + name)
    m = pg.evaluate("""() => {
        var small = [], els = document.querySelectorAll('a.tile, a.row, .crumbs a, a.scan-thumb, .viewer-bar a, footer a');
        for (var i = 0; i < els.length; i++) {
            var r = els[i].getBoundingClientRect();
            if (r.height < 44) small.push(els[i].id + ' ' + r.height);
        }
        return {font: parseFloat(getComputedStyle(document.body).fontSize), small: small,
                wide: document.documentElement.scrollWidth,
                img: (document.querySelector('.viewer-img') || document.body).getBoundingClientRect().width};
    }""")
    colours = pg.evaluate(TEXT_COLOURS)
    context.close()
    assert 17 <= m["font"] <= 18
    assert m["small"] == [], "tap targets under 44px: %s" % m["small"][:5]
    assert m["wide"] <= 390, "page scrolls sideways"
    if name == "scan.html":
        assert m["img"] == 390  # the scan spans the phone's width
    bad = [
        "%s %.2f" % (t["what"], contrast(parse_color(t["color"]), parse_color(t["bg"])))
        for t in colours
        if contrast(parse_color(t["color"]), parse_color(t["bg"])) < 7
    ]
    assert bad == []
    assert log.errors == []
