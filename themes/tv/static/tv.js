/* tv.js - remote-control navigation for set-top-box browsers.
 *
 * ES5 only, no modern DOM helpers: the boxes run WebKit builds from around
 * 2012 and iPanel browsers (tests/test_tv_js.py parses this file as ES5.1).
 * Keys: arrows move focus by geometry, OK opens, Back goes back, digits open
 * the tile (or scan) with that number, 0 the village home (the city home
 * outside a village), page up/down jump about one screen.
 * Every page opens with a visible focus: its first focusable on the first
 * screen, else the page title (tabindex -1) as a reading focus, from which
 * Up/Down scroll the text and Back leaves.
 * Scans: tiles load as they come near the screen and are unloaded when far
 * (a box decodes two or three at most); the scan viewer (scan.html) scrolls
 * a scan by itself, OK pauses and resumes it, Up/Down scroll by hand,
 * Left/Right open the previous/next scan of the voucher, 放大 zooms; a
 * viewer holding several scans opens at the one its #s-N names.
 * 我有疑问: OK on the button opens the page's panel, Back closes it.
 * Layout: KEYS and TUNING (every timing, size, step and threshold) at the
 * top; small DOM helpers; Focus (where the focus is and where keys move it),
 * what keys do on any page; Tiles (lazy tiles); Viewer (scan.html); the key
 * handler; tables as records; start and the event wiring.
 */
(function (win, doc) {
  'use strict';

  // ---- tuning: every number the behaviour rests on, in one place ------------
  // The one key table. Boxes disagree on codes: iPanel sends 1-4 for the
  // arrows and 340 for Back, Samsung 10009, LG 461, some remotes 372/373 for
  // page up/down, some DVN boxes 640 for Back. Digits are DIGIT_KEYS below.
  var KEYS = {
    38: 'up', 1: 'up', 40: 'down', 2: 'down',
    37: 'left', 3: 'left', 39: 'right', 4: 'right',
    13: 'ok',
    8: 'back', 27: 'back', 461: 'back', 10009: 'back', 340: 'back', 640: 'back',
    33: 'pageup', 372: 'pageup', 34: 'pagedown', 373: 'pagedown'
  };
  // Shares are of the screen's height (or of the scan box's, in the viewer); times in ms.
  var TUNING = {
    DIGIT_KEYS: 48,        // '0'..'9' are 48-57 ...
    KEYPAD_KEYS: 96,       // ... and 96-105 on a keypad (keydown only: keypress sends 96+ for other keys)
    ECHO_MS: 150,          // a second event kind (keypress, irkeypress) for one press within this is its echo
    MARGIN: 0.15,          // the focus is kept this far from the top and bottom, so the next row shows
    SAFE: 0.95,            // the title-safe area ends here (5% overscan at the bottom)
    PART_TOP: 0.2,         // a part of the page a link jumps to is shown this far down
    SLACK: 0.25,           // a candidate may overlap the focus by this share of the smaller one's size
    SIDE_WEIGHT: 2,        // arrow move: cost of the sideways gap against the gap along the move
    ALIGN_WEIGHT: 0.1,     // arrow move: cost of misaligned centres (a tie-break)
    JUMP_MAX: 0.6,         // Up/Down: a link farther than this is not jumped to; the text scrolls instead
    SCROLL_STEP: 0.6,      // Up/Down: scroll this much when not jumping
    PAGE_STEP: 0.9,        // page up/down: scroll this much
    PAGE_FAR: 1.5,         // page up/down: a focusable farther than this many screens: scroll instead
    TILES_MS: 60,          // lazy tiles: look again this long after a scroll (scroll events come in bursts)
    LOAD_ABOVE: 0.5,       // lazy tiles: loaded within half a screen above ...
    LOAD_BELOW: 2,         // ... and down to two screens below the top
    DROP_ABOVE: 1,         // given up beyond a screen above ...
    DROP_BELOW: 3,         // ... and three screens below the top (at most three tiles of 2400 px decoded)
    VIEWER_SPEED: 40,      // auto-scroll: px a second at VIEWER_LINES lines (scaled to the screen)
    VIEWER_LINES: 720,
    VIEWER_TICK: 40,       // auto-scroll: one small step per tick (old boxes have no frame callback)
    VIEWER_START: 1500,    // auto-scroll waits this long first (WCAG 2.2.2: it says what it does)
    VIEWER_MAX_STEP: 250,  // a late tick moves at most this many ms' worth
    VIEWER_DRIFT: 2,       // px: scrolled by hand meanwhile when farther than this from where it was
    VIEWER_MIN: 0.3,       // the scan's box is never lower than this
    VIEWER_LINE: 0.4,      // Up/Down in the viewer scroll this share of the box
    VIEWER_PAGE: 0.9,      // page up/down in the viewer
    VIEWER_PAN: 0.4,       // Left/Right when zoomed pan this share of the box's width
    SHORT_CELL: 12,        // tables: a cell of at most this many characters should not wrap ...
    CELLS_CHECKED: 200,    // ... judged on the first this many cells
    LINE_GAP: 4            // px: text rects this far apart vertically are separate lines
  };
  var SELECTOR = 'a[href], button, [tabindex]';
  var STORE = 'tvfocus:' + location.pathname;
  var claim = null;     // {src, t}: which event kind handled the last press
  var started = false;

  function on(target, type, fn, capture) {
    if (target.addEventListener) { target.addEventListener(type, fn, !!capture); } else if (target.attachEvent) { target.attachEvent('on' + type, fn); } else { target['on' + type] = fn; }
  }
  function stop(e) {
    if (e.preventDefault) { e.preventDefault(); } else { e.returnValue = false; }
  }
  function now() { return new Date().getTime(); }

  // className string operations: some boxes have no element class list API.
  function hasClass(el, c) { return (' ' + el.className + ' ').indexOf(' ' + c + ' ') >= 0; }
  function addClass(el, c) { if (!hasClass(el, c)) { el.className = el.className ? el.className + ' ' + c : c; } }
  function removeClass(el, c) {
    var parts = String(el.className).split(/\s+/), keep = [], i;
    for (i = 0; i < parts.length; i++) { if (parts[i] && parts[i] !== c) { keep.push(parts[i]); } }
    el.className = keep.join(' ');
  }

  function viewH() { return win.innerHeight || doc.documentElement.clientHeight; }
  function scrollTop() { return win.pageYOffset !== undefined ? win.pageYOffset : doc.documentElement.scrollTop; }
  function scrollLeft() { return win.pageXOffset !== undefined ? win.pageXOffset : doc.documentElement.scrollLeft; }
  function maxScroll() {
    return Math.max(doc.documentElement.scrollHeight, doc.body.scrollHeight) - viewH();
  }
  function scrollToY(y) { win.scrollTo(scrollLeft(), Math.max(0, Math.min(maxScroll(), Math.round(y)))); }
  function setText(el, text) {
    while (el.firstChild) { el.removeChild(el.firstChild); }
    el.appendChild(doc.createTextNode(text));
  }

  function isFocusable(el) {
    if (!el || el.nodeType !== 1) { return false; }
    return (el.tagName === 'A' && el.getAttribute('href') !== null) || el.tagName === 'BUTTON' ||
      el.getAttribute('tabindex') !== null;
  }
  // tabindex="-1" means "focusable by script only"; disabled buttons do nothing.
  function usable(el) { return el.getAttribute('tabindex') !== '-1' && !el.disabled; }
  // right-left, not width: old engines' rects have no width/height.
  function shown(r) { return r.right - r.left > 0 || r.bottom - r.top > 0; }

  // Scroll the page by a share of the screen; false at the very top/bottom.
  function scrollPage(dir, share) {
    var y = scrollTop(), max = maxScroll();
    if ((dir < 0 && y <= 0) || (dir > 0 && y >= max - 1)) { return false; }
    scrollToY(y + dir * viewH() * share);
    return true;
  }

  // ---- focus: which element is focused, and where the arrows take it -------
  // The focused element carries class "focused" (boxes draw :focus poorly);
  // moves go by geometry; the focus is remembered per page for Back.
  var Focus = {
    current: null,   // the element we show as focused
    byPlace: false,  // the first focus was picked by where it was: checked again once images have sizes
    reading: null,   // the page title, focused (tabindex -1) when nothing on the first screen can be

    // One pass of rect reads (no writes in between), so 500 rows cost a single
    // layout per key press.
    candidates: function () {
      var list = doc.querySelectorAll(SELECTOR), out = [], i, el, r;
      for (i = 0; i < list.length; i++) {
        el = list[i];
        if (el === Focus.current || !usable(el)) { continue; }
        r = el.getBoundingClientRect();
        if (shown(r)) { out.push({ el: el, r: r }); }
      }
      return out;
    },

    // Where a move starts from. If the focus was scrolled away while reading
    // (or nothing is focused) start at the screen edge, so the next focus lands
    // on what the viewer is looking at instead of jumping back.
    origin: function (dir) {
      var vh = viewH(), r = Focus.current && Focus.current.getBoundingClientRect();
      var w = doc.documentElement.clientWidth;
      if (r && shown(r) && r.bottom > 0 && r.top < vh) { return r; }
      if (dir === 'up') { return { top: vh, bottom: vh, left: r ? r.left : 0, right: r ? r.right : w }; }
      return { top: 0, bottom: 0, left: r ? r.left : 0, right: r ? r.right : w };
    },

    // Nearest candidate in the direction: gap along the axis, plus a penalty
    // for the sideways gap (0 when rows/columns overlap) and a small one for
    // misaligned centres as a tie-break. A candidate must lie beyond the current
    // element; a slight overlap is allowed (scaled focus, tight rows), sitting
    // side by side is not.
    pick: function (list, c, dir) {
      var best = null, bestScore = Infinity, i, r, gap, side, off, slack, score, vh = viewH();
      var vertical = dir === 'up' || dir === 'down', fwd = dir === 'down' || dir === 'right';
      for (i = 0; i < list.length; i++) {
        r = list[i].r;
        if (vertical) {
          slack = Math.min(c.bottom - c.top, r.bottom - r.top) * TUNING.SLACK;
          gap = fwd ? r.top - c.bottom : c.top - r.bottom;
          side = Math.max(0, r.left - c.right, c.left - r.right);
          off = Math.abs(r.left + r.right - c.left - c.right) / 2;
        } else {
          // Left/Right stay on the screen: never a jump to a link scrolled out of sight (a ledger line's Right
          // to the month row far above).
          if (r.bottom <= 0 || r.top >= vh) { continue; }
          slack = Math.min(c.right - c.left, r.right - r.left) * TUNING.SLACK;
          gap = fwd ? r.left - c.right : c.left - r.right;
          side = Math.max(0, r.top - c.bottom, c.top - r.bottom);
          off = Math.abs(r.top + r.bottom - c.top - c.bottom) / 2;
        }
        if (gap < -slack) { continue; }
        score = Math.max(0, gap) + TUNING.SIDE_WEIGHT * side + TUNING.ALIGN_WEIGHT * off;
        if (score < bestScore) { bestScore = score; best = list[i]; }
      }
      return best;
    },

    isFixed: function (el) {
      var n;
      if (!win.getComputedStyle) { return false; }
      for (n = el; n && n.nodeType === 1 && n !== doc.body; n = n.parentNode) {
        if (win.getComputedStyle(n, null).position === 'fixed') { return true; }
      }
      return false;
    },

    // Keep the focus on screen with a margin, so the next row is already visible.
    reveal: function (el) {
      var r, vh = viewH(), m = Math.round(vh * TUNING.MARGIN), d = 0;
      if (Focus.isFixed(el)) { return; }
      r = el.getBoundingClientRect();
      if (r.top < m || r.bottom - r.top > vh - 2 * m) { d = r.top - m; } else if (r.bottom > vh - m) { d = r.bottom - (vh - m); }
      if (d) { scrollToY(scrollTop() + d); }
    },

    set: function (el, noScroll) {
      if (Focus.current && Focus.current !== el) { removeClass(Focus.current, 'focused'); }
      Focus.current = el;
      addClass(el, 'focused');
      try { el.focus({ preventScroll: true }); } catch (e) { /* old boxes: no focus options */ }
      if (!noScroll) { Focus.reveal(el); }
    },

    move: function (dir) {
      var best = Focus.pick(Focus.candidates(), Focus.origin(dir), dir), vh = viewH(), m = Math.round(vh * TUNING.MARGIN), need;
      if (dir === 'up' || dir === 'down') {
        // Text between links is read by scrolling: rather than jump to a link
        // more than ~60% of a screen away (skipping what lies between), scroll.
        if (best) {
          need = dir === 'down' ? Math.min(best.r.bottom - (vh - m), best.r.top - m) : m - best.r.top;
        }
        if (!best || need > TUNING.JUMP_MAX * vh) {
          if (scrollPage(dir === 'down' ? 1 : -1, TUNING.SCROLL_STEP)) { return; }
        }
      }
      if (best) { Focus.set(best.el); }
    },

    // Page up/down: the focusable about one screen away, keeping its place on
    // screen; on pages with little to focus, just scroll a screen.
    page: function (dir) {
      var vh = viewH(), c = Focus.origin(dir > 0 ? 'down' : 'up'), list = Focus.candidates();
      var target = c.top + dir * vh, best = null, bestScore = Infinity, i, r, score;
      for (i = 0; i < list.length; i++) {
        r = list[i].r;
        if (dir > 0 ? r.top <= c.top : r.top >= c.top) { continue; }
        score = Math.abs(r.top - target) + TUNING.SIDE_WEIGHT * Math.max(0, r.left - c.right, c.left - r.right);
        if (score < bestScore) { bestScore = score; best = list[i]; }
      }
      if (!best || Math.abs(best.r.top - c.top) > TUNING.PAGE_FAR * vh) {
        if (scrollPage(dir, TUNING.PAGE_STEP) || !best) { return; }
      }
      Focus.set(best.el, true);
      scrollToY(scrollTop() + best.r.top - c.top);
      Focus.reveal(best.el);
    },

    indexOf: function (el) {
      var list = doc.querySelectorAll(SELECTOR), i;
      for (i = 0; i < list.length; i++) { if (list[i] === el) { return i; } }
      return -1;
    },
    save: function () {
      var i = Focus.current ? Focus.indexOf(Focus.current) : -1;
      if (i < 0) { return; }
      try { win.sessionStorage.setItem(STORE, String(i)); } catch (e) { /* storage disabled or full */ }
    },
    saved: function () {
      var v = null;
      try { v = win.sessionStorage.getItem(STORE); } catch (e) { /* storage disabled */ }
      return v === null ? -1 : parseInt(v, 10);
    },

    // A link to "page#part" (a voucher's "back to this line of the ledger"): the
    // focusable at that part, so OK works on what the viewer was sent to see.
    fromHash: function () {
      return Focus.part(location.hash ? location.hash.substring(1) : '');
    },
    part: function (id) {
      var t, list, i;
      t = id ? doc.getElementById(id) : null;
      if (!t) { return null; }
      if (isFocusable(t) && usable(t)) { return t; }
      list = t.querySelectorAll(SELECTOR);
      for (i = 0; i < list.length; i++) {
        if (usable(list[i]) && shown(list[i].getBoundingClientRect())) { return list[i]; }
      }
      return null;
    },

    // The reading focus: the page title, when nothing on the first screen can be focused. Up/Down then
    // scroll the text (the focus moves on to a link once one is near), Back leaves.
    readingFocus: function () {
      Focus.reading = Focus.reading || doc.querySelector('header.top h1');
      if (Focus.reading && Focus.reading.getAttribute('tabindex') === null) { Focus.reading.setAttribute('tabindex', '-1'); }
      return Focus.reading;
    },

    // Keep a freshly opened page at its top: scroll only when the first focus is not inside the title-safe band
    // (5% of the screen at top and bottom), so the title never opens in the overscan.
    showFirst: function (el) {
      var r = el.getBoundingClientRect(), vh = viewH();
      if (r.bottom > vh * TUNING.SAFE || r.top < 0) { Focus.reveal(el); }
    },

    // The focus a page opens with. Back to a page: where the viewer left it (even on a page that names its first
    // focus); sent to a part of it: that part; else the page's own first focus. A new visit (a link, not Back)
    // starts at the top: focus memory is for going back within a visit, not for the next time the page is opened.
    first: function () {
      var el = null, list = doc.querySelectorAll(SELECTOR), i = Focus.saved(), r;
      if (!(i >= 0 && list[i] && usable(list[i]) && shown(list[i].getBoundingClientRect()))) { i = -1; }
      if (i >= 0 && backOrForward()) { el = list[i]; }
      if (!el) { el = Focus.fromHash(); }
      if (location.hash === '#ask' && doc.getElementById('ask')) { Ask.open(doc.getElementById('ask'), null); el = Focus.current; }
      if (!el) { el = doc.querySelector('[data-autofocus]'); }
      for (i = 0; !el && i < list.length; i++) {
        r = list[i].getBoundingClientRect();
        // The first focusable, unless it is below the first screen: focusing
        // it would scroll past the text the viewer came to read.
        if (usable(list[i]) && shown(r)) {
          if (r.bottom <= viewH() * TUNING.SAFE) { el = list[i]; Focus.byPlace = true; }
          break;
        }
      }
      return el || Focus.readingFocus();
    }
  };

  // Back, Forward or a reload (the box's own, or the clerk's preview after a save): the viewer is still where
  // they were, so the focus memory applies; a link is a new visit.
  function backOrForward() {
    var p = win.performance;
    return !!(p && p.navigation && (p.navigation.type === 2 || p.navigation.type === 1));
  }

  // ---- what the keys do on any page ----------------------------------------
  function activate(el) {
    var href, ev;
    if (!el) { return; }
    Focus.save();
    href = el.tagName === 'A' ? el.getAttribute('href') : null;
    ev = href && href.charAt(0) === '#' ? doc.getElementById(href.substring(1)) : null;
    if (ev && hasClass(ev, 'ask-panel')) { Ask.open(ev, el); return; }
    // A link to a part of this page (a ledger's month): focus the part, shown below the top band.
    if (href && href.charAt(0) === '#' && href.length > 1) {
      ev = Focus.part(href.substring(1));
      if (ev) { Focus.set(ev, true); scrollToY(scrollTop() + ev.getBoundingClientRect().top - Math.round(viewH() * TUNING.PART_TOP)); }
      return;
    }
    // Old WebKit has no click() on links: follow the href ourselves.
    if (href && href.charAt(0) !== '#' && !/^javascript:/i.test(href)) { location.href = el.href; return; }
    if (el.click) { el.click(); return; }
    ev = doc.createEvent('MouseEvents');
    ev.initMouseEvent('click', true, true, win, 1, 0, 0, 0, 0, false, false, false, false, 0, null);
    el.dispatchEvent(ev);
  }

  function back() {
    var to = doc.body.getAttribute('data-back');
    Focus.save();
    if (win.history.length > 1) { win.history.back(); } else if (to) { location.href = to; }
  }

  // 0: the village home (the city home outside a village); nothing on that page itself.
  function home() {
    var to = doc.body.getAttribute('data-home'), c = ' ' + doc.body.className + ' ';
    if (!to || c.indexOf(' page-village ') >= 0 || c.indexOf(' page-city ') >= 0) { return false; }
    Focus.save();
    location.href = to;
    return true;
  }

  function digit(n) {
    var el = doc.querySelector('[data-digit="' + n + '"]');
    // A page that types digits (the search page) keeps them all, 0 included.
    if (doc.querySelector('[data-digits-typed]')) { return false; }
    if (n === 0 && !el) { return home(); }
    if (!el) { return false; }
    Focus.set(el, true);
    activate(el);
    return true;
  }

  // ---- lazy tiles: a tile gets its src near the screen, gives it up far away --
  // Tiles are <img data-src> (common/templates/_picture.html). Loaded within
  // half a screen above and a screen below; unloaded (a 1x1 blank, which
  // frees the decoded picture on old WebKit) beyond a screen above and two
  // below. With tiles up to 2400 px that keeps at most three decoded.
  var Tiles = {
    BLANK: 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
    timer: null,

    update: function () {
      var list = doc.querySelectorAll('img[data-src]'), vh = viewH(), i, img, r, src, has;
      Tiles.timer = null;
      for (i = 0; i < list.length; i++) {
        img = list[i];
        r = img.parentNode.getBoundingClientRect();
        src = img.getAttribute('data-src');
        has = img.getAttribute('src');
        // Not laid out (the other rendition of a zoomable scan): never loaded, and given up if it was.
        if (shown(r) && r.bottom > -TUNING.LOAD_ABOVE * vh && r.top < TUNING.LOAD_BELOW * vh) {
          if (has !== src) { img.setAttribute('src', src); }
        } else if ((!shown(r) || r.bottom < -TUNING.DROP_ABOVE * vh || r.top > TUNING.DROP_BELOW * vh) && has && has !== Tiles.BLANK) {
          img.setAttribute('src', Tiles.BLANK);
        }
      }
    },
    soon: function () { if (!Tiles.timer) { Tiles.timer = setTimeout(Tiles.update, TUNING.TILES_MS); } }
  };

  // ---- the scan viewer (scan.html) ------------------------------------------
  // The scan is its own scroller (figure#scan, overflow hidden), sized by
  // Viewer.layout() to reach the bottom of the title-safe area: the page never
  // scrolls, nothing of the scan goes into the overscan, and the state line
  // sits in the top bar beside the title, where it covers nothing.
  // Steady, readable motion: VIEWER_SPEED px a second at 720 lines (scaled to the
  // screen), in small steps on a timer (old boxes have no frame callback).
  // WCAG 2.2.2: it waits VIEWER_START ms, says what it does, and OK pauses it.
  var Viewer = {
    open: false,     // this page is a viewer (scan.html with figure#scan[data-viewer])
    fig: null,       // the figure: the focus while the viewer is used
    box: null,       // the scroller
    state: null,     // the line saying what the scan does
    zoom: null,      // the 放大 button
    mode: 'paused',  // playing, paused, end, still
    timer: null,
    pos: 0,          // where the auto-scroll is, in fractions of a px
    last: 0,         // when it last moved
    zoomed: false,
    SAYS: {
      playing: '自动滚动中　确定键暂停',
      paused: '已暂停　确定键继续',
      end: '已到底　确定键从头看',
      still: '整张已显示'
    },

    // The scan's box reaches the bottom of the safe area: no taller than the scan (a page scanned sideways is
    // shown whole, with nothing to scroll), and never under a third of the screen.
    // A page scanned sideways (wider than high) that is still too tall for the box at full width is shown
    // narrower, whole: nothing to scroll. 放大 shows it at twice the box's width, as any scan.
    layout: function () {
      var box = doc.getElementById('scan-scroll'), fit = doc.querySelector('.viewer-fit'), r, h, c;
      if (!box) { return; }
      box.style.height = '';
      if (fit) { fit.style.width = ''; fit.style.margin = ''; }
      r = box.getBoundingClientRect();
      h = Math.floor(viewH() * TUNING.SAFE - (r.top + scrollTop()));
      h = Math.max(Math.round(viewH() * TUNING.VIEWER_MIN), h);
      c = r.bottom - r.top;
      if (fit && !hasClass(doc.body, 'zoomed') && c > h && c < r.right - r.left && !fit.querySelector('.viewer-label')) {
        fit.style.width = Math.floor(100 * h / c) + '%';
        fit.style.margin = '0 auto';
        c = box.getBoundingClientRect().bottom - r.top;
      }
      if (c > 0 && c < h) { h = Math.ceil(c); }
      box.style.height = h + 'px';
    },

    top: function () { return Viewer.box.scrollTop; },
    max: function () { return Math.max(0, Viewer.box.scrollHeight - Viewer.box.clientHeight); },
    to: function (y) { Viewer.box.scrollTop = Math.max(0, Math.min(Viewer.max(), Math.round(y))); },
    toX: function (x) {
      var box = Viewer.box;
      box.scrollLeft = Math.max(0, Math.min(box.scrollWidth - box.clientWidth, Math.round(x)));
    },

    showState: function () {
      var m, modes = ['playing', 'paused', 'end', 'still'];
      for (m = 0; m < modes.length; m++) { removeClass(doc.body, 'scan-' + modes[m]); }
      addClass(doc.body, 'scan-' + Viewer.mode);
      // One short line (it sits beside the title): zoomed, how to move; else what the scan does and how to stop it.
      if (Viewer.state) { setText(Viewer.state, Viewer.zoomed ? '已放大两倍　左右键移动' : Viewer.SAYS[Viewer.mode]); }
    },

    step: function () {
      var t = now(), y = Viewer.top(), max = Viewer.max();
      Viewer.timer = null;
      if (Viewer.mode !== 'playing') { return; }
      if (Math.abs(y - Math.round(Viewer.pos)) > TUNING.VIEWER_DRIFT) { Viewer.pos = y; }  // scrolled meanwhile: go on from there
      Viewer.pos += TUNING.VIEWER_SPEED * viewH() / TUNING.VIEWER_LINES * Math.min(t - Viewer.last, TUNING.VIEWER_MAX_STEP) / 1000;
      Viewer.last = t;
      if (Viewer.pos >= max) {
        Viewer.to(max);
        Viewer.mode = 'end';
        Viewer.showState();
        Tiles.update();
        return;
      }
      Viewer.to(Viewer.pos);
      Tiles.soon();
      Viewer.timer = setTimeout(Viewer.step, TUNING.VIEWER_TICK);
    },

    play: function (delay) {
      if (Viewer.timer) { clearTimeout(Viewer.timer); }
      if (Viewer.max() <= 0) { Viewer.mode = 'still'; Viewer.showState(); return; }  // all of it on screen: nothing to scroll
      if (Viewer.top() >= Viewer.max() - 1) { Viewer.to(0); }
      Viewer.mode = 'playing';
      Viewer.pos = Viewer.top();
      Viewer.last = now() + (delay || 0);
      Viewer.timer = setTimeout(Viewer.step, (delay || 0) + TUNING.VIEWER_TICK);
      Viewer.showState();
    },

    pause: function () {
      if (Viewer.timer) { clearTimeout(Viewer.timer); }
      Viewer.timer = null;
      if (Viewer.mode === 'playing') { Viewer.mode = 'paused'; }
      Viewer.showState();
    },

    // 放大: the zoom tiles (twice the TV rendition's pixels, loaded only now) in place of the TV tiles, which
    // are given up; the middle of the scan stays in the middle, and Left/Right pan to either edge.
    toggleZoom: function () {
      var f = Viewer.box, mid = (Viewer.top() + f.clientHeight / 2) / Math.max(1, f.scrollHeight);
      Viewer.zoomed = !Viewer.zoomed;
      if (Viewer.zoomed) { addClass(doc.body, 'zoomed'); } else { removeClass(doc.body, 'zoomed'); }
      Viewer.layout();
      if (Viewer.zoom) { setText(Viewer.zoom, Viewer.zoomed ? '还原' : '放大'); }
      Viewer.to(mid * f.scrollHeight - f.clientHeight / 2);
      Viewer.toX(Viewer.zoomed ? (f.scrollWidth - f.clientWidth) / 2 : 0);
      if (Viewer.mode === 'playing') { Viewer.pause(); } else if (Viewer.mode === 'still' && Viewer.max() > 0) { Viewer.mode = 'paused'; }
      if (!Viewer.zoomed && Viewer.mode !== 'still' && Viewer.max() <= 0) { Viewer.mode = 'still'; }
      Viewer.showState();
      Focus.set(Viewer.fig, true);
      Tiles.update();
    },

    // Keys while the viewer is open. True when handled.
    key: function (act) {
      var link, dir;
      if (Focus.current !== Viewer.fig) {
        // In the bar: Down goes back to the scan; everything else as on any page.
        if (act === 'down') {
          Focus.set(Viewer.fig, true);
          return true;
        }
        return false;
      }
      if (act === 'ok') {
        if (Viewer.mode === 'playing') { Viewer.pause(); } else { Viewer.play(0); }
        return true;
      }
      if (act === 'up' || act === 'down' || act === 'pageup' || act === 'pagedown') {
        dir = act === 'up' || act === 'pageup' ? -1 : 1;
        if (act === 'up' && Viewer.top() <= 0) {  // at the top: into the bar, at its first button
          link = Viewer.barFirst();
          if (link) { Focus.set(link); }
          return true;
        }
        if (Viewer.mode === 'playing') { Viewer.pause(); }
        Viewer.to(Viewer.top() + dir * Viewer.box.clientHeight * (act.indexOf('page') === 0 ? TUNING.VIEWER_PAGE : TUNING.VIEWER_LINE));
        Tiles.soon();
        return true;
      }
      if (act === 'left' || act === 'right') {
        if (Viewer.zoomed) {
          Viewer.toX(Viewer.box.scrollLeft + (act === 'left' ? -1 : 1) * TUNING.VIEWER_PAN * Viewer.box.clientWidth);
          return true;
        }
        // Replacing the history entry: Back then leaves the viewer, however many scans were turned.
        link = doc.querySelector('a[rel="' + (act === 'left' ? 'prev' : 'next') + '"]');
        if (link) { Focus.save(); location.replace(link.href); }
        return true;
      }
      return false;
    },

    barFirst: function () {
      var bar = doc.querySelector('.viewer-bar'), list = bar ? bar.querySelectorAll(SELECTOR) : [], i;
      for (i = 0; i < list.length; i++) {
        if (usable(list[i]) && shown(list[i].getBoundingClientRect())) { return list[i]; }
      }
      return null;
    },

    start: function () {
      var fig = doc.getElementById('scan'), box = doc.getElementById('scan-scroll');
      if (!fig || !box || fig.getAttribute('data-viewer') === null) { return; }
      Viewer.open = true;
      Viewer.fig = fig;
      Viewer.box = box;
      Viewer.state = doc.getElementById('viewer-state');
      Viewer.zoom = doc.getElementById('viewer-zoom');
      if (Viewer.zoom) { on(Viewer.zoom, 'click', Viewer.toggleZoom); }
      on(box, 'scroll', Tiles.soon);
      Viewer.fromHash();
      Viewer.play(TUNING.VIEWER_START);
    },

    // A viewer of several scans opened at one of them (#s-3, a voucher page's 第3张): the box starts there, the
    // page itself at its top (the browser may have scrolled it to the part).
    fromHash: function () {
      var t = location.hash ? doc.getElementById(location.hash.substring(1)) : null, n;
      for (n = t; n && n !== Viewer.box; n = n.parentNode) { /* inside the scan's box? */ }
      if (!t || !n) { return; }
      scrollToY(0);
      Viewer.to(t.getBoundingClientRect().top - Viewer.box.getBoundingClientRect().top + Viewer.top());
    }
  };

  // ---- 我有疑问: the page's panel (common/templates/_ask.html) ------------------
  // OK on the button opens the panel over the page (class open; without the
  // script the #ask link shows it by :target) with its close link focused;
  // Back, or OK there, closes it and gives the focus back to the button. The
  // arrows stay inside it. Digits work as on the page.
  var Ask = {
    panel: null,   // the open panel
    button: null,  // the button that opened it

    open: function (panel, button) {
      addClass(panel, 'open');
      Ask.panel = panel;
      Ask.button = button;
      if (Viewer.open) { Viewer.pause(); }
      Focus.set(panel.querySelector('[data-ask-close]') || panel, true);
    },

    close: function () {
      var to = Ask.button || doc.getElementById('ask-open');
      removeClass(Ask.panel, 'open');
      Ask.panel = null;
      Ask.button = null;
      // Opened by its address (#ask, shown by :target): leave that address, without a history entry.
      if (location.hash === '#ask') { location.replace('#ask-open'); }
      if (to) { Focus.set(to); }
    },

    key: function (act) {
      if (act === 'back' || act === 'ok') { Ask.close(); }
      return true;
    }
  };

  // ---- keys: one handler for keydown, keypress and iPanel's irkeypress -------
  // Returns true when the key was ours (the caller then prevents the default).
  function handle(e, src) {
    var code = e.which || e.keyCode, act = KEYS[code], n = -1, t = e.target || e.srcElement, tag;
    if (code >= TUNING.DIGIT_KEYS && code <= TUNING.DIGIT_KEYS + 9) {
      n = code - TUNING.DIGIT_KEYS;
    } else if (code >= TUNING.KEYPAD_KEYS && code <= TUNING.KEYPAD_KEYS + 9 && src !== 'keypress') {
      n = code - TUNING.KEYPAD_KEYS;
    }
    if (!act && n < 0) { return false; }
    tag = t && t.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') { return false; }
    // Boxes that send keydown and keypress (or iPanel's irkeypress) for one
    // press: the first kind to arrive handles it, the echo is swallowed.
    if (claim && claim.src !== src && now() - claim.t < TUNING.ECHO_MS) { return true; }
    if (Ask.panel && act && Ask.key(act)) {
      claim = { src: src, t: now() };
      return true;
    }
    if (Viewer.open && act && Viewer.key(act)) {
      claim = { src: src, t: now() };
      return true;
    }
    if (n >= 0) {
      if (!digit(n)) { return false; }
    } else if (act === 'ok') {
      activate(Focus.current);
    } else if (act === 'back') {
      back();
    } else if (act === 'pageup' || act === 'pagedown') {
      Focus.page(act === 'pagedown' ? 1 : -1);
    } else {
      Focus.move(act);
    }
    claim = { src: src, t: now() };
    return true;
  }

  function listener(src) {
    return function (e) {
      e = e || win.event;
      if (handle(e, src)) { stop(e); return false; }
      return true;
    };
  }

  // ---- tables too wide for the screen become records -------------------------
  // How many lines an element's text takes (old boxes without ranges: one).
  function lineCount(el) {
    var range, rects, n = 0, last = null, k;
    if (!doc.createRange) { return 1; }
    range = doc.createRange();
    range.selectNodeContents(el);
    rects = range.getClientRects();
    for (k = 0; k < rects.length; k++) {
      if (rects[k].bottom - rects[k].top > 0 && (last === null || rects[k].top >= last + TUNING.LINE_GAP)) { n++; last = rects[k].top; }
    }
    return n;
  }

  // A table wider than its place, or one whose short cells (a heading, a name, a date: up to 12 characters)
  // break across lines, becomes one record per block (tv.css .records): no sideways scrolling, no text one
  // character a line. The first rows decide, so a long table costs no more than a short one.
  function fitTables() {
    var tables = doc.querySelectorAll('table.finance-table, table.entry, .item-body table'), i, t, cells, j, c, text, bad;
    for (i = 0; i < tables.length; i++) {
      t = tables[i];
      if (hasClass(t, 'trail')) { continue; }
      bad = t.offsetWidth > t.parentNode.clientWidth + 1;
      cells = t.querySelectorAll('th, td');
      for (j = 0; !bad && j < cells.length && j < TUNING.CELLS_CHECKED; j++) {
        c = cells[j];
        text = (c.textContent || c.innerText || '').replace(/^\s+|\s+$/g, '');
        if (text.length > 1 && text.length <= TUNING.SHORT_CELL && lineCount(c) > 1) { bad = true; }
      }
      if (bad) { labelCells(t); addClass(t, 'records'); }
    }
  }

  // Each cell of a table shown as records says its column's heading (the Markdown tables of item pages have
  // none written in; the finance templates write data-label themselves).
  function labelCells(t) {
    var head = t.querySelectorAll('thead th'), rows = t.querySelectorAll('tbody tr'), i, j, cells;
    for (i = 0; i < rows.length; i++) {
      cells = rows[i].children;
      for (j = 0; j < cells.length && j < head.length; j++) {
        if (cells[j].getAttribute('data-label') === null) {
          cells[j].setAttribute('data-label', head[j].textContent || head[j].innerText || '');
        }
      }
    }
  }

  // ---- start ----------------------------------------------------------------
  function start() {
    var el;
    if (started) { return; }
    started = true;
    addClass(doc.documentElement, 'js');  // shows what needs the script (lazy tiles, 放大); the script is on
    fitTables();
    Viewer.layout();
    el = Focus.first();
    if (el) {
      Focus.set(el, true);
      // The viewer keeps its scroll position; a part asked for by #id is where the browser put it.
      if (el.getAttribute('data-viewer') === null && !location.hash) { Focus.showFirst(el); }
    }
    Viewer.start();
    Tiles.update();
  }

  on(win, 'scroll', Tiles.soon);
  on(win, 'resize', Tiles.soon);
  on(doc, 'keydown', listener('keydown'));
  on(doc, 'keypress', listener('keypress'));
  doc.onirkeypress = listener('irkeypress');
  // Mouse, touch or Tab focus: keep the "focused" class in step.
  on(doc, win.addEventListener ? 'focus' : 'focusin', function (e) {
    var el = (e || win.event).target || (e || win.event).srcElement;
    if (isFocusable(el) && el !== Focus.current) { Focus.set(el, true); }
  }, true);
  on(win, 'onpagehide' in win ? 'pagehide' : 'beforeunload', Focus.save);
  // Images above the first focusable may push it below the first screen once
  // they load: then, if no key was pressed yet, it should not have been picked.
  on(win, 'load', function () {
    var r;
    if (!Focus.byPlace || claim || !Focus.current) { return; }
    r = Focus.current.getBoundingClientRect();
    if (r.bottom > viewH() * TUNING.SAFE && Focus.readingFocus()) {
      Focus.set(Focus.reading, true);
    }
  });
  // Scrolling to a #part (after load) drops the browser's focus to the body:
  // a remote has nothing else to focus with, so give it back to ours.
  on(doc, win.addEventListener ? 'blur' : 'focusout', function () {
    setTimeout(function () {
      var a = doc.activeElement;
      if (Focus.current && (!a || a === doc.body)) {
        try { Focus.current.focus({ preventScroll: true }); } catch (e) { /* old boxes: no focus options */ }
      }
    }, 0);
  }, true);
  // Back-forward cache restores the page as it was; refocus the element.
  on(win, 'pageshow', function (e) { if (e && e.persisted && Focus.current) { Focus.set(Focus.current, true); } });
  if (doc.readyState === 'complete' || doc.readyState === 'interactive') { start(); } else {
    on(doc, 'DOMContentLoaded', start);
    on(win, 'load', start);
  }
}(window, document));
