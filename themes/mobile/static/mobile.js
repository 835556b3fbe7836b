/* mobile.js - the phone theme's one script (ES5). The phone and web pages work without it; it only adds kiosk mode.
 *
 * Kiosk mode (触摸屏查询机): open any page with ?kiosk in its address (index.html?kiosk, or ?kiosk=5 for 5 idle
 * minutes; 3 by default). Then, on every page the visitor reaches from there:
 * - <html> has the class `kiosk` (mobile.css: every control at least 48x48 CSS px);
 * - every in-site link carries ?kiosk=N (rewritten as the page loads and again when followed, so links made later,
 *   such as search results, carry it too): from file:// or any server path alike, no storage needed;
 * - nothing leaves the site: a link with a scheme (tel:, mailto:, http:, ...) or to another host becomes plain text,
 *   a click on one is cancelled, targets (new windows) are dropped and window.open does nothing;
 * - after N minutes without a touch, key or scroll the page returns to the kiosk's home: the village home (or the
 *   city home) of the page the kiosk was started on (remembered for the tab in sessionStorage; where that is not
 *   available, the home of the page shown: body data-home).
 */
(function () {
  var doc = document, root = doc.documentElement, win = window;
  var HOME_KEY = 'sitegen-kiosk-home', DEFAULT_MINUTES = 3;
  var match = /[?&]kiosk(?:=([0-9]+(?:\.[0-9]+)?))?(?:[&#]|$)/.exec(win.location.search);
  if (!match) { return; }
  var minutes = match[1] ? parseFloat(match[1]) : DEFAULT_MINUTES;
  if (!(minutes > 0)) { minutes = DEFAULT_MINUTES; }
  var query = 'kiosk' + (match[1] ? '=' + match[1] : '');
  root.className += (root.className ? ' ' : '') + 'kiosk';

  // No new windows, nothing outside the site.
  win.open = function () { return null; };

  // A link that stays in this site: relative, no scheme, no host (check_links only lets those, tel: and data: be).
  function inSite(href) {
    return href !== null && !/^[a-zA-Z][a-zA-Z0-9+.\-]*:|^\/\//.test(href);
  }

  // The href with ?kiosk added (kept before any #fragment; a query already there is kept).
  function withKiosk(href) {
    var hash = '', at = href.indexOf('#'), path;
    if (at >= 0) { hash = href.slice(at); href = href.slice(0, at); }
    if (href === '') { return hash; }  // a jump inside the page: the page's own address keeps ?kiosk
    if (/[?&]kiosk(=|&|$)/.test(href)) { return href + hash; }
    path = href + (href.indexOf('?') >= 0 ? '&' : '?') + query;
    return path + hash;
  }

  // A link out of the site: its text only.
  function disarm(a) {
    var span = doc.createElement('span');
    span.className = 'kiosk-text';
    while (a.firstChild) { span.appendChild(a.firstChild); }
    a.parentNode.replaceChild(span, a);
  }

  function fix(a) {
    var href = a.getAttribute('href');
    if (href === null) { return; }
    a.removeAttribute('target');
    if (!inSite(href)) { disarm(a); return; }
    a.setAttribute('href', withKiosk(href));
  }

  function fixAll() {
    var links = doc.getElementsByTagName('a'), list = [], i;
    for (i = 0; i < links.length; i++) { list.push(links[i]); }  // disarm() changes the live list
    for (i = 0; i < list.length; i++) { fix(list[i]); }
  }

  // Followed links: fix at the last moment too (links a script made after load), and refuse what leaves.
  doc.addEventListener('click', function (e) {
    var a = e.target;
    while (a && a.nodeName !== 'A') { a = a.parentNode; }
    if (!a || a.getAttribute('href') === null) { return; }
    if (!inSite(a.getAttribute('href'))) { e.preventDefault(); disarm(a); return; }
    fix(a);
  }, true);

  // Home: the village (or city) home of the page the kiosk started on.
  function absolute(href) {
    var a = doc.createElement('a');
    a.href = href;
    return a.href;
  }
  function homeUrl() {
    var stored = null, own = doc.body.getAttribute('data-home') || 'index.html';
    try { stored = win.sessionStorage.getItem(HOME_KEY); } catch (e) { stored = null; }
    if (!stored) {
      stored = absolute(own).split('#')[0].split('?')[0];
      try { win.sessionStorage.setItem(HOME_KEY, stored); } catch (e2) { /* file:// without storage */ }
    }
    return stored;
  }

  var timer = null, home = null;
  function goHome() {
    var here = win.location.href.split('#')[0].split('?')[0];
    if (here === home && (win.pageYOffset || 0) === 0) { restart(); return; }
    win.location.replace(home + '?' + query);
  }
  function restart() {
    if (timer !== null) { win.clearTimeout(timer); }
    timer = win.setTimeout(goHome, minutes * 60000);
  }

  function start() {
    home = homeUrl();
    fixAll();
    var events = ['pointerdown', 'touchstart', 'mousedown', 'keydown', 'wheel', 'scroll', 'input'], i;
    for (i = 0; i < events.length; i++) { win.addEventListener(events[i], restart, true); }
    restart();
  }

  if (doc.readyState === 'loading') {
    doc.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
  // Shown again from the back/forward cache: the idle time starts over.
  win.addEventListener('pageshow', function (e) { if (e.persisted && home) { restart(); } });
}());
