"""Helpers and fixtures for the browser tests (not a test module).

Everything runs offline: pages are served from a folder on 127.0.0.1 and the
browser is the system Chromium driven by the pip-installed Playwright (sync
API; launch_async for the async one).

When Chromium or Playwright is missing the tests are skipped, unless the
environment variable REQUIRE_BROWSER=1 is set (as in CI), in which case they
fail, so a broken CI image cannot silently turn the browser tests off.

The fixtures built on them, `chromium` (one browser per module) and `page` (a
fresh context per test, 1280x720, failing the test on any console or page
error), are in tests/conftest.py: a test asks for them by name.
"""

import contextlib
import datetime
import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 720}
# Playwright's waits (a navigation, wait_for_function, a click) give up after this: a bound for a page that never
# gets there, not a time it is given, so far beyond what a page here takes on a loaded machine (Playwright's own
# default, 30 s, is not).
HANG_MS = 120_000


def browser_required():
    return os.environ.get("REQUIRE_BROWSER", "") not in ("", "0")


def unavailable(reason):
    """Skip, or fail when REQUIRE_BROWSER is set."""
    if browser_required():
        pytest.fail("browser required (REQUIRE_BROWSER=1) but " + reason, pytrace=False)
    pytest.skip(reason)


def chromium_path():
    path = CHROMIUM if os.path.isabs(CHROMIUM) else shutil.which(CHROMIUM)
    if not path or not os.access(path, os.X_OK):
        unavailable("Chromium not found at %s (set SITEGEN_CHROMIUM)" % CHROMIUM)
    return path


def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:
        unavailable("Python package playwright is not installed")
    return start


def async_playwright():
    try:
        from playwright.async_api import async_playwright as start
    except ImportError:
        unavailable("Python package playwright is not installed")
    return start


def launch_options(path, bfcache=False):
    """Playwright's launch arguments. bfcache: keep Chromium's back/forward
    cache, which Playwright turns off by default (a set-top box browser has
    one: Back shows the page as it was left)."""
    options = dict(executable_path=path, args=list(CHROMIUM_ARGS))
    if bfcache:
        options["ignore_default_args"] = ["--disable-back-forward-cache"]
    return options


# --- static server -----------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    max_age = 0

    def log_message(self, format, *args):  # keep pytest output clean
        pass

    def end_headers(self):
        if self.max_age:
            self.send_header("Cache-Control", "max-age=%d" % self.max_age)
        super().end_headers()


class _CachingHandler(_QuietHandler):
    max_age = 3600
    protocol_version = "HTTP/1.1"  # and keeps the connection open for the next request


@contextlib.contextmanager
def serve(folder, cache=False):
    """Serve `folder` on 127.0.0.1 (free port); yields the base URL ending in '/'.

    cache: send Cache-Control max-age (as a headend would for a published
    site), so the browser does not ask again for the style sheet and script
    of every page."""
    handler = functools.partial(_CachingHandler if cache else _QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d/" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- browser -----------------------------------------------------------------


def launch(bfcache=False):
    """Start Playwright and Chromium; returns the Browser.

    browser.close() also stops Playwright. Pages made with new_page() get a
    1280x720 viewport (the TV design size) unless told otherwise; its pages and contexts wait up to HANG_MS.
    """
    start = sync_playwright()
    path = chromium_path()
    pw = start().start()
    try:
        browser = pw.chromium.launch(**launch_options(path, bfcache))
    except Exception as e:  # broken install: same policy as a missing one
        pw.stop()
        unavailable("Chromium failed to start: %s" % str(e).splitlines()[0])
    close, new_page, new_context = browser.close, browser.new_page, browser.new_context

    def close_all(*a, **kw):
        try:
            close(*a, **kw)
        finally:
            pw.stop()

    def new_page_720(**kw):
        kw.setdefault("viewport", dict(VIEWPORT))
        page = new_page(**kw)
        page.context.set_default_timeout(HANG_MS)
        return page

    def new_context_patient(**kw):
        context = new_context(**kw)
        context.set_default_timeout(HANG_MS)
        return context

    browser.close = close_all
    browser.new_page = new_page_720
    browser.new_context = new_context_patient
    return browser


async def launch_async(bfcache=False):
    """launch() for Playwright's async API (its own Playwright driver, so two
    of them run side by side); `await browser.close()` also stops Playwright."""
    start = async_playwright()
    path = chromium_path()
    pw = await start().start()
    try:
        browser = await pw.chromium.launch(**launch_options(path, bfcache))
    except Exception as e:
        await pw.stop()
        unavailable("Chromium failed to start: %s" % str(e).splitlines()[0])
    close = browser.close

    async def close_all(*a, **kw):
        try:
            await close(*a, **kw)
        finally:
            await pw.stop()

    browser.close = close_all
    return browser


# --- time --------------------------------------------------------------------

CLOCK_START = datetime.datetime(2026, 1, 1, 8, 0, 0)


def hold_clock(page):
    """Stop the clock of `page`'s context (timers, Date, performance.now), for every page it opens from now on:
    nothing that waits for time happens (the viewer's auto-scroll, tv.js's 150 ms key-echo window, the tile
    loader's timer) until the test moves the clock with tick(). So a loaded machine can neither move a page on
    behind the test's back nor make a wait too short. Call before page.goto; not for tests that measure time."""
    page.clock.install(time=CLOCK_START)
    # pause_at jumps forward and stops there: a day ahead, so however slow the machine, it is not in the past
    page.clock.pause_at(CLOCK_START + datetime.timedelta(days=1))


def tick(page, ms):
    """Move the held clock on by `ms` milliseconds, firing every timer due meanwhile, in order."""
    page.clock.run_for(ms)


_WATCH_LEAVING = """() => {
    window.__leaving = 0;
    // location.href/assign/replace: the browser fires beforeunload before the call returns
    window.addEventListener('beforeunload', function () { window.__leaving++; });
    // history.back/go/forward: traversal is queued, so count the calls themselves
    ['back', 'forward', 'go'].forEach(function (name) {
        var original = History.prototype[name];
        History.prototype[name] = function () { window.__leaving++; return original.apply(this, arguments); };
    });
}"""


def watch_leaving(page):
    """Note from now on, on the open page, any attempt to leave it (see has_left)."""
    page.evaluate(_WATCH_LEAVING)


def has_left(page):
    """Whether the page tried to leave since watch_leaving(): known as soon as the key handler returned, so a
    test of "this key does nothing" needs no wait."""
    try:
        return page.evaluate("window.__leaving") != 0
    except Exception as e:
        if "context was destroyed" in str(e) or "navigat" in str(e):
            return True
        raise


# --- keys --------------------------------------------------------------------

_DISPATCH = """([type, code]) => {
    function send(t) {
        var e = new KeyboardEvent(t, {bubbles: true, cancelable: true});
        // keyCode/which cannot be set through the KeyboardEvent constructor.
        Object.defineProperty(e, 'keyCode', {get: function () { return code; }});
        Object.defineProperty(e, 'which', {get: function () { return code; }});
        Object.defineProperty(e, 'charCode', {get: function () { return t === 'keypress' ? code : 0; }});
        document.dispatchEvent(e);
        return e.defaultPrevented;
    }
    var prevented;
    if (type === 'irkeypress') {
        // iPanel calls document.onirkeypress with its own event object.
        var ev = {keyCode: code, which: code, type: 'irkeypress', target: document.activeElement,
                  preventDefault: function () { this.defaultPrevented = true; }};
        var r = document.onirkeypress ? document.onirkeypress(ev) : true;
        prevented = !!ev.defaultPrevented || r === false;
    } else {
        prevented = send(type);
        if (type === 'keydown') send('keyup');
    }
    window.__pressedAt = Date.now();  // handled by now, in the page's own clock (echo_over)
    return prevented;
}"""

# tv.js's key-echo window: another event kind (keydown, keypress, irkeypress) for one press within it is its echo
ECHO_MS = int(
    re.search(r"ECHO_MS: (\d+)", (Path(__file__).parent.parent / "themes/tv/static/tv.js").read_text("utf-8")).group(1)
)


def echo_over(page):
    """Wait until, by the page's own clock, tv.js's key-echo window of the last synthetic press (press() with a key
    code) has ended: a press of another event kind is then a press of its own, not that one's echo. A condition,
    not a fixed time, so a busy machine can neither cut the wait short nor make the test slower than it must be."""
    page.wait_for_function("(ms) => Date.now() >= (window.__pressedAt || 0) + ms", arg=ECHO_MS)


def press(page, key, kind="keydown"):
    """Press a key.

    key: a Playwright key name ('ArrowDown', 'Enter', 'Backspace', '3') pressed
    on the real keyboard, or an int keyCode (10009, 461, 340, iPanel 1-4...)
    sent as a synthetic event of kind 'keydown' (followed by keyup),
    'keypress' or 'irkeypress'. For synthetic events returns whether the page
    prevented the default action (None if the press navigated away first).
    """
    if isinstance(key, str):
        page.keyboard.press(key)
        return None
    try:
        return page.evaluate(_DISPATCH, [kind, int(key)])
    except Exception as e:
        # The key made the page navigate (OK, Back, a digit) before the
        # result came back: the press happened, the answer is moot.
        if "context was destroyed" in str(e) or "navigat" in str(e):
            return None
        raise


# What a key press may cost at most, as Chromium's renderer counts it (key_costs): CPU of its main thread (a frame
# at 60 Hz: the slowest press on the 500-row list and the ledger page takes ~2-4 ms here, idle or beside CPU hogs), and
# style recalculations plus layouts (3-4 a press: one per element whose look changes, and the forced one; a handler
# that measures each row after changing it does one per row).
KEY_CPU_MS = 16
KEY_RENDERS = 10
_KEY_WORK = ("ScriptDuration", "RecalcStyleDuration", "LayoutDuration")  # (seconds of CPU: threadTicks)
_KEY_RENDERS = ("RecalcStyleCount", "LayoutCount")
_FORCE_LAYOUT = "() => window.addEventListener('keydown', function () { document.body.offsetHeight; }, false)"


def key_costs(page, check, key="ArrowDown", presses=20):
    """Per-press cost of `key` on the open page: [(ms of CPU, style recalculations + layouts)], as Chromium's
    renderer counts them (CDP Performance.getMetrics, its durations in the main thread's CPU time: timeDomain
    threadTicks), taken just before and just after each press; a bubbling window listener (after tv.js) forces the
    style and layout the press left, so that they are counted with it. CPU time and counts, never wall time: a busy
    machine makes a press wait for a core, not cost more, so the bound (assert_cheap) holds on any load yet a
    handler doing more work fails it. Real key presses: the page renders between them. `check(press)` makes each
    press and asserts what it did."""
    page.evaluate(_FORCE_LAYOUT)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def metrics():
        return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}

    costs = []

    def press_counted():
        before = metrics()
        press(page, key)
        after = metrics()
        costs.append(
            (
                sum(after[n] - before[n] for n in _KEY_WORK) * 1000,
                round(sum(after[n] - before[n] for n in _KEY_RENDERS)),
            )
        )

    try:
        for _ in range(presses):
            check(press_counted)
    finally:
        cdp.send("Performance.disable")
        cdp.detach()
    assert len(costs) == presses, costs
    return costs


def assert_cheap(costs, what):
    """Every press of key_costs within KEY_CPU_MS of CPU and KEY_RENDERS style recalculations and layouts; `what`
    (the page and key) and the figures printed."""
    cpu, renders = [c for c, _ in costs], [r for _, r in costs]
    print(
        f"\n[tv.js] {len(costs)} {what}: CPU mean {sum(cpu) / len(cpu):.2f} ms, max {max(cpu):.2f} ms per key; "
        f"style recalculations + layouts max {max(renders)}"
    )
    assert max(renders) <= KEY_RENDERS, f"a key press restyled or laid out the page {max(renders)} times: {costs}"
    assert max(cpu) < KEY_CPU_MS, f"slowest key press {max(cpu):.1f} ms of CPU: {costs}"


def focused(page):
    """The focused element or None: {'tag','id','href','cls','html','focusedClass',
    'top','bottom' (its place on screen), 'y' (the page's scroll), 'vh' (the screen height)}."""
    return page.evaluate("""() => {
        var el = document.activeElement;
        if (!el || el === document.body) return null;
        var r = el.getBoundingClientRect();
        return {tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href'),
                cls: el.className, html: el.outerHTML,
                focusedClass: (' ' + el.className + ' ').indexOf(' focused ') >= 0,
                top: r.top, bottom: r.bottom, y: window.pageYOffset, vh: window.innerHeight};
    }""")


def focused_href(page):
    """The href of the focused element, '' when it has none."""
    return (focused(page) or {}).get("href") or ""


def assert_focus_visible(page):
    """The focused element carries the `focused` class and a thick outline."""
    f = focused(page)
    assert f and f["focusedClass"], f
    width = page.evaluate("() => parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert width >= 4


def press_until(page, key, predicate, limit=12):
    """Press `key` until the focused element (focused()'s dict, {} for none)
    satisfies predicate; returns the presses used."""
    for n in range(1, limit + 1):
        press(page, key)
        if predicate(focused(page) or {}):
            return n
    raise AssertionError("%s x%d never reached the target; focus is on %s" % (key, limit, focused(page)))


# The 5% title-safe area at 1280x720, and the check of a page as it opens against it (tests/test_tv_sweep.py, and the
# reachability walk on every page of the sample city): every problem as a short text.
SAFE = {"left": 64, "right": 1216, "top": 36, "bottom": 684}

# One evaluate per page: every problem as a short text. Text is measured per line box (Range rects), clipped by
# every ancestor that hides its overflow (an ellipsis cell, the viewer's scroller), so only what shows counts.
SAFE_AREA_CHECK = """(safe) => {
    var bad = [], vh = innerHeight, de = document.documentElement, clips = [];
    if (Math.max(de.scrollWidth, document.body.scrollWidth) > innerWidth) { bad.push('scrolls sideways to ' + de.scrollWidth); }
    if (scrollX !== 0) { bad.push('opens scrolled sideways ' + scrollX); }
    function clipOf(el) {
        var r = {left: -1e9, right: 1e9, top: -1e9, bottom: 1e9}, n, s, b;
        for (n = el; n && n.nodeType === 1 && n !== document.body; n = n.parentNode) {
            s = getComputedStyle(n);
            if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
                b = n.getBoundingClientRect();
                r = {left: Math.max(r.left, b.left), right: Math.min(r.right, b.right),
                     top: Math.max(r.top, b.top), bottom: Math.min(r.bottom, b.bottom)};
            }
        }
        return r;
    }
    function where(el) { var t = (el.textContent || '').replace(/\\s+/g, ' ').trim(); return el.tagName + ' ' + t.slice(0, 30); }
    var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, null), node, range = document.createRange();
    var seen = 0;
    while ((node = walk.nextNode())) {
        if (!node.nodeValue.trim() || node.parentNode.closest('noscript, script')) { continue; }
        range.selectNodeContents(node);
        var rects = range.getClientRects(), c = null, i, r;
        for (i = 0; i < rects.length; i++) {
            r = rects[i];
            if (r.width === 0 || r.height === 0 || r.bottom <= 0 || r.top >= vh) { continue; }
            c = c || clipOf(node.parentNode);
            var l = Math.max(r.left, c.left), rt = Math.min(r.right, c.right), t = Math.max(r.top, c.top), bt = Math.min(r.bottom, c.bottom);
            if (rt - l < 1 || bt - t < 1) { continue; }
            seen++;
            if (l < safe.left - 0.5 || rt > safe.right + 0.5 || t < safe.top - 0.5) {
                bad.push('text outside the safe area at ' + [l, t, rt, bt].map(Math.round) + ': ' + where(node.parentNode));
                break;
            }
        }
        if (bad.length > 5) { break; }
    }
    if (!seen) { bad.push('no text on the first screen'); }
    Array.prototype.forEach.call(document.querySelectorAll('a[href], button'), function (el) {
        var r = el.getBoundingClientRect();
        if (r.width === 0 || r.bottom <= 0 || r.top >= vh) { return; }
        var c = clipOf(el);
        if (r.right <= c.left || r.left >= c.right || r.bottom <= c.top || r.top >= c.bottom) { return; }
        if (r.left < safe.left - 0.5 || r.right > safe.right + 0.5 || r.top < safe.top - 0.5) {
            bad.push('control outside the safe area at ' + [r.left, r.top, r.right, r.bottom].map(Math.round) + ': ' + where(el));
        }
    });
    var f = document.activeElement;
    if (!f || f === document.body || (' ' + f.className + ' ').indexOf(' focused ') < 0) {
        bad.push('nothing focused');
    } else {
        var s = getComputedStyle(f), w = parseFloat(s.outlineWidth) || 0, off = parseFloat(s.outlineOffset) || 0;
        var ring = s.outlineStyle !== 'none' && w >= 4, r = f.getBoundingClientRect(), out = Math.max(0, w + off);
        if (f.id === 'scan') { ring = getComputedStyle(f, ':after').borderTopWidth === '6px'; out = 0; }
        if (!ring) { bad.push('focus not visible: ' + where(f)); }
        var top = Math.max(r.top - out, 0), bottom = Math.min(r.bottom + out, vh);
        if (r.left - out < safe.left - 0.5 || r.right + out > safe.right + 0.5 || top < safe.top - 0.5
            || r.top - out >= safe.bottom || (r.bottom - r.top < vh / 2 && bottom > safe.bottom + 0.5)) {
            bad.push('focus ring outside the safe area at ' + [r.left - out, r.top - out, r.right + out, r.bottom + out].map(Math.round) + ': ' + where(f));
        }
    }
    var state = document.getElementById('viewer-state'), box = document.getElementById('scan-scroll');
    if (state && box) {
        var a = state.getBoundingClientRect(), b = box.getBoundingClientRect();
        if (a.right > b.left && a.left < b.right && a.bottom > b.top && a.top < b.bottom) { bad.push('viewer state over the scan'); }
        if (b.bottom > safe.bottom + 0.5 || b.left < safe.left || b.right > safe.right) { bad.push('scan outside the safe area ' + [b.left, b.top, b.right, b.bottom].map(Math.round)); }
    }
    return bad;
}"""


# --- pages -------------------------------------------------------------------

TV_READY = "document.documentElement.className.indexOf('js') >= 0"  # tv.js has started


def ready(page):
    """Wait until tv.js has started on the page (it marks <html> with `js`).

    Asked first with one evaluate: tv.js starts on DOMContentLoaded, so after a navigation waited for up to then it
    has almost always started. Only otherwise wait_for_function, which installs Playwright's injected script in the
    page's document first: ~30-40 ms of Chromium CPU a page (tests/test_tv_sweep.py: 188 -> 158 ms a page)."""
    try:
        if page.evaluate(TV_READY):
            return
    except Exception as e:  # the page is still being replaced by the next one: wait for that one
        if "context was destroyed" not in str(e) and "navigat" not in str(e):
            raise
    page.wait_for_function(TV_READY)


def navigate(page, key, until="domcontentloaded"):
    """Press `key` (see press(); or call it, when it is a function) and wait
    for the page it opens, up to `until` ('load': images too), and for tv.js."""
    with page.expect_navigation(wait_until=until):
        if callable(key):
            key()
        else:
            press(page, key)
    ready(page)


class ErrorLog:
    """Collects console errors and uncaught page errors of a page in .errors.

    The browser's own request for /favicon.ico (which no page asks for) is
    not counted when it fails.
    """

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.errors.append("pageerror: %s" % err))

    def _console(self, msg):
        if msg.type not in ("error", "assert"):
            return
        try:
            source = (msg.location or {}).get("url") or ""
        except Exception:
            source = ""
        if source.endswith("/favicon.ico"):
            return
        self.errors.append("console.%s: %s%s" % (msg.type, msg.text, " (%s)" % source if source else ""))

    def __bool__(self):
        return bool(self.errors)


def collect_errors(page):
    return ErrorLog(page)
