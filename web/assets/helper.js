/* Served by the content origin into archive pages that run their scripts:
   tells the viewer which page is shown and its title, and passes the
   quick-hide key (Esc twice), which reaches the frame, not the viewer. It
   holds no secret; anything a page could forge with it is harmless. */
(function () {
  var UI = '__UI_ORIGIN__';
  if (window.parent === window || window.parent !== window.top) return;
  function say(m) {
    try { window.parent.postMessage(m, UI); } catch (e) {}
  }
  var last = '';
  function at() {
    var p = location.pathname, h = location.hash, t = document.title;
    var key = p + '\n' + h + '\n' + t;
    if (key === last) return;
    last = key;
    say({ ds: 'at', path: p, hash: h, title: t });
  }
  window.addEventListener('load', at);
  window.addEventListener('hashchange', at);
  window.addEventListener('popstate', at);
  // Script apps change the title and path without an event of their own.
  setInterval(at, 700);
  // Links an archive opens in a new window or over the whole tab: the
  // sandbox allows neither (no popups, no top navigation), so without this
  // they would do nothing. Its own pages open in the frame instead.
  document.addEventListener('click', function (e) {
    if (e.defaultPrevented) return;
    var a = e.target;
    while (a && a.nodeName !== 'A' && a.nodeName !== 'AREA') a = a.parentNode;
    if (!a || !a.href) return;
    var t = (a.getAttribute('target') || '').toLowerCase();
    if (t === '' || t === '_self') return;
    if (a.protocol !== location.protocol || a.host !== location.host) return;
    e.preventDefault();
    location.href = a.href;
  }, false);
  var esc = 0;
  document.addEventListener('keydown', function (e) {
    if (e.keyCode !== 27) return;
    var now = new Date().getTime();
    if (now - esc < 800) say({ ds: 'hide' });
    esc = now;
  }, true);
})();
