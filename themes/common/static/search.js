/* search.js - the search page (搜索) on the TV and on the phone.
 *
 * ES5 only, like tv.js (tests/test_search.py parses it as ES5.1). The index
 * is window.SEARCH_INDEX, from search-index.js beside the page (made by
 * sitegen/search.py; a script, not JSON, so it loads from file:// too).
 * TV: letters from the on-screen grid (tv.js moves the focus and OK clicks),
 * digits from the remote: a digit matches itself or, by T9, its letters
 * (2 = ABC), so 9 9 4 finds 张永刚 (ZYG) as well as an amount or a code
 * with those digits. Each press updates the results; a digit puts the focus
 * on the best match, so OK opens it. Back returns with the query kept.
 * Phone: the phone's keyboard in a search field: Chinese characters, full
 * pinyin or initials, digits.
 * Record fields (search.py): kind, board, flow, month, scope, path, title,
 * sub, name initials, title initials, code, amount.
 */
(function (win, doc) {
  'use strict';

  var IDX = win.SEARCH_INDEX, root = doc.getElementById('search');
  if (!IDX || !root || !doc.querySelectorAll) { return; }
  var T9 = '22233344455566677778889999';   // A..Z
  var GROUPS = ['0', '1', 'ABC', 'DEF', 'GHI', 'JKL', 'MNO', 'PQRS', 'TUV', 'WXYZ'];
  var LIMIT = 20, STORE = 'search:' + location.pathname;
  var KINDS = ['凭证', '', '工程项目', '名单'];
  var W_NAME = 100, W_AMOUNT = 90, W_CODE = 80, W_TITLE = 60, W_WAN = 40, W_TEXT = 100, W_PINYIN = 70;
  var input = doc.getElementById('search-input');
  var shown = doc.getElementById('search-q'), list = doc.getElementById('search-results');
  var count = doc.getElementById('search-count');
  var boards = (root.getAttribute('data-boards') || '全部').split('|');
  var months = IDX.months || [], recs = [], py = null, claim = null;
  var state = { q: '', board: 0, month: 0, flow: 0 };
  var FLOWS = ['全部', '收入', '支出'];
  var i;

  function on(target, type, fn) {
    if (target.addEventListener) { target.addEventListener(type, fn, false); } else if (target.attachEvent) { target.attachEvent('on' + type, fn); }
  }
  function now() { return new Date().getTime(); }
  function setText(el, text) {
    if (!el) { return; }
    while (el.firstChild) { el.removeChild(el.firstChild); }
    el.appendChild(doc.createTextNode(text));
  }
  function addClass(el, c) { if ((' ' + el.className + ' ').indexOf(' ' + c + ' ') < 0) { el.className = el.className ? el.className + ' ' + c : c; } }

  // Tokens each record is found by, with how much a match counts.
  function prepare(r) {
    var toks = [], names = r[8] ? r[8].split('|') : [], amount = r[11], whole, j;
    for (j = 0; j < names.length; j++) { toks.push([names[j], W_NAME]); }
    if (r[9]) { toks.push([r[9], W_TITLE]); }
    if (r[10]) { toks.push([r[10], W_CODE, 3]); }  // a code from three characters on: fewer chance hits
    if (amount) {
      whole = amount.split('.')[0];
      toks.push([whole, W_AMOUNT]);
      if (whole.length > 4) { toks.push([whole.substring(0, whole.length - 4), W_WAN]); }  // 5 = 5万
    }
    return { r: r, toks: toks, text: (r[6] + ' ' + r[7]).toLowerCase(), pin: null };
  }
  for (i = 0; i < IDX.r.length; i++) { recs.push(prepare(IDX.r[i])); }

  // Full pinyin (phone): from the index's map of the characters it uses.
  function pinyinOf(text) {
    var out = '', j, ch, s;
    if (!py) {
      py = {};
      s = IDX.py || '';
      for (j = 0; j < s.length; j++) {
        ch = s.charAt(j);
        if (ch < 'a' || ch > 'z') { py.cur = ch; py[ch] = ''; } else { py[py.cur] += ch; }
      }
    }
    for (j = 0; j < text.length; j++) {
      ch = text.charAt(j);
      out += py.hasOwnProperty(ch) && ch !== 'cur' ? py[ch] : ch.toLowerCase();
    }
    return out;
  }

  // A digit stands for itself and its T9 letters; a letter for itself.
  function pattern(q) {
    var src = '', j, c;
    for (j = 0; j < q.length; j++) {
      c = q.charAt(j);
      if (c >= '0' && c <= '9') { src += '[' + c + GROUPS[+c].replace(/^[01]$/, '') + ']'; } else if (c >= 'A' && c <= 'Z') { src += c; }
    }
    return src ? new RegExp(src) : null;
  }

  function score(rec, re, q, raw) {
    var best = 0, j, t, m, s, k, r = rec.r;
    if (re) {
      for (j = 0; j < rec.toks.length; j++) {
        t = rec.toks[j];
        if (t[2] && q.length < t[2]) { continue; }
        m = re.exec(t[0]);
        if (m) {
          s = t[1] + (m.index === 0 ? 50 : 0) + (t[0].length === q.length ? 30 : 0) - Math.min(m.index, 20);
          if (s > best) { best = s; }
        }
      }
    }
    if (raw) {  // the phone: characters typed as they are, or full pinyin
      k = rec.text.indexOf(raw);
      if (k >= 0) { best = Math.max(best, W_TEXT + (k === 0 ? 50 : 0)); }
      if (/^[a-z]+$/.test(raw) && raw.length > 1) {
        if (rec.pin === null) { rec.pin = pinyinOf(r[6] + ' ' + r[7]); }
        k = rec.pin.indexOf(raw);
        if (k >= 0) { best = Math.max(best, W_PINYIN + (k === 0 ? 50 : 0)); }
      }
    }
    return best ? best - 20 * r[4] : 0;  // the village's own first, then its town's, then the city's
  }

  function passes(r) {
    return (!state.board || r[1] === state.board - 1) && (!state.month || r[3] === state.month - 1) &&
      (!state.flow || r[2] === state.flow);
  }

  // Results for the state: best matches first; with no query, every record in index order (latest first).
  function results() {
    var raw = input ? input.value.replace(/^\s+|\s+$/g, '').toLowerCase() : '';
    var q = input ? raw.toUpperCase().replace(/[^A-Z0-9]/g, '') : state.q, re = pattern(q);
    var found = [], j, s;
    if (input && /[^a-z0-9\s]/.test(raw)) { re = null; q = ''; }  // Chinese: matched as written only
    for (j = 0; j < recs.length; j++) {
      if (!passes(recs[j].r)) { continue; }
      if (!re && !raw) { found.push({ rec: recs[j], s: 0, n: j }); continue; }
      s = score(recs[j], re, q, input ? raw : '');
      if (s > 0) { found.push({ rec: recs[j], s: s, n: j }); }
    }
    found.sort(function (a, b) { return b.s - a.s || a.n - b.n; });
    return found;
  }

  // Result rows are made once and refilled (fewer nodes made and dropped on every press).
  var pool = [];
  function row(j, r) {
    var a = pool[j], t, m, kind = KINDS[r[0]], scope = r[4] ? IDX.scopes[r[4]] + ' · ' : '';
    if (!a) {
      a = pool[j] = doc.createElement('a');
      t = doc.createElement('span');
      m = doc.createElement('span');
      a.className = 'row result';
      t.className = 'row-title';
      m.className = 'row-meta';
      t.appendChild(doc.createTextNode(''));
      m.appendChild(doc.createTextNode(''));
      a.appendChild(t);
      a.appendChild(m);
    }
    a.setAttribute('href', r[5]);
    a.firstChild.firstChild.nodeValue = r[6];
    a.lastChild.firstChild.nodeValue = scope + (kind ? kind + ' · ' : '') + r[7];
    return a;
  }

  function save() {
    var v = [input ? input.value : state.q, state.board, state.month, state.flow];
    try { win.sessionStorage.setItem(STORE, win.JSON ? win.JSON.stringify(v) : ''); } catch (e) { /* storage off */ }
  }

  function filterLabels() {
    var b = doc.getElementById('f-board'), m = doc.getElementById('f-month'), f = doc.getElementById('f-flow');
    if (input) { b.value = String(state.board); m.value = String(state.month); f.value = String(state.flow); return; }
    setText(b, '板块：' + boards[state.board]);
    setText(m, '月份：' + (state.month ? months[state.month - 1] : '全部'));
    setText(f, '收支：' + FLOWS[state.flow]);
  }

  // Redraw the results; `focusFirst`: put the focus on the best match (tv.js follows focus events).
  function run(focusFirst) {
    var found = results(), j, had, first, a;
    had = doc.activeElement && doc.activeElement.parentNode === list;
    for (j = 0; j < found.length && j < LIMIT; j++) {
      a = row(j, found[j].rec.r);
      if (a.parentNode !== list) { list.appendChild(a); }
    }
    for (; j < pool.length; j++) { if (pool[j].parentNode === list) { list.removeChild(pool[j]); } }
    setText(shown, state.q);
    setText(count, found.length ? '找到 ' + found.length + ' 条' + (found.length > LIMIT ? '，显示最相符的 ' + LIMIT + ' 条' : '')
      : (input ? '没有找到，请少打一个字或换个条件' : '没有找到，请少按一个键或换个条件'));
    filterLabels();
    save();
    first = list.firstChild;
    if ((focusFirst || had) && !input) {
      try { (first || doc.querySelector('[data-autofocus]')).focus(); } catch (e) { /* old boxes */ }
    }
  }

  function type(ch) {
    if (ch === 'del') { state.q = state.q.substring(0, state.q.length - 1); } else if (ch === 'clear') { state.q = ''; } else if (state.q.length < 24) { state.q += ch; }
  }

  function cycle(which) {
    var sizes = { board: boards.length, month: months.length + 1, flow: FLOWS.length };
    state[which] = (state[which] + 1) % sizes[which];
  }

  function restore() {
    var p = win.performance, v = null;
    if (!(p && p.navigation && p.navigation.type === 2)) { return; }  // only Back/Forward keeps the query
    try { v = win.JSON.parse(win.sessionStorage.getItem(STORE)); } catch (e) { /* storage off, or not ours */ }
    if (!v || typeof v.length !== 'number' || v.length !== 4) { return; }
    if (input) { input.value = String(v[0]).substring(0, 60); } else { state.q = /^[A-Z0-9]{0,24}$/.test(v[0]) ? v[0] : ''; }
    state.board = Math.max(0, Math.min(+v[1] || 0, boards.length - 1));
    state.month = Math.max(0, Math.min(+v[2] || 0, months.length));
    state.flow = Math.max(0, Math.min(+v[3] || 0, 2));
  }

  function options(sel, labels) {
    var j, o;
    for (j = 0; j < labels.length; j++) {
      o = doc.createElement('option');
      o.value = String(j);
      o.appendChild(doc.createTextNode(labels[j]));
      sel.appendChild(o);
    }
  }

  // Digits from the remote: tv.js leaves them alone on a page without digit tiles.
  function digitKey(e, src) {
    var code, t, n = -1;
    e = e || win.event;
    code = e.which || e.keyCode;
    t = e.target || e.srcElement;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) { return true; }
    if (code >= 48 && code <= 57) { n = code - 48; } else if (code >= 96 && code <= 105 && src !== 'keypress') { n = code - 96; }
    if (n < 0) { return true; }
    if (claim && claim.src !== src && now() - claim.t < 150) { return false; }  // one press, two events
    claim = { src: src, t: now() };
    type(String(n));
    run(true);
    if (e.preventDefault) { e.preventDefault(); } else { e.returnValue = false; }
    return false;
  }

  addClass(doc.documentElement, 'search-ready');  // shows the search, hides the ways in without script
  restore();
  if (input) {
    options(doc.getElementById('f-board'), ['全部板块'].concat(boards.slice(1)));
    options(doc.getElementById('f-month'), ['全部月份'].concat(months));
    options(doc.getElementById('f-flow'), ['收入和支出', '收入', '支出']);
    on(input, 'input', function () { run(false); });
    on(input, 'keyup', function () { run(false); });  // old phones without input events
    on(root, 'change', function (e) {
      var t = (e || win.event).target || (e || win.event).srcElement, f = t.getAttribute('data-filter');
      if (f) { state[f] = +t.value || 0; run(false); }
    });
  } else {
    on(root, 'click', function (e) {
      var t = (e || win.event).target || (e || win.event).srcElement, k, f;
      while (t && t !== root && t.tagName !== 'BUTTON') { t = t.parentNode; }
      if (!t || t === root) { return; }
      k = t.getAttribute('data-key');
      f = t.getAttribute('data-filter');
      if (k) { type(k); run(false); } else if (f) { cycle(f); run(false); }
    });
    on(doc, 'keydown', function (e) { return digitKey(e, 'keydown'); });
    on(doc, 'keypress', function (e) { return digitKey(e, 'keypress'); });
  }
  run(false);
  // The query as the page is shown (a search engine of tests reads it; no script of the page needs it).
  win.SEARCH = { run: run, state: state, results: results, type: type };
}(window, document));
